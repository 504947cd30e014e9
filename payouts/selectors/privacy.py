"""What ``payouts`` holds about a person, for the export and the erasure (registered with
``members.services.privacy`` in ``payouts.registrations``).

The books keep their amounts: splits and payout items stay exactly as they are (the erased
person's own row names nobody any more), so every euro can still be traced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from payouts.models import (
    EarningsCapWarning,
    PayoutItem,
    SelfBillingInvoice,
    Split,
    StripeConnectAccount,
)

if TYPE_CHECKING:
    from members.models import User

# One exported row: plain JSON values, under the names the export shows.
ExportRow = dict[str, object]


def export_earnings(user: User) -> list[ExportRow]:
    rows = (
        Split.objects.filter(member=user)
        .select_related("cooperative", "rule_set", "job")
        .order_by("work_date", "pk")
    )
    return [
        {
            "cooperative": s.cooperative.name,
            "job": s.job.title,
            "work_date": s.work_date.isoformat(),
            "kind": s.kind,
            "minutes": s.minutes,
            "gross_cents": s.gross_cents,
            "pots_cents": s.pots,
            "member_cents": s.member_cents,
            "rule_set_version": s.rule_set.version,
        }
        for s in rows
    ]


def export_payouts(user: User) -> list[ExportRow]:
    rows = PayoutItem.objects.filter(member=user).select_related("batch__cooperative")
    return [
        {
            "cooperative": item.batch.cooperative.name,
            "batch": item.batch_id,
            "amount_cents": item.amount_cents,
            "method": item.method,
            "status": item.status,
            "iban": item.iban,
            "paid_at": item.paid_at.isoformat() if item.paid_at else None,
            "returned_at": item.returned_at.isoformat() if item.returned_at else None,
        }
        for item in rows.order_by("pk")
    ]


def export_cap_warnings(user: User) -> list[ExportRow]:
    return [
        {
            "year": w.year,
            "percent": w.percent,
            "earned_cents": w.earned_cents,
            "cap_cents": w.cap_cents,
        }
        for w in EarningsCapWarning.objects.filter(member=user)
    ]


def export_stripe_accounts(user: User) -> list[ExportRow]:
    return [
        {
            "cooperative": a.cooperative.name,
            "account": a.account_id,
            "payouts_enabled": a.payouts_enabled,
        }
        for a in StripeConnectAccount.objects.filter(user=user).select_related("cooperative")
    ]


def export_self_billing_invoices(user: User) -> list[ExportRow]:
    rows = SelfBillingInvoice.objects.filter(member=user).select_related("cooperative")
    return [
        {
            "cooperative": i.cooperative.name,
            "number": i.number,
            "issued_on": i.issued_on.isoformat(),
            "period_start": i.period_start.isoformat(),
            "period_end": i.period_end.isoformat(),
            "subtotal_cents": i.subtotal_cents,
            "vat_cents": i.vat_cents,
            "total_cents": i.total_cents,
            "supplier": i.supplier,
        }
        for i in rows.order_by("pk")
    ]
