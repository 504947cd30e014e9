"""Board dispatch: a run makes offers with reasons; accepted, declined and expired offers."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail

from jobs import tasks
from jobs.dispatch import check, parse_instance, solve
from jobs.models import Claim, DispatchRun, Offer, Shift
from jobs.services import dispatching
from jobs.services.dispatching import dispatch_run_execute, offers_expire_dispatch
from payouts.selectors.quotes import quote_shift
from tests.conftest import api_as, row_counts
from tests.factories.jobs import ClaimFactory, JobFactory
from tests.factories.work import at, make_shift, place_member
from werkstation.models import OutboxEvent
from werkstation.money import format_money

pytestmark = pytest.mark.django_db


def _run(market, django_capture_on_commit_callbacks=None):
    day = market.tuesday.date().isoformat()
    response = api_as(market.board_a).post(
        "/api/v1/cooperatives/alpha/dispatch/", {"period_start": day, "period_end": day}
    )
    assert response.status_code == 201, response.data
    assert OutboxEvent.objects.filter(
        topic="dispatch.requested", payload={"run_id": response.data["id"]}
    ).exists()
    return dispatch_run_execute(run_id=response.data["id"])


def test_dispatch_offers_every_slot_with_a_reason(market, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = _run(market)
    assert run.status == "done"
    assert run.km_cost_cents == 10
    assert run.shortfall_cents_per_minute == 5
    offers = list(Offer.objects.filter(run=run))
    assert len(offers) == 2  # two slots, four placed members
    assert all(" km " in o.reason for o in offers)
    assert len({o.user_id for o in offers}) == 2
    # Each offer names what its member is paid, the price truth of the shift page.
    for offer in offers:
        shown = quote_shift(
            offer.user, Shift.objects.select_related("job__client").get(pk=offer.shift_id)
        )
        assert format_money(shown.member_cents, language="nl") in offer.reason
    assert (
        len(
            [
                m
                for m in mail.outbox
                if "offer" in m.subject.lower() or "aangeboden" in m.subject.lower()
            ]
        )
        == 2
    )
    offer = offers[0]
    response = api_as(offer.user).post(f"/api/v1/offers/{offer.pk}/respond/", {"accept": True})
    assert response.status_code == 200
    assert response.data["status"] == "accepted"
    assert Claim.objects.get(shift=market.shift, user=offer.user).status == "confirmed"


def test_declined_offer_is_dispatched_again_to_someone_else(market):
    run = _run(market)
    offer = Offer.objects.filter(run=run).first()
    response = api_as(offer.user).post(f"/api/v1/offers/{offer.pk}/respond/", {"accept": False})
    assert response.data["status"] == "declined"
    follow_up = DispatchRun.objects.filter(status="queued").get()
    dispatch_run_execute(run_id=follow_up.pk)
    again = Offer.objects.filter(run=follow_up)
    assert again.count() == 1
    assert again.get().user_id != offer.user_id


def test_expired_offers_go_to_the_next_run(market):
    run = _run(market)
    first = Offer.objects.filter(run=run).first()
    assert offers_expire_dispatch(now=first.deadline + timedelta(seconds=1)) == 2
    assert Offer.objects.filter(status="expired").count() == 2
    assert DispatchRun.objects.filter(status="queued").count() == 1


def test_members_with_commitments_keep_them_and_shifts_are_not_over_offered(market):
    ClaimFactory(shift=market.shift, user=market.member_a, confirmed=True)  # holds a slot
    market.shift.refresh_from_db()
    make_shift(market.job, at(market.tuesday, 14), hours=2, slots=1)
    run = _run(market)
    offers = Offer.objects.filter(run=run)
    assert offers.filter(shift=market.shift).count() == 1
    assert offers.exclude(shift=market.shift).count() == 1
    assert not offers.filter(shift=market.shift, user=market.member_a).exists()


def test_only_the_board_dispatches_and_bad_periods_are_refused(market):
    before = row_counts(DispatchRun)
    day = market.tuesday.date()
    assert (
        api_as(market.member_a)
        .post("/api/v1/cooperatives/alpha/dispatch/", {"period_start": day, "period_end": day})
        .status_code
        == 403
    )
    response = api_as(market.board_a).post(
        "/api/v1/cooperatives/alpha/dispatch/",
        {"period_start": day, "period_end": day - timedelta(days=1)},
    )
    assert response.status_code == 400
    assert response.data["error"]["field"] == "period_end"
    assert row_counts(DispatchRun) == before


def test_a_taken_shift_makes_the_offer_lapse(market):
    run = _run(market)
    offer = Offer.objects.filter(run=run).first()
    market.shift.filled = market.shift.slots
    market.shift.save()
    response = api_as(offer.user).post(f"/api/v1/offers/{offer.pk}/respond/", {"accept": True})
    assert response.status_code == 409
    assert response.data["error"]["code"] == "offer_lapsed"
    assert Offer.objects.get(pk=offer.pk).status == "lapsed"


def test_dispatch_and_offers_in_the_pages(client, market):
    from tests.factories.api import login_verified

    login_verified(client, market.board_a)
    day = market.tuesday.date().isoformat()
    assert (
        client.post("/c/alpha/dispatch/", {"period_start": day, "period_end": day}).status_code
        == 302
    )
    run = DispatchRun.objects.get()
    dispatch_run_execute(run_id=run.pk)
    offer = Offer.objects.filter(run=run).first()
    member = client.__class__()
    member.force_login(offer.user)
    page = member.get(f"/work/week/?date={day}")
    assert offer.reason.encode() in page.content
    assert member.post(f"/work/offers/{offer.pk}/accept/").status_code == 302
    assert Offer.objects.get(pk=offer.pk).status == "accepted"


AMSTERDAM = (Decimal("52.367600"), Decimal("4.904100"))  # about 35 km from the others


def _two_neighbourhoods(market):
    """Coop A works in two places too far apart for anyone to serve both: its instance
    falls apart into two independent parts."""
    job = JobFactory(
        cooperative=market.coop_a,
        client=market.client_a,
        title="Dakgoten",
        street="Dam 1",
        postcode="1012 JS",
        latitude=AMSTERDAM[0],
        longitude=AMSTERDAM[1],
    )
    for user in (market.treasurer_a, market.auditor_a):
        place_member(user, lat=AMSTERDAM[0], lon=AMSTERDAM[1])
    make_shift(job, at(market.tuesday, 9), hours=3, slots=1)
    make_shift(job, at(market.tuesday, 13), hours=4, slots=2)
    make_shift(market.job, at(market.tuesday, 14), hours=2, slots=1)
    ClaimFactory(shift=market.shift, user=market.member_a, confirmed=True)  # holds a slot
    market.shift.refresh_from_db()


def _requested(market):
    day = market.tuesday.date().isoformat()
    response = api_as(market.board_a).post(
        "/api/v1/cooperatives/alpha/dispatch/", {"period_start": day, "period_end": day}
    )
    assert response.status_code == 201, response.data
    return DispatchRun.objects.get(pk=response.data["id"])


def test_a_large_cooperative_is_split_over_tasks_and_merged_into_one_run(market, monkeypatch):
    _two_neighbourhoods(market)
    run = _requested(market)
    whole = dispatching.dispatch_run_prepare(run_id=run.pk, part_pairs=10**9)
    assert len(whole["parts"]) == 1
    plan = dispatching.dispatch_run_prepare(run_id=run.pk, part_pairs=1)
    assert len(plan["parts"]) == 2
    assert json.loads(json.dumps(plan)) == plan  # travels as JSON task arguments
    places = [{m["id"] for m in part["members"]} for part in plan["parts"]]
    assert not places[0] & places[1]
    assert {str(market.treasurer_a.pk), str(market.auditor_a.pk)} in places

    # Parts run as their own (eager) tasks in a chord; the merge makes one run.
    solved = []
    real = dispatching.dispatch_part_solve

    def spy(*, part, **kwargs):
        solved.append(real(part=part, **kwargs))
        return solved[-1]

    monkeypatch.setattr(dispatching, "PART_PAIRS", 1)
    monkeypatch.setattr(dispatching, "dispatch_part_solve", spy)
    tasks.dispatch_run.delay(run.pk)
    run.refresh_from_db()
    assert len(solved) == 2
    assert run.status == "done"
    offers = list(Offer.objects.filter(run=run))
    assert run.offers_made == len(offers) == 5  # every open slot of both places
    assert {o.user_id for o in offers if o.shift.job.title == "Dakgoten"} == {
        market.treasurer_a.pk,
        market.auditor_a.pk,
    }
    assert not any(
        o.user_id == market.member_a.pk and o.shift_id == market.shift.pk for o in offers
    )

    # Feasible for the whole instance, with the commitment, and as good as one part.
    instance = parse_instance(whole["parts"][0])
    pairs = [(str(o.user_id), str(o.shift_id)) for o in offers]
    pairs += [tuple(p) for p in whole["commitments"]]
    report = check(instance, pairs)
    assert report.feasible, report.violations
    single = solve(instance, time_limit=10)
    assert single.status == "optimal"
    assert run.objective == pytest.approx(single.objective + whole["constant"], abs=1e-6)
    assert report.objective + whole["constant"] == pytest.approx(run.objective, abs=1e-6)

    # Redelivered tasks change nothing: the merge and the run leave a finished run alone.
    plan.pop("parts"), plan.pop("part_pairs")
    assert json.loads(json.dumps(solved)) == solved
    tasks.dispatch_merge(solved, plan)
    tasks.dispatch_run(run.pk)
    assert Offer.objects.filter(run=run).count() == 5
    assert len(solved) == 2


def test_a_small_cooperative_stays_one_task(market, monkeypatch):
    _two_neighbourhoods(market)
    run = _requested(market)
    calls = []
    monkeypatch.setattr(tasks, "chord", lambda *a, **k: calls.append(a))
    tasks.dispatch_run.delay(run.pk)
    run.refresh_from_db()
    assert run.status == "done"
    assert run.offers_made == 5
    assert calls == []


def test_a_part_that_fails_fails_the_run_without_offers(market, monkeypatch):
    _two_neighbourhoods(market)
    run = _requested(market)
    real = dispatching.dispatch.solve

    def solve_or_fail(instance, **kwargs):
        if any(m.id == str(market.auditor_a.pk) for m in instance.members):
            raise MemoryError("no room")
        return real(instance, **kwargs)

    monkeypatch.setattr(dispatching, "PART_PAIRS", 1)
    monkeypatch.setattr(dispatching.dispatch, "solve", solve_or_fail)
    tasks.dispatch_run.delay(run.pk)
    run.refresh_from_db()
    assert run.status == "failed"
    assert "no room" in run.error
    assert not Offer.objects.filter(run=run).exists()
