"""Row locks in one global order.

Design overview
---------------
Two transactions deadlock when each holds a row the other one waits for. That can only
happen when they take their locks in different orders, so every service takes its row
locks through the helpers below, and always in this order (coarse before fine, the actor
before what they act on, a parent before its children, money in the direction it flows):

    cooperative → user → job → shift → contract → offer → claim → timesheet
                → invoice → payment → payout batch

- **cooperative** first: a lock on the tenant serialises tenant-wide work (settings,
  numbering) and is never taken while holding anything inside it.
- **user** before the work: ``shift_claim`` holds the member's row so one member makes
  one claim at a time (two overlapping claims cannot both pass the travel check).
- **job → shift → claim → timesheet** follow the foreign keys from parent to child. A
  writer that starts from a child (withdrawing a claim, approving hours) first reads the
  parent's id without a lock, locks the parent, then the child. The parent's lock is
  what serialises everyone working on its children: the slots and the waitlist of a
  shift change only under the shift's lock.
- **contract** after shift: a new or edited shift of a contract's job asks the contract
  whether its budget allows it (the shift guard), holding the job or the shift.
- **offer** before **claim**: accepting a dispatch offer turns it into a claim.
- the money path: a timesheet is invoiced, an invoice is paid, payments are paid out.

Within one model, rows are locked in primary-key order, all that are needed at once
(Saleor's ``order/lock_objects.py`` shape). A service that must lock several rows of a
lower rank after a higher one (a beat job walking many claims) takes one transaction per
item instead.

The helpers check the order they are asked for. Inside a transaction each remembers what
it locked; asking for a lower rank, or a lower primary key of the same rank, after a
higher one is a ``LockOrderViolation`` under ``WERKSTATION_LOCK_ORDER_STRICT`` (the test
settings) and a logged error otherwise. Locking a row again that is already held never
waits, so it is always allowed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model

logger = logging.getLogger(__name__)

LOCK_ORDER: tuple[str, ...] = (
    "members.Cooperative",
    "members.User",
    "jobs.Job",
    "jobs.Shift",
    "challenges.Contract",
    "jobs.Offer",
    "jobs.Claim",
    "jobs.Timesheet",
    "payouts.Invoice",
    "payouts.Payment",
    "payouts.PayoutBatch",
)
_RANK = {label.lower(): rank for rank, label in enumerate(LOCK_ORDER)}


class LockOrderViolation(RuntimeError):
    """Rows were asked for against the documented lock order."""


@dataclass
class _Held:
    scope: Any
    ranks: dict[int, set[Any]] = field(default_factory=dict)


def _scope(connection) -> Any:
    """Something that identifies the current transaction (``None``: do not check).

    The transaction is the outermost atomic block that is not a test case's wrapper, so
    that two services called one after the other inside a test's transaction count as
    two transactions, as they are in production.
    """
    blocks = connection.atomic_blocks
    index = next((i for i, block in enumerate(blocks) if not block._from_testcase), None)
    if index is None:
        return None
    if index == 0:
        # Django replaces this list at every commit and rollback: a new transaction.
        return connection.run_on_commit
    return connection.savepoint_ids[index - 1]


@contextmanager
def lock_order_unchecked(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """For a transaction that runs alone and calls many services one after the other
    (seeding the demo): it cannot deadlock with itself, so the order is not checked."""
    connection = connections[using]
    before = getattr(connection, "_werkstation_locks_unchecked", False)
    connection._werkstation_locks_unchecked = True
    try:
        yield
    finally:
        connection._werkstation_locks_unchecked = before


def _check_order(label: str, pks: Sequence[Any], using: str) -> None:
    connection = connections[using]
    scope = _scope(connection)
    if scope is None or getattr(connection, "_werkstation_locks_unchecked", False):
        return
    held: _Held | None = getattr(connection, "_werkstation_locks", None)
    if held is None or not (
        held.scope is scope or (isinstance(scope, str) and held.scope == scope)
    ):
        held = _Held(scope=scope)
        connection._werkstation_locks = held
    rank = _RANK[label]
    new = [pk for pk in pks if pk not in held.ranks.get(rank, set())]
    if not new:
        return
    higher = [LOCK_ORDER[r] for r in held.ranks if r > rank]
    same = held.ranks.get(rank)
    problem = None
    if higher:
        problem = f"{LOCK_ORDER[rank]} {new} locked after {', '.join(higher)}"
    elif same and min(new) < max(same):
        problem = f"{LOCK_ORDER[rank]} {new} locked after {LOCK_ORDER[rank]} {max(same)}"
    held.ranks.setdefault(rank, set()).update(new)
    if problem is None:
        return
    message = f"lock order: {problem} (see werkstation/locks.py)"
    if getattr(settings, "WERKSTATION_LOCK_ORDER_STRICT", False):
        raise LockOrderViolation(message)
    logger.error(message, stack_info=True)


def lock_rows(
    label: str,
    pks: Iterable[Any],
    *,
    select_related: Sequence[str] = (),
    using: str = DEFAULT_DB_ALIAS,
) -> list[Model]:
    """Lock the rows of ``label`` (``"app.Model"``) with these primary keys, in key order.

    Returns the rows found, in primary-key order (missing keys are simply absent). Only
    the model's own rows are locked (``of=("self",)``), never the related rows fetched
    with ``select_related``.
    """
    if label.lower() not in _RANK:
        raise LookupError(f"{label} has no place in werkstation.locks.LOCK_ORDER")
    keys = sorted({pk for pk in pks if pk is not None})
    if not keys:
        return []
    _check_order(label.lower(), keys, using)
    model = apps.get_model(label)
    queryset = model._default_manager.using(using).select_for_update(of=("self",))
    if select_related:
        queryset = queryset.select_related(*select_related)
    return list(queryset.filter(pk__in=keys).order_by("pk"))


def lock_one(label: str, pk: Any, *, select_related: Sequence[str] = ()) -> Any:
    """One row of ``label``, locked; ``None`` when it does not exist."""
    rows = lock_rows(label, [pk], select_related=select_related)
    return rows[0] if rows else None


def lock_cooperatives(pks: Iterable[int], **kwargs) -> list:
    return lock_rows("members.Cooperative", pks, **kwargs)


def lock_users(pks: Iterable[int], **kwargs) -> list:
    return lock_rows("members.User", pks, **kwargs)


def lock_jobs(pks: Iterable[int], **kwargs) -> list:
    return lock_rows("jobs.Job", pks, **kwargs)


def lock_shifts(pks: Iterable[int], **kwargs) -> list:
    return lock_rows("jobs.Shift", pks, **kwargs)


def lock_offers(pks: Iterable[int], **kwargs) -> list:
    return lock_rows("jobs.Offer", pks, **kwargs)


def lock_claims(pks: Iterable[int], **kwargs) -> list:
    return lock_rows("jobs.Claim", pks, **kwargs)


def lock_timesheets(pks: Iterable[int], **kwargs) -> list:
    return lock_rows("jobs.Timesheet", pks, **kwargs)


def lock_invoices(pks: Iterable[int], **kwargs) -> list:
    return lock_rows("payouts.Invoice", pks, **kwargs)


def lock_payments(pks: Iterable[int], **kwargs) -> list:
    return lock_rows("payouts.Payment", pks, **kwargs)


def lock_payout_batches(pks: Iterable[int], **kwargs) -> list:
    return lock_rows("payouts.PayoutBatch", pks, **kwargs)
