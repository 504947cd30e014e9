"""Claiming work, concurrency-safe.

A claim holds a slot from the moment it is made until it is withdrawn or rejected.
Locks follow the global order of ``werkstation.locks`` (user → shift → claim):
``shift_claim`` locks the member's user row (one claim at a time per member, so two
overlapping claims cannot both pass the travel check), then the shift row (slots and the
waitlist). Every change to a claim that may free a slot locks the claim's shift first,
then the claim together with the head of the waitlist that may receive the slot, so a
withdrawal, a rejection and an expiring offer on one shift queue up instead of
deadlocking. ``Shift.filled`` moves by conditional UPDATE; the check constraint
``filled <= slots`` and, on PostgreSQL, the exclusion constraint on the claim's time
range are the database's last word.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs import eligibility
from jobs.access import require_job_manager
from jobs.audit_actions import CLAIM_TAKEN, JobAction
from jobs.eligibility import rules
from jobs.lifecycle import CLAIM
from jobs.models import Claim, Job, Shift
from jobs.notifications import notify_claim
from jobs.selectors.working_time import check_claim
from members.access import has_role, require_role
from members.models import Membership, User
from werkstation.audit import audit_record
from werkstation.engagements import Engagement, ordered
from werkstation.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from werkstation.locks import lock_claims, lock_shifts, lock_users
from werkstation.templatetags.money import timespan

if TYPE_CHECKING:
    from collections.abc import Iterable

OFFER_HOURS = 12
C = Claim.Status


def check_eligibility(*, user: User, shift: Shift) -> None:
    """The rules of ``jobs.eligibility`` — the feed's, to the last bit — for this member
    and shift: membership, an open shift not yet started, the skill with a certificate
    valid on the day, home, availability, travel radius, blocked clients, no claim on it
    yet and no clash with their slot-holding claims, travel time included.

    The caller holds the member's lock (their claims cannot change meanwhile)."""
    require_role(user, shift.cooperative_id, "member")
    now = timezone.now()
    context = eligibility.work_context(user, now=now)
    now_minute = eligibility.epoch_minute(now)
    reason = eligibility.refusal(context, eligibility.shift_facts(shift), now_minute=now_minute)
    if reason is not None:
        raise _refused(reason, context=context, shift=shift, now_minute=now_minute)


def _refused(
    reason: str, *, context: eligibility.WorkContext, shift: Shift, now_minute: int
) -> ApplicationError:
    """The error that tells the member why the rules refuse them ``shift``."""
    if reason == rules.COOPERATIVE:
        return PermissionDenied(
            _("Only active members of this cooperative may do this."), code="role_required"
        )
    if reason == rules.CLOSED:
        return Conflict(_("This shift is not open for claims."), code=reason, field="shift")
    if reason == rules.STARTED:
        return Conflict(_("This shift has already started."), code=reason, field="shift")
    if reason == rules.SKILL:
        assert shift.required_skill is not None  # the rule is about the shift's skill
        return PermissionDenied(
            _("This shift needs the skill %(skill)s.") % {"skill": shift.required_skill.name},
            code=reason,
        )
    if reason == rules.CERTIFICATE:
        assert shift.required_skill is not None  # the rule is about the shift's skill
        return PermissionDenied(
            _("Your certificate for %(skill)s is not valid on the day of this shift.")
            % {"skill": shift.required_skill.name},
            code=reason,
        )
    if reason == rules.NO_HOME:
        return ValidationFailed(
            _("Add your home address on your profile, so we can check the shift is near you."),
            code=reason,
            field="postcode",
        )
    if reason == rules.AVAILABILITY:
        return PermissionDenied(
            _("This shift is outside the times you can work: add them to your availability first."),
            code=reason,
            field="availability",
        )
    if reason == rules.RADIUS:
        return PermissionDenied(
            _(
                "This shift is %(km).1f km from your home, beyond your travel radius of %(radius)s km."
            )
            % {
                "km": eligibility.distance_from_home_km(
                    context.facts.home, shift.latitude, shift.longitude
                ),
                "radius": f"{context.facts.radius_km:g}",
            },
            code=reason,
            field="travel_radius_km",
        )
    if reason == rules.CLIENT_BLOCKED:
        return PermissionDenied(
            _("You blocked this client, so you do not work for them."), code=reason, field="shift"
        )
    if reason == rules.CLAIMED:
        return Conflict(_("You already claimed this shift."), code=reason, field="shift")
    held = eligibility.clash(context, eligibility.shift_facts(shift), now_minute)
    assert held is not None, reason
    other = Shift.objects.select_related("job").get(pk=held.shift_id)
    return Conflict(
        _("This overlaps with your shift %(job)s at %(time)s (travel time included).")
        % {
            "job": other.job.title,
            "time": timespan(other.start),
        },
        code="overlap",
        field="shift",
    )


def _take_slot(shift: Shift) -> bool:
    return bool(
        Shift.objects.filter(pk=shift.pk, filled__lt=F("slots")).update(filled=F("filled") + 1)
    )


def _free_slot(shift: Shift) -> None:
    Shift.objects.filter(pk=shift.pk, filled__gt=0).update(filled=F("filled") - 1)


def engagement_for(job: Job, usual: str | None, chosen: str | None = None) -> str:
    """The engagement of a claim on ``job``: the one the member ``chosen``, else their
    ``usual`` one; either must be one the job allows."""
    allowed = ordered(job.engagements)
    if chosen:
        if chosen not in Engagement.values:
            raise ValidationFailed(
                _("Unknown engagement."), code="engagement_unknown", field="engagement"
            )
        if chosen not in allowed:
            raise ValidationFailed(
                _("This job allows work as %(allowed)s, not as %(chosen)s.")
                % {"allowed": engagement_list(allowed), "chosen": Engagement(chosen).label},
                code="engagement_not_allowed",
                field="engagement",
            )
        return chosen
    if usual in allowed:
        return usual
    raise ValidationFailed(
        _("This job allows work only as %(allowed)s: choose how you do this work.")
        % {"allowed": engagement_list(allowed)},
        code="engagement_required",
        field="engagement",
    )


def engagement_list(engagements: Iterable[str]) -> str:
    """ "employee via a payroll provider or volunteer": the labels, joined for a sentence."""
    labels = [str(Engagement(e).label) for e in engagements]
    if len(labels) < 2:
        return "".join(labels)
    return _("%(first)s or %(last)s") % {"first": ", ".join(labels[:-1]), "last": labels[-1]}


def usual_engagement(user: User, cooperative_id: int) -> str | None:
    return (
        Membership.objects.filter(user=user, cooperative_id=cooperative_id)
        .values_list("engagement", flat=True)
        .first()
    )


@transaction.atomic
def shift_claim(
    *, user: User, shift: Shift, allow_waitlist: bool = True, engagement: str | None = None
) -> Claim:
    """Claim ``shift`` for ``user``; ``engagement`` as the member chose it (else their usual
    one, when the job allows it)."""
    lock_users([user.pk])
    locked = lock_shifts([shift.pk], select_related=("job", "cooperative", "required_skill"))
    if not locked:
        raise NotFound(_("Shift not found."), field="shift")
    shift = locked[0]
    check_eligibility(user=user, shift=shift)
    engagement = engagement_for(shift.job, usual_engagement(user, shift.cooperative_id), engagement)
    # The Working Time Act across all of the member's jobs (the member's lock holds their
    # claims still): refused where it binds, a warning for self-employed work alone.
    warnings = check_claim(user, shift, engagement)
    existing = Claim.objects.filter(shift=shift, user=user).first()
    if _take_slot(shift):
        status = C.CONFIRMED if shift.job.auto_confirm else C.CLAIMED
        position = None
    elif allow_waitlist:
        status = C.WAITLISTED
        position = (
            Claim.objects.filter(shift=shift).aggregate(m=Max("waitlist_position"))["m"] or 0
        ) + 1
    else:
        raise Conflict(_("This shift is full."), code="shift_full", field="shift")
    from payouts.selectors.benefit_room import benefit_room
    from payouts.selectors.quotes import quote_shift

    quote = quote_shift(user, shift, engagement=engagement)
    # Beyond the member's bijstand room: allowed, with the effect in euros.
    room = benefit_room(user, today=quote.work_date)
    effect = room.effect(quote.member_cents, quote.engagement) if room else None
    if effect is not None:
        warnings = [*warnings, effect["message"]]
    values = {
        "quote": quote.as_record(),
        "engagement": engagement,
        "status": status,
        "waitlist_position": position,
        "start": shift.start,
        "end": shift.end,
        "status_reason": "",
        "offer_expires_at": None,
        "confirmed_at": timezone.now() if status == C.CONFIRMED else None,
    }
    try:
        with transaction.atomic():
            if existing is not None:
                for name, value in values.items():
                    setattr(existing, name, value)
                existing.save()
                claim = existing
            else:
                claim = Claim.objects.create(shift=shift, user=user, **values)
    except IntegrityError as exc:  # the exclusion constraint: an overlap slipped past the check
        raise Conflict(
            _("This overlaps with another shift of yours."), code="overlap", field="shift"
        ) from exc
    audit_record(
        actor=user, action=CLAIM_TAKEN[status], target=claim, cooperative_id=shift.cooperative_id
    )
    claim.shift = shift
    claim.warnings = warnings
    notify_claim(
        claim,
        event="waitlisted"
        if status == C.WAITLISTED
        else ("confirmed" if status == C.CONFIRMED else "claimed"),
    )
    return claim


def _lock_claim(claim_id: int) -> Claim:
    """Lock a claim the way every slot-changing service does: its shift first, then the
    claim together with the head of the shift's waitlist (which may receive a freed slot),
    in primary-key order. Under the shift's lock the waitlist cannot change, so the head
    read before locking is still the head."""
    shift_id = Claim.objects.filter(pk=claim_id).values_list("shift_id", flat=True).first()
    if shift_id is None:
        raise NotFound(_("Claim not found."), field="claim")
    shifts = lock_shifts([shift_id], select_related=("job", "cooperative"))
    head = _waitlist_head(shifts[0]) if shifts else None
    claims: dict[int, Claim] = {
        c.pk: c
        for c in lock_claims(
            [pk for pk in (claim_id, head) if pk is not None], select_related=("user",)
        )
    }
    claim = claims.get(claim_id)
    if claim is None or not shifts:
        raise NotFound(_("Claim not found."), field="claim")
    claim.shift = shifts[0]
    return claim


def _waitlist_head(shift: Shift) -> int | None:
    return (
        Claim.objects.filter(shift=shift, status=C.WAITLISTED)
        .order_by("waitlist_position", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def _offer_next(shift: Shift) -> Claim | None:
    """Offer a freed slot to the first member on the waitlist (the offer holds the slot).

    The caller holds the shift's lock and has locked the head of the waitlist with the
    claim it changed (``_lock_claim``)."""
    head = _waitlist_head(shift)
    if head is None or shift.start <= timezone.now():
        return None
    candidate: Claim = lock_claims([head], select_related=("user", "shift__job"))[0]
    if not _take_slot(shift):
        return None
    candidate.waitlist_position = None
    candidate.offer_expires_at = min(timezone.now() + timedelta(hours=OFFER_HOURS), shift.start)
    CLAIM.transition(
        candidate,
        C.OFFERED,
        by=None,
        extra_update_fields=["waitlist_position", "offer_expires_at"],
        audit_action=JobAction.CLAIM_OFFERED,
        cooperative_id=shift.cooperative_id,
    )
    notify_claim(candidate, event="offered")
    return candidate


def _release(claim: Claim, *, status: str, reason: str = "") -> None:
    held = claim.holds_slot
    claim.status_reason = reason[:200]
    claim.waitlist_position = None
    claim.offer_expires_at = None
    CLAIM.transition(
        claim,
        status,
        by=None,
        extra_update_fields=["status_reason", "waitlist_position", "offer_expires_at"],
    )
    if held:
        _free_slot(claim.shift)
        claim.shift.refresh_from_db(fields=["filled"])
        _offer_next(claim.shift)


@transaction.atomic
def claim_withdraw(*, user: User, claim_id: int) -> Claim:
    claim = _lock_claim(claim_id)
    if claim.user_id != user.pk:
        raise NotFound(_("Claim not found."), field="claim")
    if claim.status not in (C.CLAIMED, C.CONFIRMED, C.WAITLISTED, C.OFFERED):
        raise Conflict(
            _("This claim cannot be withdrawn any more."), code="invalid_state", field="status"
        )
    if claim.status_at() not in (C.CLAIMED, C.CONFIRMED, C.WAITLISTED, C.OFFERED):
        raise Conflict(
            _("This claim cannot be withdrawn any more."), code="invalid_state", field="status"
        )
    if not claim.can_withdraw:
        raise Conflict(
            _(
                "You can withdraw until %(hours)s hours before the start. Contact the client or the board."
            )
            % {"hours": claim.shift.cooperative.claim_withdrawal_hours},
            code="withdrawal_deadline_passed",
            field="claim",
        )
    _release(claim, status=C.WITHDRAWN)
    audit_record(
        actor=user,
        action=JobAction.CLAIM_WITHDRAWN,
        target=claim,
        cooperative_id=claim.shift.cooperative_id,
    )
    return claim


@transaction.atomic
def claim_confirm(*, actor: User, claim_id: int) -> Claim:
    claim = _lock_claim(claim_id)
    require_job_manager(actor, claim.shift.job)
    CLAIM.transition(
        claim,
        C.CONFIRMED,
        by=actor,
        sources=[C.CLAIMED],
        message=_("Only a new claim can be confirmed."),
        code="invalid_state",
        audit_action=JobAction.CLAIM_CONFIRMED,
        cooperative_id=claim.shift.cooperative_id,
    )
    notify_claim(claim, event="confirmed")
    return claim


@transaction.atomic
def claim_reject(*, actor: User, claim_id: int, reason: str) -> Claim:
    claim = _lock_claim(claim_id)
    require_job_manager(actor, claim.shift.job)
    if not (reason or "").strip():
        raise ValidationFailed(_("Give a reason."), code="required", field="reason")
    if claim.status not in (C.CLAIMED, C.CONFIRMED, C.WAITLISTED, C.OFFERED):
        raise Conflict(_("This claim cannot be rejected."), code="invalid_state", field="status")
    _release(claim, status=C.REJECTED, reason=reason.strip())
    audit_record(
        actor=actor,
        action=JobAction.CLAIM_REJECTED,
        target=claim,
        cooperative_id=claim.shift.cooperative_id,
        data={"reason": reason.strip()},
    )
    notify_claim(claim, event="rejected")
    return claim


@transaction.atomic
def offer_respond(*, user: User, claim_id: int, accept: bool) -> Claim:
    claim = _lock_claim(claim_id)
    if claim.user_id != user.pk:
        raise NotFound(_("Claim not found."), field="claim")
    if claim.status_at() != C.OFFERED:  # the clock ends an offer, not beat
        raise Conflict(_("This offer is no longer open."), code="offer_closed", field="claim")
    if not accept:
        _release(claim, status=C.WITHDRAWN, reason="declined offer")
        audit_record(
            actor=user,
            action=JobAction.CLAIM_OFFER_DECLINED,
            target=claim,
            cooperative_id=claim.shift.cooperative_id,
        )
        return claim
    claim.offer_expires_at = None
    CLAIM.transition(
        claim,
        C.CONFIRMED if claim.shift.job.auto_confirm else C.CLAIMED,
        by=user,
        extra_update_fields=["offer_expires_at", "confirmed_at"],
        audit_action=JobAction.CLAIM_OFFER_ACCEPTED,
        cooperative_id=claim.shift.cooperative_id,
    )
    return claim


def offers_expire(*, now: datetime | None = None) -> int:
    """Beat: offers nobody answered go to the next on the waitlist.

    Readers do not wait for it (``Claim.status_at``: the offer lapsed at its expiry); this
    passes the place on and stores the lapse. Idempotent: a claim no longer offered is left.

    One transaction per offer: each locks its own shift and claims in the global order,
    and one that fails does not undo the others."""
    now = now or timezone.now()
    expired = 0
    for claim_id in list(
        Claim.objects.filter(status=C.OFFERED, offer_expires_at__lt=now)
        .order_by("pk")
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            claim = _lock_claim(claim_id)
            if (
                claim.status == C.OFFERED
                and claim.offer_expires_at
                and claim.offer_expires_at < now
            ):
                _release(claim, status=C.WITHDRAWN, reason="offer expired")
                expired += 1
    return expired


@transaction.atomic
def claim_mark_no_show(*, actor: User, claim_id: int) -> Claim:
    claim = _lock_claim(claim_id)
    require_job_manager(actor, claim.shift.job)
    if claim.shift.start > timezone.now():
        raise Conflict(
            _("A no-show can be marked once the shift has started."),
            code="not_started",
            field="claim",
        )
    CLAIM.transition(
        claim,
        C.NO_SHOW,
        by=actor,
        message=_("Only a claimed or confirmed shift can be a no-show."),
        code="invalid_state",
        audit_action=JobAction.CLAIM_NO_SHOW,
        cooperative_id=claim.shift.cooperative_id,
    )
    return claim


RELEASABLE = (C.CLAIMED, C.CONFIRMED, C.WAITLISTED, C.OFFERED)


@transaction.atomic
def claims_release_future(*, user: User, reason: str, now: datetime | None = None) -> int:
    """Release every claim of ``user`` on a shift that has not started (the account is
    erased): each held slot goes to the next on the waitlist, as a withdrawal would, but
    without the withdrawal deadline: the person is gone either way.

    All in the caller's transaction, so in the global lock order: every shift concerned
    first, then (in key order) the claims and the heads of those shifts' waitlists that
    may receive a freed slot.
    """
    now = now or timezone.now()
    mine = list(
        Claim.objects.filter(user=user, status__in=RELEASABLE, start__gt=now)
        .order_by("pk")
        .values_list("pk", "shift_id")
    )
    if not mine:
        return 0
    shifts = {
        s.pk: s
        for s in lock_shifts(
            {shift_id for _pk, shift_id in mine}, select_related=("job", "cooperative")
        )
    }
    waiting = Claim.objects.filter(shift_id__in=shifts, status=C.WAITLISTED).values_list(
        "pk", flat=True
    )
    claims = {
        c.pk: c for c in lock_claims([*(pk for pk, _s in mine), *waiting], select_related=("user",))
    }
    released = 0
    for claim_id, shift_id in mine:
        claim = claims.get(claim_id)
        if claim is None or claim.status not in RELEASABLE:
            continue
        claim.shift = shifts[shift_id]
        _release(claim, status=C.WITHDRAWN, reason=reason)
        audit_record(
            actor=None,
            action=JobAction.CLAIM_RELEASED,
            target=claim,
            cooperative_id=claim.shift.cooperative_id,
            data={"reason": reason},
        )
        released += 1
    return released


def claim_for_manager(*, actor: User, claim_id: int) -> Claim:
    claim = Claim.objects.select_related("shift__job").filter(pk=claim_id).first()
    if claim is None or not (
        claim.user_id == actor.pk
        or has_role(actor, claim.shift.cooperative_id, "board")
        or claim.shift.job.client.client_users.filter(user=actor).exists()
    ):
        raise NotFound(_("Claim not found."), field="claim")
    return claim
