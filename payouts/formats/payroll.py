"""The payroll provider's list of a payout batch: hours and gross pay per employee, as CSV."""

from __future__ import annotations

from django.db.models import Sum

from members.models import Membership
from payouts.models import PayoutBatch, PayoutItem
from werkstation.spreadsheet import csv_text


def payroll_csv(batch: PayoutBatch) -> str:
    """Hours and gross pay per employee, for the payroll provider (no transfer here).
    Names that a spreadsheet would run as a formula are neutralised."""
    from payouts.models import Split

    numbers = dict(
        Membership.objects.filter(cooperative=batch.cooperative).values_list(
            "user_id", "member_number"
        )
    )
    rows: list[list[object]] = [["member_number", "name", "minutes", "gross_cents", "net_cents"]]
    for item in (
        batch.items.filter(method=PayoutItem.Method.PAYROLL)
        .select_related("member")
        .order_by("member_id")
    ):
        worked = Split.objects.filter(
            member=item.member,
            cooperative=batch.cooperative,
            invoice_line__released=True,
            engagement=Membership.Engagement.EMPLOYEE,  # payroll work only, not fees
        )
        totals = worked.aggregate(m=Sum("minutes"), g=Sum("gross_cents"))
        rows.append(
            [
                numbers.get(item.member_id),
                item.member.full_name,
                totals["m"] or 0,
                totals["g"] or 0,
                item.amount_cents,
            ]
        )
    return csv_text(rows)
