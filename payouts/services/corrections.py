"""Corrections, always as new ledger entries: never an edit.

A correction to an approved timesheet reverses its split (negated amounts, pointing at
the split it reverses, with a reversing ledger transaction that also undoes what was
withheld above a volunteer's maximums or advanced by the fund) and settles the corrected
minutes as a new split under the rule set that was in force on the work date, capped and
advanced as the settlement run would.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext as _

from jobs.models import Timesheet
from members.access import require_role
from members.models import Membership, User
from payouts import rules
from payouts.audit_actions import PayoutAction
from payouts.models import Account, Split
from payouts.selectors import entries_of_splits, money_settings_of
from werkstation.audit import audit_record
from werkstation.engagements import Engagement
from werkstation.errors import Conflict, ValidationFailed
from werkstation.locks import lock_cooperatives, lock_get, lock_where
from werkstation.money import to_minor

from .ledger import AccountBook, Posting, payable_kind, write_postings
from .settlement import (
    COOP_FUND,
    AdvanceRoom,
    SettlementAccounts,
    VolunteerAllowance,
    gross_cents,
    is_reverse_charged,
    lock_volunteers,
    reverse_charge_categories,
    settlement_postings,
    split_row,
    vat_cents,
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


def reverse_splits(
    book: AccountBook,
    originals: list[Split],
    *,
    released: list[bool],
    kind: str,
    descriptions: list[str],
) -> list[Split]:
    """Reversal splits (negated amounts, also what was withheld and advanced) and one ledger
    transaction each (``split:<reversal>``) that undoes ``split``, ``withheld`` and
    ``advance`` of the original. Used by corrections and by credit notes for lines.

    Where the original's share was *released* (the client's payment covered it): for a
    plain share, what the negated legs take off *earned* (the member part of member +
    withheld) comes off *payable* instead, since the release moved it there; for an advanced
    share the release repaid the fund already, so the loan is not returned twice and only
    the payable is taken back.
    """
    reversals = Split.objects.bulk_create(
        [
            Split(
                timesheet_id=s.timesheet_id,
                cooperative_id=s.cooperative_id,
                member_id=s.member_id,
                rule_set_id=s.rule_set_id,
                job_id=s.job_id,
                kind=Split.Kind.REVERSAL,
                reverses=s,
                work_date=s.work_date,
                minutes=s.minutes,
                gross_cents=-s.gross_cents,
                vat_cents=-s.vat_cents,
                vat_reverse_charged=s.vat_reverse_charged,
                member_cents=-s.member_cents,
                pots={slug: -c for slug, c in s.pots.items()},
                month_gross_before_cents=s.month_gross_before_cents,
                withheld_cents=-s.withheld_cents,
                advanced_cents=-s.advanced_cents,
                withheld_reason=s.withheld_reason,
                engagement=s.engagement,
            )
            for s in originals
        ]
    )
    legs_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for split_id, account_id, cents in entries_of_splits([s.pk for s in originals]):
        legs_of[split_id].append((account_id, -cents))
    postings: list[Posting] = []
    for original, reversal, was_released, description in zip(
        originals, reversals, released, descriptions, strict=True
    ):
        legs: dict[int, int] = {}  # by account, netted
        for account_id, cents in legs_of[original.pk]:
            legs[account_id] = legs.get(account_id, 0) + cents
        member, moved = original.member_id, original.member_cents
        if was_released and original.advanced_cents:
            moved = original.advanced_cents
            fund, advanced = book.id(K.FUND, COOP_FUND), book.id(K.ADVANCED, COOP_FUND)
            legs[fund] = legs.get(fund, 0) + moved
            legs[advanced] = legs.get(advanced, 0) - moved
        elif was_released:
            earned = book.id(K.EARNED, member)
            payable = book.id(payable_kind(original.engagement), member)
            legs[earned] = legs.get(earned, 0) - moved
            legs[payable] = legs.get(payable, 0) + moved
        postings.append((kind, f"split:{reversal.pk}", description, list(legs.items())))
    write_postings(book.cooperative_id, postings)
    return reversals


@transaction.atomic
def timesheet_correct(
    *, actor: User, timesheet_id: int, minutes_worked: int, break_minutes: int, reason: str
) -> Split:
    # The lock order (werkstation.locks): the cooperative (its fund may advance the share)
    # and the member's membership (their volunteer maximums) before the hours.
    owner = (
        Timesheet.objects.filter(pk=timesheet_id)
        .values_list("claim__shift__cooperative_id", "claim__user_id")
        .first()
    )
    if owner is not None:
        lock_cooperatives([owner[0]])
        lock_where(Membership.objects.filter(cooperative_id=owner[0], user_id=owner[1]))
    timesheet: Timesheet = lock_get(
        "jobs.Timesheet",
        timesheet_id,
        select_related=("claim__shift__job__client", "claim__shift__cooperative"),
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
        raise Conflict(
            _("These hours are not settled yet; change them before approval instead."),
            code="not_settled",
            field="timesheet",
        )
    if original is not None and hasattr(original, "invoice_line"):
        raise Conflict(
            _("These hours are on an invoice: issue a credit note first."),
            code="invoiced",
            field="timesheet",
        )
    book = AccountBook(cooperative.pk)
    if original is not None:
        reverse_splits(
            book,
            [original],
            released=[False],
            kind="reversal",
            descriptions=[f"Reversal of split {original.pk}"],
        )
    else:
        original = credited
    assert original is not None  # refused above when neither split was found
    minutes = minutes_worked - break_minutes
    gross = gross_cents(to_minor(timesheet.claim.shift.job.client_tariff.amount), minutes)
    engine = rules.parse_rule_set(original.rule_set.spec)
    result = rules.split_item(
        engine,
        rules.Item(
            id=str(timesheet.pk),
            gross_cents=gross,
            minutes=minutes,
            category=timesheet.claim.shift.job.category,
            client_kind=timesheet.claim.shift.job.client.kind,
            month_gross_before_cents=original.month_gross_before_cents,
        ),
    )
    member_cents, withheld, reason = result.member_cents, 0, ""
    if original.engagement == Engagement.VOLUNTEER:
        lock_volunteers(cooperative.pk, {original.member_id})
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
    job = timesheet.claim.shift.job
    reverse_charged = is_reverse_charged(
        reverse_charge_categories(cooperative.pk), job.category, job.client.vat_number
    )
    corrected = Split.objects.create(
        timesheet=timesheet,
        cooperative=cooperative,
        member_id=original.member_id,
        rule_set=original.rule_set,
        job_id=original.job_id,
        kind=Split.Kind.CORRECTION,
        work_date=original.work_date,
        minutes=minutes,
        gross_cents=gross,
        vat_cents=0 if reverse_charged else vat_cents(gross, cooperative.vat_rate),
        vat_reverse_charged=reverse_charged,
        member_cents=member_cents,
        pots=result.pots,
        month_gross_before_cents=original.month_gross_before_cents,
        withheld_cents=withheld,
        advanced_cents=advanced,
        withheld_reason=reason,
        engagement=original.engagement,
    )
    write_postings(
        cooperative.pk,
        settlement_postings(
            SettlementAccounts(book),
            corrected.pk,
            split_row(corrected),
            timesheet.claim.shift.job.client_id,
        ),
    )
    Timesheet.objects.filter(pk=timesheet.pk).update(
        minutes_worked=minutes_worked, break_minutes=break_minutes
    )
    audit_record(
        actor=actor,
        action=PayoutAction.TIMESHEET_CORRECTED,
        target=timesheet,
        cooperative_id=cooperative.pk,
        data={"reason": reason.strip(), "from_split": original.pk, "to_split": corrected.pk},
    )
    return corrected
