"""Advances and volunteer withholding stay consistent through refunds, disputes and credit notes.

Each test checks the balance of every account it touches and that the ledger sums to zero,
per transaction and in total.
"""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from members.models import Membership
from payouts.models import Entry, InvoiceLine, MoneySettings, Payment, Split, Transaction
from payouts.services.credit_notes import credit_note_issue
from payouts.services.invoices import payment_record
from payouts.services.reversals import dispute_record, payment_refund
from payouts.services.settlement import settlement_run
from tests.factories.money import _issue, approved_timesheet
from tests.factories.work import ensure_founded
from tests.payouts.test_advances import _advancing

pytestmark = pytest.mark.django_db

SHARE = 8640  # the member's share of one 3-hour line (€ 96 less 8% and 2%)
TOTAL = 11616  # the line with VAT
POTS = 768  # the cooperative fund's 8% of € 96
FUND = 50000  # what the fund holds before


def _balance(coop, kind, key=""):
    return (
        Entry.objects.filter(
            account__cooperative=coop, account__kind=kind, account__key=str(key)
        ).aggregate(s=Sum("amount_cents"))["s"]
        or 0
    )


def _balances(world) -> dict[str, int]:
    coop, member = world.coop_a, world.member_a.pk
    return {
        "earned": _balance(coop, "earned", member),
        "payable": _balance(coop, "payable", member),
        "advanced": _balance(coop, "advanced", "coop_fund"),
        "fund": _balance(coop, "fund", "coop_fund"),
        "receivable": _balance(coop, "receivable", world.client_a.pk),
    }


def _assert_zero_sum():
    assert Entry.objects.aggregate(s=Sum("amount_cents"))["s"] == 0
    unbalanced = (
        Transaction.objects.annotate(s=Sum("entries__amount_cents")).exclude(s=0).exclude(s=None)
    )
    assert list(unbalanced.values_list("reference", flat=True)) == []


def _pay(world, cents):
    invoice_number = world.invoice["number"]
    return payment_record(
        actor=world.treasurer_a,
        cooperative=world.coop_a,
        invoice_number=invoice_number,
        amount=Decimal(cents) / 100,
        currency="EUR",
        received_on=timezone.localdate(),
    )


@pytest.fixture
def advanced(market):
    """One advanced line on an issued invoice: the member's share payable at once."""
    _advancing(market, limit=100000, fund=FUND)
    market.sheet = approved_timesheet(market)
    settlement_run()
    market.split = Split.objects.get(timesheet=market.sheet)
    assert market.split.advanced_cents == SHARE
    market.invoice = _issue(market).data
    market.line = InvoiceLine.objects.get(split=market.split)
    return market


LENT = {"earned": 0, "payable": -SHARE, "advanced": -SHARE, "fund": -(FUND + POTS - SHARE)}
REPAID = {"earned": 0, "payable": -SHARE, "advanced": 0, "fund": -(FUND + POTS)}


def test_a_refund_lends_the_advance_again_and_a_new_payment_returns_it(advanced):
    payment = _pay(advanced, TOTAL)
    assert _balances(advanced) == {**REPAID, "receivable": 0}
    refund = payment_refund(
        actor=advanced.treasurer_a, payment=payment, amount_cents=TOTAL, reason="Terug"
    )
    # The member keeps the share (it was theirs since approval): the fund lends it again.
    assert _balances(advanced) == {**LENT, "receivable": TOTAL}
    assert refund.unrecovered_cents == 0
    line = InvoiceLine.objects.get(pk=advanced.line.pk)
    assert (line.released, line.holds) == (False, 1)
    assert Transaction.objects.filter(reference=f"rehold:{line.pk}:1").exists()
    _pay(advanced, TOTAL)  # the client pays again: the fund is repaid once more
    assert _balances(advanced) == {**REPAID, "receivable": 0}
    assert Transaction.objects.filter(reference=f"release:{line.pk}:1").exists()
    assert InvoiceLine.objects.get(pk=line.pk).released
    _assert_zero_sum()


def test_a_dispute_opened_and_won_lends_the_advance_and_returns_it(advanced):
    payment = _pay(advanced, TOTAL)
    dispute_record(payment=payment, amount_cents=TOTAL, external_id="dp_1", status="open")
    assert _balances(advanced) == {**LENT, "receivable": TOTAL}
    dispute_record(payment=payment, amount_cents=TOTAL, external_id="dp_1", status="won")
    assert _balances(advanced) == {**REPAID, "receivable": 0}
    assert InvoiceLine.objects.get(pk=advanced.line.pk).released
    _assert_zero_sum()


def test_a_lost_dispute_leaves_the_advance_with_the_fund(advanced):
    payment = _pay(advanced, TOTAL)
    dispute_record(payment=payment, amount_cents=TOTAL, external_id="dp_2", status="won")
    dispute_record(
        payment=Payment.objects.get(), amount_cents=TOTAL, external_id="dp_3", status="lost"
    )
    assert _balances(advanced) == {**LENT, "receivable": TOTAL}
    _assert_zero_sum()


def test_crediting_an_advanced_line_before_payment_returns_the_loan_and_cancels_the_payable(
    advanced,
):
    note = credit_note_issue(
        actor=advanced.treasurer_a,
        invoice=advanced.line.invoice,
        reason="Niet gedaan",
        line_ids=[advanced.line.pk],
    )
    assert _balances(advanced) == {
        "earned": 0,
        "payable": 0,
        "advanced": 0,
        "fund": -FUND,
        "receivable": 0,
    }
    reversal = Split.objects.get(reverses=advanced.split)
    assert (reversal.member_cents, reversal.advanced_cents) == (-SHARE, -SHARE)
    assert note.total_cents == TOTAL
    _assert_zero_sum()


def test_crediting_an_advanced_line_after_payment_takes_back_only_the_payable(advanced):
    _pay(advanced, TOTAL)
    credit_note_issue(
        actor=advanced.treasurer_a,
        invoice=advanced.line.invoice,
        reason="Niet gedaan",
        line_ids=[advanced.line.pk],
    )
    # The payment returned the loan already; the client is owed the line back.
    assert _balances(advanced) == {
        "earned": 0,
        "payable": 0,
        "advanced": 0,
        "fund": -FUND,
        "receivable": -TOTAL,
    }
    _assert_zero_sum()


def test_crediting_an_advanced_line_after_a_refund_returns_the_loan_lent_again(advanced):
    payment = _pay(advanced, TOTAL)
    payment_refund(actor=advanced.treasurer_a, payment=payment, amount_cents=TOTAL, reason="Terug")
    credit_note_issue(
        actor=advanced.treasurer_a,
        invoice=advanced.line.invoice,
        reason="Niet gedaan",
        line_ids=[advanced.line.pk],
    )
    assert _balances(advanced) == {
        "earned": 0,
        "payable": 0,
        "advanced": 0,
        "fund": -FUND,
        "receivable": 0,
    }
    _assert_zero_sum()


ALLOWED = 5000  # the volunteer's monthly maximum here
WITHHELD = SHARE - ALLOWED


@pytest.fixture
def withheld(market):
    """One volunteer line above the monthly maximum, on an issued invoice."""
    ensure_founded(market.coop_a)
    Membership.objects.filter(user=market.member_a, cooperative=market.coop_a).update(
        engagement="volunteer"
    )
    MoneySettings.objects.update_or_create(
        cooperative=market.coop_a,
        defaults={"volunteer_month_max_cents": ALLOWED, "volunteer_year_max_cents": 10 * ALLOWED},
    )
    market.sheet = approved_timesheet(market)
    settlement_run()
    market.split = Split.objects.get(timesheet=market.sheet)
    assert (market.split.member_cents, market.split.withheld_cents) == (ALLOWED, WITHHELD)
    market.invoice = _issue(market).data
    market.line = InvoiceLine.objects.get(split=market.split)
    return market


@pytest.mark.parametrize("paid", [False, True])
def test_crediting_a_volunteer_line_undoes_what_was_withheld(withheld, paid):
    if paid:
        _pay(withheld, TOTAL)
        assert _balances(withheld)["payable"] == -ALLOWED
        assert _balances(withheld)["earned"] == 0
    credit_note_issue(
        actor=withheld.treasurer_a,
        invoice=withheld.line.invoice,
        reason="Niet gedaan",
        line_ids=[withheld.line.pk],
    )
    assert _balances(withheld) == {
        "earned": 0,
        "payable": 0,
        "advanced": 0,
        "fund": 0,
        "receivable": -TOTAL if paid else 0,
    }
    reversal = Split.objects.get(reverses=withheld.split)
    assert (reversal.member_cents, reversal.withheld_cents) == (-ALLOWED, -WITHHELD)
    assert reversal.withheld_reason == withheld.split.withheld_reason
    _assert_zero_sum()


def test_a_payment_books_one_release_per_member_and_marks_only_the_covered_lines(market):
    ensure_founded(market.coop_a)
    sheets = [
        approved_timesheet(market, days_ago=4),
        approved_timesheet(market, days_ago=3, user=market.board_a),
        approved_timesheet(market, days_ago=2),
        approved_timesheet(market, days_ago=1, user=market.board_a),
    ]
    settlement_run()
    market.invoice = _issue(market).data
    lines = [InvoiceLine.objects.get(split__timesheet=s) for s in sheets]
    assert [line.hourly_cents for line in lines] == [3200] * 4
    assert InvoiceLine.objects.filter(invoice_id=market.invoice["id"]).count() == 4
    _pay(market, 3 * TOTAL + 100)  # covers the three oldest lines whole
    assert [InvoiceLine.objects.get(pk=line.pk).released for line in lines] == [
        True,
        True,
        True,
        False,
    ]
    releases = Transaction.objects.filter(reference__startswith="release:")
    assert sorted(releases.values_list("reference", flat=True)) == sorted(
        [f"release:{lines[0].pk}", f"release:{lines[1].pk}"]
    )
    coop = market.coop_a
    assert _balance(coop, "payable", market.member_a.pk) == -2 * SHARE
    assert _balance(coop, "payable", market.board_a.pk) == -SHARE
    assert _balance(coop, "earned", market.board_a.pk) == -SHARE
    _pay(market, TOTAL - 100)
    assert Transaction.objects.filter(reference=f"release:{lines[3].pk}").exists()
    assert all(line.released for line in InvoiceLine.objects.all())
    assert _balance(coop, "payable", market.board_a.pk) == -2 * SHARE
    assert _balance(coop, "earned", market.board_a.pk) == 0
    _assert_zero_sum()
