from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from members.models import AvailabilitySlot, MemberSkill
from tests.factories import ClientUserFactory, MembershipFactory, MunicipalityFactory, UserFactory
from tests.factories.work import place_member


def staff_plan(slots: int = 2, weekdays=(0, 2), skill: str | None = "groen") -> list[dict]:
    return [
        {
            "title": "Maaien en snoeien",
            "weekdays": list(weekdays),
            "start": "09:00",
            "end": "13:00",
            "slots": slots,
            "skill": skill,
        }
    ]


@pytest.fixture
def rtc(world):
    """Coop A works with a municipality; five members with the green skill, available on weekdays."""
    municipality = MunicipalityFactory(
        name="Gemeente Utrecht",
        cooperatives=[world.coop_a],
        kvk_number="30280353",
        vat_number="NL001234567B01",
        billing_street="Stadsplateau 1",
        billing_postcode="3521 AZ",
        billing_city="Utrecht",
    )
    world.municipality = municipality
    world.muni_user = ClientUserFactory(
        client=municipality, user=UserFactory(email="gemeente@example.org")
    ).user
    world.gardeners = []
    for n in range(5):
        user = MembershipFactory(
            cooperative=world.coop_a, user=UserFactory(email=f"tuinier{n}@example.org")
        ).user
        place_member(user)
        AvailabilitySlot.objects.filter(user=user).exclude(weekday__in=[0, 1, 2, 3, 4]).delete()
        AvailabilitySlot.objects.filter(user=user).update(start=time(8), end=time(17))
        MemberSkill.objects.create(user=user, skill=world.skill_a)
        world.gardeners.append(user)
    today = timezone.localdate()
    world.period_start = today + timedelta(days=1)
    world.period_end = today + timedelta(days=90)
    return world


def tender_values(world, **overrides) -> dict:
    values = {
        "client": world.municipality,
        "title": "Groenonderhoud Park Transwijk",
        "description": "Maaien, snoeien en zwerfvuil in het park.",
        "category": "green_maintenance",
        "area": "Kanaleneiland-Zuid",
        "street": "Marshalllaan 40",
        "postcode": "3526 GA",
        "period_start": world.period_start,
        "period_end": world.period_end,
        "budget_ceiling": "20000.00",
        "required_outcomes": ["Gras kort gehouden", "Zwerfvuil weg"],
        "weight_price": 40,
        "weight_quality": 30,
        "weight_social": 30,
        "submission_deadline": timezone.now() + timedelta(days=7),
        "decision_deadline": timezone.localdate() + timedelta(days=14),
    }
    values.update(overrides)
    return values


@pytest.fixture
def open_tender(rtc):
    from jobs.challenges.services.tenders import tender_create

    rtc.tender = tender_create(actor=rtc.muni_user, publish=True, **tender_values(rtc))
    return rtc


def bid_values(**overrides) -> dict:
    values = {
        "price": "15000.00",
        "hourly_tariff": "32.00",
        "plan": "Vijf buurtbewoners met groen-ervaring; een vaste ploegleider.",
        "staffing_plan": staff_plan(),
        "social_member_hours": 400,
        "social_target_group_members": 3,
    }
    values.update(overrides)
    return values


def close_window(tender) -> None:
    from jobs.challenges.models import Tender

    Tender.objects.filter(pk=tender.pk).update(
        submission_deadline=timezone.now() - timedelta(minutes=1),
        submission_opens=timezone.now() - timedelta(days=3),
    )
    tender.refresh_from_db()


def submit_bid(w):
    """Coop A's bid on the open tender: drafted, capacity-checked and submitted."""
    from jobs.challenges.services.bids import bid_capacity_check, bid_create, bid_submit

    bid = bid_create(actor=w.board_a, tender=w.tender, cooperative=w.coop_a, **bid_values())
    bid_capacity_check(actor=w.board_a, bid=bid)
    return bid_submit(actor=w.board_a, bid=bid)


@pytest.fixture
def awarded(open_tender):
    """A submitted, capacity-checked bid of coop A, awarded: a running contract."""
    from jobs.challenges.services.tenders import tender_decide, tenders_close_due

    w = open_tender
    w.bid = submit_bid(w)
    close_window(w.tender)
    tenders_close_due()
    tender_decide(actor=w.muni_user, tender=w.tender, bid=w.bid, reason="Beste plan, lokaal.")
    w.bid.refresh_from_db()
    w.contract = w.bid.contract
    return w
