"""A dispatch run keeps working whatever the members already hold.

The instance's contract refuses commitments that cannot hold together (a bad file). The
platform builds the instance from claims that were fine when they were made; later facts
can make them clash: a member claims beyond their benefit room after the warning (claims
are allowed then), or the board lowers the cooperative's travel speed. One such member must
not stop the run for everyone: the claims stay, the member is given nothing that clashes
with them, and everyone else still gets offers."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jobs.dispatch import parse_instance
from jobs.models import DispatchRun, Job, Offer
from jobs.services.dispatching import build_instance, dispatch_run_execute
from members.models import BenefitArrangement, Cooperative
from members.selectors import member_work_context_forget
from tests.factories.jobs import ClaimFactory, JobFactory
from tests.factories.work import at, make_shift, place_member

pytestmark = pytest.mark.django_db


def _run(market) -> DispatchRun:
    day = market.tuesday.date()
    return DispatchRun.objects.create(
        cooperative_id=market.coop_a.pk, period_start=day, period_end=day + timedelta(days=1)
    )


def _members(instance) -> dict:
    return {m["id"]: m for m in instance["members"]}


def test_a_member_holding_more_than_their_benefit_room_does_not_stop_the_run(market):
    member = market.member_a
    ClaimFactory(shift=market.shift, user=member, confirmed=True)  # three hours, in the period
    BenefitArrangement.objects.create(
        user=member,
        keep_percent=25,
        monthly_max_cents=500,  # € 20 a month may be earned: less than the claim pays
        starts_on=timezone.localdate().replace(day=1) - timedelta(days=40),
        months=12,
        municipality="Utrecht",
    )
    member_work_context_forget(member.pk)
    other = make_shift(market.job, at(market.tuesday, 14), hours=2, slots=2)
    run = _run(market)
    instance, _rows = build_instance(run)
    parsed = parse_instance(instance)  # a valid file: no InstanceError
    row = _members(instance)[str(member.pk)]
    assert str(market.shift.pk) in row["commitments"]
    committed_pay = next(
        s["pay_cents"] for s in instance["shifts"] if s["id"] == row["commitments"][0]
    )
    assert row["max_pay_cents"] == committed_pay  # no room left for more
    assert parsed.member_by_id[str(member.pk)].max_pay_cents == committed_pay
    dispatch_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == DispatchRun.Status.DONE, run.error
    assert not Offer.objects.filter(run=run, user=member).exists()
    assert Offer.objects.filter(run=run, shift=other).exclude(user=member).exists()


def test_claims_that_no_longer_fit_the_travel_time_keep_the_run_going(market):
    member = market.member_a
    far = JobFactory(
        cooperative=market.coop_a,
        client=market.client_a,
        title="Gevels aan de overkant",
        latitude=market.job.latitude + Decimal("0.03"),  # about 3.3 km north
        longitude=market.job.longitude,
    )
    place_member(member, radius="10.0")
    # 09:00–12:00 here, then 12:20 over there: 20 minutes were enough at 15 km/h.
    later = make_shift(far, at(market.tuesday, 12, 20), hours=2, slots=1)
    ClaimFactory(shift=market.shift, user=member, confirmed=True)
    ClaimFactory(shift=later, user=member, confirmed=True)
    Cooperative.objects.filter(pk=market.coop_a.pk).update(travel_speed_kmh=5)  # now 40 min
    free = make_shift(market.job, at(market.tuesday, 16), hours=2, slots=2)
    run = _run(market)
    instance, _rows = build_instance(run)
    parse_instance(instance)  # a valid file
    row = _members(instance)[str(member.pk)]
    assert row["commitments"] == [str(market.shift.pk)]
    later_row = next((s for s in instance["shifts"] if s["id"] == str(later.pk)), None)
    assert later_row is None  # its one slot is the member's: nobody else may be given it
    dispatch_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == DispatchRun.Status.DONE, run.error
    assert not Offer.objects.filter(run=run, shift=later).exists()
    assert Offer.objects.filter(run=run, shift=free).exists()
    assert Job.objects.filter(pk=far.pk).exists()
