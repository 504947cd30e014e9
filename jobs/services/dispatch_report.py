"""What the board sees of a dispatch run: its summary, written once when the run merges.

A run's page and its API must not solve again, so ``dispatch_run_merge`` stores the
figures in ``DispatchRun.summary`` (JSON) from three sources:

- the plan (``dispatch_run_prepare``): per shift its day, slots, slots held by claims
  outside the instance and by earlier open offers, and length (``coverage_facts``); the
  reason of each shift nobody may take (``jobs.dispatch.report.open_reasons``, which
  tells the Working Time Act apart from other refusals); each member's target;
- each part's answer: the objective's terms, members' minutes and why the open shifts
  with eligible members stayed open (``jobs.dispatch.report.part_report``);
- the offers made, and the pairs the offer-time Working Time Act check refused.

``run_view`` turns a summary into what a page or the API shows: rows per day, the open
shifts with their reasons in words, the objective in euros and the spread of members'
hours against their targets (a chart's data and its table).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _

from jobs.dispatch import Assignment, Instance
from jobs.dispatch import report as r
from jobs.eligibility.working_time import AVERAGE_16, WEEKLY_REST
from jobs.models import DispatchRun, Offer, Shift
from jobs.selectors import working_time
from jobs.selectors.working_time import RULE_NAMES
from werkstation.money import minor_of_estimate

SUMMARY_VERSION = 1
OFFER_WORKING_TIME = "offer_working_time"
# The open shifts listed in a run's detail answer; the full list is paged on its own.
OPEN_SHIFTS_SHOWN = 100

REASON_LABELS = {
    r.SKILL: _("No member has the skill"),
    r.NO_ELIGIBLE: _("No (other) member fits: skill, availability and distance"),
    r.WORKING_TIME: _("The Working Time Act check refused every member who fits"),
    r.REFUSED: _(
        "Every member who fits was refused: they declined it before, or the job or a "
        "certificate does not allow it"
    ),
    r.CAP: _("Every eligible member is at their hours or earnings cap"),
    r.TRAVEL: _("Every eligible member works an overlapping shift, travel included"),
    r.CAP_OR_TRAVEL: _(
        "Every eligible member is at a cap or works an overlapping shift, travel included"
    ),
    r.LEFT_OPEN: _(
        "A member could take it, but the plan left it open: its travel costs more than "
        "it brings, or the time limit ended the search"
    ),
    OFFER_WORKING_TIME: _(
        "Planned, but the offer would break a Working Time Act rule with the member's "
        "other work; the next run tries again"
    ),
}
# The rule a refused offer would have broken, by its code (``working_time.RULE_NAMES``):
# the board's near-limit labels, and the two rules only a plan of new shifts can break.
RULE_LABELS = {
    **{RULE_NAMES[rule]: label for rule, label in working_time.RULE_LABELS.items()},
    RULE_NAMES[AVERAGE_16]: _("hours in 16 weeks"),
    RULE_NAMES[WEEKLY_REST]: _("weekly rest"),
}
# Members by the share of their target the run gives them (lower bound, label).
HOUR_BANDS = (
    ("none", _("No work")),
    ("under_half", _("Under half")),
    ("half", _("Half to 90 %")),
    ("on_target", _("90–110 %")),
    ("over", _("Over 110 %")),
    ("no_target", _("No target")),
)


def coverage_facts(
    shifts: list[Shift], outside: dict[int, int], pending: dict[int, int]
) -> dict[str, list[str | int]]:
    """Per shift id: its local day, slots, slots held outside the instance, slots held by
    earlier open offers, and its length in minutes."""
    return {
        str(s.pk): [
            timezone.localtime(s.start).date().isoformat(),
            s.slots,
            outside.get(s.pk, 0),
            pending.get(s.pk, 0),
            int((s.end - s.start).total_seconds() // 60),
        ]
        for s in shifts
    }


def plan_facts(instance: Instance, rows: dict[str, Any]) -> dict[str, Any]:
    """What the merge needs besides the parts' answers (JSON, travels with the plan)."""
    return {
        "coverage": rows["coverage"],
        "slots": {s.id: s.slots for s in instance.shifts},
        "reasons": r.open_reasons(instance, rows["working_time"]),
        "targets": {m.id: m.target_minutes for m in instance.members},
    }


def run_summary(
    *,
    run: DispatchRun,
    plan: dict[str, Any],
    results: list[dict[str, Any]],
    assignment: Assignment,
    offers: list[Offer],
    refused_at_offer: list[tuple[int, int, str]],
) -> dict[str, Any]:
    explain = plan.get("explain") or {}
    coverage: dict[str, list[Any]] = explain.get("coverage", {})  # JSON: see coverage_facts
    instance_slots: dict[str, int] = explain.get("slots", {})
    committed = Counter(s for _m, s in plan.get("commitments", []))
    offered = Counter(str(o.shift_id) for o in offers)
    dropped = {str(shift_id) for _u, shift_id, _rule in refused_at_offer}
    reports = [res["report"] for res in results if "report" in res]
    part_reasons: dict[str, str] = {}
    minutes: dict[str, int] = defaultdict(int)
    for report in reports:
        part_reasons.update(report["open"])
        for member_id, value in report["minutes"].items():
            minutes[member_id] += value
    for user_id, shift_id, _rule in refused_at_offer:
        facts = coverage.get(str(shift_id))
        if facts:
            minutes[str(user_id)] -= facts[4]

    days: dict[str, dict[str, int]] = {}
    day = run.period_start
    while day <= run.period_end:
        days[day.isoformat()] = dict.fromkeys(
            ("slots", "claimed", "offered", "offered_before", "open"), 0
        )
        day += timedelta(days=1)
    open_slots: dict[str, int] = {}
    for shift_key, (day_iso, slots, outside, pending, _minutes) in coverage.items():
        row = days.setdefault(
            day_iso, dict.fromkeys(("slots", "claimed", "offered", "offered_before", "open"), 0)
        )
        claimed = outside + committed[shift_key]
        held = min(slots, claimed + pending + offered[shift_key])
        row["slots"] += slots
        row["claimed"] += claimed
        row["offered"] += offered[shift_key]
        row["offered_before"] += pending
        row["open"] += slots - held
        if slots - held > 0 and shift_key in instance_slots:
            open_slots[shift_key] = slots - held

    reasons = explain.get("reasons", {})
    rows = {
        str(pk): (start, end, title)
        for pk, start, end, title in Shift.objects.filter(
            pk__in=[int(s) for s in open_slots]
        ).values_list("pk", "start", "end", "job__title")
    }
    open_shifts = sorted(
        (
            {
                "shift": int(shift_id),
                "job": rows[shift_id][2],
                "start": rows[shift_id][0].isoformat(),
                "end": rows[shift_id][1].isoformat(),
                "open": count,
                "reason": OFFER_WORKING_TIME
                if shift_id in dropped
                else part_reasons.get(shift_id) or reasons.get(shift_id) or r.LEFT_OPEN,
            }
            for shift_id, count in open_slots.items()
            if shift_id in rows
        ),
        key=lambda row: (row["start"], row["shift"]),
    )

    objective: dict[str, Any] = {
        "objective": assignment.objective,
        "bound": assignment.bound,
        "offered_pay_cents": sum(o.pay_cents or 0 for o in offers),
    }
    if reports and len(reports) == len(results):
        objective.update(
            pay_cents=sum(x["pay_cents"] for x in reports),
            committed_pay_cents=sum(x["committed_pay_cents"] for x in reports),
            km_cents=sum(x["km_cents"] for x in reports),
            # Members in no part are short of their whole target: the plan's constant.
            shortfall_cents=sum(x["shortfall_cents"] for x in reports) - plan.get("constant", 0),
        )
    targets: dict[str, int] = explain.get("targets", {})
    return {
        "version": SUMMARY_VERSION,
        "days": [{"day": d, **row} for d, row in sorted(days.items())],
        "open_shifts": open_shifts,
        "objective": objective,
        "hours": [[int(m), max(0, minutes.get(m, 0)), t] for m, t in targets.items()],
        "offer_time": {
            "refused": len(refused_at_offer),
            "rules": dict(Counter(rule for _u, _s, rule in refused_at_offer)),
        },
    }


def _band(minutes: int, target: int) -> str:
    if target <= 0:
        return "no_target"
    if minutes <= 0:
        return "none"
    share = minutes / target
    if share < 0.5:
        return "under_half"
    if share < 0.9:
        return "half"
    if share <= 1.1:
        return "on_target"
    return "over"


def _cents(value: float | None) -> int | None:
    """A term of the objective (fractional cents: travel is priced per km) in whole cents."""
    return None if value is None else minor_of_estimate(value)


def run_view(run: DispatchRun) -> dict[str, Any]:
    """A run's summary as pages and the API show it (amounts in whole cents; words in the
    reader's language). An empty dict for a run without a summary (queued, failed, or
    merged before summaries were kept)."""
    summary = run.summary or {}
    if summary.get("version") != SUMMARY_VERSION:
        return {}
    objective = summary["objective"]
    terms = None
    if "pay_cents" in objective:
        # Pay is whole cents; travel is rounded; the shortfall is what makes the rows add
        # up to the rounded objective (so each is within a cent of its own figure).
        pay, km = _cents(objective["pay_cents"]) or 0, _cents(objective["km_cents"]) or 0
        committed = _cents(objective["committed_pay_cents"]) or 0
        terms = {
            "pay_cents": pay,
            "committed_pay_cents": committed,
            "new_pay_cents": pay - committed,
            "km_cents": km,
            "shortfall_cents": max(0, pay - km - (_cents(objective["objective"]) or 0)),
        }
    bound, value = objective.get("bound"), objective["objective"]
    gap = None
    if bound is not None and abs(bound) > 1e-9:
        gap = max(0.0, (bound - value) / abs(bound))
    bands = Counter(_band(minutes, target) for _m, minutes, target in summary["hours"])
    band_rows = [{"key": key, "label": label, "members": bands[key]} for key, label in HOUR_BANDS]
    with_target = [(m, t) for _u, m, t in summary["hours"] if t > 0]
    return {
        "days": [{**row, "day": parse_date(row["day"])} for row in summary["days"]],
        "open_shifts": [
            {
                **row,
                "start": parse_datetime(row["start"]),
                "end": parse_datetime(row["end"]),
                "reason_label": REASON_LABELS.get(row["reason"], row["reason"]),
            }
            for row in summary["open_shifts"]
        ],
        "open_reasons": [
            {"reason": reason, "label": REASON_LABELS[reason], "shifts": count}
            for reason, count in Counter(row["reason"] for row in summary["open_shifts"]).items()
        ],
        "objective": {
            "objective_cents": _cents(value),
            "bound_cents": _cents(bound),
            "gap": gap,
            "gap_percent": None if gap is None else round(100 * gap, 2),
            "offered_pay_cents": objective["offered_pay_cents"],
            "terms": terms,
        },
        "hours": {
            "bands": band_rows,
            "members": len(summary["hours"]),
            "minutes": sum(m for m, _t in with_target),
            "target_minutes": sum(t for _m, t in with_target),
        },
        "offer_time": {
            "refused": summary["offer_time"]["refused"],
            "rules": [
                {"rule": rule, "label": RULE_LABELS.get(rule, rule), "pairs": n}
                for rule, n in sorted(summary["offer_time"]["rules"].items())
            ],
        },
    }


def hours_chart(view: dict[str, Any], currency: str) -> dict[str, Any] | None:
    """The spread of members' hours against their targets as the dashboard's chart script
    reads it: horizontal bars (the bands' names are long on a phone), members with a
    target only (the table also counts those without); None when no member has one."""
    if not view["hours"]["target_minutes"]:
        return None
    bands = [b for b in view["hours"]["bands"] if b["key"] != "no_target"]
    return {
        "chart": "bar",
        "horizontal": True,
        "labels": [str(b["label"]) for b in bands],
        "currency": currency,
        "series": [
            {
                "label": str(_("Members")),
                "unit": "count",
                "values": [b["members"] for b in bands],
            }
        ],
    }
