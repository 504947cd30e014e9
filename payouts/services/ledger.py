"""Posting to the ledger: accounts on demand, transactions that sum to zero."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from werkstation.errors import ValidationFailed

from ..models import Account, Entry, Transaction

K = Account.Kind


@dataclass(frozen=True)
class Leg:
    account: Account
    amount_cents: int


class AccountBook:
    """Accounts of one cooperative, created on first use and cached for a bulk run."""

    NAMES = {
        K.BANK: "Bank", K.STRIPE: "Stripe balance", K.RECEIVABLE: "Receivable {key}", K.EARNED: "Earned by member {key}",
        K.PAYABLE: "Payable to member {key}", K.PAYROLL: "Payroll provider", K.VAT: "VAT payable", K.FUND: "Fund {key}", K.FEES: "Fees",
        K.CREDITS: "Credit notes",
    }  # fmt: skip

    def __init__(self, cooperative_id: int) -> None:
        self.cooperative_id = cooperative_id
        self._cache: dict[tuple[str, str], Account] = {
            (a.kind, a.key): a for a in Account.objects.filter(cooperative_id=cooperative_id)
        }

    def get(self, kind: str, key: object = "") -> Account:
        cache_key = (kind, str(key))
        account = self._cache.get(cache_key)
        if account is None:
            account, _created = Account.objects.get_or_create(
                cooperative_id=self.cooperative_id,
                kind=kind,
                key=str(key),
                defaults={"name": self.NAMES[kind].format(key=key)},
            )
            self._cache[cache_key] = account
        return account


def check_balanced(legs: list[Leg], reference: str) -> None:
    total = sum(leg.amount_cents for leg in legs)
    if total != 0:
        raise ValidationFailed(
            _("The legs of a ledger transaction must sum to zero (%(ref)s is off by %(total)s).")
            % {"ref": reference, "total": total},
            code="unbalanced",
            field="entries",
        )


def post_many(
    cooperative_id: int, postings: list[tuple[str, str, str, list[Leg]]]
) -> list[Transaction]:
    """Write many transactions in bulk: [(kind, reference, description, legs)]."""
    for _kind, reference, _description, legs in postings:
        check_balanced(legs, reference)
    transactions = Transaction.objects.bulk_create(
        [
            Transaction(
                cooperative_id=cooperative_id,
                kind=kind,
                reference=reference,
                description=description[:250],
            )
            for kind, reference, description, _legs in postings
        ]
    )
    Entry.objects.bulk_create(
        [
            Entry(transaction=transaction, account=leg.account, amount_cents=leg.amount_cents)
            for transaction, (_k, _r, _d, legs) in zip(transactions, postings, strict=True)
            for leg in legs
            if leg.amount_cents != 0
        ]
    )
    return transactions


def post(
    cooperative_id: int, *, kind: str, reference: str, description: str, legs: list[Leg]
) -> Transaction:
    return post_many(cooperative_id, [(kind, reference, description, legs)])[0]
