"""The audit actions of tenders, bids, challenges and contracts.

The value is what ``AuditEntry.action`` stores; existing rows and readers depend on it,
so a value never changes (add a member instead).
"""

from enum import StrEnum

from werkstation.audit import audit_actions_register


@audit_actions_register
class ChallengeAction(StrEnum):
    BID_AWARDED = "bid.awarded"
    BID_CAPACITY_CHECKED = "bid.capacity_checked"
    BID_CREATED = "bid.created"
    BID_LAPSED = "bid.lapsed"
    BID_REJECTED = "bid.rejected"
    BID_SCORED = "bid.scored"
    BID_SUBMITTED = "bid.submitted"
    BID_UPDATED = "bid.updated"
    BID_WITHDRAWN = "bid.withdrawn"

    CHALLENGE_ACCEPTED = "challenge.accepted"
    CHALLENGE_CONSENT = "challenge.consent"
    CHALLENGE_MODIFICATION_PROPOSED = "challenge.modification_proposed"
    CHALLENGE_REJECTED = "challenge.rejected"
    CHALLENGE_SUBMITTED = "challenge.submitted"

    CONTRACT_AMENDED = "contract.amended"
    CONTRACT_BUDGET_EXHAUSTED = "contract.budget_exhausted"
    CONTRACT_BUDGET_WARNING = "contract.budget_warning"
    CONTRACT_CREATED = "contract.created"
    CONTRACT_ENDED = "contract.ended"
    CONTRACT_SHIFTS_GENERATED = "contract.shifts_generated"

    TARGET_GROUP_RECORDED = "target_group.recorded"

    TENDER_AWARDED = "tender.awarded"
    TENDER_CLOSED = "tender.closed"
    TENDER_CREATED = "tender.created"
    TENDER_NOT_AWARDED = "tender.not_awarded"
    TENDER_PUBLISHED = "tender.published"


CHALLENGE_DECIDED = {
    "accepted": ChallengeAction.CHALLENGE_ACCEPTED,
    "modification_proposed": ChallengeAction.CHALLENGE_MODIFICATION_PROPOSED,
    "rejected": ChallengeAction.CHALLENGE_REJECTED,
}
BID_DECIDED = {
    "awarded": ChallengeAction.BID_AWARDED,
    "rejected": ChallengeAction.BID_REJECTED,
}
TENDER_DECIDED = {
    "awarded": ChallengeAction.TENDER_AWARDED,
    "not_awarded": ChallengeAction.TENDER_NOT_AWARDED,
}
