"""The lifecycles of the work, as tables (see ``werkstation.lifecycle``).

Job: draft → open → in progress → completed / cancelled.

Claim: a member claims a shift (claimed, or confirmed at once where the job confirms
automatically, or waitlisted when it is full: ``shift_claim`` creates the claim, or takes
up a withdrawn or rejected one again). The manager confirms a claim, rejects it or marks a
no-show; the member withdraws. A slot freed goes to the head of the waitlist as an offer,
which the member accepts or lets go. Approved hours complete the claim (a no-show whose
hours are approved after all too). Cancelling a shift withdraws its claims all at once
(``jobs.services.jobs._cancel_shifts``, one UPDATE for the lot).

Timesheet: submitted hours are approved or disputed; the board approves or rejects a
disputed one.

Offer (dispatch): an open offer is accepted, declined, lapses (the shift can no longer
be the member's) or expires.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from werkstation.errors import Conflict
from werkstation.lifecycle import Lifecycle, Stamp, table

from .models import Claim, Job, Offer, Timesheet

S = Job.Status
JOB = Lifecycle(
    model="jobs.Job",
    transitions=table(
        {
            S.DRAFT: [S.OPEN, S.CANCELLED],
            S.OPEN: [S.IN_PROGRESS, S.COMPLETED, S.CANCELLED],
            S.IN_PROGRESS: [S.COMPLETED, S.CANCELLED],
            S.COMPLETED: [],
            S.CANCELLED: [],
        }
    ),
    refusal=gettext_lazy("A job that is %(current)s cannot become %(target)s."),
)
TRANSITIONS = JOB.transitions


def check_transition(job: Job, to: str) -> None:
    if not JOB.allows(job.status, to):
        raise Conflict(
            _("A job that is %(current)s cannot become %(target)s.")
            % {"current": S(job.status).label, "target": S(to).label},
            code="invalid_transition",
            field="status",
        )


C = Claim.Status
HOLDING = [C.CLAIMED, C.CONFIRMED]
CLAIM = Lifecycle(
    model="jobs.Claim",
    transitions=table(
        {
            C.CLAIMED: [C.CONFIRMED, C.WITHDRAWN, C.REJECTED, C.NO_SHOW, C.COMPLETED],
            C.CONFIRMED: [C.WITHDRAWN, C.REJECTED, C.NO_SHOW, C.COMPLETED],
            C.WAITLISTED: [C.OFFERED, C.WITHDRAWN, C.REJECTED],
            C.OFFERED: [C.CLAIMED, C.CONFIRMED, C.WITHDRAWN, C.REJECTED],
            # Claimed again (shift_claim takes the row up again); hours approved after
            # all complete the claim, whatever became of it after they were logged.
            C.WITHDRAWN: [C.CLAIMED, C.CONFIRMED, C.WAITLISTED, C.COMPLETED],
            C.REJECTED: [C.CLAIMED, C.CONFIRMED, C.WAITLISTED, C.COMPLETED],
            C.COMPLETED: [],
            C.NO_SHOW: [C.COMPLETED],
        }
    ),
    stamps={C.CONFIRMED: Stamp(at="confirmed_at")},
)

T = Timesheet.Status
TIMESHEET = Lifecycle(
    model="jobs.Timesheet",
    transitions=table(
        {
            T.SUBMITTED: [T.APPROVED, T.DISPUTED],
            T.DISPUTED: [T.APPROVED, T.REJECTED],
            T.APPROVED: [],
            T.REJECTED: [],
        }
    ),
    stamps={
        T.APPROVED: Stamp(at="decided_at", by="decided_by"),
        T.REJECTED: Stamp(at="decided_at", by="decided_by"),
    },
)

O = Offer.Status  # noqa: E741
OFFER = Lifecycle(
    model="jobs.Offer",
    transitions=table(
        {
            O.OPEN: [O.ACCEPTED, O.DECLINED, O.LAPSED, O.EXPIRED],
            O.ACCEPTED: [],
            O.DECLINED: [],
            O.LAPSED: [],
            O.EXPIRED: [],
        }
    ),
    stamps={
        O.ACCEPTED: Stamp(at="responded_at"),
        O.DECLINED: Stamp(at="responded_at"),
        O.LAPSED: Stamp(at="responded_at"),
    },
)
