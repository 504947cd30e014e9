"""Right to challenge: tenders, bids and challenges of a verified municipality.

Traits (pass ``name=True``):

* ``TenderFactory``: ``draft``, ``closed`` (the submission deadline passed an hour ago) and
  ``awarded``; open for bids by default.
* ``BidFactory``: ``capacity_checked``, ``submitted`` and ``awarded``; a draft by default.
* ``ChallengeFactory``: ``modification_proposed``; submitted by default.

These write their rows directly: the services check a tender's window, a bid's capacity
against real members and their availability, and more, which the tests of those services
(``tests/challenges``) go through with ``open_tender``, ``submit_bid`` and ``awarded``. A
running contract comes out of the service: ``contract_from_bid(actor=…, bid=BidFactory(
awarded=True, tender__awarded=True))``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from jobs.challenges.models import Bid, Challenge, Tender

from . import CooperativeFactory, MunicipalityFactory

STAFF_PLAN = [
    {
        "title": "Ronde",
        "weekdays": [1, 3],
        "start": "09:00",
        "end": "12:00",
        "slots": 1,
        "skill": None,
    }
]


class TenderFactory(DjangoModelFactory):
    """A park to keep green for two months, open for bids until five days from now."""

    class Meta:
        model = Tender

    class Params:
        draft = factory.Trait(status=Tender.Status.DRAFT)
        closed = factory.Trait(
            status=Tender.Status.CLOSED,
            submission_deadline=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1)),
        )
        awarded = factory.Trait(
            status=Tender.Status.AWARDED,
            submission_deadline=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        )

    client = factory.SubFactory(MunicipalityFactory)
    reference = factory.Sequence(lambda n: f"RTC-T-{n:04d}")
    title = "Groenonderhoud park"
    description = "Het park schoon en groen houden."
    category = "green_maintenance"
    area = "Kanaleneiland"
    street = "Marshalllaan 40"
    postcode = "3526 GA"
    latitude = Decimal("52.076000")
    longitude = Decimal("5.092000")
    period_start = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=1))
    period_end = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=60))
    budget_ceiling_cents = 1_000_000
    required_outcomes = ["Schoon park"]
    weight_price, weight_quality, weight_social = 40, 30, 30
    submission_opens = factory.LazyFunction(lambda: timezone.now() - timedelta(days=5))
    submission_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=5))
    decision_deadline = factory.LazyAttribute(lambda o: o.period_end)
    status = Tender.Status.OPEN


class BidFactory(DjangoModelFactory):
    """A cooperative's draft bid: € 5.000, € 32 an hour, one round twice a week."""

    class Meta:
        model = Bid

    class Params:
        capacity_checked = factory.Trait(
            capacity={"coverage_percent": 100.0},
            capacity_checked_at=factory.LazyFunction(timezone.now),
        )
        submitted = factory.Trait(
            status=Bid.Status.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now)
        )
        awarded = factory.Trait(
            status=Bid.Status.AWARDED, submitted_at=factory.LazyFunction(timezone.now)
        )

    tender = factory.SubFactory(TenderFactory)
    cooperative = factory.SubFactory(CooperativeFactory)
    price_cents = 500_000
    hourly_tariff_cents = 3200
    plan = "Met buren uit de wijk"
    staffing_plan = factory.LazyFunction(lambda: [dict(rule) for rule in STAFF_PLAN])
    status = Bid.Status.DRAFT


class ChallengeFactory(DjangoModelFactory):
    """A cooperative's challenge to run a playground, waiting for the municipality."""

    class Meta:
        model = Challenge

    class Params:
        modification_proposed = factory.Trait(
            status=Challenge.Status.MODIFICATION_PROPOSED, modification="Kleiner"
        )

    cooperative = factory.SubFactory(CooperativeFactory)
    client = factory.SubFactory(MunicipalityFactory)
    task = "Speeltuin beheren"
    area = "Transwijk"
    plan = "Buurtouders beheren de speeltuin"
    status = Challenge.Status.SUBMITTED
    decision_deadline = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
