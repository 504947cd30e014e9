"""What the board sees of a run: real runs on a small cooperative, each reason built on purpose."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.html import escape

from jobs.dispatch.report import CAP, NO_ELIGIBLE, SKILL, TRAVEL, WORKING_TIME
from jobs.models import DispatchRun, Job, Offer, Shift
from jobs.services.dispatch_report import OFFER_WORKING_TIME, run_view
from jobs.services.dispatching import dispatch_run_execute
from members.models import Profile, Skill
from payouts.selectors.quotes import standard_shares
from tests.conftest import api_as
from tests.factories.api import login_verified
from tests.factories.work import at, make_shift
from werkstation.money import from_minor

pytestmark = pytest.mark.django_db

PEOPLE = ("member_a", "board_a", "treasurer_a", "auditor_a")


def _run(market, days: int = 1) -> DispatchRun:
    day = market.tuesday.date()
    run = DispatchRun.objects.create(
        cooperative=market.coop_a,
        period_start=day,
        period_end=day + timedelta(days=days - 1),
        requested_by=market.board_a,
    )
    return dispatch_run_execute(run_id=run.pk)


def _reasons(run) -> dict[int, str]:
    return {row["shift"]: row["reason"] for row in run.summary["open_shifts"]}


def _assert_figures_add_up(run):
    for row in run.summary["days"]:
        assert row["slots"] == row["claimed"] + row["offered"] + row["offered_before"] + row["open"]
    considered = run.summary["days"]
    assert sum(r["offered"] for r in considered) == run.offers_made
    objective = run.summary["objective"]
    terms = objective["pay_cents"] - objective["km_cents"] - objective["shortfall_cents"]
    assert abs(terms - run.objective) < 1  # within a cent
    view = run_view(run)["objective"]
    shown = view["terms"]
    assert (
        abs(
            shown["pay_cents"]
            - shown["km_cents"]
            - shown["shortfall_cents"]
            - view["objective_cents"]
        )
        <= 1
    )
    assert shown["committed_pay_cents"] + shown["new_pay_cents"] == shown["pay_cents"]


def test_a_run_explains_skill_window_working_time_and_travel(market):
    skill = Skill.objects.create(cooperative=market.coop_a, slug="vca", name="VCA")
    welding = Job.objects.create(
        cooperative=market.coop_a,
        client=market.client_a,
        title="Lassen",
        category="other",
        street="Marshalllaan 40",
        postcode="3526 GA",
        latitude=market.job.latitude,
        longitude=market.job.longitude,
        client_tariff=Decimal("32.00"),
        status=Job.Status.OPEN,
        required_skill=skill,
    )
    needs_skill = make_shift(welding, at(market.tuesday, 13), hours=1)
    at_night = make_shift(market.job, at(market.tuesday, 22, 15), hours=0.75)
    too_long = make_shift(market.job, at(market.tuesday, 8), hours=13)
    # Four members, four slots 14-17; a one-hour shift inside it pays less than the hour
    # lost, so everyone works the long one and the short one overlaps all of them.
    make_shift(market.job, at(market.tuesday, 14), hours=3, slots=4)
    overlapping = make_shift(market.job, at(market.tuesday, 15), hours=1)

    run = _run(market)

    assert run.status == "done"
    assert _reasons(run) == {
        needs_skill.pk: SKILL,
        at_night.pk: NO_ELIGIBLE,
        too_long.pk: WORKING_TIME,
        overlapping.pk: TRAVEL,
    }
    _assert_figures_add_up(run)
    assert run.summary["days"][0]["slots"] == 2 + 1 + 1 + 1 + 4 + 1
    assert run.summary["days"][0]["open"] == 4
    # Every member has their minutes; nobody has a target here.
    assert sorted(m for m, _minutes, _t in run.summary["hours"]) == sorted(
        getattr(market, name).pk for name in PEOPLE
    )
    assert sum(minutes for _m, minutes, _t in run.summary["hours"]) == (2 * 3 + 4 * 3) * 60
    # Offers keep the pay quoted to their member.
    assert all(o.pay_cents and o.pay_cents > 0 for o in Offer.objects.filter(run=run))
    assert run.summary["objective"]["offered_pay_cents"] == sum(
        o.pay_cents for o in Offer.objects.filter(run=run)
    )


def test_members_at_their_earnings_cap(market):
    # Room for one three-hour shift each, not for two: four members, six slots.
    make_shift(market.job, at(market.tuesday, 13), hours=3, slots=4)
    pay = standard_shares([market.shift])[market.shift.pk]
    Profile.objects.filter(user__in=[getattr(market, n) for n in PEOPLE]).update(
        yearly_earnings_cap=from_minor(pay * 3 // 2)
    )
    run = _run(market)
    assert run.offers_made == 4
    assert set(_reasons(run).values()) == {CAP}
    assert sum(row["open"] for row in run.summary["open_shifts"]) == 2
    _assert_figures_add_up(run)


def test_a_pair_refused_at_offer_time_is_counted_with_its_rule(market):
    # One member may work; the optimiser gives them 07-10 and 19-22 on two days running:
    # nine hours of rest each day, a shortened daily rest allowed once a week only, so
    # an offer of the second day is not made.
    Profile.objects.exclude(user=market.member_a).update(latitude=None, longitude=None)
    Shift.objects.filter(pk=market.shift.pk).update(status="cancelled")
    shifts = [
        make_shift(market.job, at(market.tuesday + timedelta(days=d), h), hours=3)
        for d in (0, 1)
        for h in (7, 19)
    ]
    run = _run(market, days=2)
    refused = run.summary["offer_time"]["refused"]
    assert refused >= 1
    assert run.offers_made + refused == len(shifts)
    assert run.summary["offer_time"]["rules"] == {"working_time_daily_rest": refused}
    assert set(_reasons(run).values()) == {OFFER_WORKING_TIME}
    assert len(_reasons(run)) == refused
    _assert_figures_add_up(run)
    # The member's planned minutes are what they were offered.
    assert run.summary["hours"] == [[market.member_a.pk, 180 * run.offers_made, 0]]
    with translation.override("en"):
        view = run_view(run)["offer_time"]
        assert str(view["rules"][0]["label"]) == "shortest daily rest"


def test_members_short_of_target_show_in_the_spread_and_the_shortfall(market):
    Profile.objects.filter(user=market.member_a).update(target_hours_per_week=14)
    run = _run(market)
    _assert_figures_add_up(run)
    target = next(t for m, _minutes, t in run.summary["hours"] if m == market.member_a.pk)
    assert target >= 2 * 60  # 14 hours a week: 2 a day, plus any boost
    bands = {b["key"]: b["members"] for b in run_view(run)["hours"]["bands"]}
    assert bands["no_target"] == 3
    assert sum(bands.values()) == 4
    assert run.summary["objective"]["shortfall_cents"] > 0


def test_the_page_and_the_api_show_the_run_to_its_board_only(client, market):
    Profile.objects.filter(user=market.member_a).update(target_hours_per_week=14)
    overlapping = make_shift(market.job, at(market.tuesday, 22, 15), hours=0.75)
    run = _run(market)
    login_verified(client, market.board_a)
    client.cookies["django_language"] = "en"
    page = client.get(f"/c/alpha/dispatch/{run.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    offer = Offer.objects.filter(run=run).select_related("user").first()
    assert escape(offer.user.full_name) in html  # a generated name may hold "'t"
    assert "€" in html
    assert f'data-shift="{overlapping.pk}"' in html
    assert 'data-chart="chart-hours"' in html
    assert 'id="chart-hours"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "<table" in html
    assert "Pay to members" in html
    assert "minus travel cost" in html
    assert "Members with a target get" in html
    listing = client.get("/c/alpha/dispatch/").content.decode()
    assert f"/c/alpha/dispatch/{run.pk}/" in listing
    assert "−147932" not in listing

    api = api_as(market.board_a)
    detail = api.get(f"/api/v1/cooperatives/alpha/dispatch/{run.pk}/")
    assert detail.status_code == 200, detail.data
    data = detail.data
    assert data["explained"]
    assert data["run"]["id"] == run.pk
    assert [r["shift"] for r in data["open_shifts"]] == [overlapping.pk]
    assert data["days"][0]["slots"] == 3
    terms = data["objective"]["terms"]
    assert (
        abs(
            terms["pay_cents"]
            - terms["km_cents"]
            - terms["shortfall_cents"]
            - data["objective"]["objective_cents"]
        )
        <= 1
    )
    offers = api.get(data["offers_url"])
    assert offers.status_code == 200
    assert {o["member"] for o in offers.data["results"]} == set(
        Offer.objects.filter(run=run).values_list("user_id", flat=True)
    )
    assert all(o["pay_cents"] > 0 and o["status"] == "open" for o in offers.data["results"])
    opened = api.get(data["open_shifts_url"])
    assert opened.status_code == 200
    assert opened.data["results"][0]["shift"] == overlapping.pk

    # Another cooperative's board, and a member without the role, do not see it.
    assert (
        api_as(market.board_b).get(f"/api/v1/cooperatives/beta/dispatch/{run.pk}/").status_code
        == 404
    )
    assert (
        api_as(market.board_b).get(f"/api/v1/cooperatives/alpha/dispatch/{run.pk}/").status_code
        == 404
    )
    assert (
        api_as(market.member_a).get(f"/api/v1/cooperatives/alpha/dispatch/{run.pk}/").status_code
        == 403
    )
    login_verified(client, market.board_b)
    assert client.get(f"/c/beta/dispatch/{run.pk}/").status_code == 404
    assert client.get(f"/c/alpha/dispatch/{run.pk}/").status_code == 404


def test_a_queued_run_has_no_explanation_yet(client, market):
    day = market.tuesday.date()
    run = DispatchRun.objects.create(
        cooperative=market.coop_a, period_start=day, period_end=day + timedelta(days=1)
    )
    assert run_view(run) == {}
    data = api_as(market.board_a).get(f"/api/v1/cooperatives/alpha/dispatch/{run.pk}/").data
    assert data["explained"] is False
    assert data["days"] == []
    assert data["objective"]["terms"] is None
    login_verified(client, market.board_a)
    assert client.get(f"/c/alpha/dispatch/{run.pk}/").status_code == 200


def test_the_run_page_costs_the_same_queries_for_1_offer_as_for_20(client, market):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    run = _run(market)
    login_verified(client, market.board_a)
    url = f"/c/alpha/dispatch/{run.pk}/"
    client.get(url)

    def add_offers(n: int) -> None:
        for i in range(n):
            shift = make_shift(market.job, at(market.tuesday + timedelta(days=1 + i), 9))
            Offer.objects.create(
                run=run,
                shift=shift,
                user=market.member_a,
                reason="past goed",
                pay_cents=8640,
                deadline=timezone.now() + timedelta(hours=5),
            )

    Offer.objects.filter(run=run).delete()
    add_offers(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_offers(19)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.content.decode().count("data-offer=") == 20
    assert len(many) == len(few)


def test_without_targets_the_page_says_so_and_draws_no_chart(client, market):
    """A chart of members against targets nobody has would show one bar of "no target"
    under a sentence saying there are none: the page says it, and the table counts them."""
    run = _run(market)
    login_verified(client, market.board_a)
    client.cookies["django_language"] = "en"
    html = client.get(f"/c/alpha/dispatch/{run.pk}/").content.decode()
    assert "No member in this run has a target." in html
    assert 'data-chart="chart-hours"' not in html
    assert "chart.umd.min.js" not in html
    assert "No target" in html  # the table row
