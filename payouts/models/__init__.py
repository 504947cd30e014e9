from .invoices import Invoice, InvoiceLine, InvoiceSequence, Payment
from .ledger import Account, Entry, Transaction
from .rules import RuleSet, Split

__all__ = [
    "Account",
    "Entry",
    "Invoice",
    "InvoiceLine",
    "InvoiceSequence",
    "Payment",
    "RuleSet",
    "Split",
    "Transaction",
]
