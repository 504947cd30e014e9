"""The lifecycles of membership and proposal, as tables (see ``werkstation.lifecycle``).

Membership: apply → admitted (active) or rejected; an active member may be suspended and
reinstated; anyone leaves (or is erased, which ends every membership). A former or
rejected member may apply again. Accepting a board invitation makes the person an active
board member whatever their membership was (``accept_board_invitation``: an upsert, not
a step of this table).

Proposal: a draft is opened for voting or withdrawn; the clock closes an open vote with
its outcome.
"""

from __future__ import annotations

from werkstation.lifecycle import Lifecycle, Stamp, table

from .models import Membership, Proposal

M = Membership.Status
MEMBERSHIP = Lifecycle(
    model="members.Membership",
    transitions=table(
        {
            M.APPLIED: [M.ACTIVE, M.REJECTED, M.LEFT],
            M.ACTIVE: [M.SUSPENDED, M.LEFT],
            M.SUSPENDED: [M.ACTIVE, M.LEFT],
            M.LEFT: [M.APPLIED],
            # Applying again; erasing the account ends a rejected membership too.
            M.REJECTED: [M.APPLIED, M.LEFT],
        }
    ),
    stamps={
        M.ACTIVE: Stamp(at="decided_at", by="decided_by"),
        M.REJECTED: Stamp(at="decided_at", by="decided_by"),
        M.LEFT: Stamp(at="left_at"),
    },
)

P = Proposal.Status
PROPOSAL = Lifecycle(
    model="members.Proposal",
    transitions=table(
        {
            P.DRAFT: [P.OPEN, P.WITHDRAWN],
            P.OPEN: [P.ADOPTED, P.REJECTED, P.FAILED_QUORUM],
            P.ADOPTED: [],
            P.REJECTED: [],
            P.FAILED_QUORUM: [],
            P.WITHDRAWN: [],
        }
    ),
    stamps={P.OPEN: Stamp(at="opens_at")},
)
