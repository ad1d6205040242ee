"""The two stacks: stateful (data that outlives deployments) and service (everything replaceable)."""
