"""The outbox topics ``jobs`` emits (see ``werkstation/outbox.py``).

Each is named once here and used at every ``outbox_emit`` and ``outbox_register``; the
value is what the outbox rows store, so it never changes. Handlers in higher apps
(``payouts``) register for these topics too.
"""

from enum import StrEnum


class Topic(StrEnum):
    # A timesheet was approved (by the client or automatically): the member hears it
    # (``jobs.tasks.timesheet_approved``) and the hours are settled
    # (``payouts.tasks.settle_timesheet``). Payload: ``{"timesheet_id": int}``.
    TIMESHEET_APPROVED = "timesheet.approved"
    # The board asked for a dispatch run (``jobs.tasks.dispatch_run``).
    # Payload: ``{"run_id": int}``.
    DISPATCH_REQUESTED = "dispatch.requested"
