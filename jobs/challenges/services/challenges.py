"""Challenges: the cooperative takes the initiative; the municipality decides before its deadline."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.challenges.access import require_municipality_user
from jobs.challenges.audit_actions import CHALLENGE_DECIDED, ChallengeAction
from jobs.challenges.lifecycle import CHALLENGE
from jobs.challenges.models import Challenge
from jobs.challenges.notifications import board_of, municipality_users_of, notify
from jobs.models import Client
from members.access import require_role
from werkstation.audit import audit_record
from werkstation.errors import ValidationFailed
from werkstation.locks import lock_get

from .common import text

if TYPE_CHECKING:
    from members.models import Cooperative, User

DECISION_WEEKS = 8  # the municipality answers a challenge within eight weeks


@transaction.atomic
def challenge_submit(
    *,
    actor: User,
    cooperative: Cooperative,
    client: Client,
    task: str,
    area: str,
    plan: str,
    signatures: int = 0,
    support_evidence: str = "",
    partners: str = "",
) -> Challenge:
    require_role(actor, cooperative, "board")
    if client.kind != Client.Kind.MUNICIPALITY:
        raise ValidationFailed(_("Only a municipality can be challenged."), field="client")
    if not client.links.filter(cooperative=cooperative).exists():
        raise ValidationFailed(
            _("This municipality does not work with your cooperative yet."), field="client"
        )
    if not isinstance(signatures, int) or isinstance(signatures, bool) or signatures < 0:
        raise ValidationFailed(_("Give a whole number, zero or more."), field="signatures")
    challenge = Challenge.objects.create(
        cooperative=cooperative,
        client=client,
        task=text(task, "task", max_length=200),
        area=text(area, "area", max_length=200),
        plan=text(plan, "plan"),
        signatures=signatures,
        support_evidence=text(support_evidence, "support_evidence", required=False),
        partners=text(partners, "partners", required=False),
        submitted_by=actor,
        decision_deadline=timezone.localdate() + timedelta(weeks=DECISION_WEEKS),
    )
    audit_record(
        actor=actor,
        action=ChallengeAction.CHALLENGE_SUBMITTED,
        target=challenge,
        cooperative_id=cooperative.pk,
        data={"signatures": signatures},
    )
    notify(
        municipality_users_of(client.pk),
        event="challenge_submitted",
        context={"challenge": challenge},
    )
    return challenge


DECISIONS = ("accept", "accept_modified", "reject")


@transaction.atomic
def challenge_decide(
    *,
    actor: User,
    challenge: Challenge,
    decision: str,
    reject_reason: str = "",
    note: str = "",
    modification: str = "",
) -> Challenge:
    require_municipality_user(actor, challenge.client_id)
    challenge = lock_get("challenges.Challenge", challenge.pk)
    CHALLENGE.check(
        challenge,
        Challenge.Status.ACCEPTED,
        sources=[Challenge.Status.SUBMITTED],
        message=_("This challenge is already decided."),
        code="invalid_state",
    )
    if decision not in DECISIONS:
        raise ValidationFailed(_("Accept, accept with changes, or reject."), field="decision")
    note = text(note, "note", required=decision == "reject")
    if decision == "reject":
        if reject_reason not in Challenge.RejectReason.values:
            raise ValidationFailed(
                _("Choose the reason for the rejection."), code="required", field="reject_reason"
            )
        to, challenge.reject_reason = Challenge.Status.REJECTED, reject_reason
    elif decision == "accept_modified":
        challenge.modification = text(modification, "modification")
        to = Challenge.Status.MODIFICATION_PROPOSED
    else:
        to = Challenge.Status.ACCEPTED
    challenge.decision_note = note
    CHALLENGE.transition(
        challenge,
        to,
        by=actor,
        extra_update_fields=["reject_reason", "modification", "decision_note"],
        audit_action=CHALLENGE_DECIDED[to],
        data={
            "reason": challenge.reject_reason,
            "late": timezone.localdate() > challenge.decision_deadline,
        },
    )
    notify(
        board_of(challenge.cooperative_id),
        event="challenge_decided",
        context={"challenge": challenge},
    )
    return challenge


@transaction.atomic
def challenge_consent(*, actor: User, challenge: Challenge, consent: bool) -> Challenge:
    """The cooperative agrees to the municipality's changes (accepted) or not (withdrawn)."""
    require_role(actor, challenge.cooperative_id, "board")
    challenge = lock_get("challenges.Challenge", challenge.pk)
    CHALLENGE.transition(
        challenge,
        Challenge.Status.ACCEPTED if consent else Challenge.Status.WITHDRAWN,
        by=actor,
        stamp=False,  # the municipality's decision stays on record
        sources=[Challenge.Status.MODIFICATION_PROPOSED],
        message=_("There are no proposed changes to answer."),
        code="invalid_state",
        audit_action=ChallengeAction.CHALLENGE_CONSENT,
        data={"consent": bool(consent)},
    )
    notify(
        municipality_users_of(challenge.client_id),
        event="challenge_consented",
        context={"challenge": challenge},
    )
    return challenge
