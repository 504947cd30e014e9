"""Posting to the ledger: accounts on demand, transactions that sum to zero.

Postings are written in bulk (``bulk.insert_rows``: COPY on PostgreSQL): the transactions
with ids taken up front, then all their legs in one statement, so a run of 100,000
postings is three round trips.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from payouts.models import Account, Entry, Transaction
from werkstation.db.bulk import insert_rows
from werkstation.engagements import Engagement
from werkstation.errors import ValidationFailed

if TYPE_CHECKING:
    from datetime import datetime

K = Account.Kind
# Kinds with one account per member or client: a bulk run asks for many of them, so the
# first miss creates them for every member (client) of the cooperative in one statement.
PER_MEMBER = (K.EARNED, K.PAYABLE, K.WAGES)
# Creating this many accounts at once refreshes the table's planner statistics (below).
ANALYZE_AFTER = 100


def payable_kind(engagement: str) -> str:
    """Where a member's released share waits to be paid: payroll work's wages go to the
    payroll provider (``wages``); fees and allowances to the member (``payable``)."""
    return K.WAGES if engagement == Engagement.EMPLOYEE else K.PAYABLE


@dataclass(frozen=True)
class Leg:
    account: Account
    amount_cents: int


class AccountBook:
    """Accounts of one cooperative, created on first use and cached for a bulk run."""

    NAMES: ClassVar[dict[str, str]] = {
        K.BANK: "Bank",
        K.STRIPE: "Stripe balance",
        K.RECEIVABLE: "Receivable {key}",
        K.EARNED: "Earned by member {key}",
        K.PAYABLE: "Payable to member {key}",
        K.PAYROLL: "Payroll provider",
        K.WAGES: "Wages of member {key} (payroll)",
        K.VAT: "VAT payable",
        K.INPUT_VAT: "VAT to reclaim (input VAT)",
        K.FUND: "Fund {key}",
        K.FEES: "Fees",
        K.CREDITS: "Credit notes",
        K.ADVANCED: "Advanced from the fund {key}",
        K.G_ACCOUNT: "G-account",
    }

    def __init__(self, cooperative_id: int) -> None:
        self.cooperative_id = cooperative_id
        self._cache: dict[tuple[str, str], Account] = {
            (a.kind, a.key): a for a in Account.objects.filter(cooperative_id=cooperative_id)
        }

    def ensure(self, kind: str, keys: Iterable[object]) -> None:
        """Create the missing accounts of ``kind`` for ``keys`` in one statement."""
        missing = {str(k) for k in keys} - {key for (k, key) in self._cache if k == kind}
        if not missing:
            return
        Account.objects.bulk_create(
            [
                Account(
                    cooperative_id=self.cooperative_id,
                    kind=kind,
                    key=key,
                    name=self.NAMES[kind].format(key=key),
                )
                for key in sorted(missing)
            ],
            ignore_conflicts=True,
        )
        if len(missing) >= ANALYZE_AFTER and connection.vendor == "postgresql":
            # Every ledger leg's foreign key is checked against this table at commit, with
            # a plan PostgreSQL makes once per connection. Planned on statistics that still
            # say "empty" (a new cooperative's first settlement), the check scans the whole
            # table for each leg: 500,000 legs took 8 s longer. Fresh statistics give an
            # index lookup. ANALYZE sees this transaction's new rows; it takes a minute lock
            # that only another ANALYZE (or vacuum) of the table waits for.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Account._meta.db_table}")
        for account in Account.objects.filter(
            cooperative_id=self.cooperative_id, kind=kind, key__in=missing
        ):
            self._cache[(kind, account.key)] = account

    def get(self, kind: str, key: object = "") -> Account:
        cache_key = (kind, str(key))
        account = self._cache.get(cache_key)
        if account is None and kind in PER_MEMBER:
            from members.models import Membership

            self.ensure(
                kind,
                [
                    key,
                    *Membership.objects.filter(cooperative_id=self.cooperative_id).values_list(
                        "user_id", flat=True
                    ),
                ],
            )
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

    def id(self, kind: str, key: object = "") -> int:
        return self.get(kind, key).pk


def _unbalanced(reference: str, total: int) -> ValidationFailed:
    return ValidationFailed(
        _("The legs of a ledger transaction must sum to zero (%(ref)s is off by %(total)s).")
        % {"ref": reference, "total": total},
        code="unbalanced",
        field="entries",
    )


def check_balanced(legs: list[Leg], reference: str) -> None:
    total = sum(leg.amount_cents for leg in legs)
    if total != 0:
        raise _unbalanced(reference, total)


# (kind, reference, description, [(account id, cents), ...])
Posting = tuple[str, str, str, Sequence[tuple[int, int]]]


def write_postings(
    cooperative_id: int,
    postings: Sequence[Posting],
    *,
    method: str | None = None,
    now: datetime | None = None,
) -> list[int]:
    """Write many balanced transactions at once; returns their ids in order.

    Legs of zero are left out. The service checks every transaction sums to zero first, so
    a bad posting is a clear 400 and nothing is written; the database checks again.
    """
    for _kind, reference, _description, legs in postings:
        total = sum(cents for _account, cents in legs)
        if total != 0:
            raise _unbalanced(reference, total)
    if not postings:
        return []
    now = now or timezone.now()
    # Generators: with COPY each row is sent as it is made, while the server stores the last.
    ids = insert_rows(
        Transaction,
        ("cooperative_id", "kind", "reference", "description", "created_at"),
        (
            (cooperative_id, kind, reference, description[:250], now)
            for kind, reference, description, _legs in postings
        ),
        with_ids=True,
        count=len(postings),
        method=method,
    )
    insert_rows(
        Entry,
        ("transaction_id", "account_id", "amount_cents"),
        (
            (transaction_id, account_id, cents)
            for transaction_id, (_k, _r, _d, legs) in zip(ids, postings, strict=True)
            for account_id, cents in legs
            if cents != 0
        ),
        method=method,
    )
    return ids


def post_many(cooperative_id: int, postings: list[tuple[str, str, str, list[Leg]]]) -> list[int]:
    """Write many transactions in bulk: [(kind, reference, description, legs)]. Returns ids."""
    return write_postings(
        cooperative_id,
        [
            (kind, reference, description, [(leg.account.pk, leg.amount_cents) for leg in legs])
            for kind, reference, description, legs in postings
        ],
    )


def post(
    cooperative_id: int, *, kind: str, reference: str, description: str, legs: list[Leg]
) -> Transaction:
    [pk] = post_many(cooperative_id, [(kind, reference, description, legs)])
    return Transaction.objects.get(pk=pk)
