"""Corrections, always as new ledger entries: never an edit.

A correction to an approved timesheet reverses its split (negated amounts, pointing at
the split it reverses, with a reversing ledger transaction that also undoes what was
withheld above a volunteer's maximums or advanced by the fund) and settles the corrected
minutes as a new split under the rule set that was in force on the work date, capped and
advanced as the settlement run would.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from jobs.models import Timesheet
from members.access import require_role
from werkstation.audit import audit_record
from werkstation.errors import Conflict, ValidationFailed

from .. import rules
from ..models import Account, Split
from ..selectors import entries_of_split, money_settings_of
from .ledger import AccountBook, Leg, post, write_postings
from .settlement import (
    COOP_FUND,
    AdvanceRoom,
    VolunteerAllowance,
    gross_cents,
    settlement_postings,
    vat_cents,
    volunteers_of,
)

K = Account.Kind


def _current_split(timesheet: Timesheet) -> Split | None:
    """The split that counts now: the latest settlement or correction not reversed."""
    return (
        Split.objects.filter(
            timesheet=timesheet, kind__in=[Split.Kind.SETTLEMENT, Split.Kind.CORRECTION]
        )
        .filter(reversed_by__isnull=True)
        .order_by("-id")
        .first()
    )


def _reverse(original: Split, timesheet: Timesheet, cooperative) -> Split:
    """A reversal split (negated amounts) and the negated ledger legs of ``original``:
    its own posting and what was withheld above a volunteer's maximums or advanced."""
    reversal = Split.objects.create(
        timesheet=timesheet, cooperative=cooperative, member_id=original.member_id, rule_set=original.rule_set,
        kind=Split.Kind.REVERSAL, reverses=original, work_date=original.work_date, minutes=original.minutes,
        gross_cents=-original.gross_cents, vat_cents=-original.vat_cents, member_cents=-original.member_cents,
        pots={slug: -cents for slug, cents in original.pots.items()},
        month_gross_before_cents=original.month_gross_before_cents, withheld_cents=-original.withheld_cents,
        advanced_cents=-original.advanced_cents, withheld_reason=original.withheld_reason,
    )  # fmt: skip
    original_legs = entries_of_split(original)
    post(cooperative.pk, kind="reversal", reference=f"split:{reversal.pk}", description=f"Reversal of split {original.pk}",
         legs=[Leg(e.account, -e.amount_cents) for e in original_legs])  # fmt: skip
    return reversal


@transaction.atomic
def timesheet_correct(
    *, actor, timesheet_id: int, minutes_worked: int, break_minutes: int, reason: str
) -> Split:
    timesheet = (
        Timesheet.objects.select_for_update(of=("self",))
        .select_related("claim__shift__job__client", "claim__shift__cooperative")
        .get(pk=timesheet_id)
    )
    cooperative = timesheet.claim.shift.cooperative
    require_role(actor, cooperative, "board", "treasurer")
    if not (reason or "").strip():
        raise ValidationFailed(
            _("Say why the hours are corrected."), code="required", field="reason"
        )
    if break_minutes < 0 or minutes_worked <= break_minutes:
        raise ValidationFailed(
            _("The break must be shorter than the time worked."), field="break_minutes"
        )
    original = _current_split(timesheet)
    # A credit note that took these hours off an invoice reversed their split already:
    # the corrected hours then settle anew (and go on the next invoice).
    credited = (
        None
        if original is not None
        else Split.objects.filter(timesheet=timesheet, invoice_line__credit_line__isnull=False)
        .order_by("-id")
        .first()
    )
    if original is None and credited is None:
        raise Conflict(_("These hours are not settled yet; change them before approval instead."),
                       code="not_settled", field="timesheet")  # fmt: skip
    if original is not None and hasattr(original, "invoice_line"):
        raise Conflict(
            _("These hours are on an invoice: issue a credit note first."),
            code="invoiced",
            field="timesheet",
        )
    book = AccountBook(cooperative.pk)
    if original is not None:
        _reverse(original, timesheet, cooperative)
    else:
        original = credited
    minutes = minutes_worked - break_minutes
    gross = gross_cents(int(timesheet.claim.shift.job.client_tariff.amount * 100), minutes)
    engine = rules.parse_rule_set(original.rule_set.spec)
    result = rules.split_item(engine, rules.Item(
        id=str(timesheet.pk), gross_cents=gross, minutes=minutes, category=timesheet.claim.shift.job.category,
        client_kind=timesheet.claim.shift.job.client.kind, month_gross_before_cents=original.month_gross_before_cents,
    ))  # fmt: skip
    member_cents, withheld, reason = result.member_cents, 0, ""
    if volunteers_of(cooperative.pk, {original.member_id}):
        allowance = VolunteerAllowance.load(
            cooperative.pk,
            money_settings_of(cooperative.pk),
            {original.member_id},
            original.work_date,
        )
        member_cents, withheld, reason = allowance.cap(
            original.member_id, original.work_date, member_cents
        )
    advanced = 0
    if original.rule_set.allow_advances:
        advanced = AdvanceRoom.load(book).take(
            original.rule_set, member_cents, result.pots.get(COOP_FUND, 0) + withheld
        )
    corrected = Split.objects.create(
        timesheet=timesheet, cooperative=cooperative, member_id=original.member_id, rule_set=original.rule_set,
        kind=Split.Kind.CORRECTION, work_date=original.work_date, minutes=minutes, gross_cents=gross,
        vat_cents=vat_cents(gross, cooperative.vat_rate), member_cents=member_cents, pots=result.pots,
        month_gross_before_cents=original.month_gross_before_cents, withheld_cents=withheld,
        advanced_cents=advanced, withheld_reason=reason,
    )  # fmt: skip
    values = {field: getattr(corrected, field) for field in ("timesheet_id", "member_id", "kind", "gross_cents",
              "vat_cents", "member_cents", "withheld_cents", "advanced_cents", "pots")}  # fmt: skip
    write_postings(
        cooperative.pk,
        settlement_postings(book, corrected.pk, values, timesheet.claim.shift.job.client_id),
    )
    Timesheet.objects.filter(pk=timesheet.pk).update(
        minutes_worked=minutes_worked, break_minutes=break_minutes
    )
    audit_record(actor=actor, action="timesheet.corrected", target=timesheet, cooperative_id=cooperative.pk,
                 data={"reason": reason.strip(), "from_split": original.pk, "to_split": corrected.pk})  # fmt: skip
    return corrected
