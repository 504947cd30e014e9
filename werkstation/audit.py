from __future__ import annotations

from typing import Any

from django.db import models

from .models import AuditEntry


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    cooperative_id: int | None = None,
    data: dict | None = None,
) -> AuditEntry:
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=actor_obj,
        action=action,
        cooperative_id=cooperative_id,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
