"""The AppSync JavaScript resolvers of the real-time API (APPSYNC_JS 1.0.0), written from the
live-event catalogue (argus.realtime) so that what the publisher sends and what subscribers match
come from one declaration.

* ``publishLiveEvent`` (NONE data source): passes its arguments through, and for an ending event
  (``ENDING_EVENTS``: a member left, a captain replaced) asks AppSync to invalidate the followed
  subscriptions of the person it names.
* ``organisationEvents`` (NONE): filtered to the token's organisation and the organisation's types.
* followed subscriptions (``FOLLOWED``, Lambda data source = the authoriser): the request refuses a token
  without organisation and otherwise invokes the authoriser with AppSync's resolver context (never the
  request headers: they hold the bearer token); the response refuses the subscription as the decision
  says, or sets the organisation/entity/type filter and the decision's invalidation filter."""

from __future__ import annotations

import json

from argus.realtime import ENDING_EVENTS, SCOPE_KEYS, FollowedSubscription


def publish_resolver() -> str:
    """``publishLiveEvent``: the event as published, and the invalidations it causes."""
    scope = ", ".join(f"{json.dumps(key)}: live[{json.dumps(key)}]" for key in SCOPE_KEYS)
    invalidations = "".join(
        f"""
  if (live.type === {json.dumps(ending.event_type)} && data[{json.dumps(ending.data_field)}]) {{
    extensions.invalidateSubscriptions({{
      subscriptionField: {json.dumps(ending.subscription.field)},
      payload: {{ {scope}, {json.dumps(ending.key)}: data[{json.dumps(ending.data_field)}] }},
    }});
  }}"""
        for ending in ENDING_EVENTS
    )
    return f"""\
import {{ extensions }} from '@aws-appsync/utils';

export function request(ctx) {{
  return {{ payload: ctx.arguments }};
}}

// An event that ends a relation ends the followed subscriptions it names (AWSJSON data is JSON text).
export function response(ctx) {{
  const live = ctx.arguments;
  const data = JSON.parse(live.data);{invalidations}
  return ctx.result;
}}
"""


def organisation_resolver(org_claim: str, type_prefix: str) -> str:
    """A subscription to the caller's organisation: refuse a token without an organisation, then
    filter on it and on the event types of one domain (the client chooses nothing)."""
    return f"""\
import {{ util, extensions }} from '@aws-appsync/utils';

export function request(ctx) {{
  return {{ payload: null }};
}}

export function response(ctx) {{
  const claims = ctx.identity && ctx.identity.claims;
  const org = claims ? claims[{json.dumps(org_claim)}] : null;
  if (!org) {{
    util.unauthorized();
  }}
  extensions.setSubscriptionFilter(
    util.transform.toSubscriptionFilter({{
      orgId: {{ eq: org }},
      type: {{ beginsWith: {json.dumps(type_prefix)} }},
    }}),
  );
  return null;
}}
"""


def followed_resolver(org_claim: str, followed: FollowedSubscription) -> str:
    """A followed subscription on the authoriser's Lambda data source (see the module docstring)."""
    claim = json.dumps(org_claim)
    return f"""\
import {{ util, extensions }} from '@aws-appsync/utils';

export function request(ctx) {{
  const claims = ctx.identity && ctx.identity.claims;
  const org = claims ? claims[{claim}] : null;
  if (!org) {{
    util.unauthorized();
  }}
  return {{
    operation: 'Invoke',
    payload: {{ arguments: ctx.arguments, identity: ctx.identity, info: ctx.info }},
  }};
}}

export function response(ctx) {{
  if (ctx.error) {{
    util.error('Live events could not be authorised just now; subscribe again.', 'INTERNAL', null, {{
      code: 'INTERNAL',
    }});
  }}
  const decision = ctx.result;
  if (!decision || decision.allowed !== true) {{
    const code = decision && decision.code ? decision.code : 'FORBIDDEN';
    const message = decision && decision.message ? decision.message : 'You may not follow this.';
    const details = decision && decision.details ? decision.details : {{}};
    util.error(message, code, null, {{ code: code, details: details }});
  }}
  const claims = ctx.identity.claims;
  const org = claims[{claim}];
  // The organisation comes from the token; only the {followed.argument} is the client's choice.
  extensions.setSubscriptionFilter(
    util.transform.toSubscriptionFilter({{
      orgId: {{ eq: org }},
      subject: {{ eq: ctx.args.{followed.argument} }},
      type: {{ beginsWith: {json.dumps(followed.type_prefix)} }},
    }}),
  );
  if (decision.invalidation) {{
    extensions.setSubscriptionInvalidationFilter(util.transform.toSubscriptionFilter(decision.invalidation));
  }}
  return null;
}}
"""
