"""Contracts: an awarded bid becomes work on the job board, within its budget and period.

* ``contract_from_bid`` makes one job per recurrence rule (source *contract*) and
  generates the first shifts.
* ``contracts_generate`` (beat, daily) keeps ``LOOKAHEAD_DAYS`` of shifts on the board;
  ``ContractOccurrence`` makes a second run a no-op.
* ``contract_shift_guard`` is registered with ``jobs.services.jobs``: every new shift of
  a contract's job — generated or created by hand — must lie inside the contract period
  and fit in the budget (plus amendments). Approving and paying work is never guarded:
  work already done is paid even when the budget is exhausted.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.challenges.access import require_municipality_user
from jobs.challenges.audit_actions import ChallengeAction
from jobs.challenges.lifecycle import CONTRACT
from jobs.challenges.models import Bid, Contract, ContractAmendment, ContractJob, ContractOccurrence
from jobs.challenges.notifications import board_of, municipality_users_of, notify
from jobs.models import Job, Shift, Timesheet
from members.models import Skill, User
from werkstation.audit import audit_record
from werkstation.errors import Conflict, ValidationFailed
from werkstation.locks import lock_get, lock_one
from werkstation.money import from_minor, pay_for_minutes
from werkstation.templatetags.money import longdate

from .common import cents, text
from .recurrence import expand

if TYPE_CHECKING:
    from decimal import Decimal

LOOKAHEAD_DAYS = 28
WARNING_PERCENT = 80


def contract_total_budget_cents(contract: Contract) -> int:
    extra = contract.amendments.aggregate(total=Sum("extra_budget_cents"))["total"] or 0
    return contract.budget_cents + extra


def _committed_slot_minutes(contract: Contract, *, excluding: int | None = None) -> int:
    return (
        Shift.objects.filter(job__contract_link__contract=contract)
        .exclude(status=Shift.Status.CANCELLED)
        # pk=None reads as IS NULL, which excludes nothing; the stubs refuse None here.
        .exclude(pk=excluding)  # type: ignore[misc]
        .aggregate(total=Sum((F("end_minute") - F("start_minute")) * F("slots")))["total"]
        or 0
    )


def _cost(slot_minutes: int, tariff_cents: int) -> int:
    return pay_for_minutes(tariff_cents, slot_minutes)


def contract_budget(contract: Contract) -> dict[str, Any]:
    total = contract_total_budget_cents(contract)
    committed = _cost(_committed_slot_minutes(contract), contract.hourly_tariff_cents)
    approved_minutes = (
        Timesheet.objects.filter(
            status=Timesheet.Status.APPROVED, claim__shift__job__contract_link__contract=contract
        ).aggregate(total=Sum(F("minutes_worked") - F("break_minutes")))["total"]
        or 0
    )
    used = _cost(approved_minutes, contract.hourly_tariff_cents)
    drawn = max(committed, used)
    return {
        "budget_cents": contract.budget_cents,
        "total_cents": total,
        "committed_cents": committed,
        "used_cents": used,
        "left_cents": total - drawn,
        "committed_percent": round(100 * committed / total, 1) if total else 0.0,
        "used_percent": round(100 * used / total, 1) if total else 0.0,
        "warning": drawn * 100 >= WARNING_PERCENT * total,
        "exhausted": drawn >= total,
        "approved_hours": round(approved_minutes / 60, 2),
    }


def _warn_if_due(contract: Contract, committed_cents: int, total_cents: int) -> None:
    if contract.warned_at is None and committed_cents * 100 >= WARNING_PERCENT * total_cents:
        contract.warned_at = timezone.now()
        contract.save(update_fields=["warned_at"])
        percent = round(100 * committed_cents / total_cents)
        audit_record(
            actor=None,
            action=ChallengeAction.CONTRACT_BUDGET_WARNING,
            target=contract,
            cooperative_id=contract.cooperative_id,
            data={"percent": percent},
        )
        notify(
            [*board_of(contract.cooperative_id), *municipality_users_of(contract.client_id)],
            event="budget_warning",
            context={"contract": contract, "percent": percent},
        )


def contract_shift_guard(*, job: Job, shifts: list[Shift], replaces: int | None = None) -> None:
    """Refuse shifts of a contract's job outside its period or beyond its budget (also when
    an edit moves a shift or gives it more slots: ``replaces`` is the shift's old self)."""
    link = ContractJob.objects.filter(job_id=job.pk).only("contract_id").first()
    if link is None:
        return
    contract = lock_one("challenges.Contract", link.contract_id)
    for shift in shifts:
        if not contract.period_start <= shift.local_date <= contract.period_end:
            raise ValidationFailed(
                _("This shift lies outside the contract period (%(start)s – %(end)s).")
                % {
                    "start": longdate(contract.period_start),
                    "end": longdate(contract.period_end),
                },
                code="outside_contract_period",
                field="start",
            )
    if contract.status != Contract.Status.ACTIVE:
        raise Conflict(_("This contract has ended."), code="contract_ended", field="contract")
    total = contract_total_budget_cents(contract)
    new = sum((s.end_minute - s.start_minute) * s.slots for s in shifts)
    committed = _cost(
        _committed_slot_minutes(contract, excluding=replaces) + new, contract.hourly_tariff_cents
    )
    if committed > total:
        raise Conflict(
            _(
                "These shifts would take contract %(ref)s past its budget; the municipality must agree an amendment first."
            )
            % {"ref": contract.reference},
            code="contract_budget_exhausted",
            field="budget",
        )
    _warn_if_due(contract, committed, total)


@transaction.atomic
def contract_from_bid(*, actor: User, bid: Bid) -> Contract:
    from jobs.services.jobs import job_create

    tender = bid.tender
    contract = Contract.objects.create(
        tender=tender,
        bid=bid,
        cooperative=bid.cooperative,
        client=tender.client,
        reference=f"{tender.reference}-C",
        title=tender.title,
        period_start=tender.period_start,
        period_end=tender.period_end,
        budget_cents=bid.price_cents,
        hourly_tariff_cents=bid.hourly_tariff_cents,
        recurrence=bid.staffing_plan,
        kpis=[{"name": outcome, "kind": "outcome"} for outcome in tender.required_outcomes]
        + [
            {
                "name": "social_member_hours",
                "kind": "social_return",
                "target": bid.social_member_hours,
            },
            {
                "name": "social_target_group_members",
                "kind": "social_return",
                "target": bid.social_target_group_members,
            },
        ],
    )
    audit_record(
        actor=actor,
        action=ChallengeAction.CONTRACT_CREATED,
        target=contract,
        cooperative_id=contract.cooperative_id,
        data={"bid": bid.pk, "budget_cents": bid.price_cents},
    )
    for index, rule in enumerate(contract.recurrence):
        skill = (
            Skill.objects.filter(cooperative=contract.cooperative, slug=rule["skill"]).first()
            if rule.get("skill")
            else None
        )
        job = job_create(
            actor=actor,
            cooperative=contract.cooperative,
            client=contract.client,
            title=f"{rule['title']} ({contract.reference})",
            category=tender.category,
            street=tender.street,
            postcode=tender.postcode,
            latitude=tender.latitude,
            longitude=tender.longitude,
            description=tender.description,
            required_skill=skill,
            client_tariff=from_minor(contract.hourly_tariff_cents),
            auto_confirm=True,
            source=Job.Source.CONTRACT,
        )
        ContractJob.objects.create(contract=contract, job=job, rule_index=index)
    contract_generate(contract_id=contract.pk)
    return contract


def contract_generate(*, contract_id: int, today: date | None = None) -> int:
    """Put the next ``LOOKAHEAD_DAYS`` of the contract's shifts on the board. Idempotent."""
    from jobs.services.jobs import _create_shifts

    today = today or timezone.localdate()
    created = 0
    with transaction.atomic():
        contract = lock_get("challenges.Contract", contract_id)
        if contract.status != Contract.Status.ACTIVE:
            return 0
        first = max(contract.period_start, today + timedelta(days=1))
        last = min(contract.period_end, today + timedelta(days=LOOKAHEAD_DAYS))
        jobs = {cj.rule_index: cj.job for cj in contract.contract_jobs.select_related("job")}
        done = set(
            ContractOccurrence.objects.filter(
                contract=contract, date__gte=first, date__lte=last
            ).values_list("rule_index", "date")
        )
        exhausted = False
        for occ in expand(contract.recurrence, first, last) if first <= last else []:
            if (occ.rule_index, occ.day) in done or occ.rule_index not in jobs:
                continue
            job = jobs[occ.rule_index]
            if job.status not in (Job.Status.DRAFT, Job.Status.OPEN, Job.Status.IN_PROGRESS):
                continue
            try:
                with transaction.atomic():
                    shift = _create_shifts(job, [(occ.start, occ.end)], occ.slots, None)[0]
                    ContractOccurrence.objects.create(
                        contract=contract, rule_index=occ.rule_index, date=occ.day, shift=shift
                    )
            except Conflict as exc:
                if exc.code == "contract_budget_exhausted":
                    exhausted = True
                    break
                raise
            except IntegrityError:  # generated by a concurrent run
                continue
            created += 1
        contract.refresh_from_db()
        if exhausted and contract.exhausted_at is None:
            contract.exhausted_at = timezone.now()
            audit_record(
                actor=None,
                action=ChallengeAction.CONTRACT_BUDGET_EXHAUSTED,
                target=contract,
                cooperative_id=contract.cooperative_id,
            )
            notify(
                [*board_of(contract.cooperative_id), *municipality_users_of(contract.client_id)],
                event="budget_exhausted",
                context={"contract": contract},
            )
        contract.generated_through = last if first <= last else contract.generated_through
        contract.save(update_fields=["exhausted_at", "generated_through"])
        if created:
            audit_record(
                actor=None,
                action=ChallengeAction.CONTRACT_SHIFTS_GENERATED,
                target=contract,
                cooperative_id=contract.cooperative_id,
                data={"count": created, "through": last.isoformat()},
            )
    return created


def contracts_generate(*, today: date | None = None) -> dict[str, int]:
    """Beat: end contracts past their period, generate shifts for the running ones."""
    today = today or timezone.localdate()
    ended = 0
    for candidate in Contract.objects.filter(status=Contract.Status.ACTIVE, period_end__lt=today):
        with transaction.atomic():
            contract = lock_get("challenges.Contract", candidate.pk)
            if contract.status != Contract.Status.ACTIVE:  # ended by a run before
                continue
            CONTRACT.transition(
                contract,
                Contract.Status.ENDED,
                by=None,
                audit_action=ChallengeAction.CONTRACT_ENDED,
            )
            ended += 1
    created = 0
    for contract_id in Contract.objects.filter(status=Contract.Status.ACTIVE).values_list(
        "pk", flat=True
    ):
        created += contract_generate(contract_id=contract_id, today=today)
    return {"ended": ended, "shifts": created}


@transaction.atomic
def contract_amend(
    *, actor: User, contract: Contract, extra_budget: str | Decimal | int | float, reason: str
) -> ContractAmendment:
    require_municipality_user(actor, contract.client_id)
    contract = lock_get("challenges.Contract", contract.pk)
    if contract.status != Contract.Status.ACTIVE:
        raise Conflict(_("This contract has ended."), code="contract_ended", field="contract")
    amendment = ContractAmendment.objects.create(
        contract=contract,
        extra_budget_cents=cents(extra_budget, "extra_budget"),
        reason=text(reason, "reason"),
        agreed_by=actor,
    )
    budget = contract_budget(contract)
    contract.exhausted_at = None
    if budget["committed_cents"] * 100 < WARNING_PERCENT * budget["total_cents"]:
        contract.warned_at = None
    contract.save(update_fields=["exhausted_at", "warned_at"])
    audit_record(
        actor=actor,
        action=ChallengeAction.CONTRACT_AMENDED,
        target=contract,
        cooperative_id=contract.cooperative_id,
        data={
            "extra_budget_cents": amendment.extra_budget_cents,
            "total_cents": budget["total_cents"],
        },
    )
    return amendment
