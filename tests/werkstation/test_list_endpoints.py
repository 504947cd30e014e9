"""Every list of the API is paged in one envelope, and a page costs the same number of
queries for 1 row as for 20.

The list endpoints are the GET operations whose answer the OpenAPI schema documents as
the page envelope; their URL names come from the URL resolver. A list added later
without a case here fails ``test_every_list_endpoint_has_a_query_case``; a GET that
answers a bare array fails ``test_no_endpoint_answers_a_bare_array``.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.api_endpoints import api_endpoint_list
from tests.conftest import api_as
from tests.factories import ClientFactory, ClientUserFactory, MembershipFactory, UserFactory
from tests.factories.challenges import BidFactory, ChallengeFactory, TenderFactory
from tests.factories.jobs import ClaimFactory, JobFactory, TimesheetFactory
from tests.factories.work import make_shift


def _schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _ok_response_schema(operation: dict, components: dict) -> dict:
    response = operation.get("responses", {}).get("200", {})
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    ref = schema.get("$ref", "")
    return components[ref.rsplit("/", 1)[-1]] if ref else schema


def _is_page(schema: dict) -> bool:
    return set(schema.get("properties", {})) == {"page", "has_next", "results"} and (
        schema["properties"]["results"].get("type") == "array"
    )


@pytest.fixture(scope="module")
def schema():
    return _schema()


def _list_endpoints(schema) -> dict[str, str]:
    """url name -> schema path of every GET answered with the page envelope."""
    components = schema["components"]["schemas"]
    out = {}
    for endpoint in api_endpoint_list():
        if endpoint.method != "get":
            continue
        operation = schema["paths"].get(endpoint.schema_path, {}).get("get")
        assert operation is not None, f"{endpoint.schema_path} is missing from the schema"
        if _is_page(_ok_response_schema(operation, components)):
            out[endpoint.name] = endpoint.schema_path
    return out


def test_no_endpoint_answers_a_bare_array(schema):
    components = schema["components"]["schemas"]
    bare = [
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method == "get" and _ok_response_schema(operation, components).get("type") == "array"
    ]
    assert not bare, f"lists without the page envelope: {bare}"


def test_every_list_endpoint_has_a_query_case(schema):
    lists = set(_list_endpoints(schema))
    assert lists, "no list endpoint found: the envelope detection is broken"
    assert not lists - set(CASES), f"list endpoints without a case: {sorted(lists - set(CASES))}"
    assert not set(CASES) - lists, f"cases of no list endpoint: {sorted(set(CASES) - lists)}"


# --- Rows for each list: ``setup(world)`` -> (viewer, url kwargs); ``add(world, n)`` ------


def _past(world, days: int):
    start = timezone.now().replace(microsecond=0) - timedelta(days=days, hours=5)
    shift = make_shift(world.job, start + timedelta(days=60))
    from jobs.models import Shift

    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=3))
    shift.refresh_from_db()
    return shift


def _future_shift(world, n: int):
    """Shifts of 3 hours that never overlap: a member may claim all of them."""
    return make_shift(world.job, world.tuesday + timedelta(days=n // 3, hours=7 + 4 * (n % 3)))


def _member(world, n: int, **extra):
    return MembershipFactory(
        cooperative=world.coop_a, user=UserFactory(email=f"extra-{n}@example.org"), **extra
    )


def _counter():
    count = {"n": 0}

    def next_n():
        count["n"] += 1
        return count["n"]

    return next_n


_n = _counter()


def _add_tokens(world, n):
    from members.models import ApiToken

    for _i in range(n):
        ApiToken.objects.create(user=world.member_a)


def _add_approvals(world, n):
    from members.models import SecondApproval

    for _i in range(n):
        membership = _member(world, _n())
        SecondApproval.objects.create(
            cooperative=world.coop_a,
            kind="role_grant",
            requested_by=world.treasurer_a,
            target_membership=membership,
            payload={"role": "treasurer"},
        )


def _add_cooperatives(world, n):
    from tests.factories import CooperativeFactory

    for _i in range(n):
        CooperativeFactory()


def _add_members(world, n):
    for _i in range(n):
        _member(world, _n())


def _add_applications(world, n):
    for _i in range(n):
        _member(world, _n(), status="applied", member_number=None)


def _add_skills(world, n):
    from tests.factories import SkillFactory

    for _i in range(n):
        SkillFactory(cooperative=world.coop_a)


def _add_my_skills(world, n):
    from members.models import MemberSkill
    from tests.factories import SkillFactory

    for _i in range(n):
        MemberSkill.objects.create(
            user=world.member_a, skill=SkillFactory(cooperative=world.coop_a)
        )


def _add_availability(world, n):
    from members.models import AvailabilitySlot

    for i in range(n):
        AvailabilitySlot.objects.create(
            user=world.member_a, weekday=i % 7, start=time(i // 7 + 1), end=time(i // 7 + 2)
        )


def _add_exceptions(world, n):
    from members.models import AvailabilityException

    for _i in range(n):
        AvailabilityException.objects.create(
            user=world.member_a, date=date.today() + timedelta(days=_n())
        )


def _add_proposals(world, n):
    from members.models import Proposal, Vote

    for i in range(n):
        proposal = Proposal.objects.create(
            cooperative=world.coop_a,
            kind="motion",
            title=f"Voorstel {i}",
            proposer=world.member_a,
            status="open",
            electorate_size=4,
            opens_at=timezone.now() - timedelta(days=1),
            closes_at=timezone.now() + timedelta(days=5),
        )
        for voter in (world.member_a, world.board_a):
            Vote.objects.create(proposal=proposal, voter=voter, cast_by=voter, choice="yes")


def _add_clients(world, n):
    from jobs.models import ClientUser

    for _i in range(n):
        ClientUser.objects.create(
            client=ClientFactory(cooperatives=[world.coop_a]), user=world.client_user
        )


def _add_client_users(world, n):
    for i in range(n):
        ClientUserFactory(
            client=world.client_a, user=UserFactory(email=f"cu-{_n()}-{i}@example.org")
        )


def _add_link_requests(world, n, *, of_client: bool):
    from jobs.models import ClientLinkRequest
    from tests.factories import CooperativeFactory

    for _i in range(n):
        ClientLinkRequest.objects.create(
            cooperative=CooperativeFactory() if of_client else world.coop_a,
            client=world.client_a if of_client else ClientFactory(),
            direction=ClientLinkRequest.Direction.CLIENT,
            message="graag",
        )


def _add_blocked(world, n):
    from jobs.models import BlockedClient

    for _i in range(n):
        BlockedClient.objects.create(
            user=world.member_a, client=ClientFactory(cooperatives=[world.coop_a])
        )


def _add_jobs(world, n):
    for _i in range(n):
        JobFactory(cooperative=world.coop_a, client=world.client_a)


def _add_shifts(world, n):
    for _i in range(n):
        _future_shift(world, _n())


def _add_shift_claims(world, n):
    for _i in range(n):
        ClaimFactory(
            shift=world.shift,
            user=_member(world, _n()).user,
            status="waitlisted",
            waitlist_position=_n(),
        )


def _add_claims(world, n):
    for _i in range(n):
        ClaimFactory(shift=_future_shift(world, _n()), user=world.member_a)


def _add_timesheets(world, n):
    for _i in range(n):
        shift = _past(world, 1 + _n() % 20)
        claim = ClaimFactory(shift=shift, user=world.member_a, status="confirmed")
        TimesheetFactory(claim=claim)


def _add_week_claims(world, n):
    monday = world.tuesday - timedelta(days=1)
    for _i in range(n):
        k = _n() % 112  # 7 days × 16 hours (06:00–22:00): always inside the week
        shift = make_shift(world.job, monday + timedelta(days=k % 7, hours=6 + k // 7), hours=1)
        ClaimFactory(shift=shift, user=world.member_a, status="confirmed")


def _add_offers(world, n):
    from jobs.models import DispatchRun, Offer

    run = DispatchRun.objects.create(
        cooperative=world.coop_a, period_start=date.today(), period_end=date.today()
    )
    for _i in range(n):
        Offer.objects.create(
            run=run,
            shift=_future_shift(world, _n()),
            user=world.member_a,
            reason="past goed",
            deadline=timezone.now() + timedelta(days=1),
        )


def _add_dispatch_runs(world, n):
    from jobs.models import DispatchRun

    for _i in range(n):
        DispatchRun.objects.create(
            cooperative=world.coop_a, period_start=date.today(), period_end=date.today()
        )


def _report_run(world):
    """One dispatch run of coop A with an (empty) explanation, kept on the world."""
    from jobs.models import DispatchRun

    if not hasattr(world, "report_run"):
        world.report_run = DispatchRun.objects.create(
            cooperative=world.coop_a,
            period_start=date.today(),
            period_end=date.today(),
            status="done",
            objective=0.0,
            summary={
                "version": 1,
                "days": [],
                "open_shifts": [],
                "objective": {"objective": 0.0, "bound": None, "offered_pay_cents": 0},
                "hours": [],
                "offer_time": {"refused": 0, "rules": {}},
            },
        )
    return world.report_run


def _add_run_offers(world, n):
    from jobs.models import Offer

    run = _report_run(world)
    for _i in range(n):
        Offer.objects.create(
            run=run,
            shift=_future_shift(world, _n()),
            user=_member(world, _n()).user,
            reason="past goed",
            pay_cents=4500,
            deadline=timezone.now() + timedelta(days=1),
        )


def _add_run_open_shifts(world, n):
    run = _report_run(world)
    for _i in range(n):
        shift = _future_shift(world, _n())
        run.summary["open_shifts"].append(
            {
                "shift": shift.pk,
                "job": shift.job.title,
                "start": shift.start.isoformat(),
                "end": shift.end.isoformat(),
                "open": 1,
                "reason": "no_eligible",
            }
        )
    run.save(update_fields=["summary"])


def _run_of(world):
    return {"slug": "alpha", "run_id": _report_run(world).pk}


def _add_near_limits(world, n):
    """Members who worked an 11-hour shift last week: within 10 percent of the 12-hour limit."""
    from jobs.models import Claim

    for _i in range(n):
        member = _member(world, _n()).user
        start = timezone.now().replace(microsecond=0) - timedelta(days=7)
        shift = make_shift(world.job, start + timedelta(days=60), hours=11)
        Claim.objects.create(
            shift=shift,
            user=member,
            engagement="employee",
            status="completed",
            start=start,
            end=start + timedelta(hours=11),
        )


def _municipality(world):
    if not hasattr(world, "municipality"):
        from tests.factories import MunicipalityFactory

        world.municipality = MunicipalityFactory(cooperatives=[world.coop_a])
        ClientUserFactory(client=world.municipality, user=world.client_user)
    return world.municipality


def _add_tenders(world, n):
    for _i in range(n):
        TenderFactory(client=_municipality(world))


def _add_bids(world, n):
    if not hasattr(world, "tender"):
        world.tender = TenderFactory(client=_municipality(world), status="closed")
    from tests.factories import CooperativeFactory

    for _i in range(n):
        coop = CooperativeFactory()
        bid = BidFactory(tender=world.tender, cooperative=coop, status="submitted")
        from jobs.challenges.models import BidScore

        BidScore.objects.create(
            bid=bid, assessor=world.client_user, quality=Decimal("7.0"), social=Decimal("6.0")
        )


def _add_challenges(world, n):
    for _i in range(n):
        ChallengeFactory(cooperative=world.coop_a, client=_municipality(world))


def _add_contracts(world, n):
    from jobs.challenges.services.contracts import contract_from_bid

    for _i in range(n):
        tender = TenderFactory(
            client=_municipality(world),
            status="awarded",
            submission_deadline=timezone.now() - timedelta(days=1),
        )
        bid = BidFactory(tender=tender, cooperative=world.coop_a, status="awarded")
        contract_from_bid(actor=world.client_user, bid=bid)


def _invoice(world, number: int):
    from payouts.models import Invoice

    today = timezone.localdate()
    return Invoice.objects.create(
        cooperative=world.coop_a,
        client=world.client_a,
        number=number,
        issued_on=today,
        due_on=today + timedelta(days=14),
        period_start=today,
        period_end=today,
        vat_rate=Decimal("21.00"),
        subtotal_cents=1000,
        vat_cents=210,
        total_cents=1210,
        supplier={},
        customer={},
    )


def _add_invoices(world, n):
    for _i in range(n):
        _invoice(world, 1000 + _n())


def _add_payments(world, n):
    from payouts.models import Payment

    for _i in range(n):
        Payment.objects.create(
            cooperative=world.coop_a,
            invoice=_invoice(world, 2000 + _n()),
            amount_cents=1210,
            currency="EUR",
            method="bank_transfer",
            received_on=timezone.localdate(),
        )


def _add_batches(world, n):
    from payouts.models import PayoutApproval, PayoutBatch, PayoutItem

    for _i in range(n):
        batch = PayoutBatch.objects.create(
            cooperative=world.coop_a, execution_date=timezone.localdate()
        )
        PayoutItem.objects.create(
            batch=batch,
            member=world.member_a,
            amount_cents=100,
            method="sepa",
            idempotency_key=f"list-test-{batch.pk}",
            iban="NL20INGB0001234567",
        )
        PayoutApproval.objects.create(batch=batch, user=world.board_a)


def _add_stripe_events(world, n):
    from payouts.models import StripeEvent

    for _i in range(n):
        StripeEvent.objects.create(
            event_id=f"evt_{_n()}",
            cooperative=world.coop_a,
            type="payment_intent.succeeded",
            created=timezone.now(),
            payload={},
        )


def _add_credit_notes(world, n):
    from payouts.models import CreditNote, CreditNoteLine

    for _i in range(n):
        note = CreditNote.objects.create(
            cooperative=world.coop_a,
            invoice=_invoice(world, 3000 + _n()),
            number=_n(),
            issued_on=timezone.localdate(),
            reason="korting",
            vat_rate=Decimal("21.00"),
            subtotal_cents=100,
            vat_cents=21,
            total_cents=121,
            supplier={},
            customer={},
        )
        CreditNoteLine.objects.create(
            credit_note=note, description="korting", amount_cents=100, vat_cents=21
        )


def _coop(world):
    return {"slug": "alpha"}


def _add_self_billing(world, n):
    from payouts.models import SelfBillingInvoice

    today = timezone.localdate()
    for _i in range(n):
        number = _n()
        SelfBillingInvoice.objects.create(
            cooperative=world.coop_a,
            member=world.member_a,
            sequence_number=number,
            number=f"SB-1-{today.year}-{number:04d}",
            issued_on=today,
            period_start=today.replace(day=1),
            period_end=today,
            vat_rate=Decimal("0"),
            kor=True,
            subtotal_cents=100,
            vat_cents=0,
            total_cents=100,
            supplier={},
            customer={},
        )


def _add_rule_sets(world, n):
    from payouts.services.rulesets import founding_spec, rule_set_create

    for _i in range(n):
        rule_set_create(actor=world.board_a, cooperative=world.coop_a, spec=founding_spec())


def _add_feed(world, n):
    for _i in range(n):
        _future_shift(world, _n())


# name -> (viewer, url kwargs(world), add(world, n))
CASES = {
    "members_api:tokens": ("member_a", None, _add_tokens),
    "members_api:approvals": ("board_a", _coop, _add_approvals),
    "members_api:cooperatives": ("member_a", None, _add_cooperatives),
    "members_api:cooperative-members": ("board_a", _coop, _add_members),
    "members_api:applications": ("board_a", _coop, _add_applications),
    "members_api:cooperative-skills": ("member_a", _coop, _add_skills),
    "members_api:my-skills": ("member_a", None, _add_my_skills),
    "members_api:my-availability": ("member_a", None, _add_availability),
    "members_api:my-availability-exceptions": ("member_a", None, _add_exceptions),
    "members_api:proposals": ("member_a", _coop, _add_proposals),
    "jobs_api:clients": ("client_user", None, _add_clients),
    "jobs_api:client-users": (
        "client_user",
        lambda w: {"client_id": w.client_a.pk},
        _add_client_users,
    ),
    "jobs_api:client-cooperatives": (
        "client_user",
        lambda w: {"client_id": w.client_a.pk},
        lambda w, n: _add_link_requests(w, n, of_client=True),
    ),
    "jobs_api:cooperative-client-requests": (
        "board_a",
        _coop,
        lambda w, n: _add_link_requests(w, n, of_client=False),
    ),
    "jobs_api:my-blocked-clients": ("member_a", None, _add_blocked),
    "jobs_api:jobs": ("client_user", None, _add_jobs),
    "jobs_api:job-shifts": ("client_user", lambda w: {"job_id": w.job.pk}, _add_shifts),
    "jobs_api:shift-claims": ("client_user", lambda w: {"shift_id": w.shift.pk}, _add_shift_claims),
    "jobs_api:feed": ("member_a", None, _add_feed),
    "jobs_api:claims": ("member_a", None, _add_claims),
    "jobs_api:timesheets": ("member_a", None, _add_timesheets),
    "jobs_api:cooperative-jobs": ("board_a", _coop, _add_jobs),
    "jobs_api:my-week": (
        "member_a",
        lambda w: {"?": f"date={w.tuesday.date().isoformat()}"},
        _add_week_claims,
    ),
    "jobs_api:my-offers": ("member_a", None, _add_offers),
    "jobs_api:cooperative-dispatch": ("board_a", _coop, _add_dispatch_runs),
    "jobs_api:cooperative-dispatch-offers": ("board_a", _run_of, _add_run_offers),
    "jobs_api:cooperative-dispatch-open-shifts": ("board_a", _run_of, _add_run_open_shifts),
    "jobs_api:cooperative-working-time": ("board_a", _coop, _add_near_limits),
    "challenges_api:tenders": ("client_user", None, _add_tenders),
    "challenges_api:tender-bids": (
        "client_user",
        lambda w: {"tender_id": w.tender.pk},
        _add_bids,
    ),
    "challenges_api:challenges": ("member_a", None, _add_challenges),
    "challenges_api:contracts": ("client_user", None, _add_contracts),
    "payouts_api:invoices": ("treasurer_a", _coop, _add_invoices),
    "payouts_api:payments": ("treasurer_a", _coop, _add_payments),
    "payouts_api:payout-batches": ("treasurer_a", _coop, _add_batches),
    "payouts_api:stripe-events": ("treasurer_a", _coop, _add_stripe_events),
    "payouts_api:credit-notes": ("treasurer_a", _coop, _add_credit_notes),
    "payouts_api:rule-sets": ("member_a", _coop, _add_rule_sets),
    "payouts_api:self-billing": ("treasurer_a", _coop, _add_self_billing),
    "payouts_api:my-self-billing-invoices": ("member_a", None, _add_self_billing),
}

# Lists whose world already holds a row of their own before any is added.
PRESENT = {
    "members_api:tokens": 1,  # the viewer's own token
    "members_api:cooperatives": 2,  # alpha and beta
    "members_api:cooperative-members": 5,  # the world's members of alpha and one applicant
    "members_api:applications": 1,  # the world's applicant
    "members_api:cooperative-skills": 1,
    "members_api:my-availability": 7,  # the market places member_a every day
    "jobs_api:clients": 1,
    "jobs_api:client-users": 1,
    "jobs_api:jobs": 1,
    "jobs_api:job-shifts": 1,
    "jobs_api:feed": 1,
    "jobs_api:cooperative-jobs": 1,
    "payouts_api:rule-sets": 1,  # the market's founding rule set
}


def _results(client, url) -> list:
    response = client.get(url)
    assert response.status_code == 200, response.data
    body = response.json()
    assert set(body) == {"page", "has_next", "results"}, body
    return body["results"]


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_page_costs_the_same_queries_for_1_row_as_for_20(market, name):
    viewer, kwargs_of, add = CASES[name]
    present = PRESENT.get(name, 0)
    if present == 0:
        add(market, 1)
    client = api_as(getattr(market, viewer))
    kwargs = dict(kwargs_of(market)) if kwargs_of else {}
    query = kwargs.pop("?", "")
    url = reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")
    _results(client, url)  # warm up: the token's first use, caches

    with CaptureQueriesContext(connection) as few:
        rows = _results(client, url)
    first = len(rows)
    assert first == max(present, 1), (name, first)

    add(market, 20 - first)
    with CaptureQueriesContext(connection) as many:
        rows = _results(client, url)
    assert len(rows) == 20, (name, len(rows))
    assert len(many) == len(few), (
        f"{name}: {len(few)} queries for {first} row(s), {len(many)} for 20",
        [q["sql"][:160] for q in many.captured_queries],
    )
