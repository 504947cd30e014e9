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
from tests.factories.work import make_shift
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
