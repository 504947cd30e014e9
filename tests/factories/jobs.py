"""Work: jobs, shifts, claims and timesheets, in the states the tests need.

Traits (pass ``name=True``):

* ``ShiftFactory``: ``past`` (09:00 local, ``days_ago`` days back, 3 by default).
* ``ClaimFactory``: ``confirmed``, ``completed``, ``offered`` (from the waitlist, answer due
  in 6 hours) and ``past`` (on a past shift; ``shift__days_ago`` picks the day).
* ``TimesheetFactory``: ``approved``, ``disputed`` and ``settled``. A timesheet's claim is on
  a past shift and confirmed unless one is given.

Which rows are written directly, and which come out of a service:

* Shifts get the feed's copies from ``shift_denormalize``, as the job service keeps them.
  A slot-holding claim moves ``Shift.filled`` as the claim service does.
* Claim states and ``approved``/``disputed`` are written directly: the row as the service
  leaves it (an approved timesheet has a completed claim and ``decided_at``), without the
  audit row, the outbox event or the e-mail the service also writes, which several tests
  count.
* ``settled`` goes through ``settlement_run`` (after the cooperative's founding rules), so
  the split and its ledger postings are the ones settlement makes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import factory
from django.db.models import F
from django.utils import timezone
from factory.django import DjangoModelFactory

from jobs.models import Claim, Job, Shift, Timesheet
from jobs.services.claims import usual_engagement
from jobs.services.jobs import shift_denormalize

from . import ClientFactory, CooperativeFactory, UserFactory


def local_nine(days: int) -> datetime:
    """09:00 local time ``days`` days from today (negative: in the past)."""
    today = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    return today + timedelta(days=days)


class JobFactory(DjangoModelFactory):
    """An open job of a business client in Kanaleneiland at € 32 an hour."""

    class Meta:
        model = Job

    cooperative = factory.SubFactory(CooperativeFactory)
    client = factory.SubFactory(ClientFactory)
    title = factory.Sequence(lambda n: f"Klus {n}")
    category = "greening"
    street = "Marshalllaan 40"
    postcode = "3526 GA"
    latitude = Decimal("52.076000")
    longitude = Decimal("5.092000")
    client_tariff = Decimal("32.00")
    status = Job.Status.OPEN


class ShiftFactory(DjangoModelFactory):
    """A three-hour shift a week ahead with the copies the feed filters on."""

    class Meta:
        model = Shift

    class Params:
        days_ago = 3
        past = factory.Trait(start=factory.LazyAttribute(lambda o: local_nine(-o.days_ago)))

    job = factory.SubFactory(JobFactory)
    start = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + timedelta(days=7))
    end = factory.LazyAttribute(lambda o: o.start + timedelta(hours=3))
    slots = 2

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        shift = shift_denormalize(model_class(*args, **kwargs), kwargs["job"])
        shift.save()
        return shift


class ClaimFactory(DjangoModelFactory):
    """A member's claim on a shift, with the member's usual engagement (as the claim service
    chooses it)."""

    class Meta:
        model = Claim
        skip_postgeneration_save = True

    class Params:
        past = factory.Trait(shift__past=True)
        confirmed = factory.Trait(
            status=Claim.Status.CONFIRMED, confirmed_at=factory.LazyFunction(timezone.now)
        )
        completed = factory.Trait(status=Claim.Status.COMPLETED)
        offered = factory.Trait(
            status=Claim.Status.OFFERED,
            offer_expires_at=factory.LazyFunction(lambda: timezone.now() + timedelta(hours=6)),
        )

    shift = factory.SubFactory(ShiftFactory)
    user = factory.SubFactory(UserFactory)
    status = Claim.Status.CLAIMED
    start = factory.LazyAttribute(lambda o: o.shift.start)
    end = factory.LazyAttribute(lambda o: o.shift.end)
    engagement = factory.LazyAttribute(
        lambda o: usual_engagement(o.user, o.shift.cooperative_id) or "self_employed"
    )

    @factory.post_generation
    def hold_slot(obj, create, extracted, **kwargs):
        if create and obj.holds_slot:
            Shift.objects.filter(pk=obj.shift_id).update(filled=F("filled") + 1)


class TimesheetFactory(DjangoModelFactory):
    """Three hours submitted for a confirmed claim on a past shift."""

    class Meta:
        model = Timesheet

    class Params:
        approved = factory.Trait(
            status=Timesheet.Status.APPROVED, decided_at=factory.LazyFunction(timezone.now)
        )
        disputed = factory.Trait(status=Timesheet.Status.DISPUTED, dispute_reason="Klopt niet")
        settled = factory.Trait(approved=True, settle=True)

    claim = factory.SubFactory(ClaimFactory, past=True, confirmed=True)
    minutes_worked = 180
    status = Timesheet.Status.SUBMITTED
    settle = False  # not a field: ``settled`` sets it

    @classmethod
    def _create(cls, model_class, *args, settle=False, **kwargs):
        timesheet = super()._create(model_class, *args, **kwargs)
        if timesheet.status == Timesheet.Status.APPROVED:
            # An approved timesheet's claim is completed, as approval leaves it.
            claim = timesheet.claim
            if claim.status != Claim.Status.COMPLETED:
                Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.COMPLETED)
                claim.status = Claim.Status.COMPLETED
        if settle:
            from payouts.services.settlement import settlement_run
            from tests.factories.work import ensure_founded

            ensure_founded(timesheet.claim.shift.cooperative)
            settlement_run(timesheet_ids=[timesheet.pk])
        return timesheet
