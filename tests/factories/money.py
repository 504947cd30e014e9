"""Shared money fixtures: approved timesheets, settled work, an issued invoice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.models import Claim, Shift, Timesheet
from jobs.services.claims import usual_engagement
from payouts.services.settlement import settlement_run
from tests.factories.api import api_as
from tests.factories.work import ensure_founded, make_shift


def approved_timesheet(
    world, *, days_ago=1, minutes=180, break_minutes=0, user=None, tariff=None, hours_earlier=0
):
    job = world.job
    if tariff is not None:
        job.client_tariff = tariff
        job.save()
    start = timezone.now().replace(microsecond=0) - timedelta(
        days=days_ago, hours=4 + hours_earlier
    )
    shift = make_shift(job, start + timedelta(days=30), hours=3)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=3), filled=1)
    user = user or world.member_a
    claim = Claim.objects.create(
        shift_id=shift.pk,
        user=user,
        # As the claim service would: the member's usual engagement (every job allows all).
        engagement=usual_engagement(user, job.cooperative_id) or "self_employed",
        status="completed",
        start=start,
        end=start + timedelta(hours=3),
    )
    return Timesheet.objects.create(
        claim=claim,
        minutes_worked=minutes,
        break_minutes=break_minutes,
        status="approved",
        decided_at=timezone.now(),
    )


@pytest.fixture
def settled(market):
    ensure_founded(market.coop_a)
    market.sheets = [approved_timesheet(market, days_ago=d) for d in (1, 2, 3)]
    settlement_run()
    return market


def _issue(world, **extra):
    today = timezone.localdate()
    body = {
        "client": world.client_a.pk,
        "period_start": (today - timedelta(days=10)).isoformat(),
        "period_end": today.isoformat(),
        **extra,
    }
    return api_as(world.treasurer_a).post("/api/v1/cooperatives/alpha/invoices/", body)
