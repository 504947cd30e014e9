from .ledger import Account, Entry, Transaction
from .rules import RuleSet, Split

__all__ = ["Account", "Entry", "RuleSet", "Split", "Transaction"]
