"""The audit actions of clients, jobs, shifts, claims, timesheets and dispatch.

The value is what ``AuditEntry.action`` stores; existing rows and readers depend on it,
so a value never changes (add a member instead).
"""

from enum import StrEnum

from werkstation.audit import audit_actions_register


@audit_actions_register
class JobAction(StrEnum):
    CALENDAR_REVOKED = "calendar.revoked"
    CALENDAR_TOKEN_ROTATED = "calendar.token_rotated"

    CLAIM_CLAIMED = "claim.claimed"
    CLAIM_CONFIRMED = "claim.confirmed"
    CLAIM_NO_SHOW = "claim.no_show"
    CLAIM_OFFER_ACCEPTED = "claim.offer_accepted"
    CLAIM_OFFER_DECLINED = "claim.offer_declined"
    CLAIM_OFFERED = "claim.offered"
    CLAIM_REJECTED = "claim.rejected"
    CLAIM_RELEASED = "claim.released"
    CLAIM_WAITLISTED = "claim.waitlisted"
    CLAIM_WITHDRAWN = "claim.withdrawn"

    CLIENT_BLOCKED_BY_MEMBER = "client.blocked_by_member"
    CLIENT_CREATED = "client.created"
    CLIENT_G_ACCOUNT_SET = "client.g_account_set"
    CLIENT_UPDATED = "client.updated"
    CLIENT_VERIFIED = "client.verified"

    CLIENT_LINK_ACCEPTED = "client_link.accepted"
    CLIENT_LINK_ASKED = "client_link.asked"
    CLIENT_LINK_DECLINED = "client_link.declined"
    CLIENT_LINK_INVITED = "client_link.invited"
    CLIENT_LINK_WITHDRAWN = "client_link.withdrawn"

    CLIENT_USER_JOINED = "client_user.joined"

    DISPATCH_DONE = "dispatch.done"
    DISPATCH_FAILED = "dispatch.failed"
    DISPATCH_REQUESTED = "dispatch.requested"

    DISPATCH_POLICY_ADOPTED = "dispatch_policy.adopted"

    INVITATION_CLIENT_USER_ACCEPTED = "invitation.client_user.accepted"
    INVITATION_CLIENT_USER_SENT = "invitation.client_user.sent"

    JOB_CREATED = "job.created"
    JOB_STATUS_CHANGED = "job.status_changed"
    JOB_UPDATED = "job.updated"

    SHIFT_CANCELLED = "shift.cancelled"
    SHIFT_CREATED = "shift.created"
    SHIFT_UPDATED = "shift.updated"

    TIMESHEET_APPROVED = "timesheet.approved"
    TIMESHEET_AUTO_APPROVED = "timesheet.auto_approved"
    TIMESHEET_DISPUTED = "timesheet.disputed"
    TIMESHEET_REJECTED = "timesheet.rejected"
    TIMESHEET_SUBMITTED = "timesheet.submitted"


# A claim taken: the status it got.
CLAIM_TAKEN = {
    "claimed": JobAction.CLAIM_CLAIMED,
    "confirmed": JobAction.CLAIM_CONFIRMED,
    "waitlisted": JobAction.CLAIM_WAITLISTED,
}
CLIENT_LINK_ANSWERED = {
    "accepted": JobAction.CLIENT_LINK_ACCEPTED,
    "declined": JobAction.CLIENT_LINK_DECLINED,
}
