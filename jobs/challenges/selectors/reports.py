"""Reports to the municipality per period: what the contract delivered.

Counts of people under ``MIN_COUNT`` are suppressed (and so are the hours of a group that
small), so no member can be singled out from a report the municipality may publish.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jobs.challenges.models import Contract, TargetGroupMember
from jobs.challenges.services.contracts import contract_budget
from jobs.models import Shift, Timesheet
from werkstation.errors import ValidationFailed
from werkstation.money import decimal_string, pay_for_minutes
from werkstation.spreadsheet import csv_text

MIN_COUNT = 5


def _suppress(count: int) -> int | None:
    return count if count >= MIN_COUNT else None


def contract_report(*, contract: Contract, start: date, end: date) -> dict[str, Any]:
    if end < start:
        raise ValidationFailed(
            _("The period ends before it starts."), code="end_before_start", field="end"
        )
    sheets = Timesheet.objects.filter(
        status=Timesheet.Status.APPROVED,
        claim__shift__job__contract_link__contract=contract,
        claim__shift__local_date__gte=start,
        claim__shift__local_date__lte=end,
    )
    per_user = dict(
        sheets.values("claim__user_id")
        .annotate(minutes=Sum(F("minutes_worked") - F("break_minutes")))
        .values_list("claim__user_id", "minutes")
    )
    minutes = sum(per_user.values())
    target = set(
        TargetGroupMember.objects.filter(
            cooperative_id=contract.cooperative_id, user_id__in=per_user
        ).values_list("user_id", flat=True)
    )
    target_minutes = sum(per_user[u] for u in target)
    shifts = Shift.objects.filter(
        job__contract_link__contract=contract, local_date__gte=start, local_date__lte=end
    ).exclude(status=Shift.Status.CANCELLED)
    budget = contract_budget(contract)
    period_used = pay_for_minutes(contract.hourly_tariff_cents, minutes)
    members = _suppress(len(per_user))
    target_members = _suppress(len(target))
    return {
        "contract": contract.reference,
        "title": contract.title,
        "client": contract.client.name,
        "cooperative": contract.cooperative.name,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "hours_worked": round(minutes / 60, 2),
        "members_involved": members,
        "members_suppressed": members is None,
        "shifts_planned": shifts.count(),
        "shifts_filled": shifts.filter(filled__gte=F("slots")).count(),
        "budget_used_in_period_cents": period_used,
        "budget_used_cents": budget["used_cents"],
        "budget_committed_cents": budget["committed_cents"],
        "budget_total_cents": budget["total_cents"],
        "social_return_members": target_members,
        "social_return_hours": round(target_minutes / 60, 2)
        if target_members is not None
        else None,
        "social_return_suppressed": target_members is None,
        "minimum_count": MIN_COUNT,
        "committed_member_hours": contract.bid.social_member_hours,
        "committed_target_group_members": contract.bid.social_target_group_members,
        "member_hours_to_date": round(_minutes_to_date(contract, end) / 60, 2),
    }


def _minutes_to_date(contract: Contract, end: date) -> int:
    return (
        Timesheet.objects.filter(
            status=Timesheet.Status.APPROVED,
            claim__shift__job__contract_link__contract=contract,
            claim__shift__local_date__lte=end,
        ).aggregate(total=Sum(F("minutes_worked") - F("break_minutes")))["total"]
        or 0
    )


def _long_date(iso: str) -> str:
    """An ISO date of the report as readers write it: "1 december 2026"."""
    return date_format(date.fromisoformat(iso), "j F Y")


def report_rows(report: dict[str, Any]) -> list[tuple[str, str]]:
    def count(value: int | None) -> str:
        return str(value) if value is not None else _("fewer than %(n)s") % {"n": MIN_COUNT}

    return [
        (_("Contract"), f"{report['contract']} {report['title']}"),
        (_("Period"), f"{_long_date(report['start'])} – {_long_date(report['end'])}"),
        (_("Hours worked"), f"{report['hours_worked']:.2f}"),
        (_("Members involved"), count(report["members_involved"])),
        (_("Shifts planned"), str(report["shifts_planned"])),
        (_("Shifts filled"), str(report["shifts_filled"])),
        (
            _("Budget used in the period (EUR)"),
            decimal_string(report["budget_used_in_period_cents"]),
        ),
        (_("Budget used in total (EUR)"), decimal_string(report["budget_used_cents"])),
        (_("Budget committed (EUR)"), decimal_string(report["budget_committed_cents"])),
        (_("Budget including amendments (EUR)"), decimal_string(report["budget_total_cents"])),
        (_("Members from target groups"), count(report["social_return_members"])),
        (
            _("Hours by members from target groups"),
            f"{report['social_return_hours']:.2f}"
            if report["social_return_hours"] is not None
            else _("suppressed"),
        ),
        (
            _("Hours by members since the start, against the commitment"),
            f"{report['member_hours_to_date']:.2f} / {report['committed_member_hours']}",
        ),
        (_("Committed members from target groups"), str(report["committed_target_group_members"])),
    ]


def report_csv(report: dict[str, Any]) -> str:
    """The report as CSV; text that a spreadsheet would run as a formula is neutralised."""
    return csv_text([(_("Measure"), _("Value")), *report_rows(report)])


def report_pdf(report: dict[str, Any]) -> bytes:
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer, Table

    from werkstation.pdf import a4_pdf, paragraph

    styles = getSampleStyleSheet()
    title = f"{_('Report')} {report['contract']}"
    story = [
        paragraph(
            "{label}: {contract}",
            styles["Title"],
            label=_("Report to the municipality"),
            contract=report["contract"],
        ),
        paragraph(
            "{cooperative} → {client}",
            styles["Normal"],
            cooperative=report["cooperative"],
            client=report["client"],
        ),
        Spacer(1, 6 * mm),
        Table(
            [[label, value] for label, value in report_rows(report)], colWidths=[95 * mm, 70 * mm]
        ),
        Spacer(1, 6 * mm),
        paragraph(
            "{note}",
            styles["Italic"],
            note=_("Counts under %(n)s people are suppressed, so nobody can be singled out.")
            % {"n": MIN_COUNT},
        ),
    ]
    return a4_pdf(title, story)
