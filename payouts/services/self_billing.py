"""Self-billing ("factureren op verzoek"): the cooperative draws up, in the member's name,
the invoice of each self-employed member for their work in a calendar month.

One invoice per member per cooperative per month, over the member's splits with engagement
``self_employed`` of that month that are on no self-billing invoice yet (settlements,
corrections and reversals alike; each line is the member's share). Running a month again
issues nothing new, except for splits that came after (a late correction): those go on a
new invoice. Numbers are gapless per member: ``SB-<member number>-<year>-<n>``, from a
sequence row locked while issuing.

VAT: a member under the small business scheme (KOR) charges none (the invoice says so).
A member with a VAT number charges the standard rate on top of their share: the
cooperative pays it to them and reclaims it as input VAT, booked at issue as
``self-billing-vat:<invoice>`` (input VAT ← member payable), so the member's next payout
includes it. A member with neither recorded cannot be invoiced: their profile needs one.
"""

from __future__ import annotations

import logging
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.access import require_role
from members.models import Cooperative, Membership, User
from members.services.accounts import profile_of
from payouts.audit_actions import PayoutAction
from payouts.models import Account, SelfBillingInvoice, SelfBillingLine, SelfBillingSequence, Split
from werkstation.audit import audit_record
from werkstation.db.bulk import insert_rows
from werkstation.engagements import Engagement
from werkstation.errors import ApplicationError, ValidationFailed
from werkstation.legal import Key, legal_value
from werkstation.locks import lock_first
from werkstation.money import percent_of

from .invoices import _supplier as cooperative_details
from .ledger import AccountBook, Leg, post

if TYPE_CHECKING:
    from decimal import Decimal

    from django.db.models import QuerySet

logger = logging.getLogger(__name__)
K = Account.Kind
LINE_COLUMNS = ("invoice_id", "split_id", "work_date", "description", "minutes", "amount_cents")


@dataclass
class SelfBillingRun:
    """What issuing a month did: the invoices issued, and the members refused (with why)."""

    issued: list[SelfBillingInvoice] = field(default_factory=list)
    refused: list[tuple[User, ApplicationError]] = field(default_factory=list)


def month_bounds(text: str | date, *, field: str = "month") -> tuple[date, date]:
    """The first and last day of a month given as ``YYYY-MM`` (or a date in it)."""
    if isinstance(text, date):
        start = text.replace(day=1)
    else:
        try:
            year, month = (int(part) for part in str(text or "").strip().split("-"))
            start = date(year, month, 1)
        except ValueError as exc:
            raise ValidationFailed(
                _("Give the month as year and month, for example 2026-11."),
                code="invalid_month",
                field=field,
            ) from exc
    return start, start.replace(day=monthrange(start.year, start.month)[1])


def _open_splits(cooperative: Cooperative, start: date, end: date) -> QuerySet[Split]:
    return Split.objects.filter(
        cooperative=cooperative,
        engagement=Engagement.SELF_EMPLOYED,
        work_date__gte=start,
        work_date__lte=end,
        self_billing_line__isnull=True,
    )


def _vat_terms(member: User, on: date) -> tuple[int | Decimal, bool]:
    """(rate, kor) for the member's invoice, or the error that names what is missing."""
    profile = profile_of(member)
    if profile.kor:
        return 0, True
    if profile.vat_number:
        return legal_value(Key.VAT_STANDARD_PERCENT, on), False
    raise ValidationFailed(
        _(
            "%(name)s has no VAT number and does not use the small business scheme (KOR): "
            "record one of them on their profile before their self-billing invoice is issued."
        )
        % {"name": member.full_name},
        code="vat_number_missing",
        field="vat_number",
    )


def _member_details(member: User, membership: Membership | None) -> dict[str, object]:
    profile = profile_of(member)
    return {
        "name": member.full_name,
        "address": profile.street,
        "postcode_city": f"{profile.postcode} {profile.city}".strip(),
        "kvk": profile.kvk_number,
        "vat_number": profile.vat_number,
        "kor": profile.kor,
        "member_number": membership.member_number if membership else None,
    }


def _issue_for_member(
    *,
    actor: User | None,
    cooperative: Cooperative,
    member: User,
    start: date,
    end: date,
    issued_on: date,
) -> SelfBillingInvoice | None:
    """The member's invoice for the month's splits not yet invoiced; None when there are none."""
    rate, kor = _vat_terms(member, issued_on)
    # Lock the member's number series first: a second run for the same member waits here
    # and then finds the splits already on a line.
    SelfBillingSequence.objects.get_or_create(cooperative=cooperative, member=member)
    sequence = lock_first(
        SelfBillingSequence.objects.filter(cooperative=cooperative, member=member)
    )
    assert sequence is not None  # made just above
    rows = list(
        _open_splits(cooperative, start, end)
        .filter(member=member)
        .order_by("work_date", "id")
        .values_list("id", "work_date", "minutes", "member_cents", "job__title")
    )
    if not rows:
        return None
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    membership = Membership.objects.filter(user=member, cooperative=cooperative).first()
    member_number = (
        membership.member_number if membership and membership.member_number else member.pk
    )
    subtotal = sum(row[3] for row in rows)
    vat = percent_of(subtotal, rate) if rate else 0
    invoice = SelfBillingInvoice.objects.create(
        cooperative=cooperative,
        member=member,
        sequence_number=sequence.last_number,
        number=f"SB-{member_number}-{issued_on.year}-{sequence.last_number:04d}",
        issued_on=issued_on,
        period_start=start,
        period_end=end,
        currency=cooperative.currency,
        vat_rate=rate,
        kor=kor,
        subtotal_cents=subtotal,
        vat_cents=vat,
        total_cents=subtotal + vat,
        supplier=_member_details(member, membership),
        customer=cooperative_details(cooperative),
        issued_by=actor,
    )
    insert_rows(
        SelfBillingLine,
        LINE_COLUMNS,
        (
            (invoice.pk, split_id, work_date, (title or "")[:250], minutes, cents)
            for split_id, work_date, minutes, cents, title in rows
        ),
    )
    if vat:
        # The cooperative pays the member the VAT on top of their share, and reclaims it.
        book = AccountBook(cooperative.pk)
        post(
            cooperative.pk,
            kind="self-billing-vat",
            reference=f"self-billing-vat:{invoice.pk}",
            description=f"VAT on self-billing invoice {invoice.number}",
            legs=[Leg(book.get(K.INPUT_VAT), vat), Leg(book.get(K.PAYABLE, member.pk), -vat)],
        )
    audit_record(
        actor=actor,
        action=PayoutAction.SELF_BILLING_ISSUED,
        target=invoice,
        cooperative_id=cooperative.pk,
        data={"number": invoice.number, "total_cents": invoice.total_cents, "lines": len(rows)},
    )
    return invoice


def self_billing_due(
    *, cooperative: Cooperative, month: str | date, today: date | None = None
) -> tuple[date, int]:
    """What issuing a month would do, before the treasurer confirms it: the month's first
    day and how many self-employed members have work in it not invoiced yet. Refuses, as
    :func:`self_billing_issue` does, a month that cannot be read or is not over."""
    start, end = month_bounds(month)
    if end >= (today or timezone.localdate()):
        raise ValidationFailed(
            _("This month is not over yet: self-billing invoices are issued after it."),
            code="month_not_over",
            field="month",
        )
    members = _open_splits(cooperative, start, end).values("member_id").distinct().count()
    return start, members


def self_billing_issue(
    *,
    actor: User | None,
    cooperative: Cooperative,
    month: str | date,
    member: User | None = None,
    today: date | None = None,
) -> SelfBillingRun:
    """Issue the self-billing invoices of a month that is over (treasurer, or the beat with
    ``actor=None``). With ``member``: that member's only, and a refusal is raised; without:
    every self-employed member with work that month, refusals collected in the result."""
    if actor is not None:
        require_role(actor, cooperative, "treasurer")
    start, end = month_bounds(month)
    today = today or timezone.localdate()
    if end >= today:
        raise ValidationFailed(
            _("This month is not over yet: self-billing invoices are issued after it."),
            code="month_not_over",
            field="month",
        )
    run = SelfBillingRun()
    if member is not None:
        members = [member]
    else:
        ids = set(_open_splits(cooperative, start, end).values_list("member_id", flat=True))
        members = list(User.objects.filter(pk__in=ids).order_by("pk"))
    for person in members:
        try:
            with transaction.atomic():
                invoice = _issue_for_member(
                    actor=actor,
                    cooperative=cooperative,
                    member=person,
                    start=start,
                    end=end,
                    issued_on=today,
                )
        except ApplicationError as exc:
            if member is not None:
                raise
            run.refused.append((person, exc))
            continue
        if invoice is not None:
            run.issued.append(invoice)
    if member is not None and not run.issued:
        raise ValidationFailed(
            _("There is no self-employed work of this member in this month left to invoice."),
            code="nothing_to_invoice",
            field="month",
        )
    return run


def self_billing_last_month(*, today: date | None = None) -> int:
    """Beat, on the 1st: every cooperative's self-billing invoices for last month, and for
    any earlier month with self-employed work settled after that month's run (a late
    approval or a correction: it goes on an extra invoice of its own). Members who cannot
    be invoiced yet (no VAT number, no KOR) are logged and tried again next run."""
    today = today or timezone.localdate()
    this_month = today.replace(day=1)
    issued = 0
    for cooperative in Cooperative.objects.order_by("pk"):
        months = (
            Split.objects.filter(
                cooperative=cooperative,
                engagement=Engagement.SELF_EMPLOYED,
                work_date__lt=this_month,
                self_billing_line__isnull=True,
            )
            .dates("work_date", "month")
            .order_by("work_date")
        )
        for month in months:
            try:
                run = self_billing_issue(
                    actor=None, cooperative=cooperative, month=month, today=today
                )
            except Exception:  # one cooperative's failure must not stop the others
                logger.exception("self-billing: issuing %s for %s failed", month, cooperative.slug)
                continue
            issued += len(run.issued)
            for person, exc in run.refused:
                logger.warning(
                    "self-billing: member %s of %s not invoiced for %s (%s): %s",
                    person.pk,
                    cooperative.slug,
                    f"{month:%Y-%m}",
                    exc.code,
                    exc,
                )
    return issued
