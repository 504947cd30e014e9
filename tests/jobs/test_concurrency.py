"""Invariants under concurrent requests, with real threads on real PostgreSQL.

Each thread has its own database connection and transaction; a barrier releases them
together. These run as transactional tests (not inside one test transaction).
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction

from jobs.models import SLOT_HOLDING, Claim, Shift
from jobs.services.claims import shift_claim
from tests.factories import MembershipFactory
from tests.factories.work import make_shift, place_member
from werkstation.errors import ApplicationError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except ApplicationError as exc:
            results[index] = exc.code
        except Exception as exc:  # record anything unexpected for the assertion
            results[index] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    close_old_connections()
    return results


def test_32_concurrent_claims_on_the_last_slot(market):
    Shift.objects.filter(pk=market.shift.pk).update(slots=1)
    members = [MembershipFactory(cooperative=market.coop_a).user for _ in range(32)]
    for user in members:  # the claim check applies the feed's rules: a home, availability
        place_member(user)
    results = _race([lambda u=u: shift_claim(user=u, shift=market.shift).status for u in members])
    holding = Claim.objects.filter(shift=market.shift, status__in=SLOT_HOLDING)
    assert holding.count() == 1
    assert results.count("claimed") == 1
    assert all(r in ("claimed", "waitlisted") for r in results), results
    market.shift.refresh_from_db()
    assert market.shift.filled == 1
    positions = sorted(
        Claim.objects.filter(shift=market.shift, status="waitlisted").values_list(
            "waitlist_position", flat=True
        )
    )
    assert positions == list(range(1, 32))


def test_concurrent_overlapping_claims_by_one_member(market):
    shifts = [
        make_shift(market.job, market.shift.start + timedelta(minutes=10 * i), hours=2, slots=3)
        for i in range(12)
    ]
    member = market.member_a
    results = _race([lambda s=s: shift_claim(user=member, shift=s).status for s in shifts])
    assert Claim.objects.filter(user=member, status__in=SLOT_HOLDING).count() == 1
    assert results.count("claimed") == 1
    assert all(r in ("claimed", "overlap") for r in results), results


def test_database_refuses_overlapping_claims_even_without_the_service(market):
    later = make_shift(market.job, market.shift.start + timedelta(hours=1), hours=2, slots=3)
    Claim.objects.create(
        shift=market.shift,
        user=market.member_a,
        status="claimed",
        start=market.shift.start,
        end=market.shift.end,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Claim.objects.create(
            shift=later, user=market.member_a, status="claimed", start=later.start, end=later.end
        )
    # A waitlisted claim holds no slot, so it may overlap.
    Claim.objects.create(
        shift=later,
        user=market.member_a,
        status="waitlisted",
        waitlist_position=1,
        start=later.start,
        end=later.end,
    )


def test_database_refuses_more_filled_than_slots(market):
    with pytest.raises(IntegrityError), transaction.atomic():
        Shift.objects.filter(pk=market.shift.pk).update(filled=3)


ROUNDS = 50
ORDER = ("holder", "first", "second", "last")


def _one_slot_shift_with_a_waitlist(market, members, *, pattern: int, round_: int):
    """A one-slot shift ten days out (each round four hours later): ``holder`` has the slot (confirmed, or an offer that
    has expired), three more members wait in line."""
    from django.utils import timezone

    start = (timezone.now() + timedelta(days=10, hours=4 * round_)).replace(
        minute=0, second=0, microsecond=0
    )
    shift = make_shift(market.job, start, hours=3, slots=1)
    Shift.objects.filter(pk=shift.pk).update(filled=1)
    holder, first, second, last = members
    expired = pattern == 0
    times = {"start": shift.start, "end": shift.end}
    claims = {
        "holder": Claim.objects.create(
            shift=shift,
            user=holder,
            status="offered" if expired else "confirmed",
            offer_expires_at=timezone.now() - timedelta(minutes=1) if expired else None,
            **times,
        ),
    }
    for position, (name, user) in enumerate(
        (("first", first), ("second", second), ("last", last)), start=1
    ):
        claims[name] = Claim.objects.create(
            shift=shift, user=user, status="waitlisted", waitlist_position=position, **times
        )
    return shift, claims


def test_simultaneous_withdraw_reject_and_expire_on_one_shift_never_fail(market):
    """50 rounds on a one-slot shift with a waitlist: the holder leaves (withdraws, is
    rejected, or lets an offer expire) while the head of the waitlist withdraws and the
    client rejects the next one, all at the same moment, with the offer-expiry beat job
    running too. Every call succeeds, and the slot ends with the last member in line."""
    from jobs.services.claims import claim_reject, claim_withdraw, offers_expire

    members = [MembershipFactory(cooperative=market.coop_a).user for _ in range(4)]
    client = market.client_user
    failures = []
    for round_ in range(ROUNDS):
        pattern = round_ % 3
        shift, claims = _one_slot_shift_with_a_waitlist(
            market, members, pattern=pattern, round_=round_
        )
        holder, first, second = claims["holder"], claims["first"], claims["second"]
        holder_leaves = {
            0: lambda: offers_expire() >= 0 and "expired",
            1: lambda c=holder: claim_withdraw(user=c.user, claim_id=c.pk).status,
            2: lambda c=holder: claim_reject(actor=client, claim_id=c.pk, reason="te laat").status,
        }[pattern]
        results = _race(
            [
                holder_leaves,
                lambda c=first: claim_withdraw(user=c.user, claim_id=c.pk).status,
                lambda c=second: claim_reject(actor=client, claim_id=c.pk, reason="vol").status,
                lambda: offers_expire() >= 0 and "expire-run",
            ]
        )
        expected = [{0: "expired", 1: "withdrawn", 2: "rejected"}[pattern], "withdrawn"]
        expected += ["rejected", "expire-run"]
        if results != expected:
            failures.append((round_, results))
        shift.refresh_from_db()
        final = {name: Claim.objects.get(pk=c.pk) for name, c in claims.items()}
        holding = Claim.objects.filter(shift=shift, status__in=SLOT_HOLDING)
        state = (shift.filled, holding.count(), *(final[n].status for n in ORDER))
        left = {0: "withdrawn", 1: "withdrawn", 2: "rejected"}[pattern]
        if state != (1, 1, left, "withdrawn", "rejected", "offered"):
            failures.append((round_, "state", state))
    assert failures == []
