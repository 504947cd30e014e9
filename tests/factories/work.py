from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from jobs.models import Job, RateCard, Shift
from jobs.services.jobs import shift_denormalize
from members.models import AvailabilitySlot, Profile
from members.selectors import member_work_context_forget
from payouts.models import RuleSet
from payouts.services.rulesets import found_rule_set

TZ = ZoneInfo("Europe/Amsterdam")
HOME = (Decimal("52.073500"), Decimal("5.096500"))  # Marshalllaan, Kanaleneiland


def next_weekday(weekday: int, *, weeks_ahead: int = 1) -> datetime:
    today = timezone.localdate()
    day = today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)
    return datetime.combine(day, time(0), tzinfo=TZ)


def at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return day.replace(hour=hour, minute=minute)


def make_shift(job: Job, start: datetime, hours: float = 3, slots: int = 1) -> Shift:
    shift = shift_denormalize(
        Shift(job=job, start=start, end=start + timedelta(hours=hours), slots=slots), job
    )
    shift.save()
    return shift


def place_member(user, *, lat=HOME[0], lon=HOME[1], radius="5", windows=((0, 7, 22),) * 0) -> None:
    Profile.objects.filter(user=user).update(
        latitude=lat, longitude=lon, travel_radius_km=Decimal(radius), postcode="3526 KL"
    )
    member_work_context_forget(user.pk)
    AvailabilitySlot.objects.filter(user=user).delete()
    for weekday in range(7):
        AvailabilitySlot.objects.create(user=user, weekday=weekday, start=time(7), end=time(22))


def ensure_founded(cooperative):
    """The cooperative's founding payout rules (``market`` founds them already)."""
    existing = RuleSet.objects.filter(cooperative=cooperative, version=1).first()
    return existing or found_rule_set(cooperative=cooperative)


@pytest.fixture
def market(world):
    """Coop A with its founding payout rules and a rate card, an open job of client A, a member
    placed and available."""
    found_rule_set(cooperative=world.coop_a)
    RateCard.objects.create(
        cooperative=world.coop_a,
        category="greening",
        client_tariff=Decimal("32.00"),
    )
    from tests.factories.jobs import JobFactory

    job = JobFactory(cooperative=world.coop_a, client=world.client_a, title="Geveltuinen")
    for user in (world.member_a, world.board_a, world.treasurer_a, world.auditor_a):
        place_member(user)
    world.job = job
    world.tuesday = next_weekday(1)
    world.shift = make_shift(job, at(world.tuesday, 9), hours=3, slots=2)
    return world


def payroll_evening_elsewhere(world):
    """A payroll claim of ``world.member_a`` for another client (a housing corporation) on the
    evening before ``world.tuesday``: 15:30–23:30."""
    from tests.factories import ClientFactory
    from tests.factories.jobs import ClaimFactory, JobFactory

    housing = ClientFactory(
        name="Woningcorporatie Oost", kind="housing_corporation", cooperatives=[world.coop_a]
    )
    stairs = JobFactory(
        cooperative=world.coop_a,
        client=housing,
        title="Trappenhuis schoonmaken",
        category="cleaning",
        street="Amsterdamsestraatweg 1",
        postcode="3513 AA",
        latitude=world.job.latitude,
        longitude=world.job.longitude,
        client_tariff=world.job.client_tariff,
    )
    evening = make_shift(stairs, at(world.tuesday - timedelta(days=1), 15, 30), hours=8)
    return ClaimFactory(shift=evening, user=world.member_a, engagement="employee", confirmed=True)
