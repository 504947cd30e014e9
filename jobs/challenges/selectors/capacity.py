"""The capacity check of a bid: can our members staff the shifts this contract would bring?

It expands the staffing plan over the tender's period (the first ``MAX_WEEKS`` weeks:
availability repeats weekly, so later weeks look the same) into the shifts the contract
would generate, builds a dispatch instance with the one builder of ``jobs.eligibility``
(as dispatch does) — active members with a home and availability, their skills with
certificates valid on each date, what is left of their yearly earnings cap, minus the
time they already hold other shifts (travel included); members who blocked the client
are left out — and runs the real dispatcher (``jobs.dispatch``).
The result shows coverage per week and every shift that would stay short.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from jobs import dispatch, eligibility
from jobs.challenges.services.recurrence import expand
from members.models import Cooperative, Profile
from payouts.selectors.quotes import Posted, standard_shares_of

if TYPE_CHECKING:
    from jobs.challenges.models import Tender

MAX_WEEKS = 8
TIME_LIMIT_SECONDS = 20


def capacity_check(
    *,
    cooperative: Cooperative,
    tender: Tender,
    rules: list[dict[str, Any]],
    hourly_tariff_cents: int,
) -> dict[str, Any]:
    now = timezone.now()
    first = max(tender.period_start, timezone.localdate() + timedelta(days=1))
    last = min(tender.period_end, first + timedelta(days=7 * MAX_WEEKS - 1))
    occurrences = expand(rules, first, last) if first <= last else []
    days = (last - first).days + 1 if first <= last else 0
    latitude, longitude = float(tender.latitude), float(tender.longitude)
    skill_ids = {
        s.slug: s.pk
        for s in cooperative.skills.filter(slug__in={r["skill"] for r in rules if r["skill"]})
    }
    shifts = []
    by_id = {}
    # Members are weighed by the share the payout rules in force give them of the tariff.
    shares = standard_shares_of(
        [
            Posted(
                # Posted.shift_id is any key for work not posted yet, but annotated int.
                shift_id=f"{occ.rule_index}:{occ.day.isoformat()}",  # type: ignore[arg-type]
                cooperative_id=cooperative.pk,
                start=occ.start,
                end=occ.end,
                tariff_cents=hourly_tariff_cents,
                category=tender.category,
                client_kind=tender.client.kind,
            )
            for occ in occurrences
        ]
    )
    for occ in occurrences:
        shift_id = f"{occ.rule_index}:{occ.day.isoformat()}"
        skill = rules[occ.rule_index]["skill"]
        times = eligibility.local_times(occ.start, occ.end)
        shifts.append(
            eligibility.InstanceShift(
                key=shift_id,
                facts=eligibility.ShiftFacts(
                    id=None,
                    cooperative_id=cooperative.pk,
                    client_id=tender.client_id,
                    is_open=True,
                    start_minute=times["start_minute"],
                    end_minute=times["end_minute"],
                    local_date=times["local_date"],
                    local_start=times["local_start"],
                    local_end=times["local_end"],
                    latitude=latitude,
                    longitude=longitude,
                    required_skill_id=skill_ids[skill] if skill else None,
                ),
                slots=occ.slots,
                pay_cents=shares[shift_id],
            )
        )
        by_id[shift_id] = occ
    user_ids = Profile.objects.filter(
        user__memberships__cooperative=cooperative,
        user__memberships__status="active",
        latitude__isnull=False,
        longitude__isnull=False,
    ).order_by("user_id")
    contexts = eligibility.work_contexts(
        user_ids.values_list("user_id", flat=True), now=now, earnings=True
    )
    # A member who blocked the client would never work this contract: not counted at all.
    instance_data = eligibility.dispatch_instance(
        contexts=[c for c in contexts.values() if tender.client_id not in c.blocked_clients],
        shifts=shifts,
        first_day=first,
        days=days,
        weights=eligibility.DispatchWeights(travel_speed_kmh=cooperative.travel_speed_kmh),
        now_minute=eligibility.epoch_minute(now),
    )
    members = instance_data["members"]
    assigned: dict[str, int] = defaultdict(int)
    workers: set[str] = set()
    if shifts and members:
        assignment = dispatch.solve(
            dispatch.parse_instance(instance_data), time_limit=TIME_LIMIT_SECONDS
        )
        for member_id, shift_id in assignment.pairs:
            assigned[shift_id] += 1
            workers.add(member_id)
    weeks: dict[str, dict[str, Any]] = {}
    gaps = []
    for shift in instance_data["shifts"]:
        occ = by_id[shift["id"]]
        week = (occ.day - timedelta(days=occ.day.weekday())).isoformat()
        row = weeks.setdefault(
            week,
            {
                "week": week,
                "needed_minutes": 0,
                "covered_minutes": 0,
                "shifts": 0,
                "short_shifts": 0,
            },
        )
        filled = min(assigned[shift["id"]], occ.slots)
        row["needed_minutes"] += occ.minutes * occ.slots
        row["covered_minutes"] += occ.minutes * filled
        row["shifts"] += 1
        if filled < occ.slots:
            row["short_shifts"] += 1
            gaps.append(
                {
                    "date": occ.day.isoformat(),
                    "start": rules[occ.rule_index]["start"],
                    "end": rules[occ.rule_index]["end"],
                    "rule": rules[occ.rule_index]["title"],
                    "slots": occ.slots,
                    "covered": filled,
                    "missing": occ.slots - filled,
                }
            )
    week_rows = []
    for row in sorted(weeks.values(), key=lambda r: r["week"]):
        row["coverage_percent"] = (
            round(100 * row["covered_minutes"] / row["needed_minutes"], 1)
            if row["needed_minutes"]
            else 100.0
        )
        week_rows.append(row)
    needed = sum(r["needed_minutes"] for r in week_rows)
    covered = sum(r["covered_minutes"] for r in week_rows)
    return {
        "from": first.isoformat(),
        "until": last.isoformat(),
        "weeks": week_rows,
        "gaps": gaps,
        "coverage_percent": round(100 * covered / needed, 1) if needed else 100.0,
        "needed_hours": round(needed / 60, 1),
        "covered_hours": round(covered / 60, 1),
        "members_available": len(members),
        "members_planned": len(workers),
        "checked_weeks": len(week_rows),
    }
