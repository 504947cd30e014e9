"""Hours: the member submits, the client approves or disputes, the board resolves.

Approval only records the fact and emits ``timesheet.approved`` through the
transactional outbox; payouts settle from there.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jobs.access import require_job_manager
from jobs.audit_actions import JobAction
from jobs.lifecycle import CLAIM, TIMESHEET
from jobs.models import Claim, Timesheet
from jobs.notifications import notify_timesheet
from jobs.topics import Topic
from members.access import require_role
from werkstation.audit import audit_record
from werkstation.errors import Conflict, NotFound, ValidationFailed
from werkstation.locks import lock_claims, lock_timesheets
from werkstation.money import format_duration
from werkstation.outbox import outbox_emit

if TYPE_CHECKING:
    from members.models import User

T = Timesheet.Status
EXTRA_MINUTES_ALLOWED = 60


def _minutes(value: object, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed(_("Enter whole minutes."), field=field)
    return value


@transaction.atomic
def timesheet_submit(
    *, user: User, claim_id: int, minutes_worked: int, break_minutes: int = 0, note: str = ""
) -> Timesheet:
    claims = lock_claims([claim_id], select_related=("shift__job__client", "shift__cooperative"))
    claim = claims[0] if claims else None
    if claim is None or claim.user_id != user.pk:
        raise NotFound(
            _("You can only log hours for your own shifts."), code="not_your_claim", field="claim"
        )
    if claim.status not in (Claim.Status.CLAIMED, Claim.Status.CONFIRMED):
        raise Conflict(
            _("Hours can only be logged for a shift you held."), code="invalid_state", field="claim"
        )
    if claim.shift.end > timezone.now():
        raise Conflict(
            _("Log your hours after the shift has ended."), code="not_ended", field="claim"
        )
    if Timesheet.objects.filter(claim=claim).exists():
        raise Conflict(
            _("Hours for this shift were logged already."),
            code="duplicate_timesheet",
            field="claim",
        )
    minutes_worked = _minutes(minutes_worked, "minutes_worked")
    break_minutes = _minutes(break_minutes, "break_minutes")
    limit = claim.shift.duration_minutes + EXTRA_MINUTES_ALLOWED
    if minutes_worked <= 0:
        raise ValidationFailed(_("Enter the minutes you worked."), field="minutes_worked")
    if minutes_worked > limit:
        raise ValidationFailed(
            _("At most %(limit)s: the shift plus one hour.")
            % {"limit": format_duration(limit, get_language())},
            code="too_many_minutes",
            field="minutes_worked",
        )
    if break_minutes < 0 or break_minutes >= minutes_worked:
        raise ValidationFailed(
            _("The break must be shorter than the time worked."), field="break_minutes"
        )
    timesheet = Timesheet.objects.create(
        claim=claim, minutes_worked=minutes_worked, break_minutes=break_minutes, note=note[:300]
    )
    audit_record(
        actor=user,
        action=JobAction.TIMESHEET_SUBMITTED,
        target=timesheet,
        cooperative_id=claim.shift.cooperative_id,
    )
    for client_user in claim.shift.job.client.client_users.select_related("user"):
        notify_timesheet(timesheet, event="submitted", to=client_user.user)
    return timesheet


def _lock(timesheet_id: int) -> Timesheet:
    """The timesheet and its claim (which approval completes), claim first: the global
    lock order of ``werkstation.locks``."""
    claim_id = Timesheet.objects.filter(pk=timesheet_id).values_list("claim_id", flat=True).first()
    claims = lock_claims(
        [] if claim_id is None else [claim_id],
        select_related=("shift__job", "shift__cooperative", "user"),
    )
    timesheets = lock_timesheets([timesheet_id])
    if not claims or not timesheets:
        raise NotFound(_("Timesheet not found."), field="timesheet")
    timesheet: Timesheet = timesheets[0]
    timesheet.claim = claims[0]
    return timesheet


def _approve(timesheet: Timesheet, *, actor: User | None, auto: bool = False) -> Timesheet:
    """The caller has locked the claim and the timesheet (``_lock``) and checked the step."""
    timesheet.auto_approved = auto
    # A board's resolution may have changed the minutes and says why.
    changed = ["auto_approved", "minutes_worked", "break_minutes", "resolution"]
    TIMESHEET.transition(timesheet, T.APPROVED, by=actor, extra_update_fields=changed)
    claim = timesheet.claim
    if claim.status != Claim.Status.COMPLETED:
        CLAIM.transition(claim, Claim.Status.COMPLETED, by=actor)
    outbox_emit(topic=Topic.TIMESHEET_APPROVED, payload={"timesheet_id": timesheet.pk})
    audit_record(
        actor=actor,
        action=JobAction.TIMESHEET_AUTO_APPROVED if auto else JobAction.TIMESHEET_APPROVED,
        target=timesheet,
        cooperative_id=claim.shift.cooperative_id,
        data={"minutes": timesheet.paid_minutes},
    )
    return timesheet


def timesheet_approved_notify(*, timesheet_id: int) -> bool:
    """Outbox handler: e-mail the member that the hours were approved.

    Sent first, marked after: a worker that dies in between sends it again when the
    event is delivered again (a rare second e-mail), but never loses it. The outbox's
    lease keeps two deliveries of one event from running at the same time."""
    timesheet = (
        Timesheet.objects.filter(
            pk=timesheet_id, status=T.APPROVED, approval_notified_at__isnull=True
        )
        .select_related("claim__user", "claim__shift__job")
        .first()
    )
    if timesheet is None:
        return False
    notify_timesheet(timesheet, event="approved", to=timesheet.claim.user, now=True)
    Timesheet.objects.filter(pk=timesheet_id, approval_notified_at__isnull=True).update(
        approval_notified_at=timezone.now()
    )
    return True


@transaction.atomic
def timesheet_approve(*, actor: User, timesheet_id: int) -> Timesheet:
    timesheet = _lock(timesheet_id)
    require_job_manager(actor, timesheet.claim.shift.job)
    TIMESHEET.check(
        timesheet,
        T.APPROVED,
        sources=[T.SUBMITTED],
        message=_("Only submitted hours can be approved here."),
        code="invalid_state",
    )
    return _approve(timesheet, actor=actor)


@transaction.atomic
def timesheet_dispute(*, actor: User, timesheet_id: int, reason: str) -> Timesheet:
    timesheet = _lock(timesheet_id)
    require_job_manager(actor, timesheet.claim.shift.job)
    if not (reason or "").strip():
        raise ValidationFailed(
            _("Say what is wrong with these hours."), code="required", field="reason"
        )
    timesheet.dispute_reason = reason.strip()[:500]
    TIMESHEET.transition(
        timesheet,
        T.DISPUTED,
        by=actor,
        message=_("Only submitted hours can be disputed."),
        code="invalid_state",
        extra_update_fields=["dispute_reason"],
        audit_action=JobAction.TIMESHEET_DISPUTED,
        cooperative_id=timesheet.claim.shift.cooperative_id,
        data={"reason": timesheet.dispute_reason},
    )
    notify_timesheet(timesheet, event="disputed", to=timesheet.claim.user)
    return timesheet


@transaction.atomic
def timesheet_resolve(
    *,
    actor: User,
    timesheet_id: int,
    approve: bool,
    reason: str = "",
    minutes_worked: int | None = None,
    break_minutes: int | None = None,
) -> Timesheet:
    """The board settles a dispute: adjust the minutes and approve, or reject with a reason."""
    timesheet = _lock(timesheet_id)
    require_role(actor, timesheet.claim.shift.cooperative_id, "board")
    TIMESHEET.check(
        timesheet,
        T.APPROVED,
        sources=[T.DISPUTED],
        message=_("Only disputed hours are resolved by the board."),
        code="invalid_state",
    )
    if not (reason or "").strip():
        raise ValidationFailed(_("Explain the decision."), code="required", field="reason")
    timesheet.resolution = reason.strip()[:500]
    if not approve:
        TIMESHEET.transition(
            timesheet,
            T.REJECTED,
            by=actor,
            extra_update_fields=["resolution"],
            audit_action=JobAction.TIMESHEET_REJECTED,
            cooperative_id=timesheet.claim.shift.cooperative_id,
            data={"reason": timesheet.resolution},
        )
        notify_timesheet(timesheet, event="rejected", to=timesheet.claim.user)
        return timesheet
    limit = timesheet.claim.shift.duration_minutes + EXTRA_MINUTES_ALLOWED
    if minutes_worked is not None:
        minutes_worked = _minutes(minutes_worked, "minutes_worked")
        if not 0 < minutes_worked <= limit:
            raise ValidationFailed(
                _("At most %(limit)s: the shift plus one hour.")
                % {"limit": format_duration(limit, get_language())},
                code="too_many_minutes",
                field="minutes_worked",
            )
        timesheet.minutes_worked = minutes_worked
    if break_minutes is not None:
        timesheet.break_minutes = _minutes(break_minutes, "break_minutes")
    if timesheet.break_minutes >= timesheet.minutes_worked:
        raise ValidationFailed(
            _("The break must be shorter than the time worked."), field="break_minutes"
        )
    return _approve(timesheet, actor=actor)


def timesheets_auto_approve(*, now: datetime | None = None) -> int:
    """Beat: hours nobody answered are approved after the cooperative's number of days.

    One transaction per timesheet (each locks its claim, then itself), so one failure
    does not undo the others and no lock is held longer than one approval."""
    now = now or timezone.now()
    count = 0
    candidates = list(
        Timesheet.objects.filter(status=T.SUBMITTED)
        .select_related("claim__shift__cooperative")
        .order_by("pk")
    )
    for timesheet in candidates:
        days = timesheet.claim.shift.cooperative.timesheet_auto_approve_days
        if timesheet.submitted_at + timedelta(days=days) > now:
            continue
        with transaction.atomic():
            locked = _lock(timesheet.pk)
            if locked.status == T.SUBMITTED:
                _approve(locked, actor=None, auto=True)
                count += 1
    return count


@transaction.atomic
def timesheet_reminders(*, now: datetime | None = None) -> int:
    """Beat: one reminder for shifts that ended over a day ago without hours."""
    now = now or timezone.now()
    claims = Claim.objects.filter(
        status__in=[Claim.Status.CLAIMED, Claim.Status.CONFIRMED],
        end__lt=now - timedelta(days=1),
        end__gt=now - timedelta(days=14),
        timesheet__isnull=True,
        hours_reminded_at__isnull=True,
    ).select_related("user", "shift__job")
    sent = 0
    for claim in claims:
        # The e-mail template speaks of "the timesheet"; an unsaved one carries the shift.
        placeholder = Timesheet(claim=claim, minutes_worked=claim.shift.duration_minutes)
        notify_timesheet(placeholder, event="reminder", to=claim.user)
        sent += 1
    Claim.objects.filter(pk__in=[c.pk for c in claims]).update(hours_reminded_at=now)
    return sent
