"""The lifecycles of the right to challenge, as tables (see ``werkstation.lifecycle``).

Tender: a draft is published (open for bids); the window closes at the deadline; the
municipality awards one bid or none.

Bid: a draft is submitted or withdrawn; a submitted bid may still be withdrawn while the
window is open, or is awarded or not chosen. A draft not submitted when the window
closes lapses (withdrawn).

Challenge: submitted → accepted, rejected, or accepted with changes (awaiting the
cooperative's consent: accepted, or withdrawn when it does not agree).

Contract: running until its period ends.
"""

from __future__ import annotations

from werkstation.lifecycle import Lifecycle, Stamp, table

from .models import Bid, Challenge, Contract, Tender

T = Tender.Status
TENDER = Lifecycle(
    model="challenges.Tender",
    transitions=table(
        {
            T.DRAFT: [T.OPEN],
            T.OPEN: [T.CLOSED],
            T.CLOSED: [T.AWARDED, T.NOT_AWARDED],
            T.AWARDED: [],
            T.NOT_AWARDED: [],
        }
    ),
    stamps={
        T.OPEN: Stamp(at="published_at"),
        T.AWARDED: Stamp(at="decided_at"),
        T.NOT_AWARDED: Stamp(at="decided_at"),
    },
)

B = Bid.Status
BID = Lifecycle(
    model="challenges.Bid",
    transitions=table(
        {
            B.DRAFT: [B.SUBMITTED, B.WITHDRAWN],
            B.SUBMITTED: [B.AWARDED, B.REJECTED, B.WITHDRAWN],
            B.AWARDED: [],
            B.REJECTED: [],
            B.WITHDRAWN: [],
        }
    ),
    stamps={B.SUBMITTED: Stamp(at="submitted_at", by="submitted_by")},
)

C = Challenge.Status
CHALLENGE = Lifecycle(
    model="challenges.Challenge",
    transitions=table(
        {
            C.SUBMITTED: [C.ACCEPTED, C.REJECTED, C.MODIFICATION_PROPOSED],
            C.MODIFICATION_PROPOSED: [C.ACCEPTED, C.WITHDRAWN],
            C.ACCEPTED: [],
            C.REJECTED: [],
            C.WITHDRAWN: [],
        }
    ),
    stamps={
        C.ACCEPTED: Stamp(at="decided_at", by="decided_by"),
        C.REJECTED: Stamp(at="decided_at", by="decided_by"),
        C.MODIFICATION_PROPOSED: Stamp(at="decided_at", by="decided_by"),
    },
)

K = Contract.Status
CONTRACT = Lifecycle(
    model="challenges.Contract",
    transitions=table({K.ACTIVE: [K.ENDED], K.ENDED: []}),
)
