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
    _seed_money_states(coop, member, rng)
    splits = Split.objects.filter(cooperative=coop).count()
    return [
        f"  money:        founding rule set in force (8% cooperative fund, 2% solidarity fund, minimum-wage floor); {splits} settled shifts"
    ]


def _past_shift(job: Job, *, days_ago: int, hour: int) -> Shift:
    tz = timezone.get_current_timezone()
    start = datetime.combine(timezone.localdate() - timedelta(days=days_ago), time(hour), tzinfo=tz)
    shift = shift_denormalize(
        Shift(job=job, start=start, end=start + timedelta(hours=3), slots=1, filled=1), job
    )
    shift.save()
    return shift


def _seed_money_states(coop, member: User, rng) -> None:
    """What a newcomer should find waiting: hours to approve and one disputed, an invoice
    paid (so there is a payout batch to approve) and one still unpaid."""
    from jobs.services.timesheets import timesheet_dispute

    from .models import Invoice, PayoutBatch
    from .services.invoices import invoice_issue, payment_record
    from .services.payouts import payout_batch_create

    treasurer = User.objects.get(email="penningmeester@werkstation.demo")
    if not Timesheet.objects.filter(claim__user=member, status="submitted").exists():
        jobs = list(Job.objects.filter(cooperative=coop).order_by("pk")[:2])
        for index, job in enumerate(jobs):
            shift = _past_shift(job, days_ago=1, hour=9 + 4 * index)
            claim = Claim.objects.create(
                shift=shift, user=member, status="completed", start=shift.start, end=shift.end
            )
            sheet = Timesheet.objects.create(
                claim=claim,
                minutes_worked=[180, 165][index],
                break_minutes=15,
                status="submitted",
                note="Extra kwartier opgeruimd." if index else "",
            )
            if index:
                client_user = job.client.client_users.first().user
                timesheet_dispute(
                    actor=client_user,
                    timesheet_id=sheet.pk,
                    reason="Volgens ons was het klaar om 15:30, niet om 15:45.",
                )
    if not Invoice.objects.filter(cooperative=coop).exists():
        period_end = timezone.localdate()
        period_start = period_end - timedelta(days=31)
        from jobs.models import Client
        from werkstation.errors import ApplicationError
        from werkstation.money import from_minor

        issued = []
        for client in Client.objects.filter(links__cooperative=coop).order_by("pk"):
            if len(issued) == 2:
                break
            try:
                issued.append(
                    invoice_issue(
                        actor=treasurer,
                        cooperative=coop,
                        client=client,
                        period_start=period_start,
                        period_end=period_end,
                    )
                )
            except ApplicationError:  # nothing to invoice for this client
                continue
        if issued:  # the first is paid, so its members' shares can be paid out
            payment_record(
                actor=treasurer,
                cooperative=coop,
                invoice_number=issued[0].display_number,
                amount=from_minor(issued[0].total_cents),
                currency="EUR",
                received_on=period_end,
                reference=issued[0].display_number,
            )
    if not PayoutBatch.objects.filter(cooperative=coop).exists():
        payout_batch_create(actor=treasurer, cooperative=coop)
