"""Property-based fuzzing of every write endpoint of the API, driven by its OpenAPI schema.

The schema at ``/api/schema/`` lists the operations; for each POST, PUT, PATCH and
DELETE, hypothesis draws requests against the demo installation (``seed_demo``): bodies
shaped by the operation's request schema, with hostile values mixed in (huge and
non-finite numbers, lone surrogates, dates at the calendar's ends, wrong types, deep
nesting, raw bodies that are not JSON), path parameters from the real ids plus hostile
ones, and every kind of user (anonymous, member, client, municipality, board, treasurer,
staff). The bank-statement import gets malformed and random files.

Properties, for every request:
- the answer is below 500;
- a 4xx wrote nothing: the row count of every table is unchanged.

Each request runs in a savepoint that is rolled back, so the installation is the same
for every example. The run is bounded: ``FUZZ_EXAMPLES`` examples per operation
(default 12) with a fixed seed, a couple of minutes on two cores.
"""

from __future__ import annotations

import json
import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import api_as
from tests.payouts.test_camt import STATEMENT

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
WRITE_METHODS = ("post", "put", "patch", "delete")

HUGE = [2**31, 2**63, 2**63 - 1, -(2**63) - 1, 2**70, 10**30, -1, 0]
HOSTILE_VALUES = [
    None,
    "",
    " ",
    "\ud800",
    "a\udfffb",
    "x" * 5000,
    True,
    [],
    {},
    [[[[[]]]]],
    {"a": {"b": {}}},
    "9999-12-31",
    "0001-01-01",
    "2026-02-30",
    "9999-12-31T23:59:59+14:00",
    "24:61",
    "NaN",
    "Infinity",
    "1e400",
    "-0",
    "0x10",
    "١٢٣",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\x00",
    "%00",
    "../../etc/passwd",
    1.5,
    -1.5,
    1e308,
    *HUGE,
]
RAW_BODIES = [
    "[" * 5000 + "]" * 5000,
    '{"a":' * 2000 + "1" + "}" * 2000,
    '{"x": 1e400}',
    '{"x": NaN}',
    '{"x": -Infinity}',
    '{"x": "\\ud800"}',
    '{"\\udfff": 1}',
    "{not json",
    '"just a string"',
    "[]",
    "null",
    "12",
    "\ufeff{}",
]
MALFORMED_STATEMENTS = [
    STATEMENT.format(amount="tien", day="2026-11-20", number="2026-00001").encode(),
    STATEMENT.format(amount="NaN", day="2026-11-20", number="2026-00001").encode(),
    STATEMENT.format(amount="10.00", day="2026-02-30", number="2026-00001").encode(),
    STATEMENT.format(amount="1" * 40, day="2026-11-20", number="2026-00001").encode(),
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aa"><!ENTITY b "&a;&a;">]><Document>&b;</Document>',
    b"<Document><BkToCstmrStmt><Stmt><Ntry></Ntry></Stmt></BkToCstmrStmt></Document>",
    b"",
]
ID_PARAMETER = re.compile(r"^(\w+)_id$")
# Path parameter → the table whose ids it takes.
ID_TABLES = {
    "job": "jobs_job",
    "shift": "jobs_shift",
    "claim": "jobs_claim",
    "timesheet": "jobs_timesheet",
    "offer": "jobs_offer",
    "client": "jobs_client",
    "invoice": "payouts_invoice",
    "payment": "payouts_payment",
    "batch": "payouts_payoutbatch",
    "item": "payouts_payoutitem",
    "membership": "members_membership",
    "proposal": "members_proposal",
    "proxy": "members_proxy",
    "member_skill": "members_memberskill",
    "exception": "members_availabilityexception",
    "tender": "challenges_tender",
    "bid": "challenges_bid",
    "challenge": "challenges_challenge",
    "contract": "challenges_contract",
}
ACTORS = [
    None,
    "lid@werkstation.demo",
    "klant@werkstation.demo",
    "gemeente@werkstation.demo",
    "bestuur@werkstation.demo",
    "penningmeester@werkstation.demo",
    "staff@werkstation.demo",
    "kascommissie@werkstation.demo",
]


# --- The demo installation, once for the module, rolled back at its end -------------


@pytest.fixture(scope="module")
def installation(django_db_setup, django_db_blocker):
    from members.models import User

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # services inside count as their own transactions
        outer.__enter__()
        try:
            call_command("seed_demo", verbosity=0)
            users = {u.email: u for u in User.objects.filter(email__in=[a for a in ACTORS if a])}
            # One token per user, made before the first request counts rows.
            clients = {user.pk: api_as(user) for user in users.values()}
            yield {
                "users": users,
                "clients": clients,
                "ids": _ids(),
                "slugs": _column("members_cooperative", "slug"),
            }
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _column(table: str, column: str = "id", limit: int = 8) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" ORDER BY "{column}" LIMIT {limit}')
        return [row[0] for row in cursor.fetchall()]


def _ids() -> dict[str, list]:
    return {name: _column(table) for name, table in ID_TABLES.items()}


# Tables that count the attempt itself: a refused sign-in is recorded on purpose (django-axes
# locks out guessing, the rate limiter counts reset requests), so they may grow on a 4xx.
ATTEMPT_COUNTERS = ("axes_accessattempt", "axes_accessfailurelog", "members_ratelimithit")


def _tables() -> list[str]:
    return sorted(
        t
        for t in connection.introspection.table_names()
        if not t.startswith("sqlite") and t not in ATTEMPT_COUNTERS
    )


def row_counts_everywhere() -> dict[str, int]:
    tables = _tables()
    sql = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


# --- The operations of the schema ----------------------------------------------------


def _schema() -> dict:
    from django.test import Client

    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return json.loads(response.content)


def _operations() -> list[tuple[str, str]]:
    import django

    django.setup()
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (method, path)
        for path, item in sorted(schema["paths"].items())
        for method in WRITE_METHODS
        if method in item
    ]


def _resolve(node, components: dict, depth: int = 0):
    if depth > 8:
        return {}
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return _resolve(components.get(name, {}), components, depth + 1)
        return {k: _resolve(v, components, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, components, depth + 1) for v in node]
    return node


# --- Strategies ------------------------------------------------------------------------


def _valid(schema: dict, ids: list[int]) -> st.SearchStrategy:
    if "enum" in schema:
        return st.sampled_from([v for v in schema["enum"] if v is not None] or [None])
    for key in ("allOf", "oneOf", "anyOf"):
        if schema.get(key):
            return st.one_of([_value(s, ids) for s in schema[key]])
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "integer":
        return st.one_of(st.sampled_from(ids or [1]), st.integers(-5, 500))
    if kind == "number":
        return st.floats(-1e6, 1e6, allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "array":
        return st.lists(_value(schema.get("items", {}), ids), max_size=4)
    if kind == "object" or "properties" in schema:
        return _object(schema, ids)
    if fmt == "date":
        return st.dates().map(lambda d: d.isoformat())
    if fmt == "date-time":
        return st.datetimes().map(lambda d: d.isoformat() + "+01:00")
    if fmt == "time":
        return st.times().map(lambda t: t.isoformat(timespec="minutes"))
    if fmt == "decimal" or schema.get("pattern", "").startswith("^-?\\d"):
        return st.decimals(-(10**7), 10**7, places=2, allow_nan=False).map(str)
    if fmt == "email":
        return st.sampled_from(["a@example.org", "lid@werkstation.demo", "not-an-email"])
    return st.text(max_size=40)


def _value(schema: dict, ids: list[int]) -> st.SearchStrategy:
    return st.one_of(_valid(schema, ids), _valid(schema, ids), st.sampled_from(HOSTILE_VALUES))


def _object(schema: dict, ids: list[int]) -> st.SearchStrategy:
    properties = {
        name: _value(sub, ids)
        for name, sub in schema.get("properties", {}).items()
        if not sub.get("readOnly")
    }
    required = [name for name in schema.get("required", []) if name in properties]
    optional = {name: s for name, s in properties.items() if name not in required}
    return st.fixed_dictionaries({name: properties[name] for name in required}, optional=optional)


def _path_values(path: str, installation: dict) -> st.SearchStrategy:
    names = re.findall(r"{(\w+)}", path)
    hostile = st.sampled_from([0, -1, 2**63, 2**70, "abc", "%F0%9F%92%A9", "1.5"])
    values = {}
    for name in names:
        match = ID_PARAMETER.match(name)
        if name == "slug":
            real = st.sampled_from([*installation["slugs"], "nope"])
        elif name == "token":
            real = st.text(alphabet="abcdef0123456789", min_size=1, max_size=64)
        elif match and installation["ids"].get(match.group(1)):
            real = st.sampled_from(installation["ids"][match.group(1)])
        else:
            real = st.integers(1, 50)
        values[name] = st.one_of(real, real, real, hostile)
    return st.fixed_dictionaries(values)


def _request_strategy(method: str, path: str, installation: dict, schema: dict):
    operation = schema["paths"][path][method]
    content = operation.get("requestBody", {}).get("content", {})
    ids = [i for group in installation["ids"].values() for i in group[:3]]
    if "application/json" in content:
        body_schema = _resolve(content["application/json"].get("schema", {}), schema["comps"])
        body = st.one_of(
            _object(body_schema, ids).map(lambda b: ("json", b)),
            _object(body_schema, ids).map(lambda b: ("json", b)),
            st.sampled_from(HOSTILE_VALUES).map(lambda b: ("json", b)),
            st.sampled_from(RAW_BODIES).map(lambda b: ("raw", b)),
        )
    elif "multipart/form-data" in content:
        files = st.one_of(st.sampled_from(MALFORMED_STATEMENTS), st.binary(max_size=512))
        body = files.map(lambda b: ("file", b))
    else:
        body = st.one_of(
            st.just(("none", None)), st.sampled_from(RAW_BODIES).map(lambda b: ("raw", b))
        )
    return st.tuples(_path_values(path, installation), body, st.sampled_from(ACTORS))


def _send(method: str, path: str, params: dict, body, client):
    url = path.format(**{k: str(v) for k, v in params.items()})
    kind, payload = body
    if kind == "file":
        upload = SimpleUploadedFile("statement.xml", payload, content_type="application/xml")
        data = encode_multipart(BOUNDARY, {"file": upload})
        return client.generic(method.upper(), url, data, content_type=MULTIPART_CONTENT)
    if kind == "raw":
        return client.generic(method.upper(), url, payload, content_type="application/json")
    if kind == "json":
        return client.generic(
            method.upper(), url, json.dumps(payload), content_type="application/json"
        )
    return client.generic(method.upper(), url)


OPERATIONS = _operations()


def test_the_schema_lists_every_write_endpoint():
    paths = {path for _method, path in OPERATIONS}
    assert "/api/v1/cooperatives/{slug}/bank-statements/" in paths
    assert "/api/v1/jobs/{job_id}/shifts/weekly/" in paths
    assert len(OPERATIONS) >= 80


@pytest.fixture(scope="module")
def api_schema(installation):
    schema = _schema()
    schema["comps"] = schema.get("components", {}).get("schemas", {})
    published = {
        (method, path)
        for path, item in schema["paths"].items()
        for method in WRITE_METHODS
        if method in item
    }
    assert published == set(OPERATIONS)  # the published schema is what is fuzzed
    return schema


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_write_endpoint_fails_or_writes_on_bad_input(method, path, installation, api_schema):
    users = installation["users"]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(request=_request_strategy(method, path, installation, api_schema))
    def check(request):
        params, body, actor = request
        with transaction.atomic():
            before = row_counts_everywhere()
            user = users.get(actor) if actor else None
            client = installation["clients"][user.pk] if user else api_as(None)
            response = _send(method, path, params, body, client)
            status = response.status_code
            assert status < 500, (status, method, path, params, body, actor, response.content[:500])
            if 400 <= status < 500:
                assert row_counts_everywhere() == before, (status, method, path, params, body)
            transaction.set_rollback(True)

    check()
