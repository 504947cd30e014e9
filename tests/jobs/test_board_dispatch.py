"""Board dispatch: a run makes offers with reasons; accepted, declined and expired offers."""

from datetime import timedelta

import pytest
from django.core import mail

from jobs.models import Claim, DispatchRun, Offer
from jobs.services.dispatching import dispatch_run_execute, offers_expire_dispatch
from tests.conftest import api_as, row_counts
from tests.factories.work import at, make_shift
from werkstation.models import OutboxEvent

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
    assert run.status == "done" and run.km_cost_cents == 10 and run.shortfall_cents_per_minute == 5
    offers = list(Offer.objects.filter(run=run))
    assert len(offers) == 2  # two slots, four placed members
    assert all(" km " in o.reason for o in offers) and len({o.user_id for o in offers}) == 2
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
    assert response.status_code == 200 and response.data["status"] == "accepted"
    assert Claim.objects.get(shift=market.shift, user=offer.user).status == "confirmed"


def test_declined_offer_is_dispatched_again_to_someone_else(market):
    run = _run(market)
    offer = Offer.objects.filter(run=run).first()
    response = api_as(offer.user).post(f"/api/v1/offers/{offer.pk}/respond/", {"accept": False})
    assert response.data["status"] == "declined"
    follow_up = DispatchRun.objects.filter(status="queued").get()
    dispatch_run_execute(run_id=follow_up.pk)
    again = Offer.objects.filter(run=follow_up)
    assert again.count() == 1 and again.get().user_id != offer.user_id


def test_expired_offers_go_to_the_next_run(market):
    run = _run(market)
    first = Offer.objects.filter(run=run).first()
    assert offers_expire_dispatch(now=first.deadline + timedelta(seconds=1)) == 2
    assert Offer.objects.filter(status="expired").count() == 2
    assert DispatchRun.objects.filter(status="queued").count() == 1


def test_members_with_commitments_keep_them_and_shifts_are_not_over_offered(market):
    Claim.objects.create(
        shift=market.shift,
        user=market.member_a,
        status="confirmed",
        start=market.shift.start,
        end=market.shift.end,
    )
    market.shift.filled = 1
    market.shift.save()
    make_shift(market.job, at(market.tuesday, 14), hours=2, slots=1)
    run = _run(market)
    offers = Offer.objects.filter(run=run)
    assert (
        offers.filter(shift=market.shift).count() == 1
        and offers.exclude(shift=market.shift).count() == 1
    )
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
    assert response.status_code == 400 and response.data["error"]["field"] == "period_end"
    assert row_counts(DispatchRun) == before


def test_a_taken_shift_makes_the_offer_lapse(market):
    run = _run(market)
    offer = Offer.objects.filter(run=run).first()
    market.shift.filled = market.shift.slots
    market.shift.save()
    response = api_as(offer.user).post(f"/api/v1/offers/{offer.pk}/respond/", {"accept": True})
    assert response.status_code == 409 and response.data["error"]["code"] == "offer_lapsed"
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
