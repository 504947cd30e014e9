"""The audit trail: one row per thing someone did, written by ``audit_record``.

Every action is a member of an app's enum (``<app>/audit_actions.py``), registered here
with ``audit_actions_register`` when the module is imported. The stored value is the
member's string (``"membership.admitted"``), so rows written before the enums existed
read the same. Under ``WERKSTATION_AUDIT_STRICT`` (the test settings) ``audit_record``
refuses an action that no app registered; elsewhere it logs one and writes it anyway, so
a missing registration never loses a row.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings

from .models import AuditEntry

if TYPE_CHECKING:
    from collections.abc import Mapping
    from enum import StrEnum

    from django.db import models

logger = logging.getLogger(__name__)

_ACTIONS: dict[str, StrEnum] = {}


class UnregisteredAuditAction(LookupError):
    """An audit action that no app's enum lists."""


def audit_actions_register(enum: type[StrEnum]) -> type[StrEnum]:
    """Register every member of ``enum`` (usable as a class decorator)."""
    for member in enum:
        known = _ACTIONS.get(member.value)
        if known is not None and type(known) is not enum:
            msg = f"audit action {member.value!r} is already registered by {type(known).__name__}"
            raise ValueError(msg)
        _ACTIONS[member.value] = member
    return enum


def audit_action(value: str) -> StrEnum:
    """The registered member whose stored value is ``value`` (for kinds that other apps
    register, whose actions are named after the kind)."""
    try:
        return _ACTIONS[value]
    except KeyError:
        msg = f"audit action {value!r} is not registered"
        raise UnregisteredAuditAction(msg) from None


def registered_audit_actions() -> dict[str, StrEnum]:
    return dict(_ACTIONS)


def audit_record(
    *,
    actor: Any,
    action: StrEnum,
    target: models.Model | None = None,
    cooperative_id: int | None = None,
    data: Mapping[str, object] | None = None,
) -> AuditEntry:
    if _ACTIONS.get(str(action)) is not action:
        message = f"audit action {action!r} is not a registered member of an app's enum"
        if getattr(settings, "WERKSTATION_AUDIT_STRICT", False):
            raise UnregisteredAuditAction(message)
        logger.error(message)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=actor_obj,
        action=str(action),
        cooperative_id=cooperative_id,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
