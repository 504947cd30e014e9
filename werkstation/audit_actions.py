"""The audit actions of the kernel (legal figures).

The value is what ``AuditEntry.action`` stores; existing rows and readers depend on it,
so a value never changes (add a member instead).
"""

from enum import StrEnum

from werkstation.audit import audit_actions_register


@audit_actions_register
class KernelAction(StrEnum):
    LEGAL_PARAMETER_ADDED = "legal_parameter.added"
    LEGAL_PARAMETER_CHANGED = "legal_parameter.changed"
    LEGAL_PARAMETER_DELETED = "legal_parameter.deleted"
