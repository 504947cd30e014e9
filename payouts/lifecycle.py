"""The lifecycles of the money, as tables (see ``werkstation.lifecycle``).

Invoice: its status follows from its amounts (``reversals.invoice_status``): payments,
refunds, reversals and disputes move it between issued, partially paid and paid (or
leave it where it is); credit notes that cover it make it credited, which then stays.

Payout batch: a draft waits for two approvals (the second one approves it), then is
executed once.

Rule set: a draft is proposed to the members, who adopt or reject it; the founding
meeting adopts a cooperative's first rule set directly from its draft.
"""

from __future__ import annotations

from werkstation.lifecycle import Lifecycle, Stamp, table

from .models import Invoice, PayoutBatch, RuleSet

I = Invoice.Status  # noqa: E741
_BY_AMOUNTS = [I.ISSUED, I.PARTIALLY_PAID, I.PAID, I.CREDITED]
INVOICE = Lifecycle(
    model="payouts.Invoice",
    transitions=table(
        {
            I.ISSUED: _BY_AMOUNTS,
            I.PARTIALLY_PAID: _BY_AMOUNTS,
            I.PAID: _BY_AMOUNTS,
            I.CREDITED: [I.CREDITED],
        }
    ),
)

B = PayoutBatch.Status
PAYOUT_BATCH = Lifecycle(
    model="payouts.PayoutBatch",
    transitions=table(
        {
            B.DRAFT: [B.APPROVED],
            B.APPROVED: [B.EXECUTED],
            B.EXECUTED: [],
            B.CANCELLED: [],
        }
    ),
    stamps={B.EXECUTED: Stamp(at="executed_at")},
)

R = RuleSet.Status
RULE_SET = Lifecycle(
    model="payouts.RuleSet",
    transitions=table(
        {
            R.DRAFT: [R.PROPOSED, R.ADOPTED],
            R.PROPOSED: [R.ADOPTED, R.REJECTED],
            R.ADOPTED: [],
            R.REJECTED: [],
        }
    ),
    stamps={R.ADOPTED: Stamp(at="adopted_at")},
)
