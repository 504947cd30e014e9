from .invoices import Invoice, InvoiceLine, InvoiceSequence, Payment
from .ledger import Account, Entry, Transaction
from .payouts import PayoutApproval, PayoutBatch, PayoutItem
from .rules import RuleSet, Split
from .stripe import (
    StripeCheckout,
    StripeConnectAccount,
    StripeEvent,
    StripeSettings,
    StripeTransfer,
)

__all__ = [
    "Account",
    "Entry",
    "Invoice",
    "InvoiceLine",
    "InvoiceSequence",
    "Payment",
    "PayoutApproval",
    "PayoutBatch",
    "PayoutItem",
    "RuleSet",
    "Split",
    "StripeCheckout",
    "StripeConnectAccount",
    "StripeEvent",
    "StripeSettings",
    "StripeTransfer",
    "Transaction",
]
