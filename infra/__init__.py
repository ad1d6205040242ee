"""The Argus CDK app: a stateful stack (table, keys, bus, buckets) and a service stack (functions, APIs,
rules, alarms), each composed of one construct per capability."""
