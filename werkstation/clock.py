"""Status the clock decides: a model says what its status is at a moment (``status_at(now)``),
and readers — pages, API outputs, permission checks — use ``effective_status``, so nothing waits
for a beat run to see a deadline pass. Beat only stores the status and does the follow-ups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from datetime import datetime

    from django.db import models


class _Clocked(Protocol):
    """What the mixin needs of the model it is mixed into."""

    @property
    def Status(self) -> type[models.TextChoices]: ...  # noqa: N802 - the model's Status class

    @property
    def effective_status(self) -> str: ...

    def status_at(self, now: datetime | None = None) -> str: ...


class ClockStatus:
    """Mixin for a model with a ``status`` field (``Status`` choices) that defines
    ``status_at(now=None)``: Tender, Bid, Offer and Claim."""

    @property
    def effective_status(self: _Clocked) -> str:
        return self.status_at()

    def get_effective_status_display(self: _Clocked) -> str:
        return str(self.Status(self.effective_status).label)
