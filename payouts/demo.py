"""Demo data of payouts: the founding rule set in force, and last week's settled work."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from jobs.models import Claim, Job, Shift, Timesheet
from jobs.services.jobs import shift_denormalize
from members.models import Membership, User

from .models import RuleSet, Split
from .services.rulesets import found_rule_set
from .services.settlement import settlement_run


def seed(*, cooperatives, rng) -> list[str]:
    for cooperative in cooperatives.values():
        if not RuleSet.objects.filter(
            cooperative=cooperative, status=RuleSet.Status.ADOPTED
        ).exists():
            found_rule_set(cooperative=cooperative)
    coop = cooperatives["kanaleneiland"]
    member = User.objects.get(email="lid@werkstation.demo")
    if not Split.objects.filter(member=member).exists():
        tz = timezone.get_current_timezone()
        jobs = list(Job.objects.filter(cooperative=coop).order_by("pk")[:4])
        others = [
            m.user
            for m in Membership.objects.filter(cooperative=coop, status="active").exclude(
                user=member
            )[:6]
        ]
        for index, job in enumerate(jobs):
            day = timezone.localdate() - timedelta(days=2 + index)
            start = datetime.combine(day, time(9 + index), tzinfo=tz)
            shift = shift_denormalize(
                Shift(job=job, start=start, end=start + timedelta(hours=3), slots=2, filled=2), job
            )
            shift.save()
            for user in (member, others[index]):
                claim = Claim.objects.create(
                    shift=shift, user=user, status="completed", start=shift.start, end=shift.end
                )
                Timesheet.objects.create(
                    claim=claim,
                    minutes_worked=180,
                    break_minutes=rng.choice([0, 15]),
                    status="approved",
                    decided_at=timezone.now(),
                )
        settlement_run()
    splits = Split.objects.filter(cooperative=coop).count()
    return [
        f"  money:        founding rule set in force (8% cooperative fund, 2% solidarity fund, minimum-wage floor); {splits} settled shifts"
    ]
