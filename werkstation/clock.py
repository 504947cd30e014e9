"""Status the clock decides: a model says what its status is at a moment (``status_at(now)``),
and readers — pages, API outputs, permission checks — use ``effective_status``, so nothing waits
for a beat run to see a deadline pass. Beat only stores the status and does the follow-ups."""

from __future__ import annotations


class ClockStatus:
    """Mixin for a model with a ``status`` field (``Status`` choices) that defines
    ``status_at(now=None)``: Tender, Bid, Offer and Claim."""

    @property
    def effective_status(self) -> str:
        return self.status_at()  # type: ignore[attr-defined]

    def get_effective_status_display(self) -> str:
        return str(self.Status(self.effective_status).label)  # type: ignore[attr-defined]
