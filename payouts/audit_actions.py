"""The audit actions of invoices, payments, payouts, rule sets and Stripe.

The value is what ``AuditEntry.action`` stores; existing rows and readers depend on it,
so a value never changes (add a member instead).
"""

from enum import StrEnum

from werkstation.audit import audit_actions_register


@audit_actions_register
class PayoutAction(StrEnum):
    APPROVAL_STRIPE_KEYS_APPROVED = "approval.stripe_keys.approved"
    APPROVAL_STRIPE_KEYS_CANCELLED = "approval.stripe_keys.cancelled"
    APPROVAL_STRIPE_KEYS_REJECTED = "approval.stripe_keys.rejected"
    APPROVAL_STRIPE_KEYS_REQUESTED = "approval.stripe_keys.requested"

    CREDIT_NOTE_ISSUED = "credit_note.issued"

    DISPUTE_LOST = "dispute.lost"
    DISPUTE_OPEN = "dispute.open"
    DISPUTE_WON = "dispute.won"

    EARNINGS_CAP_WARNED = "earnings_cap.warned"

    EARNINGS_CAPS_READ = "earnings_caps.read"

    INVOICE_ISSUED = "invoice.issued"
    INVOICE_ONLINE_PAYMENT_FAILED = "invoice.online_payment_failed"
    INVOICE_PAYMENT_LINK = "invoice.payment_link"
    INVOICE_REMINDED = "invoice.reminded"

    MONEY_SETTINGS_UPDATED = "money_settings.updated"

    PAYMENT_RECORDED = "payment.recorded"
    PAYMENT_REFUNDED = "payment.refunded"

    PAYOUT_BATCH_APPROVED = "payout_batch.approved"
    PAYOUT_BATCH_CREATED = "payout_batch.created"
    PAYOUT_BATCH_EXECUTED = "payout_batch.executed"

    PAYOUT_ITEM_CONFIRMED = "payout_item.confirmed"
    PAYOUT_ITEM_RETURNED = "payout_item.returned"
    PAYOUT_ITEM_STRIPE_OVERFLOW = "payout_item.stripe_overflow"
    PAYOUT_ITEM_TRANSFERRED = "payout_item.transferred"

    RULESET_ADOPTED = "ruleset.adopted"
    RULESET_DRAFTED = "ruleset.drafted"
    RULESET_REFUSED_BELOW_MINIMUM_WAGE = "ruleset.refused_below_minimum_wage"

    SELF_BILLING_ISSUED = "self_billing.issued"

    STRIPE_CONNECT_ACCOUNT_CREATED = "stripe.connect_account_created"
    STRIPE_CONNECT_ACCOUNT_UPDATED = "stripe.connect_account_updated"
    STRIPE_EVENT_FAILED = "stripe.event_failed"
    STRIPE_KEYS_CHANGED = "stripe.keys_changed"
    STRIPE_SETTINGS_CHANGED = "stripe.settings_changed"
    STRIPE_SETTINGS_CLEARED = "stripe.settings_cleared"

    TIMESHEET_CORRECTED = "timesheet.corrected"

    VAT_REVERSE_CHARGE_CONFIRMED = "vat_reverse_charge.confirmed"


DISPUTE_STATUS = {
    "open": PayoutAction.DISPUTE_OPEN,
    "won": PayoutAction.DISPUTE_WON,
    "lost": PayoutAction.DISPUTE_LOST,
}
