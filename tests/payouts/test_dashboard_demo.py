"""The dashboard's figures, tested against the ledger and the work records of the demo.

Every figure is computed again here the plain way, row by row in Python, from the ledger
entries, timesheets, shifts and profiles, and compared with the selector's aggregate
queries. Both cooperatives of the demo are checked, so nothing of one shows in the other.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from jobs.models import Shift, Timesheet
from members.models import Cooperative, Membership, Profile, Proposal
from payouts.dashboard import cooperative_dashboard
from payouts.models import Entry, PayoutBatch

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _month_of(day: date) -> date:
    return date(day.year, day.month, 1)


def _entry_month(entry: Entry) -> date:
    return _month_of(timezone.localtime(entry.transaction.created_at).date())


def _expected(cooperative: Cooperative, months: list[date], today: date) -> dict[str, list[int]]:
    entries = list(
        Entry.objects.filter(account__cooperative=cooperative).select_related(
            "account", "transaction"
        )
    )
    shown = set(months)
    per = defaultdict(lambda: defaultdict(int))
    for e in entries:
        month = _entry_month(e)
        kind, account = e.transaction.kind, e.account.kind
        if account == "fund" and e.account.key == "coop_fund":
            per["fund_change"][month] += e.amount_cents
        if month not in shown:
            continue
        if kind == "payment" and account == "receivable":
            per["clients"][month] -= e.amount_cents
        if kind in ("payout", "payout_return") and account == "payable":
            per["members"][month] += e.amount_cents
        if account == "fund" and kind not in ("advance", "release", "rehold"):
            per["pots"][month] -= e.amount_cents
    fund = []
    for month in months:
        # Everything posted up to the month's end; a fund's balance is minus its legs.
        fund.append(-sum(c for m, c in per["fund_change"].items() if m <= month))

    minutes, earners = defaultdict(int), defaultdict(set)
    by_member = defaultdict(int)
    for sheet in Timesheet.objects.filter(status="approved").select_related("claim__shift"):
        shift = sheet.claim.shift
        month = _month_of(timezone.localtime(sheet.claim.start).date())
        if shift.cooperative_id != cooperative.pk or month not in shown:
            continue
        paid = sheet.minutes_worked - sheet.break_minutes
        minutes[month] += paid
        earners[month].add(sheet.claim.user_id)
        by_member[(month, sheet.claim.user_id)] += paid

    active = set(
        Membership.objects.filter(cooperative=cooperative, status="active").values_list(
            "user_id", flat=True
        )
    )
    targets = {
        p.user_id: p.target_hours_per_week
        for p in Profile.objects.all()
        if p.user_id in active and p.target_hours_per_week > 0
    }
    reached = []
    for month in months:
        last = calendar.monthrange(month.year, month.month)[1]
        days = 0
        day = month
        while day.month == month.month and day <= today and day.day <= last:
            days += 1
            day += timedelta(days=1)
        if month < _month_of(today):
            days = last
        reached.append(
            sum(
                1
                for user_id, hours in targets.items()
                # "hours per week" over the month's (elapsed) days, in whole minutes
                if by_member[(month, user_id)] * 7 >= hours * 60 * days - (hours * 60 * days) % 7
            )
        )

    filled, unfilled = defaultdict(int), defaultdict(int)
    for shift in Shift.objects.all():
        month = _month_of(timezone.localtime(shift.start).date())
        if shift.cooperative_id != cooperative.pk or shift.status == "cancelled":
            continue
        if month not in shown:
            continue
        filled[month] += shift.filled
        unfilled[month] += shift.slots - shift.filled

    return {
        "fund_balance_cents": fund,
        "clients_paid_cents": [per["clients"][m] for m in months],
        "members_paid_cents": [per["members"][m] for m in months],
        "pots_cents": [per["pots"][m] for m in months],
        "minutes_worked": [minutes[m] for m in months],
        "members_earning": [len(earners[m]) for m in months],
        "members_reached": reached,
        "members_below": [len(targets) - n for n in reached],
        "places_filled": [filled[m] for m in months],
        "places_unfilled": [unfilled[m] for m in months],
    }


def _series(dashboard) -> dict[str, list[int]]:
    return {s.key: s.values for f in dashboard.figures for s in f.series}


def test_every_figure_equals_the_ledger_and_the_work_records_of_the_demo():
    call_command("seed_demo", verbosity=0)
    today = timezone.localdate()
    kanaleneiland = Cooperative.objects.get(slug="kanaleneiland")
    overvecht = Cooperative.objects.get(slug="overvecht")

    dashboard = cooperative_dashboard(kanaleneiland, today=today)
    assert dashboard.months[-1] == _month_of(today)
    assert len(dashboard.months) == 12
    got = _series(dashboard)
    assert got == _expected(kanaleneiland, dashboard.months, today)
    # The demo has money and work in it, so the comparison above is not one of zeros.
    assert got["fund_balance_cents"][-1] > 0
    assert sum(got["clients_paid_cents"]) > 0
    assert sum(got["pots_cents"]) > 0
    assert sum(got["minutes_worked"]) > 0
    assert max(got["members_earning"]) >= 2
    assert sum(got["places_filled"]) > 0
    assert sum(got["places_unfilled"]) > 0
    assert got["members_reached"][-1] + got["members_below"][-1] > 40

    decisions = {d.key: d.count for d in dashboard.decisions}
    assert (
        decisions["applications"]
        == Membership.objects.filter(cooperative=kanaleneiland, status="applied").count()
        >= 1
    )
    assert (
        decisions["disputes"]
        == sum(
            1
            for t in Timesheet.objects.select_related("claim__shift")
            if t.status == "disputed" and t.claim.shift.cooperative_id == kanaleneiland.pk
        )
        >= 1
    )
    assert (
        decisions["proposals_open"]
        == Proposal.objects.filter(cooperative=kanaleneiland, status="open").count()
        >= 1
    )
    assert (
        decisions["payout_batches"]
        == PayoutBatch.objects.filter(
            cooperative=kanaleneiland, status__in=["draft", "approved"]
        ).count()
        >= 1
    )

    # The other cooperative: its own figures, none of Kanaleneiland's.
    other = cooperative_dashboard(overvecht, today=today)
    assert _series(other) == _expected(overvecht, other.months, today)
    assert sum(_series(other)["minutes_worked"]) == 0
    assert sum(_series(other)["clients_paid_cents"]) == 0
    assert {d.key: d.count for d in other.decisions}["disputes"] == 0
