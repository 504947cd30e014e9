"""The board's dashboard: a cooperative's figures per month, read from the books and the work.

Design overview
---------------
Every figure is a handful of aggregate queries grouped by month (``TruncMonth``), so the
page costs the same number of queries for a cooperative of ten members or ten thousand.
Each is read from where the fact is recorded, never from a second bookkeeping:

* **fund** — the balance of the cooperative fund's ledger account (``fund``/``coop_fund``)
  at each month end: everything posted before the first month, plus each month's
  postings. A fund account is credit-normal, so its balance is minus the sum of its legs.
* **money** — per month, what clients paid (the receivable legs of ``payment``
  transactions), what was paid out to members (the member-payable legs of ``payout``
  transactions, less returned payouts) and what the work put into the pots (the fund legs
  of every posting except the fund's own advances to members and their return, which
  lend money rather than earn it).
* **work** — approved hours (minutes worked less breaks) and the number of members who
  earned, by the month the shift started in.
* **targets** — of the members active now who set target hours per week (their
  stapelbaan), how many worked at least that many approved hours in each month: the
  weekly target times the month's days divided by seven (for the current month, the days
  up to today).
* **shifts** — places (slots) on the month's shifts that members hold, against places no
  one holds; cancelled shifts are left out.
* **decisions** — what waits for the board, treasurer or auditor now, with the page
  where it is handled.

Months run from the cooperative's founding (at most ``MAX_MONTHS`` back) to the current
month, in the installation's time zone; a month without activity is a zero, not a gap.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from werkstation.money import decimal_hours, decimal_string
from werkstation.spreadsheet import csv_text

from .models import Account, Entry, PayoutBatch
from .services.settlement import COOP_FUND

if TYPE_CHECKING:
    from members.models import Cooperative

# Who reads the dashboard: the people who steer and check the cooperative.
DASHBOARD_ROLES = ("board", "treasurer", "auditor")
DEFAULT_MONTHS = 12
MAX_MONTHS = 36
# Postings in which the fund lends a member's share before the client pays, gets it back,
# or lends it again when the client's payment is taken back. (A correction of an advanced
# split nets its re-lending into its own posting; that rare leg counts with the pots.)
LENDING_KINDS = ("advance", "release", "rehold")


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    # What the values count: "cents" (of the cooperative's currency), "minutes" or "count".
    unit: str
    values: list[int]


@dataclass(frozen=True)
class Figure:
    key: str
    title: str
    # How the chart draws it: "line", "bar" (side by side) or "stacked".
    chart: str
    series: list[Series]
    note: str = ""


@dataclass(frozen=True)
class Decision:
    key: str
    label: str
    count: int
    # The page where it is handled, or "" when the viewer may not open that page.
    url: str
    # The roles that handle it there.
    handled_by: tuple[str, ...]


@dataclass(frozen=True)
class Dashboard:
    cooperative: Cooperative
    months: list[date]
    figures: list[Figure]
    decisions: list[Decision] = field(default_factory=list)

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def dashboard_months(
    cooperative: Cooperative, *, today: date | None = None, months: int = DEFAULT_MONTHS
) -> list[date]:
    """The first days of the months shown: from the founding (at most ``months`` back) to now."""
    today = today or timezone.localdate()
    months = max(1, min(months, MAX_MONTHS))
    current = today.replace(day=1)
    first = _add_months(current, -(months - 1))
    founded = getattr(cooperative, "founded_on", None)
    if founded and founded.replace(day=1) > first:
        first = min(founded.replace(day=1), current)
    out = []
    month = first
    while month <= current:
        out.append(month)
        month = _add_months(month, 1)
    return out


def _month(value) -> date:
    """A ``TruncMonth`` result (a date, or an aware datetime) as the month's first day."""
    if hasattr(value, "tzinfo"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return date(value.year, value.month, 1)
    return value.replace(day=1)


def _by_month(rows, months: list[date]) -> list[int]:
    found: dict[date, int] = {}
    for month, total in rows:
        key = _month(month)
        found[key] = found.get(key, 0) + int(total or 0)
    return [found.get(m, 0) for m in months]


def _month_bounds(months: list[date]):
    tz = timezone.get_current_timezone()
    from datetime import datetime, time

    start = datetime.combine(months[0], time(0), tzinfo=tz)
    end = datetime.combine(_add_months(months[-1], 1), time(0), tzinfo=tz)
    return start, end


def _ledger_by_month(entries, months: list[date]) -> list[int]:
    start, end = _month_bounds(months)
    rows = (
        entries.filter(transaction__created_at__gte=start, transaction__created_at__lt=end)
        .annotate(month=TruncMonth("transaction__created_at"))
        .values("month")
        .annotate(total=Sum("amount_cents"))
        .values_list("month", "total")
    )
    return _by_month(rows, months)


def fund_figure(cooperative: Cooperative, months: list[date]) -> Figure:
    fund = Entry.objects.filter(
        account__cooperative=cooperative, account__kind=Account.Kind.FUND, account__key=COOP_FUND
    )
    start, _end = _month_bounds(months)
    opening = -(
        fund.filter(transaction__created_at__lt=start).aggregate(s=Sum("amount_cents"))["s"] or 0
    )
    balances, balance = [], opening
    for change in _ledger_by_month(fund, months):
        balance -= change
        balances.append(balance)
    return Figure(
        key="fund",
        title=str(_("Cooperative fund")),
        chart="line",
        series=[Series("fund_balance_cents", str(_("Balance at month end")), "cents", balances)],
    )


def money_figure(cooperative: Cooperative, months: list[date]) -> Figure:
    entries = Entry.objects.filter(account__cooperative=cooperative)
    paid_in = _ledger_by_month(
        entries.filter(transaction__kind="payment", account__kind=Account.Kind.RECEIVABLE), months
    )
    paid_out = _ledger_by_month(
        entries.filter(
            transaction__kind__in=("payout", "payout_return"), account__kind=Account.Kind.PAYABLE
        ),
        months,
    )
    pots = _ledger_by_month(
        entries.filter(account__kind=Account.Kind.FUND).exclude(
            transaction__kind__in=LENDING_KINDS
        ),
        months,
    )
    return Figure(
        key="money",
        title=str(_("Money in and out")),
        chart="bar",
        series=[
            Series("clients_paid_cents", str(_("Paid by clients")), "cents", [-v for v in paid_in]),
            Series("members_paid_cents", str(_("Paid out to members")), "cents", paid_out),
            Series("pots_cents", str(_("Put into the pots")), "cents", [-v for v in pots]),
        ],
    )


def _approved_work(cooperative: Cooperative, months: list[date]):
    from jobs.models import Timesheet

    start, end = _month_bounds(months)
    return Timesheet.objects.filter(
        status=Timesheet.Status.APPROVED,
        claim__shift__cooperative=cooperative,
        claim__start__gte=start,
        claim__start__lt=end,
    ).annotate(month=TruncMonth("claim__start"))


def work_figure(cooperative: Cooperative, months: list[date]) -> Figure:
    rows = list(
        _approved_work(cooperative, months)
        .values("month")
        .annotate(
            minutes=Sum(F("minutes_worked") - F("break_minutes")),
            members=Count("claim__user", distinct=True),
        )
        .values_list("month", "minutes", "members")
    )
    return Figure(
        key="work",
        title=str(_("Hours worked and members earning")),
        chart="bar",
        series=[
            Series(
                "minutes_worked",
                str(_("Hours worked")),
                "minutes",
                _by_month([r[:2] for r in rows], months),
            ),
            Series(
                "members_earning",
                str(_("Members earning")),
                "count",
                _by_month([(r[0], r[2]) for r in rows], months),
            ),
        ],
    )


def target_minutes(weekly_hours: int, month: date, today: date) -> int:
    """The month's share of a weekly target: up to today in the current month."""
    days = calendar.monthrange(month.year, month.month)[1]
    if (month.year, month.month) == (today.year, today.month):
        days = today.day
    return weekly_hours * 60 * days // 7


def targets_figure(cooperative: Cooperative, months: list[date], today: date) -> Figure:
    from members.models import Membership, Profile

    targets = dict(
        Profile.objects.filter(
            target_hours_per_week__gt=0,
            user__memberships__cooperative=cooperative,
            user__memberships__status=Membership.Status.ACTIVE,
        ).values_list("user_id", "target_hours_per_week")
    )
    worked: dict[tuple[date, int], int] = {}
    for month, user_id, minutes in (
        _approved_work(cooperative, months)
        .filter(claim__user_id__in=list(targets))
        .values("month", "claim__user_id")
        .annotate(minutes=Sum(F("minutes_worked") - F("break_minutes")))
        .values_list("month", "claim__user_id", "minutes")
    ):
        worked[(_month(month), user_id)] = int(minutes or 0)
    reached = [
        sum(
            1
            for user_id, hours in targets.items()
            if worked.get((month, user_id), 0) >= target_minutes(hours, month, today)
        )
        for month in months
    ]
    return Figure(
        key="targets",
        title=str(_("Members reaching their stapelbaan")),
        chart="stacked",
        series=[
            Series("members_reached", str(_("Reached their target hours")), "count", reached),
            Series(
                "members_below",
                str(_("Below their target hours")),
                "count",
                [len(targets) - n for n in reached],
            ),
        ],
        note=str(
            _(
                "Members active now who set target hours per week; approved hours count, "
                "the current month up to today."
            )
        ),
    )


def shifts_figure(cooperative: Cooperative, months: list[date]) -> Figure:
    from jobs.models import Shift

    start, end = _month_bounds(months)
    rows = list(
        Shift.objects.filter(cooperative=cooperative, start__gte=start, start__lt=end)
        .exclude(status=Shift.Status.CANCELLED)
        .annotate(month=TruncMonth("start"))
        .values("month")
        .annotate(slots=Sum("slots"), filled=Sum("filled"))
        .values_list("month", "slots", "filled")
    )
    filled = _by_month([(r[0], r[2]) for r in rows], months)
    slots = _by_month([(r[0], r[1]) for r in rows], months)
    return Figure(
        key="shifts",
        title=str(_("Places on shifts filled and unfilled")),
        chart="stacked",
        series=[
            Series("places_filled", str(_("Filled places")), "count", filled),
            Series(
                "places_unfilled",
                str(_("Unfilled places")),
                "count",
                [s - f for s, f in zip(slots, filled, strict=True)],
            ),
        ],
    )


def open_decisions(cooperative: Cooperative, viewer=None) -> list[Decision]:
    """What waits for a decision now, each with the page where it is handled (when the
    viewer may open it: an auditor reads the count, the board admits the applicant)."""
    from jobs.models import Timesheet
    from members.access import has_role
    from members.models import Membership, Proposal, SecondApproval

    slug = cooperative.slug
    applications = Membership.objects.filter(
        cooperative=cooperative, status=Membership.Status.APPLIED
    ).count()
    disputes = Timesheet.objects.filter(
        status=Timesheet.Status.DISPUTED, claim__shift__cooperative=cooperative
    ).count()
    proposals = Proposal.objects.filter(cooperative=cooperative).aggregate(
        draft=Count("pk", filter=Q(status=Proposal.Status.DRAFT)),
        open=Count("pk", filter=Q(status=Proposal.Status.OPEN)),
    )
    batches = PayoutBatch.objects.filter(
        cooperative=cooperative,
        status__in=(PayoutBatch.Status.DRAFT, PayoutBatch.Status.APPROVED),
    ).count()
    approvals = SecondApproval.objects.filter(
        cooperative=cooperative, status=SecondApproval.Status.PENDING
    ).count()
    proposals_url = reverse("members:proposals", args=[slug])
    rows = [
        (
            "applications",
            _("Membership applications"),
            applications,
            reverse("members:board-applications", args=[slug]),
            ("board",),
        ),
        (
            "disputes",
            _("Disputed hours"),
            disputes,
            reverse("jobs:timesheet-list") + "?status=disputed",
            ("board",),
        ),
        ("proposals_draft", _("Draft proposals"), proposals["draft"], proposals_url, ("member",)),
        (
            "proposals_open",
            _("Proposals open for voting"),
            proposals["open"],
            proposals_url,
            ("member",),
        ),
        (
            "payout_batches",
            _("Payout batches to approve or execute"),
            batches,
            reverse("payouts:treasury", args=[slug]),
            ("board", "treasurer"),
        ),
        (
            "second_approvals",
            _("Requests waiting for a second person"),
            approvals,
            reverse("members:board-approvals", args=[slug]),
            ("board", "treasurer"),
        ),
    ]
    return [
        Decision(
            key,
            str(label),
            count,
            url if viewer is None or has_role(viewer, cooperative, *roles) else "",
            roles,
        )
        for key, label, count, url, roles in rows
    ]


def cooperative_dashboard(
    cooperative: Cooperative,
    *,
    today: date | None = None,
    months: int = DEFAULT_MONTHS,
    viewer=None,
) -> Dashboard:
    """Every figure of the dashboard of one cooperative (about a dozen queries in all)."""
    today = today or timezone.localdate()
    shown = dashboard_months(cooperative, today=today, months=months)
    return Dashboard(
        cooperative=cooperative,
        months=shown,
        figures=[
            fund_figure(cooperative, shown),
            money_figure(cooperative, shown),
            work_figure(cooperative, shown),
            targets_figure(cooperative, shown, today),
            shifts_figure(cooperative, shown),
        ],
        decisions=open_decisions(cooperative, viewer),
    )


FIGURE_KEYS = ("fund", "money", "work", "targets", "shifts")


def months_asked(value) -> int:
    """``?months=`` within 1..MAX_MONTHS; anything else is the default."""
    try:
        months = int(value)
    except (TypeError, ValueError):
        return DEFAULT_MONTHS
    return months if 1 <= months <= MAX_MONTHS else DEFAULT_MONTHS


def _csv_value(value: int, unit: str, currency: str):
    """A number for the file: a ``Decimal``, not text, so that a negative amount (a fund
    that lent more than it holds, a month of refunds) is not neutralised as a formula."""
    if unit == "cents":
        return Decimal(decimal_string(value, currency))
    if unit == "minutes":
        return Decimal(decimal_hours(value))
    return value


def figure_csv(dashboard: Dashboard, figure: Figure) -> str:
    """One figure as CSV, a row per month: amounts in major units, minutes as hours."""
    currency = dashboard.cooperative.currency
    header = [str(_("Month"))]
    for series in figure.series:
        # Amounts name their currency; hours need no unit ("Hours worked" says it).
        suffix = f" ({currency})" if series.unit == "cents" else ""
        header.append(series.label + suffix)
    rows: list[list] = [header]
    for i, month in enumerate(dashboard.months):
        values = [_csv_value(s.values[i], s.unit, currency) for s in figure.series]
        rows.append([month.strftime("%Y-%m"), *values])
    return csv_text(rows)
