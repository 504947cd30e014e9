"""Members counted for social return: recorded by the board, with the member's consent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from jobs.challenges.audit_actions import ChallengeAction
from jobs.challenges.models import TargetGroupMember
from members.access import has_role, require_role
from werkstation.audit import audit_record
from werkstation.errors import ValidationFailed

if TYPE_CHECKING:
    from members.models import Cooperative, User


@transaction.atomic
def target_group_record(
    *, actor: User, cooperative: Cooperative, user: User, group: str
) -> TargetGroupMember:
    require_role(actor, cooperative, "board")
    if group not in TargetGroupMember.Group.values:
        raise ValidationFailed(_("Choose a target group from the list."), field="group")
    if not has_role(user, cooperative, "member"):
        raise ValidationFailed(_("Only active members are counted."), field="user")
    row, _created = TargetGroupMember.objects.update_or_create(
        cooperative=cooperative, user=user, defaults={"group": group, "recorded_by": actor}
    )
    audit_record(
        actor=actor,
        action=ChallengeAction.TARGET_GROUP_RECORDED,
        target=row,
        cooperative_id=cooperative.pk,
        data={"group": group},
    )
    return row


def export_target_groups(user: User) -> list[dict[str, Any]]:
    return [
        {
            "cooperative": row.cooperative.name,
            "group": row.group,
            "since": row.created_at.isoformat(),
        }
        for row in TargetGroupMember.objects.filter(user=user).select_related("cooperative")
    ]


def target_groups_erase(user: User) -> None:
    """The rows rest on the member's consent: erasure removes them (past reports keep only
    their aggregate counts)."""
    TargetGroupMember.objects.filter(user=user).delete()
