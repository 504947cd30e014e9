"""The capacity check of a bid: can our members staff the shifts this contract would bring?

It expands the staffing plan over the tender's period (the first ``MAX_WEEKS`` weeks:
availability repeats weekly, so later weeks look the same) into the shifts the contract
would generate, builds a dispatch instance the way ``jobs.services.dispatching`` does —
active members with a home and availability, their skills with certificates valid on
each date, their blocked clients, what is left of their yearly earnings cap, minus the
time they already hold other shifts — and runs the real dispatcher (``jobs.dispatch``).
The result shows coverage per week and every shift that would stay short.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.utils import timezone

from members.models import Cooperative, MemberSkill, Profile
from werkstation.geo import project_km

from ... import dispatch
from ...models import SLOT_HOLDING, BlockedClient, Claim
from ...providers import earnings_this_year
from ...services.planner import member_windows
from ..models import Tender
from .recurrence import expand

MAX_WEEKS = 8
TIME_LIMIT_SECONDS = 20


def _subtract(windows: list[list[int]], busy: list[tuple[int, int]]) -> list[list[int]]:
    result = []
    for start, end in windows:
        pieces = [(start, end)]
        for b_start, b_end in busy:
            next_pieces = []
            for p_start, p_end in pieces:
                if b_end <= p_start or b_start >= p_end:
                    next_pieces.append((p_start, p_end))
                    continue
                if p_start < b_start:
                    next_pieces.append((p_start, b_start))
                if b_end < p_end:
                    next_pieces.append((b_end, p_end))
            pieces = next_pieces
        result.extend([list(p) for p in pieces if p[1] > p[0]])
    return result


def capacity_check(
    *, cooperative: Cooperative, tender: Tender, rules: list[dict], member_pay_cents: int
) -> dict:
    tz = timezone.get_current_timezone()
    first = max(tender.period_start, timezone.localdate() + timedelta(days=1))
    last = min(tender.period_end, first + timedelta(days=7 * MAX_WEEKS - 1))
    occurrences = expand(rules, first, last) if first <= last else []
    horizon = datetime.combine(first, time(0), tzinfo=tz)
    days = (last - first).days + 1 if first <= last else 0
    location = (float(tender.latitude), float(tender.longitude))
    skill_ids = {
        s.slug: s.pk
        for s in cooperative.skills.filter(slug__in={r["skill"] for r in rules if r["skill"]})
    }
    shifts = []
    by_id = {}
    for occ in occurrences:
        shift_id = f"{occ.rule_index}:{occ.day.isoformat()}"
        skill = rules[occ.rule_index]["skill"]
        shifts.append(
            {
                "id": shift_id,
                "start": int((occ.start - horizon).total_seconds() // 60),
                "end": int((occ.end - horizon).total_seconds() // 60),
                "location": list(project_km(location[0], location[1], location)),
                "slots": occ.slots,
                "skill": f"skill-{skill_ids[skill]}" if skill else None,
                "pay_cents": member_pay_cents * occ.minutes // 60,
            }
        )
        by_id[shift_id] = occ
    profiles = {
        p.user_id: p
        for p in Profile.objects.filter(
            user__memberships__cooperative=cooperative,
            user__memberships__status="active",
            latitude__isnull=False,
            longitude__isnull=False,
        ).select_related("user")
    }
    held: dict[int, list[MemberSkill]] = defaultdict(list)
    for skill in MemberSkill.objects.filter(user_id__in=profiles).select_related("skill"):
        held[skill.user_id].append(skill)
    blocked_client = set(
        BlockedClient.objects.filter(user_id__in=profiles, client_id=tender.client_id).values_list(
            "user_id", flat=True
        )
    )
    busy: dict[int, list[tuple[int, int]]] = defaultdict(list)
    end_of_check = horizon + timedelta(days=days)
    for user_id, start, end in Claim.objects.filter(
        user_id__in=profiles, status__in=SLOT_HOLDING, start__lt=end_of_check, end__gt=horizon
    ).values_list("user_id", "start", "end"):
        busy[user_id].append(
            (
                int((start - horizon).total_seconds() // 60),
                int((end - horizon).total_seconds() // 60),
            )
        )
    members = []
    for user_id, profile in profiles.items():
        if user_id in blocked_client:
            continue
        windows = _subtract(member_windows(profile.user, first, horizon, days=days), busy[user_id])
        if not windows:
            continue
        blocked = []
        for shift in shifts:
            skill = rules[by_id[shift["id"]].rule_index]["skill"]
            if skill:
                own = next((h for h in held[user_id] if h.skill.slug == skill), None)
                if own is not None and not own.valid_on(by_id[shift["id"]].day):
                    blocked.append(shift["id"])
        member = {
            "id": str(user_id),
            "home": list(project_km(float(profile.latitude), float(profile.longitude), location)),
            "skills": [f"skill-{h.skill_id}" for h in held[user_id]],
            "windows": windows,
            "max_home_km": float(profile.travel_radius_km),
            "blocked": blocked,
        }
        if profile.yearly_earnings_cap is not None:
            member["max_pay_cents"] = max(
                0, int(profile.yearly_earnings_cap.amount * 100) - earnings_this_year(profile.user)
            )
        members.append(member)
    instance_data = {
        "travel_speed_kmh": cooperative.travel_speed_kmh,
        "max_home_km": 5,
        "km_cost_cents": 0,
        "shortfall_cents_per_minute": 0,
        "members": members,
        "shifts": shifts,
    }
    assigned: dict[str, int] = defaultdict(int)
    workers: set[str] = set()
    if shifts and members:
        assignment = dispatch.solve(
            dispatch.parse_instance(instance_data), time_limit=TIME_LIMIT_SECONDS
        )
        for member_id, shift_id in assignment.pairs:
            assigned[shift_id] += 1
            workers.add(member_id)
    weeks: dict[str, dict] = {}
    gaps = []
    for shift in shifts:
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
