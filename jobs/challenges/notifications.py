"""E-mails of the right-to-challenge flow, sent after commit in each person's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from jobs.models import ClientUser
from members.models import Membership, User
from werkstation.notify import email_user_on_commit

SUBJECTS = {
    "tender_published": gettext_lazy("A new tender under the right to challenge"),
    "bid_reminder": gettext_lazy("The submission window of a tender closes soon"),
    "bid_submitted": gettext_lazy("A bid was submitted"),
    "bid_decided": gettext_lazy("The municipality decided on your bid"),
    "decision_reminder": gettext_lazy("A right-to-challenge decision is due soon"),
    "challenge_submitted": gettext_lazy("A cooperative challenges a public task"),
    "challenge_decided": gettext_lazy("The municipality decided on your challenge"),
    "challenge_consented": gettext_lazy("The cooperative answered your proposed changes"),
    "budget_warning": gettext_lazy("A contract has used 80 percent of its budget"),
    "budget_exhausted": gettext_lazy("A contract's budget is used up"),
}


def board_of(cooperative_id: int) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            cooperative_id=cooperative_id, status="active", is_board=True
        ).select_related("user")
    ]


def municipality_users_of(client_id: int) -> list[User]:
    return [cu.user for cu in ClientUser.objects.filter(client_id=client_id).select_related("user")]


def notify(users, *, event: str, context: dict) -> None:
    seen = set()
    for user in users:
        if user.pk in seen or not user.email:
            continue
        seen.add(user.pk)
        email_user_on_commit(
            to=user.email,
            language=user.preferred_language,
            subject=SUBJECTS[event],
            template="challenges/email/notice.txt",
            context={"event": event, "user": user, **context},
        )
