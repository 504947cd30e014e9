"""The lock helpers take rows in primary-key order and refuse to go against the order."""

import pytest
from django.db import transaction

from jobs.models import Claim
from werkstation.locks import LOCK_ORDER, LockOrderViolation, lock_claims, lock_shifts, lock_users

pytestmark = pytest.mark.django_db


def test_the_documented_order_runs_from_the_tenant_to_the_money():
    assert LOCK_ORDER.index("members.Cooperative") == 0
    order = ["members.User", "jobs.Shift", "jobs.Claim", "jobs.Timesheet", "payouts.PayoutBatch"]
    assert [LOCK_ORDER.index(label) for label in order] == sorted(
        LOCK_ORDER.index(label) for label in order
    )


def test_rows_come_back_locked_in_key_order(market):
    times = {"start": market.shift.start, "end": market.shift.end}
    other = Claim.objects.create(shift=market.shift, user=market.board_a, status="claimed", **times)
    first = Claim.objects.create(
        shift=market.shift, user=market.member_a, status="claimed", **times
    )
    with transaction.atomic():
        locked = lock_claims([first.pk, other.pk, None])
    assert [c.pk for c in locked] == sorted([first.pk, other.pk])


def test_a_lower_rank_after_a_higher_one_is_refused(market):
    # Two locks in one transaction: the second is the one refused.
    with pytest.raises(LockOrderViolation, match=r"members\.User"), transaction.atomic():  # noqa: PT012
        lock_shifts([market.shift.pk])
        lock_users([market.member_a.pk])


def test_a_lower_key_after_a_higher_one_of_the_same_rank_is_refused(market):
    users = sorted([market.member_a.pk, market.board_a.pk])
    with (  # noqa: PT012 - two locks in one transaction: the second is refused
        pytest.raises(LockOrderViolation, match=r"locked after members\.User"),
        transaction.atomic(),
    ):
        lock_users([users[1]])
        lock_users([users[0]])


def test_relocking_a_held_row_and_a_new_transaction_start_afresh(market):
    with transaction.atomic():
        lock_users([market.member_a.pk])
        lock_shifts([market.shift.pk])
        lock_users([market.member_a.pk])  # held already: never waits
    with transaction.atomic():  # the next service starts with nothing held
        lock_users([market.member_a.pk])
