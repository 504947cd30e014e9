"""Row locks in one global order.

Design overview
---------------
Two transactions deadlock when each holds a row the other one waits for. That can only
happen when they take their locks in different orders, so every service takes its row
locks through the helpers below — nowhere else in the apps is ``select_for_update``
called (``tests/werkstation/test_lock_helpers_only.py``) — and always in the order of
``LOCK_ORDER`` (coarse before fine, the actor before what they act on, a parent before
its children, money in the direction it flows):

    cooperative → invitation → user → membership → second approval → proposal
    → profile → benefit arrangement → notification preference → authenticator apps
    → recovery codes → calendar feed → stripe event
    → stripe settings → stripe connect account → money settings → vat reverse charge
    → rule set
    → client → client–cooperative link → link request → challenge → tender → bid
    → dispatch run
    → job → shift → contract → offer → claim → timesheet
    → invoice → payment → dispute → invoice line → payout batch → payout item
    → invoice sequence → credit note sequence → self-billing sequence → outbox event

- **cooperative** first: a lock on the tenant serialises tenant-wide work (settings,
  numbering, member numbers, advances from its fund) and is taken before anything
  inside it.
- **invitation** right after it: accepting a board invitation locks the cooperative,
  then the invitation (so it is accepted once), then what accepting it makes (the
  membership).
- **user** before the work: ``shift_claim`` holds the member's row so one member makes
  one claim at a time (two overlapping claims cannot both pass the travel check).
- **membership** after both: admitting, suspending or changing roles locks the
  cooperative (it numbers its members), then the membership. Settling volunteer work
  locks the volunteers' memberships (their maximums) — after the cooperative when its
  fund advances shares; a correction of hours locks both before the hours.
- **second approval** after the membership it is about: asking for a role locks the
  membership, then replaces the older requests; deciding locks the cooperative and the
  membership first, because applying a request locks them again. New Stripe keys lock
  the cooperative and the pending request for keys before the Stripe settings, the
  order approving that request takes them in.
- **proposal** after the tenant: the board drafts what is proposed (a rule set takes a
  version number under the cooperative's lock) and opens the vote in one transaction;
  an adopted proposal then locks what it adopts (a rule set).
- **a person's own rows** (profile, benefit arrangement, notification preferences,
  second-factor devices, calendar feed): leaves of the user, each locked alone.
- **the tenant's settings** (Stripe settings and Connect account, money settings, VAT
  reverse charge, rule sets): changed directly under their own lock, or by an approved
  request or an adopted proposal after those.
- **clients and the right to challenge** before the work: they lead to jobs (a tender
  awarded becomes a contract with jobs), never the other way round. A tender before its
  bids: closing and deciding lock the tender, then its bids, all at once.
- **dispatch run** before the work it offers.
- **Stripe event** after the tenant's people and before the tenant's settings: handling
  an event claims it first, then changes what it is about (a Connect account, an
  invoice, a payment, a dispute, a payout item).
- **job → shift → claim → timesheet** follow the foreign keys from parent to child. A
  writer that starts from a child (withdrawing a claim, approving hours) first reads the
  parent's id without a lock, locks the parent, then the child. The parent's lock is
  what serialises everyone working on its children: the slots and the waitlist of a
  shift change only under the shift's lock.
- **contract** after shift: a new or edited shift of a contract's job asks the contract
  whether its budget allows it (the shift guard), holding the job or the shift.
- **offer** before **claim**: accepting a dispatch offer turns it into a claim.
- **the money path**: a timesheet is invoiced, an invoice is paid (payment), a payment
  may be disputed; refunds and disputes lock the invoice, the payment and the dispute,
  then take back the member shares on the invoice's lines. Payments are paid out
  (payout batch, then its items).
- **number series** last: an invoice, credit note or self-billing number is taken at
  the end of issuing, and the series row is held for that one number.
- **outbox event**: only the publisher locks events, with ``skip_locked`` and holding
  nothing else; the handlers run in their own transactions.

Within one model, rows are locked in primary-key order, all that are needed at once
(Saleor's ``order/lock_objects.py`` shape). A service that must lock several rows of a
lower rank after a higher one (a beat job walking many claims) takes one transaction per
item instead. Beat jobs that share work between workers lock with ``skip_locked``
(``lock_available``, ``lock_skipping``): a skipped row is never waited for, so those locks
cannot deadlock and keep the caller's order.

The helpers check the order they are asked for. Inside a transaction each remembers what
it locked; asking for a lower rank, or a lower primary key of the same rank, after a
higher one is a ``LockOrderViolation`` under ``WERKSTATION_LOCK_ORDER_STRICT`` (the test
settings) and a logged error otherwise. Locking a row again that is already held never
waits, so it is always allowed (``holds`` tells whether it is).
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from django.db.backends.base.base import BaseDatabaseWrapper

_M = TypeVar("_M", bound=Model)
_Row = TypeVar("_Row")

logger = logging.getLogger(__name__)

LOCK_ORDER: tuple[str, ...] = (
    # The tenant and its people.
    "members.Cooperative",
    "members.Invitation",
    "members.User",
    "members.Membership",
    "members.SecondApproval",
    "members.Proposal",
    "members.Profile",
    "members.BenefitArrangement",
    "members.NotificationPreference",
    "members.TotpDevice",
    "members.RecoveryCodes",
    "jobs.CalendarFeed",
    # A Stripe event is claimed before the rows its handler changes.
    "payouts.StripeEvent",
    # The tenant's settings, changed directly or by an approved request.
    "payouts.StripeSettings",
    "payouts.StripeConnectAccount",
    "payouts.MoneySettings",
    "payouts.VatReverseCharge",
    "payouts.RuleSet",
    # Clients and the right to challenge, upstream of the work they lead to.
    "jobs.Client",
    "jobs.ClientCooperative",
    "jobs.ClientLinkRequest",
    "challenges.Challenge",
    "challenges.Tender",
    "challenges.Bid",
    "jobs.DispatchRun",
    # The work.
    "jobs.Job",
    "jobs.Shift",
    "challenges.Contract",
    "jobs.Offer",
    "jobs.Claim",
    "jobs.Timesheet",
    # The money, in the direction it flows.
    "payouts.Invoice",
    "payouts.Payment",
    "payouts.Dispute",
    "payouts.InvoiceLine",
    "payouts.PayoutBatch",
    "payouts.PayoutItem",
    # Number series: the last thing taken, held for one number.
    "payouts.InvoiceSequence",
    "payouts.CreditNoteSequence",
    "payouts.SelfBillingSequence",
    # Only ever taken with skip_locked (the publisher), holding nothing else.
    "werkstation.OutboxEvent",
)
_RANK = {label.lower(): rank for rank, label in enumerate(LOCK_ORDER)}


class LockOrderViolation(RuntimeError):
    """Rows were asked for against the documented lock order."""


@dataclass
class _Held:
    scope: Any
    ranks: dict[int, set[Any]] = field(default_factory=dict)


def _scope(connection: BaseDatabaseWrapper) -> Any:
    """Something that identifies the current transaction (``None``: do not check).

    The transaction is the outermost atomic block inside the innermost test case's
    wrapper, so that two services called one after the other inside a test's transaction
    count as two transactions, as they are in production — also where a module's shared
    world is built in a transaction of its own around the tests' wrappers.
    """
    # Django sets ``Atomic._from_testcase`` in ``__init__``; the stubs leave it out.
    from_testcase = [block._from_testcase for block in connection.atomic_blocks]  # type: ignore[attr-defined]
    after = max((i for i, mark in enumerate(from_testcase) if mark), default=-1)
    index = next((i for i, mark in enumerate(from_testcase) if i > after and not mark), None)
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
    # A marker the kernel keeps on Django's connection object (not a declared attribute).
    setattr(connection, "_werkstation_locks_unchecked", True)  # noqa: B010
    try:
        yield
    finally:
        setattr(connection, "_werkstation_locks_unchecked", before)  # noqa: B010


def _held(connection: BaseDatabaseWrapper) -> _Held | None:
    """What the current transaction holds (``None`` outside a transaction)."""
    scope = _scope(connection)
    if scope is None:
        return None
    held: _Held | None = getattr(connection, "_werkstation_locks", None)
    if held is None or not (
        held.scope is scope or (isinstance(scope, str) and held.scope == scope)
    ):
        held = _Held(scope=scope)
        setattr(connection, "_werkstation_locks", held)  # noqa: B010
    return held


def holds(label: str, pk: Any, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the current transaction locked this row through the helpers already."""
    held = _held(connections[using])
    return held is not None and pk in held.ranks.get(_RANK[_ranked(label)], set())


def _check_order(label: str, pks: Sequence[Any], using: str) -> None:
    connection = connections[using]
    held = _held(connection)
    if held is None:
        return
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
    if problem is None or getattr(connection, "_werkstation_locks_unchecked", False):
        return
    message = f"lock order: {problem} (see werkstation/locks.py)"
    if getattr(settings, "WERKSTATION_LOCK_ORDER_STRICT", False):
        raise LockOrderViolation(message)
    logger.error(message, stack_info=True)


def _label_of(model: type[Model]) -> str:
    return model._meta.label_lower


def _ranked(label: str) -> str:
    key = label.lower()
    if key not in _RANK:
        msg = f"{label} has no place in werkstation.locks.LOCK_ORDER"
        raise LookupError(msg)
    return key


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
    key = _ranked(label)
    keys = sorted({pk for pk in pks if pk is not None})
    if not keys:
        return []
    _check_order(key, keys, using)
    model = apps.get_model(label)
    queryset = model._default_manager.using(using).select_for_update(of=("self",))
    if select_related:
        queryset = queryset.select_related(*select_related)
    return list(queryset.filter(pk__in=keys).order_by("pk"))


def lock_one(label: str, pk: Any, *, select_related: Sequence[str] = ()) -> Any:
    """One row of ``label``, locked; ``None`` when it does not exist."""
    rows = lock_rows(label, [pk], select_related=select_related)
    return rows[0] if rows else None


def lock_get(label: str, pk: Any, *, select_related: Sequence[str] = ()) -> Any:
    """One row of ``label``, locked; the model's ``DoesNotExist`` when it is gone."""
    row = lock_one(label, pk, select_related=select_related)
    if row is None:
        model = apps.get_model(label)
        msg = f"{label} {pk} does not exist"
        raise model.DoesNotExist(msg)
    return row


def lock_where(
    queryset: QuerySet[_M],
    *,
    skip_locked: bool = False,
    keep_order: bool = False,
) -> list[_M]:
    """Lock the rows ``queryset`` selects (of its own model only), in primary-key order.

    For locks that find their rows by a condition rather than by key (all pending
    approvals of a membership, the tenders past their deadline). The rows come back in
    key order; with ``keep_order`` in the queryset's own order (read again, already
    locked, in a second query). ``skip_locked`` leaves rows another transaction holds
    (beat jobs that share work between workers).
    """
    key = _ranked(_label_of(queryset.model))
    using = queryset.db
    locked = list(queryset.select_for_update(of=("self",), skip_locked=skip_locked).order_by("pk"))
    if locked:
        _check_order(key, [row.pk for row in locked], using)
    if keep_order and len(locked) > 1:
        by_pk = {row.pk: row for row in locked}
        order = queryset.filter(pk__in=list(by_pk)).values_list("pk", flat=True)
        return [by_pk[pk] for pk in order]
    return locked


def lock_first(queryset: QuerySet[_M]) -> _M | None:
    """The first row (by primary key) ``queryset`` selects, locked; ``None`` if none."""
    key = _ranked(_label_of(queryset.model))
    row = queryset.select_for_update(of=("self",)).order_by("pk").first()
    if row is not None:
        _check_order(key, [row.pk], queryset.db)
    return row


def lock_skipping(queryset: QuerySet[_M, _Row]) -> QuerySet[_M, _Row]:
    """``queryset`` locking its own rows and *skipping* rows another transaction holds.

    For beat jobs that share work between workers (the outbox, reminders, settlement):
    a skipped row is never waited for, so these locks cannot deadlock, and the order and
    shape of the queryset (its ``order_by``, slice, ``values_list``) stay the caller's.
    The model still needs its place in ``LOCK_ORDER``.
    """
    _ranked(_label_of(queryset.model))
    return queryset.select_for_update(skip_locked=True, of=("self",))


def lock_available(queryset: QuerySet[_M]) -> list[_M]:
    """The rows ``queryset`` selects that no other transaction holds, locked (in key order).

    ``lock_skipping`` evaluated, with the rows remembered as held, so that a step that
    locks one of them again (``werkstation.lifecycle.transition``) does not count as
    taking it anew.
    """
    key = _ranked(_label_of(queryset.model))
    rows = list(lock_skipping(queryset).order_by("pk"))
    held = _held(connections[queryset.db])
    if held is not None and rows:
        held.ranks.setdefault(_RANK[key], set()).update(row.pk for row in rows)
    return rows


def lock_get_or_create(
    label: str,
    *,
    defaults: dict[str, Any] | None = None,
    using: str = DEFAULT_DB_ALIAS,
    **lookup: Any,
) -> tuple[Any, bool]:
    """``get_or_create`` that locks the row it finds (a row it creates is held anyway)."""
    key = _ranked(label)
    model = apps.get_model(label)
    row, created = (
        model._default_manager.using(using)
        .select_for_update(of=("self",))
        .get_or_create(defaults=defaults, **lookup)
    )
    _check_order(key, [row.pk], using)
    return row, created


# The helpers by model return ``list[Any]``: the kernel does not import the apps' models
# (imports run one way), so the caller's variable names the model it asked for.


def lock_cooperatives(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("members.Cooperative", pks, **kwargs)


def lock_users(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("members.User", pks, **kwargs)


def lock_jobs(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("jobs.Job", pks, **kwargs)


def lock_shifts(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("jobs.Shift", pks, **kwargs)


def lock_offers(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("jobs.Offer", pks, **kwargs)


def lock_claims(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("jobs.Claim", pks, **kwargs)


def lock_timesheets(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("jobs.Timesheet", pks, **kwargs)


def lock_invoices(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("payouts.Invoice", pks, **kwargs)


def lock_payments(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("payouts.Payment", pks, **kwargs)


def lock_payout_batches(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("payouts.PayoutBatch", pks, **kwargs)


def lock_memberships(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("members.Membership", pks, **kwargs)


def lock_proposals(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("members.Proposal", pks, **kwargs)


def lock_rule_sets(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("payouts.RuleSet", pks, **kwargs)


def lock_tenders(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("challenges.Tender", pks, **kwargs)


def lock_bids(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("challenges.Bid", pks, **kwargs)


def lock_challenges(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("challenges.Challenge", pks, **kwargs)


def lock_contracts(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("challenges.Contract", pks, **kwargs)


def lock_payout_items(pks: Iterable[int], **kwargs: Any) -> list[Any]:
    return lock_rows("payouts.PayoutItem", pks, **kwargs)
