"""The cooperative's registrations as a lender of labour, and the warning while its admission
under the Wtta (Wet toelating terbeschikkingstelling van arbeidskrachten) is not recorded.

From ``WTTA_WARN_FROM`` on, the board sees a banner on its pages and gets a weekly e-mail
while ``Cooperative.wtta_number`` is empty; from ``WTTA_MANDATORY_FROM`` the admission is
mandatory and the warning says that lending labour without it is not allowed
(docs/money.md, "Registrations on every labour invoice"; the dates are **verify**).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.models import Cooperative

from .approvals import board_notify

WTTA_WARN_FROM = date(2026, 10, 1)
WTTA_MANDATORY_FROM = date(2027, 1, 1)
DUE, MANDATORY = "due", "mandatory"


def _today() -> date:
    return timezone.localdate()


def wtta_warning(cooperative: Cooperative, today: date | None = None) -> str | None:
    """None, ``DUE`` (admission needed from 1 January 2027) or ``MANDATORY`` (needed now)."""
    today = today or _today()
    if cooperative.wtta_number or today < WTTA_WARN_FROM:
        return None
    return MANDATORY if today >= WTTA_MANDATORY_FROM else DUE


def wtta_warning_text(level: str | None) -> str:
    if level == MANDATORY:
        return _(
            "No Wtta admission number is recorded. Since 1 January 2027 only admitted lenders "
            "may lend labour, and clients may only hire from them: record the admission number "
            "in the cooperative's settings now, or stop lending labour."
        )
    return _(
        "No Wtta admission number is recorded. From 1 January 2027 only admitted lenders may "
        "lend labour: apply for admission and record its number in the cooperative's settings."
    )


@transaction.atomic
def wtta_warnings_send(*, today: date | None = None) -> int:
    """Beat, weekly: every board without a recorded admission hears it. Returns how many
    cooperatives were warned."""
    today = today or _today()
    if today < WTTA_WARN_FROM:
        return 0
    warned = 0
    for cooperative in Cooperative.objects.filter(wtta_number=""):
        level = wtta_warning(cooperative, today)

        def lines(level: str | None = level) -> list[str]:
            return [wtta_warning_text(level)]

        board_notify(
            cooperative=cooperative,
            subject=gettext_lazy("Wtta admission: no admission number recorded"),
            lines=lines,
        )
        warned += 1
    return warned
