"""Schemathesis against the schema the API serves: the schema is a contract the API keeps.

Every operation of ``/api/schema/`` is called with requests schemathesis draws from the
schema itself (valid bodies, query and path parameters, half of them with the path
naming real objects of the demo installation, ``seed_demo``), as each kind of user:
anonymous, member, board, treasurer, client and municipality. Every answer is checked
by schemathesis' own checks:

- ``not_a_server_error``: no 5xx (a documented 502 of Stripe aside);
- ``status_code_conformance``: the status is one the operation documents;
- ``content_type_conformance``: the Content-Type is one documented for that status;
- ``response_schema_conformance``: the body validates against the documented schema.

The run is bounded and repeatable: ``SCHEMATHESIS_EXAMPLES`` examples per operation
and role (default 3), derandomized. Requests go through Django's test client inside a
savepoint that is rolled back, so every example meets the same installation.
"""

from __future__ import annotations

import http.client
import os
import re
import time
from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import api_as

pytestmark = [pytest.mark.slow, pytest.mark.django_db, pytest.mark.postgres]

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "3"))
ROLES = {
    "anonymous": None,
    "member": "lid@werkstation.demo",
    "board": "bestuur@werkstation.demo",
    "treasurer": "penningmeester@werkstation.demo",
    "client": "klant@werkstation.demo",
    "municipality": "gemeente@werkstation.demo",
}
CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
# Path parameter → the table whose ids it takes.
ID_TABLES = {
    "job_id": "jobs_job",
    "shift_id": "jobs_shift",
    "claim_id": "jobs_claim",
    "timesheet_id": "jobs_timesheet",
    "offer_id": "jobs_offer",
    "client_id": "jobs_client",
    "invoice_id": "payouts_invoice",
    "payment_id": "payouts_payment",
    "batch_id": "payouts_payoutbatch",
    "item_id": "payouts_payoutitem",
    "note_id": "payouts_creditnote",
    "split_id": "payouts_split",
    "membership_id": "members_membership",
    "proposal_id": "members_proposal",
    "proxy_id": "members_proxy",
    "member_skill_id": "members_memberskill",
    "exception_id": "members_availabilityexception",
    "approval_id": "members_secondapproval",
    "request_id": "jobs_clientlinkrequest",
    "tender_id": "challenges_tender",
    "bid_id": "challenges_bid",
    "challenge_id": "challenges_challenge",
    "contract_id": "challenges_contract",
}


def _column(table: str, column: str = "id", limit: int = 6) -> list:
    if table not in connection.introspection.table_names():
        return []
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" ORDER BY "{column}" LIMIT {limit}')
        return [row[0] for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def installation(django_db_setup, django_db_blocker):
    """The demo installation and a token per role; rolled back at the module's end."""
    from members.models import User

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True  # services inside count as their own transactions
        outer.__enter__()
        # Stripe is "not answering" (a closed port): its calls end fast in a documented 502.
        stripe_down = override_settings(
            STRIPE_API_BASE="http://127.0.0.1:9", STRIPE_TIMEOUT=0.5, STRIPE_MAX_NETWORK_RETRIES=0
        )
        stripe_down.enable()
        try:
            call_command("seed_demo", verbosity=0)
            users = {u.email: u for u in User.objects.filter(email__in=ROLES.values())}
            headers = {}
            for role, email in ROLES.items():
                client = api_as(users[email]) if email else api_as(None)
                headers[role] = {
                    k.removeprefix("HTTP_").title(): v for k, v in client._credentials.items()
                }
            yield {
                "headers": headers,
                "ids": {name: _column(table) for name, table in ID_TABLES.items()},
                "slugs": _column("members_cooperative", "slug"),
                "tokens": _column("members_invitation", "token"),
                "token_keys": _column("members_apitoken", "token_key"),
                "link_tokens": _column("jobs_clientlinkrequest", "token"),
            }
        finally:
            stripe_down.disable()
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def api_schema(installation):
    import schemathesis
    from django.test import Client

    response = Client().get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = schemathesis.openapi.from_dict(response.json())
    operations = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        operations[f"{operation.method.upper()} {operation.path}"] = operation
    return operations


def _real_path_parameters(path: str, installation: dict) -> list[dict]:
    """Path parameters that name objects of the installation (a few combinations)."""
    names = re.findall(r"{(\w+)}", path)
    choices = {}
    for name in names:
        if name == "slug":
            choices[name] = installation["slugs"]
        elif name == "token":
            choices[name] = (
                installation["link_tokens"] if "client-invitations" in path else []
            ) or installation["tokens"]
        elif name == "token_key":
            choices[name] = installation["token_keys"]
        else:
            choices[name] = installation["ids"].get(name, [])
    if not names or any(not values for values in choices.values()):
        return []
    width = max(len(values) for values in choices.values())
    return [
        {name: values[i % len(values)] for name, values in choices.items()}
        for i in range(min(width, 4))
    ]


def _strategy(operation, installation):
    drawn = operation.as_strategy()
    real = _real_path_parameters(operation.path, installation)
    if not real:
        return drawn
    return st.one_of(
        drawn,
        st.sampled_from(real).flatmap(lambda pp: operation.as_strategy(path_parameters=pp)),
    )


def _send(case, headers: dict):
    """``case`` through Django's test client; the answer as schemathesis' ``Response``."""
    import requests
    from django.test import Client
    from schemathesis.core.transport import Response

    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    kwargs.pop("cookies", None)
    prepared = requests.Request(**kwargs).prepare()
    split = urlsplit(prepared.url)
    path = split.path + (f"?{split.query}" if split.query else "")
    request_headers = {
        k: v for k, v in prepared.headers.items() if k.lower() not in ("content-length",)
    }
    content_type = request_headers.pop("Content-Type", None)
    body = prepared.body or b""
    answer = Client().generic(
        prepared.method,
        path,
        data=body.encode() if isinstance(body, str) else body,
        content_type=content_type or "application/octet-stream",
        headers=request_headers,
    )
    return Response(
        status_code=answer.status_code,
        headers={name.lower(): [value] for name, value in answer.headers.items()},
        content=answer.content if not answer.streaming else b"".join(answer.streaming_content),
        request=prepared,
        elapsed=0.0,
        verify=False,
        message=http.client.responses.get(answer.status_code, ""),
        encoding="utf-8",
    ), kwargs


def _checks():
    from schemathesis import checks

    return [getattr(checks, name) for name in CHECK_NAMES]


def _exercise(name, operation, role, installation, failures, statuses) -> None:
    """``EXAMPLES`` drawn requests of ``operation`` as ``role``; failures collected."""
    from schemathesis.core.failures import FailureGroup

    headers = installation["headers"][role]
    checks = _checks()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=("generate",),
    )
    @given(case=_strategy(operation, installation))
    def run(case):
        with transaction.atomic():
            response, kwargs = _send(case, headers)
            transaction.set_rollback(True)
        statuses[response.status_code] += 1
        try:
            case.validate_response(
                response, checks=checks, headers=headers, transport_kwargs=kwargs
            )
        except FailureGroup as group:
            for failure in group.exceptions:
                failures.setdefault(
                    (name, role, type(failure).__name__),
                    f"{case.method} {response.request.url} → {response.status_code}: "
                    f"{failure.title}: {str(getattr(failure, 'message', ''))[:400]} "
                    f"{response.content[:300]!r}",
                )

    run()


def test_the_api_keeps_its_schema_for_every_role(installation, api_schema):
    started = time.monotonic()
    failures: dict[tuple[str, str, str], str] = {}
    statuses: Counter = Counter()
    for name, operation in sorted(api_schema.items()):
        for role in ROLES:
            _exercise(name, operation, role, installation, failures, statuses)
    elapsed = time.monotonic() - started
    print(
        f"\nschemathesis: {len(api_schema)} operations × {len(ROLES)} roles, "
        f"{sum(statuses.values())} requests in {elapsed:.0f} s; "
        f"statuses {dict(sorted(statuses.items()))}; {len(failures)} failures"
    )
    kinds = Counter(kind for _n, _r, kind in failures)
    report = "\n".join(f"{n} as {r}: {text}" for (n, r, _k), text in sorted(failures.items()))
    assert not failures, f"{dict(kinds)}\n{report}"
