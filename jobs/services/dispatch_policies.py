"""Dispatch policies: the weights of the dispatch objective, which the members vote on.

A ``dispatch_policy`` proposal (registered in ``jobs/registrations.py``) carries the two
weights of ``shared/dispatch-format.md``; when the members adopt it, the policy becomes the
cooperative's next version, in force from that day (``dispatching.policy_in_force``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.audit_actions import JobAction
from jobs.models import DispatchPolicy
from werkstation.audit import audit_record
from werkstation.errors import ValidationFailed

if TYPE_CHECKING:
    from members.models import Cooperative, User

WEIGHTS = ("km_cost_cents", "shortfall_cents_per_minute")
MAX_WEIGHT = 10_000


def dispatch_policy_validate(
    *, cooperative: Cooperative, payload: dict[str, Any], actor: User
) -> dict[str, int]:
    """The weights of a proposed policy, each a whole number of cents; writes nothing."""
    clean: dict[str, int] = {}
    for name in WEIGHTS:
        value = payload.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_WEIGHT:
            raise ValidationFailed(
                _("Give a whole number of cents from 0 to 10000."), field=f"payload.{name}"
            )
        clean[name] = value
    return clean


@transaction.atomic
def dispatch_policy_adopt(
    *,
    cooperative_id: int,
    km_cost_cents: int,
    shortfall_cents_per_minute: int,
    actor: User | None = None,
    proposal_id: int | None = None,
) -> DispatchPolicy:
    """The cooperative's next policy version, adopted and in force from today."""
    versions = DispatchPolicy.objects.filter(cooperative_id=cooperative_id)
    version = (versions.aggregate(latest=Max("version"))["latest"] or 0) + 1
    today = timezone.localdate()
    policy = DispatchPolicy.objects.create(
        cooperative_id=cooperative_id,
        version=version,
        adopted=True,
        effective_from=today,
        km_cost_cents=km_cost_cents,
        shortfall_cents_per_minute=shortfall_cents_per_minute,
    )
    audit_record(
        actor=actor,
        action=JobAction.DISPATCH_POLICY_ADOPTED,
        target=policy,
        cooperative_id=cooperative_id,
        data={
            "version": version,
            "km_cost_cents": km_cost_cents,
            "shortfall_cents_per_minute": shortfall_cents_per_minute,
            "effective_from": today.isoformat(),
            "proposal_id": proposal_id,
        },
    )
    return policy
