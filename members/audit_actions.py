"""The audit actions of members, cooperatives, governance, accounts and their security.

The value is what ``AuditEntry.action`` stores; existing rows and readers depend on it,
so a value never changes (add a member instead).
"""

from enum import StrEnum

from werkstation.audit import audit_action, audit_actions_register


@audit_actions_register
class MemberAction(StrEnum):
    APPROVAL_COOPERATIVE_BANK_APPROVED = "approval.cooperative_bank.approved"
    APPROVAL_COOPERATIVE_BANK_CANCELLED = "approval.cooperative_bank.cancelled"
    APPROVAL_COOPERATIVE_BANK_REJECTED = "approval.cooperative_bank.rejected"
    APPROVAL_COOPERATIVE_BANK_REQUESTED = "approval.cooperative_bank.requested"
    APPROVAL_COOPERATIVE_G_ACCOUNT_APPROVED = "approval.cooperative_g_account.approved"
    APPROVAL_COOPERATIVE_G_ACCOUNT_CANCELLED = "approval.cooperative_g_account.cancelled"
    APPROVAL_COOPERATIVE_G_ACCOUNT_REJECTED = "approval.cooperative_g_account.rejected"
    APPROVAL_COOPERATIVE_G_ACCOUNT_REQUESTED = "approval.cooperative_g_account.requested"
    APPROVAL_ROLE_GRANT_APPROVED = "approval.role_grant.approved"
    APPROVAL_ROLE_GRANT_CANCELLED = "approval.role_grant.cancelled"
    APPROVAL_ROLE_GRANT_REJECTED = "approval.role_grant.rejected"
    APPROVAL_ROLE_GRANT_REQUESTED = "approval.role_grant.requested"

    AVAILABILITY_REPLACED = "availability.replaced"

    BENEFIT_ARRANGEMENT_DELETED = "benefit_arrangement.deleted"
    BENEFIT_ARRANGEMENT_REMINDED = "benefit_arrangement.reminded"
    BENEFIT_ARRANGEMENT_SET = "benefit_arrangement.set"

    COOPERATIVE_BANK_ACCOUNT_CHANGED = "cooperative.bank_account_changed"
    COOPERATIVE_CREATED = "cooperative.created"
    COOPERATIVE_G_ACCOUNT_CHANGED = "cooperative.g_account_changed"
    COOPERATIVE_UPDATED = "cooperative.updated"

    INVITATION_BOARD_ACCEPTED = "invitation.board.accepted"
    INVITATION_BOARD_SENT = "invitation.board.sent"

    MEMBER_SKILL_REMOVED = "member_skill.removed"
    MEMBER_SKILL_SET = "member_skill.set"

    MEMBERSHIP_ADMITTED = "membership.admitted"
    MEMBERSHIP_APPLIED = "membership.applied"
    MEMBERSHIP_BOARD_JOINED = "membership.board_joined"
    MEMBERSHIP_LEFT = "membership.left"
    MEMBERSHIP_REINSTATED = "membership.reinstated"
    MEMBERSHIP_REJECTED = "membership.rejected"
    MEMBERSHIP_ROLES_CHANGED = "membership.roles_changed"
    MEMBERSHIP_SUSPENDED = "membership.suspended"

    NOTIFICATIONS_UPDATED = "notifications.updated"

    PASSWORD_CHANGED = "password.changed"

    PRIVACY_ERASED = "privacy.erased"
    PRIVACY_EXPORTED = "privacy.exported"
    PRIVACY_SENSITIVE_READ = "privacy.sensitive_read"

    PROFILE_UPDATED = "profile.updated"

    PROPOSAL_ADOPTED = "proposal.adopted"
    PROPOSAL_CHANGED = "proposal.changed"
    PROPOSAL_COSIGNED = "proposal.cosigned"
    PROPOSAL_DRAFTED = "proposal.drafted"
    PROPOSAL_FAILED_QUORUM = "proposal.failed_quorum"
    PROPOSAL_OPENED = "proposal.opened"
    PROPOSAL_RECOUNTED = "proposal.recounted"
    PROPOSAL_REJECTED = "proposal.rejected"
    PROPOSAL_WITHDRAWN = "proposal.withdrawn"

    PROXY_GRANTED = "proxy.granted"
    PROXY_REVOKED = "proxy.revoked"

    ROLES_STAFF_CHANGED = "roles.staff_changed"

    SKILL_CREATED = "skill.created"

    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"

    TOKENS_REVOKED = "tokens.revoked"

    TWO_FACTOR_DEVICE_ADDED = "two_factor.device_added"
    TWO_FACTOR_DEVICE_REMOVED = "two_factor.device_removed"
    TWO_FACTOR_LINK_SENT = "two_factor.link_sent"
    TWO_FACTOR_RECOVERY_CODES_MADE = "two_factor.recovery_codes_made"
    TWO_FACTOR_RESET = "two_factor.reset"

    USER_REGISTERED = "user.registered"
    USER_STAFF_CHANGED = "user.staff_changed"

    VOTE_CAST = "vote.cast"


PROPOSAL_OUTCOME = {
    "adopted": MemberAction.PROPOSAL_ADOPTED,
    "rejected": MemberAction.PROPOSAL_REJECTED,
    "failed_quorum": MemberAction.PROPOSAL_FAILED_QUORUM,
}


def approval_action(kind: str, step: str) -> StrEnum:
    """``approval.<kind>.<step>`` (requested, approved, rejected, cancelled): the app that
    registers an approval kind lists these four actions in its enum."""
    return audit_action(f"approval.{kind}.{step}")


def invitation_action(kind: str, step: str) -> StrEnum:
    """``invitation.<kind>.<step>`` (sent, accepted): the app that registers an invitation
    kind lists these two actions in its enum."""
    return audit_action(f"invitation.{kind}.{step}")
