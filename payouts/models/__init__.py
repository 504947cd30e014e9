from .invoices import Invoice, InvoiceLine, InvoiceSequence, Payment
from .ledger import Account, Entry, Transaction
from .payouts import PayoutApproval, PayoutBatch, PayoutItem
from .rules import RuleSet, Split
from .settings import MoneySettings

__all__ = [
    "Account",
    "Entry",
    "Invoice",
    "InvoiceLine",
    "InvoiceSequence",
    "MoneySettings",
    "Payment",
    "PayoutApproval",
    "PayoutBatch",
    "PayoutItem",
    "RuleSet",
    "Split",
    "Transaction",
]
