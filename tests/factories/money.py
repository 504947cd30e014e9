"""Shared money fixtures: approved timesheets, settled work, an issued invoice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payouts.services.settlement import settlement_run
from tests.factories.api import api_as
from tests.factories.jobs import TimesheetFactory
from tests.factories.work import ensure_founded


def approved_timesheet(
    world, *, days_ago=1, minutes=180, break_minutes=0, user=None, tariff=None, hours_earlier=0
):
    """Approved hours of ``user`` (member A) on a new three-hour shift of ``world.job`` that
    started ``days_ago`` days and 4 (+ ``hours_earlier``) hours ago; not settled yet."""
    job = world.job
    if tariff is not None:
        job.client_tariff = tariff
        job.save()
    start = timezone.now().replace(microsecond=0) - timedelta(
        days=days_ago, hours=4 + hours_earlier
    )
    return TimesheetFactory(
        approved=True,
        claim__user=user or world.member_a,
        claim__shift__job=job,
        claim__shift__start=start,
        claim__shift__slots=1,
        minutes_worked=minutes,
        break_minutes=break_minutes,
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
