"""The price truth: what a member is shown before claiming is what settlement pays when the
work is done as posted, to the cent, whatever the rules, the engagement or the month so far."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobs.models import Claim, Job, Shift, Timesheet
from members.models import Membership
from payouts.models import RuleSet, Split
from payouts.selectors.quotes import (
    quote_shift,
    quote_shifts,
    required_break_minutes,
    why_different,
)
from payouts.services.settlement import settlement_run
from tests.factories import ClientFactory, CooperativeFactory, MembershipFactory
from tests.factories.jobs import ClaimFactory, JobFactory, TimesheetFactory
from tests.factories.payouts import SplitFactory
from tests.factories.work import ensure_founded, make_shift
from tests.payouts.test_rules import rule_set_dicts
from werkstation.legal import LegalTable
from werkstation.money import format_money, to_minor

pytestmark = pytest.mark.django_db

ENGAGEMENTS = [
    Membership.Engagement.SELF_EMPLOYED,
    Membership.Engagement.EMPLOYEE,
    Membership.Engagement.VOLUNTEER,
]


def _world(spec: dict, engagement: str, tariff_cents: int, client_kind: str, category: str):
    coop = CooperativeFactory()
    # Labels change no amount (the engine's tests cover them); PostgreSQL's JSON stores no NUL.
    spec = {
        **spec,
        "pots": [{k: v for k, v in pot.items() if k != "label"} for pot in spec["pots"]],
    }
    RuleSet.objects.create(
        cooperative=coop,
        version=1,
        spec=spec,
        status=RuleSet.Status.ADOPTED,
        effective_from=coop.founded_on,
        adopted_at=timezone.now(),
        adopted_via=RuleSet.AdoptedVia.FOUNDING,
    )
    member = MembershipFactory(cooperative=coop, engagement=engagement).user
    client = ClientFactory(kind=client_kind, cooperatives=[coop])
    job = JobFactory(
        cooperative=coop,
        client=client,
        title="Werk",
        category=category,
        client_tariff=Decimal(tariff_cents) / 100,
    )
    return coop, member, job


def _work_as_posted(member, shift: Shift, break_minutes: int) -> Timesheet:
    return TimesheetFactory(
        approved=True,
        claim=ClaimFactory(shift=shift, user=member, completed=True),
        minutes_worked=shift.duration_minutes,
        break_minutes=break_minutes,
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    spec=rule_set_dicts(),
    engagement=st.sampled_from(ENGAGEMENTS),
    tariff_cents=st.integers(800, 6500),
    quarters=st.integers(2, 44),  # 30 minutes to 11 hours, on quarter hours
    earlier=st.lists(st.integers(2, 40), max_size=3),  # earlier claims that month, in quarters
    client_kind=st.sampled_from(["business", "housing_corporation", "municipality", "foundation"]),
    category=st.sampled_from(["greening", "energy", "green_maintenance", "cleaning"]),
)
def test_the_amount_shown_before_claiming_is_the_amount_paid(
    db, spec, engagement, tariff_cents, quarters, earlier, client_kind, category
):
    # Each example in its own savepoint, rolled back: examples never see each other's work.
    with transaction.atomic():
        _shown_then_paid(spec, engagement, tariff_cents, quarters, earlier, client_kind, category)
        transaction.set_rollback(True)


def _shown_then_paid(spec, engagement, tariff_cents, quarters, earlier, client_kind, category):
    _coop, member, job = _world(spec, engagement, tariff_cents, client_kind, category)
    base = timezone.make_aware(datetime(2026, 3, 2, 9, 0))
    # Earlier claims in the month, not settled yet when the member looks at the shift.
    earlier_sheets = []
    for day, length in enumerate(earlier):
        other = make_shift(job, base + timedelta(days=day), hours=length / 4)
        earlier_sheets.append((other, _work_as_posted(member, other, 0)))
    shift = make_shift(job, base + timedelta(days=20, minutes=15), hours=quarters / 4)
    shown = quote_shift(member, Shift.objects.select_related("job__client").get(pk=shift.pk))
    # Each earlier shift is worked with its own required break, as posted.
    for other, sheet in earlier_sheets:
        posted = quote_shift(member, Shift.objects.select_related("job__client").get(pk=other.pk))
        Timesheet.objects.filter(pk=sheet.pk).update(break_minutes=posted.break_minutes)
    settlement_run(timesheet_ids=[sheet.pk for _other, sheet in earlier_sheets])
    sheet = _work_as_posted(member, shift, shown.break_minutes)
    settlement_run(timesheet_ids=[sheet.pk])
    paid = Split.objects.get(timesheet=sheet)
    assert paid.gross_cents == shown.gross_cents
    assert paid.minutes == shown.minutes
    assert paid.member_cents == shown.member_cents
    assert paid.withheld_cents == shown.withheld_cents
    assert paid.month_gross_before_cents == shown.month_gross_before_cents
    assert paid.pots == {pot.slug: pot.cents for pot in shown.pots}


def test_the_break_the_law_requires_is_not_paid():
    table = LegalTable.load()
    day = timezone.localdate()
    assert required_break_minutes(table, 330, day) == 0  # exactly 5.5 hours
    assert required_break_minutes(table, 345, day) == 30
    assert required_break_minutes(table, 600, day) == 30
    assert required_break_minutes(table, 615, day) == 45
    assert required_break_minutes(table, 285, day, age=17) == 30  # under 18: after 4.5 hours
    assert required_break_minutes(table, 270, day, age=17) == 0


def test_the_outside_checks_four_shifts(market):
    """The shifts an outside check tried: 35 min at € 23,45; 2 h 10 at € 31,00; 3 h at € 27,35;
    1 h 35 at € 15,80 — each shown as it is paid."""

    ensure_founded(market.coop_a)
    base = timezone.make_aware(datetime(2026, 3, 2, 9, 0))
    cases = [(35, "23.45"), (130, "31.00"), (180, "27.35"), (95, "15.80")]
    for day, (minutes, tariff) in enumerate(cases):
        Job.objects.filter(pk=market.job.pk).update(client_tariff=Decimal(tariff))
        market.job.refresh_from_db()
        shift = make_shift(market.job, base + timedelta(days=7 * day), hours=minutes / 60)
        shown = quote_shifts(
            market.member_a, [Shift.objects.select_related("job__client").get(pk=shift.pk)]
        )[shift.pk]
        sheet = _work_as_posted(market.member_a, shift, shown.break_minutes)
        settlement_run(timesheet_ids=[sheet.pk])
        assert Split.objects.get(timesheet=sheet).member_cents == shown.member_cents
        assert shown.gross_cents == (int(Decimal(tariff) * 100) * minutes * 2 + 60) // 120


def _claim_and_settle(world, shift: Shift, *, minutes: int | None = None) -> Split:
    from tests.conftest import api_as

    response = api_as(world.member_a).post("/api/v1/claims/", {"shift": shift.pk})
    assert response.status_code == 201, response.data
    claim = Claim.objects.get(pk=response.data["id"])
    posted = int((shift.end - shift.start).total_seconds() // 60)
    return SplitFactory(
        timesheet=TimesheetFactory(
            settled=True,
            claim=claim,
            minutes_worked=minutes if minutes is not None else posted,
            break_minutes=claim.quote["minutes"] and posted - claim.quote["minutes"],
        )
    )


def test_a_claim_keeps_what_was_shown_and_the_why_page_is_quiet_when_it_was_paid(market):
    from tests.conftest import api_as

    ensure_founded(market.coop_a)
    split = _claim_and_settle(market, market.shift)
    assert split.timesheet.claim.quote["member_cents"] == split.member_cents
    why = api_as(market.member_a).get(f"/api/v1/me/earnings/{split.pk}/").data
    assert why["why_different"] == []
    assert why["shown_when_claimed"] == why["net"]


def test_the_why_page_names_fewer_minutes_and_a_vote_as_the_reasons(market):
    from tests.conftest import api_as

    ensure_founded(market.coop_a)
    shift = make_shift(market.job, market.shift.start + timedelta(days=7), hours=4)
    response = api_as(market.member_a).post("/api/v1/claims/", {"shift": shift.pk})
    assert response.status_code == 201, response.data
    # The members vote new rules before the work is settled: everything to the member.
    RuleSet.objects.create(
        cooperative=market.coop_a,
        version=2,
        spec={"currency": "EUR", "pots": []},
        status=RuleSet.Status.ADOPTED,
        effective_from=market.coop_a.founded_on,
        adopted_at=timezone.now(),
        adopted_via=RuleSet.AdoptedVia.VOTE,
    )
    claim = Claim.objects.get(pk=response.data["id"])
    split = SplitFactory(timesheet__claim=claim, timesheet__minutes_worked=180)
    why = api_as(market.member_a).get(f"/api/v1/me/earnings/{split.pk}/").data
    assert why["why_different"] == [
        "3 u werden goedgekeurd; de dienst zoals geplaatst was 4 u.",
        "De leden stemden voor nieuwe uitbetalingsregels (versie 2) voordat dit werk werd verrekend.",
    ]
    from django.test import Client

    from tests.factories.api import login_verified

    browser = Client()
    login_verified(browser, market.member_a)
    page = browser.get(f"/work/earnings/{split.pk}/").content.decode()
    assert "Niet wat je te zien kreeg" in page
    assert "3 u werden goedgekeurd" in page
    # The books, as sentences: "Te ontvangen van <client>: € …" and "Naar het coöperatiefonds".
    client = market.job.client.name
    assert f"Te ontvangen van {client}: €" in page
    assert "Aan jou te betalen" not in page
    assert "Af te dragen btw: €" in page
    assert "Door jou verdiend" in page


def test_feed_shift_page_plan_and_settlement_agree_to_the_cent(market):
    """Posted, seen in the feed, on the shift page and in plan my week, claimed through the
    API, worked as posted, approved and settled: paid exactly what the pages showed."""
    from django.test import Client

    from tests.conftest import api_as
    from tests.factories.api import login_verified

    Job.objects.filter(pk=market.job.pk).update(client_tariff=Decimal("23.45"))
    market.job.refresh_from_db()
    day = market.shift.start + timedelta(days=1)
    long = make_shift(market.job, day.replace(hour=8), hours=6.5)  # a break of 30 min, unpaid
    short = make_shift(market.job, day.replace(hour=16), hours=35 / 60)
    Shift.objects.filter(pk=market.shift.pk).update(status="cancelled", filled=2)
    api = api_as(market.member_a)
    feed = {row["id"]: row for row in api.get("/api/v1/feed/").data["results"]}
    assert set(feed) == {long.pk, short.pk}
    assert feed[long.pk]["paid_minutes"] == 360
    assert feed[long.pk]["break_minutes"] == 30
    assert feed[long.pk]["gross"] == "140.70"  # 6 h × € 23,45
    pots = {pot["pot"]: pot for pot in feed[long.pk]["pots"]}
    assert pots["coop_fund"]["amount"] == "11.26"
    assert pots["coop_fund"]["label"]
    price = api.get(f"/api/v1/shifts/{long.pk}/price/").data
    assert price["pay"] == feed[long.pk]["pay"]
    plan = api.get("/api/v1/me/plan/", {"week": day.date().isoformat()}).data
    planned = {row["id"]: row["pay"] for row in plan["shifts"]}
    assert planned == {long.pk: feed[long.pk]["pay"], short.pk: feed[short.pk]["pay"]}
    assert Decimal(plan["income"]) == sum(Decimal(p) for p in planned.values())

    browser = Client()
    login_verified(browser, market.member_a)
    shown = format_money(to_minor(Decimal(feed[long.pk]["pay"])), language="nl")
    assert shown in browser.get("/work/").content.decode()
    page = browser.get(f"/work/shifts/{long.pk}/").content.decode()
    assert shown in page
    assert "Coöperatiefonds" in page

    for shift in (long, short):
        split = _claim_and_settle(market, Shift.objects.get(pk=shift.pk))
        assert split.member_cents == to_minor(Decimal(feed[shift.pk]["pay"]))
        assert split.pots == {
            pot["pot"]: to_minor(Decimal(pot["amount"])) for pot in feed[shift.pk]["pots"]
        }
    total = sum(Split.objects.filter(member=market.member_a).values_list("member_cents", flat=True))
    assert total == to_minor(Decimal(plan["income"]))


def _claim(world, shift: Shift) -> Claim:
    from tests.conftest import api_as

    response = api_as(world.member_a).post("/api/v1/claims/", {"shift": shift.pk})
    assert response.status_code == 201, response.data
    return Claim.objects.get(pk=response.data["id"])


def _settle(claim: Claim) -> Split:
    return SplitFactory(
        timesheet__claim=claim,
        timesheet__minutes_worked=int((claim.end - claim.start).total_seconds() // 60),
    )


def _two_shifts_in_one_month(world, hours_early: float):
    """A shift late in a coming month, and one earlier in that month."""
    month = (timezone.localdate() + timedelta(days=45)).replace(day=1)
    late = timezone.make_aware(datetime.combine(month.replace(day=25), datetime.min.time()))
    early = late.replace(day=4)
    return (
        make_shift(world.job, late.replace(hour=9), hours=3),
        make_shift(world.job, early.replace(hour=9), hours=hours_early),
    )


def test_the_why_page_names_other_work_that_month(market):
    RuleSet.objects.create(
        cooperative=market.coop_a,
        version=2,
        spec={
            "currency": "EUR",
            "pots": [
                {
                    "pot": "progressive_fund",
                    "brackets": [
                        {"from_cents": 0, "percent": "0"},
                        {"from_cents": 10000, "percent": "10"},
                    ],
                }
            ],
        },
        status=RuleSet.Status.ADOPTED,
        effective_from=market.coop_a.founded_on,
        adopted_at=timezone.now(),
        adopted_via=RuleSet.AdoptedVia.VOTE,
    )
    late, early = _two_shifts_in_one_month(market, hours_early=4)
    claimed_late = _claim(market, late)
    assert claimed_late.quote["member_cents"] == 9600  # nothing else that month yet: no bracket
    _settle(_claim(market, early))  # claimed afterwards, but earlier in the month
    split = _settle(claimed_late)
    assert split.member_cents == 9600 - 960
    reasons = why_different(split, claimed_late.quote)
    assert any("€ 0,00" in r and "€ 128,00" in r for r in reasons), reasons


def test_the_why_page_names_a_volunteer_maximum_reached(market):
    Membership.objects.filter(user=market.member_a, cooperative=market.coop_a).update(
        engagement=Membership.Engagement.VOLUNTEER
    )
    late, early = _two_shifts_in_one_month(market, hours_early=9)
    claimed_late = _claim(market, late)
    assert claimed_late.quote["withheld_cents"] == 0
    _settle(_claim(market, early))  # 9 h: the month's maximum is used up
    split = _settle(claimed_late)
    assert split.withheld_cents > 0
    assert split.member_cents < claimed_late.quote["member_cents"]
    reasons = why_different(split, claimed_late.quote)
    assert any("vrijwilligersvergoeding" in r or "volunteer" in r for r in reasons), reasons


def test_without_the_legal_figures_no_amount_is_promised_and_the_feed_still_works(market):
    from tests.conftest import api_as
    from werkstation.models import LegalParameter

    long = make_shift(market.job, market.shift.start + timedelta(days=1), hours=7)
    LegalParameter.objects.filter(key__startswith="break_after").delete()
    rows = {r["id"]: r for r in api_as(market.member_a).get("/api/v1/feed/").data["results"]}
    # The long shift needs the legal break to be priced; the short one does not.
    assert rows[long.pk]["pay_kind"] == "legal_figures_missing"
    assert rows[long.pk]["pay"] == "0.00"
    assert rows[market.shift.pk]["pay"] == "86.40"
