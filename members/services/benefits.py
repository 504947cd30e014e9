"""A member's benefit (bijstand) arrangement: recorded, changed and removed by the member only.

The arrangement is as private as an IBAN: no role reads it (not the board, not the
treasurer); it is in the member's data export and goes with the erasure. The room it
leaves this month is worked out in ``payouts.selectors.benefit_room``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from members.audit_actions import MemberAction
from members.models import BenefitArrangement, User
from werkstation.audit import audit_record
from werkstation.errors import ValidationFailed
from werkstation.locks import lock_first
from werkstation.money import format_money

MAX_MONTHS = 60
MAX_MONTHLY_CENTS = 999_999_999  # what the profile form's field holds, within the column
EARLIEST_START = date(2000, 1, 1)
MAX_START_AHEAD = timedelta(days=5 * 366)
REMIND_DAYS_BEFORE_END = 30


def benefit_arrangement_of(user: User) -> BenefitArrangement | None:
    """The member's own arrangement (only ever called for the member themselves)."""
    return BenefitArrangement.objects.filter(user=user).first()


def _int(value: Any, field: str, message: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(message, field=field) from None


def _validated(fields: dict[str, Any]) -> dict[str, Any]:
    share_message = _("Enter the share you may keep, from 1 to 100 percent.")
    keep = _int(fields.get("keep_percent"), "keep_percent", share_message)
    if not 1 <= keep <= 100:
        raise ValidationFailed(share_message, field="keep_percent")
    maximum_message = _("Enter a monthly maximum above zero.")
    maximum = _int(fields.get("monthly_max_cents"), "monthly_max_cents", maximum_message)
    if maximum <= 0:
        raise ValidationFailed(maximum_message, field="monthly_max_cents")
    if maximum > MAX_MONTHLY_CENTS:
        raise ValidationFailed(
            _("Enter a monthly maximum of at most %(most)s.")
            % {"most": format_money(MAX_MONTHLY_CENTS, "EUR", get_language())},
            field="monthly_max_cents",
        )
    months_message = _("Enter the number of months, from 1 to %(most)s.") % {"most": MAX_MONTHS}
    months = _int(fields.get("months"), "months", months_message)
    if not 1 <= months <= MAX_MONTHS:
        raise ValidationFailed(months_message, field="months")
    starts_on = fields.get("starts_on")
    if isinstance(starts_on, str) and starts_on:
        try:
            starts_on = date.fromisoformat(starts_on)
        except ValueError:
            starts_on = None
    if not isinstance(starts_on, date):
        raise ValidationFailed(_("Enter the date the arrangement starts."), field="starts_on")
    # A date far off would break the month arithmetic (year 10000) of every reader:
    # dispatch, plan my week and the reminders read all members' arrangements.
    if not EARLIEST_START <= starts_on <= timezone.localdate() + MAX_START_AHEAD:
        raise ValidationFailed(
            _("Enter a start date from 2000 on and at most five years ahead."), field="starts_on"
        )
    municipality = str(fields.get("municipality") or "").strip()
    if len(municipality) > 100:
        raise ValidationFailed(
            _("Keep the municipality under 100 characters."), field="municipality"
        )
    return {
        "keep_percent": keep,
        "monthly_max_cents": maximum,
        "months": months,
        "starts_on": starts_on,
        "municipality": municipality,
    }


@transaction.atomic
def benefit_arrangement_set(*, user: User, fields: dict[str, Any]) -> BenefitArrangement:
    """Record or change the member's arrangement. A new period may be reminded of again."""
    values = _validated(fields)
    arrangement: BenefitArrangement | None = lock_first(
        BenefitArrangement.objects.filter(user=user)
    )
    if arrangement is None:
        arrangement = BenefitArrangement(user=user, **values)
    else:
        if (arrangement.starts_on, arrangement.months) != (values["starts_on"], values["months"]):
            arrangement.reminded_at = None
        for name, value in values.items():
            setattr(arrangement, name, value)
    arrangement.save()
    # No amounts in the audit trail: the board reads it.
    audit_record(
        actor=user, action=MemberAction.BENEFIT_ARRANGEMENT_SET, target=arrangement, data={}
    )
    return arrangement


@transaction.atomic
def benefit_arrangement_delete(*, user: User) -> bool:
    deleted, _rows = BenefitArrangement.objects.filter(user=user).delete()
    if deleted:
        audit_record(actor=user, action=MemberAction.BENEFIT_ARRANGEMENT_DELETED, data={})
    return bool(deleted)


def export_benefit_arrangement(user: User) -> dict[str, Any] | None:
    arrangement = benefit_arrangement_of(user)
    if arrangement is None:
        return None
    return {
        "keep_percent": arrangement.keep_percent,
        "monthly_max_cents": arrangement.monthly_max_cents,
        "starts_on": arrangement.starts_on.isoformat(),
        "months": arrangement.months,
        "municipality": arrangement.municipality,
        "reminded_at": arrangement.reminded_at.isoformat() if arrangement.reminded_at else None,
    }


def last_day_of(arrangement: BenefitArrangement) -> date:
    """The last day of the arrangement's last month."""
    return (arrangement.last_month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def ends_soon(arrangement: BenefitArrangement, today: date) -> bool:
    return today <= last_day_of(arrangement) <= today + timedelta(days=REMIND_DAYS_BEFORE_END)


def benefit_arrangement_reminders_send(*, today: date | None = None) -> int:
    """E-mail members whose arrangement ends within ``REMIND_DAYS_BEFORE_END`` days, once per
    arrangement period: ``reminded_at`` is set by a conditional update, so of two runs at
    once only one sends (a changed period clears it)."""
    from werkstation.notify import email_user_on_commit

    today = today or timezone.localdate()
    sent = 0
    for arrangement in BenefitArrangement.objects.filter(reminded_at__isnull=True).select_related(
        "user"
    ):
        if not ends_soon(arrangement, today):
            continue
        with transaction.atomic():
            claimed = BenefitArrangement.objects.filter(
                pk=arrangement.pk, reminded_at__isnull=True
            ).update(reminded_at=timezone.now())
            if not claimed:
                continue
            user = arrangement.user
            email_user_on_commit(
                to=user.email,
                language=user.preferred_language,
                subject=gettext_lazy("Your benefit arrangement ends soon"),
                template="members/email/benefit_arrangement_ends.txt",
                context={
                    "last_day": last_day_of(arrangement),
                    "municipality": arrangement.municipality,
                },
            )
            audit_record(
                actor=None, action=MemberAction.BENEFIT_ARRANGEMENT_REMINDED, target=arrangement
            )
            sent += 1
    return sent
