"""Refunds, disputes and returned payouts delivered concurrently (real threads, PostgreSQL).

A webhook may arrive several times at once; each thread has its own connection and
transaction, and a barrier releases them together.
"""

from __future__ import annotations

import random

import pytest

from payouts.models import Dispute, Invoice, PayoutItem, Refund, Transaction
from payouts.services.reversals import dispute_record, payment_refund, payout_item_return
from tests.jobs.test_concurrency import _race
from tests.payouts.test_reversals import LINE, SHARE, _balances, _execute_batch, paid  # noqa: F401

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_refund_delivered_six_times_at_once_has_one_effect(paid):  # noqa: F811
    payment = paid.payment
    results = _race(
        [
            lambda: (
                payment_refund(
                    actor=None, payment=payment, amount_cents=LINE, reason="", external_id="re_same"
                ).pk
            )
            for _ in range(6)
        ]
    )
    assert len(set(results)) == 1, results
    assert isinstance(results[0], int), results
    assert Refund.objects.count() == 1
    assert Transaction.objects.filter(kind="refund").count() == 1
    assert Invoice.objects.get().paid_cents == 2 * LINE


def test_refunds_racing_for_the_last_euro_never_refund_more_than_was_paid(paid):  # noqa: F811
    payment = paid.payment
    results = _race(
        [
            lambda i=i: (
                payment_refund(
                    actor=None, payment=payment, amount_cents=LINE, reason="", external_id=f"re_{i}"
                ).amount_cents
            )
            for i in range(5)
        ]
    )
    assert sorted(results, key=str) == sorted([LINE] * 3 + ["above_refundable"] * 2, key=str)
    assert Invoice.objects.get().paid_cents == 0
    assert _balances(paid)["bank"] == 0
    assert _balances(paid)["payable"] == 0


def test_dispute_events_shuffled_and_concurrent_end_won(paid):  # noqa: F811
    events = ["open", "won"] * 4
    random.Random(7).shuffle(events)
    payment = paid.payment
    results = _race(
        [
            lambda s=s: (
                dispute_record(
                    payment=payment, amount_cents=LINE, external_id="dp_race", status=s
                ).pk
            )
            for s in events
        ]
    )
    assert all(isinstance(r, int) for r in results), results
    dispute = Dispute.objects.get()
    assert (dispute.status, dispute.withdrawn, dispute.returned) == ("won", True, True)
    assert Transaction.objects.filter(kind="dispute").count() == 2
    assert _balances(paid) == {
        "payable": -3 * SHARE,
        "earned": 0,
        "bank": 3 * LINE,
        "receivable": 0,
    }


def test_a_returned_payout_reported_four_times_at_once_is_owed_once(paid):  # noqa: F811
    item = _execute_batch(paid).items.get()
    results = _race(
        [
            lambda i=i: (
                payout_item_return(
                    actor=None,
                    item=item,
                    reason="bounced",
                    external_id="tr_rev_1" if i % 2 else None,
                ).status
            )
            for i in range(4)
        ]
    )
    assert results == ["returned"] * 4, results
    assert Transaction.objects.filter(kind="payout_return").count() == 1
    assert PayoutItem.objects.get(pk=item.pk).status == "returned"
    assert _balances(paid)["payable"] == -3 * SHARE
