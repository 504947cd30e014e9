"""The job lifecycle, in one place: draft → open → in progress → completed / cancelled."""

from __future__ import annotations

from django.utils.translation import gettext as _

from werkstation.errors import Conflict

from .models import Job

S = Job.Status
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.OPEN, S.CANCELLED},
    S.OPEN: {S.IN_PROGRESS, S.COMPLETED, S.CANCELLED},
    S.IN_PROGRESS: {S.COMPLETED, S.CANCELLED},
    S.COMPLETED: set(),
    S.CANCELLED: set(),
}


def check_transition(job: Job, to: str) -> None:
    if to not in TRANSITIONS.get(job.status, set()):
        raise Conflict(
            _("A job that is %(current)s cannot become %(target)s.")
            % {"current": S(job.status).label, "target": S(to).label},
            code="invalid_transition",
            field="status",
        )
