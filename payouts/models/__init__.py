from .invoices import Invoice, InvoiceLine, InvoiceSequence, Payment
from .ledger import Account, Entry, Transaction
from .payouts import PayoutApproval, PayoutBatch, PayoutItem
from .reversals import (
    CreditNote,
    CreditNoteLine,
    CreditNoteSequence,
    Dispute,
    EarningsCapWarning,
    Refund,
)
from .rules import RuleSet, Split
from .self_billing import SelfBillingInvoice, SelfBillingLine, SelfBillingSequence
from .settings import REVERSE_CHARGE_DEFAULT, MoneySettings, VatReverseCharge
from .stripe import (
    StripeCheckout,
    StripeConnectAccount,
    StripeEvent,
    StripeSettings,
    StripeTransfer,
)

__all__ = [
    "REVERSE_CHARGE_DEFAULT",
    "Account",
    "CreditNote",
    "CreditNoteLine",
    "CreditNoteSequence",
    "Dispute",
    "EarningsCapWarning",
    "Entry",
    "Invoice",
    "InvoiceLine",
    "InvoiceSequence",
    "MoneySettings",
    "Payment",
    "PayoutApproval",
    "PayoutBatch",
    "PayoutItem",
    "Refund",
    "RuleSet",
    "SelfBillingInvoice",
    "SelfBillingLine",
    "SelfBillingSequence",
    "Split",
    "StripeCheckout",
    "StripeConnectAccount",
    "StripeEvent",
    "StripeSettings",
    "StripeTransfer",
    "Transaction",
    "VatReverseCharge",
]
