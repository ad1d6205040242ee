"""Helpers of the end-to-end suite: starting a local stack with its environment restored afterwards,
GraphQL over HTTP, a small graphql-transport-ws client, hand-made (and hand-broken) tokens, polling."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any, TypeVar
from unittest.mock import patch

import httpx
import jwt
from argus.local import stack as stack_module
from argus.local.provision import provision
from argus.local.stack import LocalStack, reset_process_caches
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

KNOWN_CODES = frozenset(
    {"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT", "CONFLICT", "INTERNAL"}
)
GRAPHQL_TRANSPORT_WS = Subprotocol("graphql-transport-ws")
ORGANISATION_CREATED = "org.argus.organisation.created.v2"
ORGANISATION_UPDATED = "org.argus.organisation.updated.v2"

T = TypeVar("T")


def unique(prefix: str) -> str:
    """A fresh organisation id / slug / sub: lowercase letters, digits and single hyphens."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# -- polling ----------------------------------------------------------------------------------------


def wait_until(
    probe: Callable[[], T], *, timeout: float = 15.0, interval: float = 0.05, what: str = "the condition"
) -> T:
    """Call ``probe`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:.0f} s waiting for {what} (last value: {value!r})"
            )
        time.sleep(interval)


# -- the local stack ------------------------------------------------------------------------------

_ENV_PREFIXES = ("ARGUS_", "AWS_")
_stack_numbers = itertools.count(1)
_running: list[LocalStack] = []
_lock = threading.Lock()


def _env_snapshot() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k.startswith(_ENV_PREFIXES)}


def _restore_env(snapshot: dict[str, str]) -> None:
    for key in [k for k in os.environ if k.startswith(_ENV_PREFIXES)]:
        if key not in snapshot:
            del os.environ[key]
    os.environ.update(snapshot)


def queue_depths(stack: LocalStack) -> dict[str, int]:
    """Messages waiting or in flight in each of the stack's consumer and live queues."""
    assert stack.resources is not None
    pairs = [*stack.resources.consumer_queues.values()]
    if stack.resources.live_queue is not None:
        pairs.append(stack.resources.live_queue)
    depths: dict[str, int] = {}
    for pair in pairs:
        attributes = stack.clients["sqs"].get_queue_attributes(
            QueueUrl=pair.url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        depths[pair.name] = int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )
    return depths


def wait_quiet(stack: LocalStack, timeout: float = 20.0) -> None:
    """Wait until none of ``stack``'s queues holds a message, five looks in a row 0.1 s apart (the
    poller relays a new stream record to the queues within one of its 50 ms rounds)."""
    quiet_looks = 0

    def quiet() -> bool:
        nonlocal quiet_looks
        quiet_looks = quiet_looks + 1 if not any(queue_depths(stack).values()) else 0
        return quiet_looks >= 5

    wait_until(quiet, timeout=timeout, interval=0.1, what="the local stack's queues to drain")


@contextmanager
def running_stack(**options: Any) -> Iterator[LocalStack]:
    """A started LocalStack on free ports. The stack configures the process environment (endpoint,
    issuer, table) and process-wide caches; both are restored when it stops, so that another stack
    or another suite in the same process is not pointed at a stopped moto server."""
    with _lock:
        others = list(_running)
    for other in others:
        # Handlers run in process with process-wide settings: let an earlier stack finish its work
        # before the environment points elsewhere.
        wait_quiet(other)
    snapshot = _env_snapshot()
    # Every moto server started in this process serves the same in-process backends, so each stack
    # gets a table, bus and queue/bucket prefix of its own (LocalStack has no option for the prefix).
    name = f"argus-e2e-{next(_stack_numbers)}-{uuid.uuid4().hex[:6]}"
    options = {"table_name": name, "bus_name": name, **options}
    stack = LocalStack(port=0, moto_port=0, **options)
    stopped = False

    def stop() -> None:
        nonlocal stopped
        with _lock:
            if stopped:
                return
            stopped = True
            if stack in _running:
                _running.remove(stack)
            _stoppers.pop(id(stack), None)
        try:
            stack.stop()
        finally:
            _restore_env(snapshot)
            reset_process_caches()

    with _lock:
        _running.append(stack)
        _stoppers[id(stack)] = stop
    try:
        with patch.object(stack_module, "provision", partial(provision, prefix=name)):
            stack.start()
        yield stack
    finally:
        stop()


_stoppers: dict[int, Callable[[], None]] = {}


def stop_all_stacks() -> None:
    """Stop every running stack, the newest first (each restores the environment it found)."""
    with _lock:
        stoppers = [_stoppers[id(s)] for s in reversed(_running) if id(s) in _stoppers]
    for stop in stoppers:
        stop()


# -- GraphQL over HTTP ----------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    text: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    @property
    def codes(self) -> list[str]:
        return [str((e.get("extensions") or {}).get("code")) for e in self.errors]

    def ok(self) -> Any:
        """The data of a response without errors."""
        assert not self.errors, f"unexpected errors: {self.errors}"
        assert self.data is not None
        return self.data

    def refused(self, code: str) -> Response:
        """Assert the operation was refused with ``code`` (every error carries it)."""
        assert self.errors, f"expected {code}, got data {self.data}"
        assert set(self.codes) == {code}, f"expected {code}, got {self.errors}"
        return self


class GraphQLClient:
    """GraphQL over HTTP POST. Every response is checked for the API's error contract: JSON, no
    stack trace, and each error with a known ``extensions.code``."""

    def __init__(self, url: str, timeout: float = 20) -> None:
        self.url = url
        self._http = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        authorization: str | None = None,
    ) -> Response:
        headers = {"content-type": "application/json"}
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        if authorization is not None:
            headers["authorization"] = authorization
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        http_response = self._http.post(self.url, json=payload, headers=headers)
        text = http_response.text
        assert "Traceback" not in text, f"a stack trace left the API: {text[:2000]}"
        body = http_response.json()
        assert isinstance(body, dict), text
        for error in body.get("errors") or []:
            assert (error.get("extensions") or {}).get("code") in KNOWN_CODES, (
                f"error without a known code: {error}"
            )
        headers = {k.lower(): v for k, v in http_response.headers.items()}
        return Response(http_response.status_code, text, body, headers)


# -- the operations the tests use -------------------------------------------------------------------

ORGANISATION_FIELDS = """
    id name slug timezone locale version createdAt updatedAt
    privacy { minCellSize locationResolution publicationDelayDays }
    contacts { kind value label }
"""
ORGANISATION = f"query {{ organisation {{ {ORGANISATION_FIELDS} }} }}"
CREATE_ORGANISATION = f"""
mutation Create($input: CreateOrganisationInput!) {{
  createOrganisation(input: $input) {{ {ORGANISATION_FIELDS} }}
}}
"""
UPDATE_ORGANISATION = f"""
mutation Update($input: UpdateOrganisationInput!) {{
  updateOrganisation(input: $input) {{ {ORGANISATION_FIELDS} }}
}}
"""
ADD_STAFF = """
mutation Add($input: AddStaffMemberInput!) { addStaffMember(input: $input) { sub displayName email roles } }
"""
STAFF_PAGE = """
query Staff($first: Int, $after: String) {
  staff(first: $first, after: $after) {
    nodes { sub displayName email roles createdAt }
    pageInfo { endCursor hasNextPage }
  }
}
"""
AUDIT_PAGE = """
query Audit($first: Int, $after: String) {
  auditTrail(first: $first, after: $after) {
    nodes { eventId eventType subject time actor data }
    pageInfo { endCursor hasNextPage }
  }
}
"""
ORGANISATION_EVENTS = "subscription { organisationEvents { id type source subject time orgId data } }"


def all_pages(client: GraphQLClient, query: str, field_name: str, token: str) -> list[dict[str, Any]]:
    """Every node of a connection, following cursors."""
    nodes: list[dict[str, Any]] = []
    after: str | None = None
    for _ in range(100):
        page = client.execute(query, {"first": 100, "after": after}, token=token).ok()[field_name]
        nodes += page["nodes"]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"] or not after:
            return nodes
    raise AssertionError("the connection did not end after 100 pages")


def audit_trail(client: GraphQLClient, token: str) -> list[dict[str, Any]]:
    return all_pages(client, AUDIT_PAGE, "auditTrail", token)


def staff_list(client: GraphQLClient, token: str) -> list[dict[str, Any]]:
    return all_pages(client, STAFF_PAGE, "staff", token)


def wait_for_audit(
    client: GraphQLClient,
    token: str,
    predicate: Callable[[list[dict[str, Any]]], bool],
    *,
    timeout: float = 10.0,
    what: str = "the audit trail",
) -> list[dict[str, Any]]:
    """Poll the audit trail until ``predicate`` holds for it (the poller delivers asynchronously)."""
    result: list[dict[str, Any]] = []

    def probe() -> bool:
        nonlocal result
        result = audit_trail(client, token)
        return predicate(result)

    wait_until(probe, timeout=timeout, interval=0.1, what=what)
    return result


@dataclass
class Org:
    """An organisation created through the API, with its admin."""

    id: str
    name: str
    slug: str
    admin_sub: str
    admin_token: str
    created: dict[str, Any] = field(default_factory=dict)


def create_org(
    client: GraphQLClient,
    stack: LocalStack,
    prefix: str,
    *,
    org_id: str | None = None,
    name: str | None = None,
    slug: str | None = None,
    admin_sub: str | None = None,
    **extra: Any,
) -> Org:
    org_id = org_id or unique(prefix)
    admin_sub = admin_sub or unique(f"{prefix}-admin")
    token = stack.token(org_id, ["admin"], sub=admin_sub)
    name = name or f"{prefix.title()} Watch {uuid.uuid4().hex[:6]}"
    slug = slug or unique(f"{prefix}-watch")
    fields = {"name": name, "slug": slug, **extra}
    created = client.execute(CREATE_ORGANISATION, {"input": fields}, token=token).ok()["createOrganisation"]
    return Org(org_id, name, slug, admin_sub, token, created)


def organisation(client: GraphQLClient, token: str) -> dict[str, Any]:
    org: dict[str, Any] = client.execute(ORGANISATION, token=token).ok()["organisation"]
    return org


# -- a graphql-transport-ws client -------------------------------------------------------------------


class Closed(Exception):
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed with {code}: {reason}")
        self.code = code
        self.reason = reason


class GraphQLWebSocket:
    """The client side of graphql-transport-ws, enough for subscriptions in tests."""

    def __init__(self, url: str) -> None:
        self._exit = ExitStack()
        self._ws: ClientConnection = self._exit.enter_context(
            connect(url, subprotocols=[GRAPHQL_TRANSPORT_WS], open_timeout=10, close_timeout=2)
        )
        assert self._ws.subprotocol == GRAPHQL_TRANSPORT_WS
        self.received: list[dict[str, Any]] = []

    def __enter__(self) -> GraphQLWebSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._exit.close()

    def send(self, message: dict[str, Any]) -> None:
        self._ws.send(json.dumps(message))

    def receive(self, timeout: float) -> dict[str, Any] | None:
        """The next protocol message (pings are answered), or None after ``timeout``; raises Closed."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                raw = self._ws.recv(timeout=remaining)
            except TimeoutError:
                return None
            except ConnectionClosed as exc:
                code, reason = (exc.rcvd.code, exc.rcvd.reason) if exc.rcvd else (None, "")
                assert "Traceback" not in reason
                raise Closed(code, reason) from None
            assert isinstance(raw, str) and "Traceback" not in raw, raw
            message: dict[str, Any] = json.loads(raw)
            self.received.append(message)
            if message.get("type") == "ping":
                self.send({"type": "pong"})
                continue
            return message

    def init(self, payload: dict[str, Any] | None) -> dict[str, Any] | None:
        """Send connection_init; return the server's answer (raises Closed when it closes instead)."""
        self.send(
            {"type": "connection_init", "payload": payload}
            if payload is not None
            else {"type": "connection_init"}
        )
        return self.receive(timeout=10)

    def subscribe(self, subscription_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        self.send(
            {
                "id": subscription_id,
                "type": "subscribe",
                "payload": {"query": query, "variables": variables or {}},
            }
        )

    def next_event(self, subscription_id: str, timeout: float) -> dict[str, Any] | None:
        """The payload of the next ``next`` message of the subscription, or None after ``timeout``."""
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            message = self.receive(remaining)
            if message is None:
                return None
            if message.get("id") != subscription_id:
                continue
            assert message["type"] == "next", f"subscription ended: {message}"
            payload: dict[str, Any] = message["payload"]
            return payload
        return None


def bearer_params(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- tokens made by hand ---------------------------------------------------------------------------


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def b64url_json(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def claims_for(stack: LocalStack, org: str, roles: list[str], sub: str, **overrides: Any) -> dict[str, Any]:
    """The claims the local issuer would put in a token; ``overrides`` replace (None: remove) claims."""
    assert stack.issuer is not None
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": stack.issuer.issuer,
        "aud": stack.issuer.audience,
        "sub": sub,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "custom:org": org,
        "custom:roles": " ".join(roles),
    }
    for name, value in overrides.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def sign_rs256(claims: dict[str, Any], key: rsa.RSAPrivateKey, kid: str) -> str:
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def unsigned_token(claims: dict[str, Any], kid: str) -> str:
    """``alg: none``: no signature at all."""
    return f"{b64url_json({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{b64url_json(claims)}."


def hs256_with_public_key(claims: dict[str, Any], public_key: rsa.RSAPublicKey, kid: str) -> str:
    """The algorithm-confusion attack: HS256 with the issuer's public key PEM as the HMAC secret
    (made by hand: PyJWT refuses to use a PEM as an HMAC key)."""
    pem = public_key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = f"{b64url_json({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{b64url_json(claims)}"
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def with_payload(token: str, **changes: Any) -> str:
    """``token`` with claims changed but its original header and signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims.update(changes)
    return f"{header}.{b64url_json(claims)}.{signature}"


# -- the watch domain: operations and a small programme built over HTTP -------------------------------

WATCH_GROUP_FIELDS = "id name description status boundary areaKm2 createdAt"
BLOCK_FIELDS = "id groupId name area captainSub households members"
MEMBER_FIELDS = "id groupId blockId householdId displayName status joinedAt approvedAt"
PROPOSE_WATCH_GROUP = f"""
mutation Propose($input: ProposeWatchGroupInput!) {{
  proposeWatchGroup(input: $input) {{ {WATCH_GROUP_FIELDS} }}
}}
"""
CHANGE_WATCH_GROUP_STATUS = f"""
mutation Status($input: ChangeWatchGroupStatusInput!) {{
  changeWatchGroupStatus(input: $input) {{ {WATCH_GROUP_FIELDS} }}
}}
"""
RECORD_FIRST_MEETING = "mutation Meeting($groupId: ID!) { recordFirstMeeting(groupId: $groupId) { id } }"
ADD_BLOCK = f"mutation AddBlock($input: AreaInput!) {{ addBlock(input: $input) {{ {BLOCK_FIELDS} }} }}"
ASSIGN_CAPTAIN = """
mutation Assign($groupId: ID!, $blockId: ID!, $captainSub: String!) {
  assignCaptain(groupId: $groupId, blockId: $blockId, captainSub: $captainSub) {
    groupId blockId blockName assignedAt
  }
}
"""
IMPORT_BLOCK_ROSTER = """
mutation Import($input: ImportBlockRosterInput!) { importBlockRoster(input: $input) { households members } }
"""
ENROL = f"mutation Enrol($input: EnrolmentInput!) {{ enrol(input: $input) {{ {MEMBER_FIELDS} }} }}"
APPROVE_ENROLMENT = f"""
mutation Approve($groupId: ID!, $blockId: ID!, $memberId: ID!) {{
  approveEnrolment(groupId: $groupId, blockId: $blockId, memberId: $memberId) {{ {MEMBER_FIELDS} }}
}}
"""
LOG_ACTIVITY = """
mutation Log($input: LogActivityInput!) {
  logActivity(input: $input) { id captainSub groupId blockId kind hours occurredOn note loggedAt }
}
"""
WATCH_GROUP = f"query Group($id: ID!) {{ watchGroup(id: $id) {{ {WATCH_GROUP_FIELDS} }} }}"
WATCH_GROUP_COUNTS = """
query Counts($id: ID!) {
  watchGroup(id: $id) { counts { blocks captainedBlocks households members pending joinedTotal leftTotal } }
}
"""
WATCH_GROUP_HISTORY = """
query History($id: ID!) { watchGroup(id: $id) { statusHistory { fromStatus toStatus by at reason } } }
"""
WATCH_GROUP_BLOCKS = f"query Blocks($id: ID!) {{ watchGroup(id: $id) {{ blocks {{ {BLOCK_FIELDS} }} }} }}"
BLOCK_ROSTER = f"""
query Roster($groupId: ID!, $blockId: ID!, $first: Int, $after: String) {{
  blockRoster(groupId: $groupId, blockId: $blockId, first: $first, after: $after) {{
    nodes {{ {MEMBER_FIELDS} }}
    pageInfo {{ endCursor hasNextPage }}
  }}
}}
"""
CAPTAIN_HUB = f"""
query Hub($first: Int, $after: String) {{
  captainHub(first: $first, after: $after) {{
    captainSub
    blocks {{ groupId blockId blockName assignedAt }}
    figures {{ households members pending activities hours membersAdded approvals meanResponseHours }}
    roster {{ nodes {{ {MEMBER_FIELDS} }} pageInfo {{ endCursor hasNextPage }} }}
    rosterBlockId
    recentActivity {{ id captainSub groupId blockId kind hours occurredOn note loggedAt }}
    openTasks {{ id kind title groupId blockId memberId createdAt }}
    mentors {{ mentorSub menteeSub groupId }}
    mentees {{ mentorSub menteeSub groupId }}
  }}
}}
"""
COVERAGE = f"""
query Coverage($longitude: Float!, $latitude: Float!) {{
  coverage(longitude: $longitude, latitude: $latitude) {{
    group {{ {WATCH_GROUP_FIELDS} }}
    block {{ {BLOCK_FIELDS} }}
  }}
}}
"""
WATCH_GROUP_ACTIVITY = """
subscription Activity($groupId: ID!) {
  watchGroupActivity(groupId: $groupId) { id type source subject time orgId data }
}
"""
MEMBER_ENROLLED = "org.argus.watch.member.enrolled.v1"


@dataclass
class WatchBlock:
    """A block of the programme, with what was put in it."""

    id: str
    name: str
    area: dict[str, Any]
    point: tuple[float, float]  # a point well inside the block (lon, lat)
    captain_sub: str
    households: int
    members: int  # imported, active
    pending: list[str] = field(default_factory=list)  # member ids of enrolments awaiting approval
    member_subs: list[str] = field(default_factory=list)  # accounts of imported members


@dataclass
class WatchProgramme:
    """A watch group of an organisation of its own, built through the API: a resident proposed it,
    an officer registered it, added blocks and captains; captains imported rosters, residents enrolled
    (pending), the first captain logged activities; then the group was activated."""

    org: Org
    officer_sub: str
    officer_token: str
    group_id: str
    group_name: str
    boundary: dict[str, Any]
    blocks: list[WatchBlock]
    activity_ids: list[str]

    def token(self, stack: LocalStack, roles: list[str], sub: str | None = None) -> str:
        return stack.token(self.org.id, roles, sub=sub or unique("person"))

    def captain_token(self, stack: LocalStack, captain_sub: str) -> str:
        return stack.token(self.org.id, ["captain"], sub=captain_sub)

    def blocks_of(self, captain_sub: str) -> list[WatchBlock]:
        return [b for b in self.blocks if b.captain_sub == captain_sub]


def log_patrol(gql: GraphQLClient, captain: str, programme: WatchProgramme, block_id: str) -> str:
    """A captain's half-hour patrol of their block today: an event of the group, with no personal data."""
    logged = gql.execute(
        LOG_ACTIVITY,
        {
            "input": {
                "groupId": programme.group_id,
                "blockId": block_id,
                "kind": "PATROL",
                "hours": 0.5,
                "occurredOn": date.today().isoformat(),
            }
        },
        token=captain,
    ).ok()["logActivity"]
    activity_id: str = logged["id"]
    return activity_id


WATCH_CAPTAIN_1 = "demo-captain-01"
WATCH_CAPTAIN_2 = "demo-captain-02"
# (block of demo_neighbourhood(), captain, households, pending enrolments)
_PROGRAMME_LAYOUT = ((0, WATCH_CAPTAIN_1, 9, 2), (1, WATCH_CAPTAIN_1, 6, 2), (2, WATCH_CAPTAIN_2, 5, 1))
_watch_programmes: dict[str, WatchProgramme] = {}


def interior_point(area: dict[str, Any]) -> tuple[float, float]:
    """A point inside a polygon, away from its edges (GEOS's point on surface)."""
    import shapely.geometry

    point = shapely.geometry.shape(area).representative_point()
    return (round(point.x, 7), round(point.y, 7))


def _household(rng: Any, block_index: int, house: int, street: str) -> dict[str, Any]:
    people = []
    for person in range(1 + (house % 3 == 0)):
        first, last = rng.choice(["Amara", "Ben", "Chloe", "Dev", "Efe"]), rng.choice(["Brown", "Das", "Ito"])
        people.append(
            {
                "displayName": f"{first} {last}",
                "sub": f"watch-member-{block_index:02d}-{house:02d}-{person}",
                "channels": [
                    {
                        "channel": "EMAIL",
                        "address": f"{first.lower()}.{block_index}.{house}.{person}@demo.example",
                        "consentWording": "I agree to receive watch alerts by email.",
                    }
                ],
            }
        )
    return {"address": {"line1": f"{2 * house + 1} {street}", "postcode": "EC1R 4QX"}, "members": people}


def build_watch_programme(client: GraphQLClient, stack: LocalStack) -> WatchProgramme:
    """A small programme (3 blocks over the demo neighbourhood, two captains, 20 households, five
    pending enrolments, three activities) in a new organisation — all over HTTP."""
    import random
    from datetime import date, timedelta

    from argus.geo import demo_neighbourhood

    rng = random.Random(20261121)
    layout = demo_neighbourhood()
    org = create_org(client, stack, "watch")
    officer_sub = unique("watch-officer")
    officer = stack.token(org.id, ["officer"], sub=officer_sub)
    founder = stack.token(org.id, ["resident"], sub=unique("founder"))
    group = client.execute(
        PROPOSE_WATCH_GROUP,
        {"input": {"name": layout.name, "description": "Demo", "boundary": layout.boundary.geojson}},
        token=founder,
    ).ok()["proposeWatchGroup"]
    group_id = group["id"]
    client.execute(
        CHANGE_WATCH_GROUP_STATUS,
        {"input": {"groupId": group_id, "status": "REGISTERED", "reason": "Boundary agreed"}},
        token=officer,
    ).ok()
    blocks: list[WatchBlock] = []
    for index, captain, households, pending in _PROGRAMME_LAYOUT:
        named = layout.blocks[index]
        added = client.execute(
            ADD_BLOCK,
            {"input": {"groupId": group_id, "name": named.name, "area": named.area.geojson}},
            token=officer,
        ).ok()["addBlock"]
        assignment = {"groupId": group_id, "blockId": added["id"], "captainSub": captain}
        client.execute(ASSIGN_CAPTAIN, assignment, token=officer).ok()
        rows = [_household(rng, index, house, named.name) for house in range(households)]
        imported = client.execute(
            IMPORT_BLOCK_ROSTER,
            {"input": {"groupId": group_id, "blockId": added["id"], "households": rows}},
            token=stack.token(org.id, ["captain"], sub=captain),
        ).ok()["importBlockRoster"]
        block = WatchBlock(
            id=added["id"],
            name=named.name,
            area=added["area"],
            point=interior_point(added["area"]),
            captain_sub=captain,
            households=imported["households"],
            members=imported["members"],
            member_subs=[p["sub"] for row in rows for p in row["members"]],
        )
        for n in range(pending):
            applicant = stack.token(org.id, ["resident"], sub=f"watch-applicant-{index:02d}-{n}")
            member = client.execute(
                ENROL,
                {
                    "input": {
                        "groupId": group_id,
                        "blockId": block.id,
                        "displayName": f"Applicant {index}-{n}",
                        "address": {"line1": f"{200 + n} {named.name}", "postcode": "EC1R 4QX"},
                    }
                },
                token=applicant,
            ).ok()["enrol"]
            block.pending.append(member["id"])
        blocks.append(block)
    captain_1 = stack.token(org.id, ["captain"], sub=WATCH_CAPTAIN_1)
    activity_ids = []
    for days_ago, kind, hours in ((1, "PATROL", 1.5), (3, "DOOR_KNOCK", 0.5), (8, "LEAFLETING", 2.0)):
        logged = client.execute(
            LOG_ACTIVITY,
            {
                "input": {
                    "groupId": group_id,
                    "blockId": blocks[0].id,
                    "kind": kind,
                    "hours": hours,
                    "occurredOn": (date.today() - timedelta(days=days_ago)).isoformat(),
                    "note": "Walked the block; nothing to report.",
                }
            },
            token=captain_1,
        ).ok()["logActivity"]
        activity_ids.append(logged["id"])
    client.execute(RECORD_FIRST_MEETING, {"groupId": group_id}, token=officer).ok()
    client.execute(
        CHANGE_WATCH_GROUP_STATUS,
        {"input": {"groupId": group_id, "status": "ACTIVE", "reason": "First meeting held"}},
        token=officer,
    ).ok()
    return WatchProgramme(
        org=org,
        officer_sub=officer_sub,
        officer_token=officer,
        group_id=group_id,
        group_name=layout.name,
        boundary=group["boundary"],
        blocks=blocks,
        activity_ids=activity_ids,
    )


def watch_programme(client: GraphQLClient, stack: LocalStack) -> WatchProgramme:
    """The programme of ``stack``, built on first use and shared by every watch module after that."""
    with _lock:
        built = _watch_programmes.get(stack.graphql_url)
    if built is None:
        built = build_watch_programme(client, stack)
        with _lock:
            built = _watch_programmes.setdefault(stack.graphql_url, built)
    return built


def all_roster_pages(
    client: GraphQLClient, token: str, group_id: str, block_id: str, first: int = 100
) -> list[dict[str, Any]]:
    """Every member of a block's roster, following cursors."""
    nodes: list[dict[str, Any]] = []
    after: str | None = None
    for _ in range(200):
        variables = {"groupId": group_id, "blockId": block_id, "first": first, "after": after}
        page = client.execute(BLOCK_ROSTER, variables, token=token).ok()["blockRoster"]
        nodes += page["nodes"]
        after = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
    raise AssertionError("the roster did not end after 200 pages")


def hub_roster_pages(client: GraphQLClient, token: str, first: int) -> list[dict[str, Any]]:
    """Every page of the captain hub's roster (``captainHub`` as a whole, one per page)."""
    hubs: list[dict[str, Any]] = []
    after: str | None = None
    for _ in range(500):
        hub = client.execute(CAPTAIN_HUB, {"first": first, "after": after}, token=token).ok()["captainHub"]
        hubs.append(hub)
        info = hub["roster"]["pageInfo"]
        if not info["hasNextPage"]:
            return hubs
        assert info["endCursor"], f"a page with a next page has no cursor: {info}"
        after = info["endCursor"]
    raise AssertionError("the hub roster did not end after 500 pages")


def wait_for_coverage(
    client: GraphQLClient, token: str, point: tuple[float, float], *, timeout: float = 30.0
) -> dict[str, Any]:
    """Poll ``coverage`` until the point has a group and a block (the geo index consumer runs later)."""
    found: dict[str, Any] = {}

    def probe() -> bool:
        nonlocal found
        found = client.execute(COVERAGE, {"longitude": point[0], "latitude": point[1]}, token=token).ok()[
            "coverage"
        ]
        return found["group"] is not None and found["block"] is not None

    wait_until(probe, timeout=timeout, interval=0.2, what=f"coverage of {point}")
    return found


# -- how far live events trail ------------------------------------------------------------------------

RENAME = "mutation($n: String!) { updateOrganisation(input: {name: $n}) { version } }"


def live_event_delays(
    stack: LocalStack, client: GraphQLClient, admin_token: str, *, rounds: int, pause: float = 0.3
) -> list[float]:
    """Seconds from each of ``rounds`` organisation updates being answered (the change and its event
    committed) to its live event reaching a WebSocket subscriber of the organisation."""
    delays: list[float] = []
    with GraphQLWebSocket(stack.websocket_url) as ws:
        assert (ws.init(bearer_params(admin_token)) or {}).get("type") == "connection_ack"
        ws.subscribe("delays", ORGANISATION_EVENTS)
        time.sleep(0.3)  # the subscription is registered with the broker
        for n in range(rounds):
            answered = client.execute(RENAME, {"n": f"Live delay {n}"}, token=admin_token)
            version = answered.ok()["updateOrganisation"]["version"]
            committed = time.monotonic()
            while True:
                payload = ws.next_event("delays", timeout=120)
                assert payload is not None, f"no live event for version {version} within 120 s"
                event = payload["data"]["organisationEvents"]
                if (
                    event["type"] == ORGANISATION_UPDATED
                    and event["data"]["organisation"]["version"] == version
                ):
                    break
            delays.append(time.monotonic() - committed)
            time.sleep(pause)
    return delays
