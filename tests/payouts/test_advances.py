"""Advances from the cooperative fund, where the members voted them with the rule set."""

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from members.models import Profile
from members.services.governance import proposal_create, proposal_kinds
from payouts.models import Entry, RuleSet, Split, Transaction
from payouts.services.ledger import AccountBook, Leg, post
from payouts.services.payouts import (
    payout_batch_approve,
    payout_batch_confirm,
    payout_batch_create,
    payout_batch_execute,
)
from payouts.services.rulesets import founding_spec, rule_set_adopt, rule_set_create
from payouts.services.settlement import settlement_run
from tests.conftest import api_as
from tests.factories.money import _issue, approved_timesheet
from tests.factories.work import ensure_founded
from werkstation.errors import ValidationFailed

pytestmark = pytest.mark.django_db

SHARE = 8640  # € 96.00 for 3 h at € 32, minus 8% and 2%
TOTAL = 11616  # what the client pays for it, VAT included


def _balance(coop, kind, key=""):
    return (
        Entry.objects.filter(
            account__cooperative=coop, account__kind=kind, account__key=str(key)
        ).aggregate(s=Sum("amount_cents"))["s"]
        or 0
    )


def _advancing(world, *, limit: int, fund: int):
    """A rule set with advances (adopted a month ago) and a fund that holds ``fund`` cents."""
    rule_set = rule_set_create(
        actor=world.board_a,
        cooperative=world.coop_a,
        spec=founding_spec(),
        allow_advances=True,
        advance_limit_cents=limit,
    )
    month_ago = timezone.now() - timedelta(days=30)
    # The cooperative's own date (Amsterdam), as the service reads it: between 23:00 and
    # midnight UTC, UTC's date is a day behind.
    rule_set_adopt(
        rule_set=rule_set,
        effective_from=timezone.localdate(month_ago),
        via="vote",
        adopted_at=month_ago,
    )
    book = AccountBook(world.coop_a.pk)
    post(
        world.coop_a.pk,
        kind="opening",
        reference="opening-fund",
        description="The fund so far",
        legs=[Leg(book.get("bank"), fund), Leg(book.get("fund", "coop_fund"), -fund)],
    )
    return rule_set


def _pay_out(world) -> int:
    """A payout batch, approved by two and executed; what it paid the member."""
    world.coop_a.iban, world.coop_a.bic = "NL91ABNA0417164300", "ABNANL2A"
    world.coop_a.save()
    Profile.objects.filter(user=world.member_a).update(
        iban="NL20INGB0001234567", account_holder="A. Lid"
    )
    batch = payout_batch_create(actor=world.treasurer_a, cooperative=world.coop_a)
    payout_batch_approve(actor=world.treasurer_a, batch=batch)
    payout_batch_approve(actor=world.board_a, batch=batch)
    payout_batch_execute(actor=world.treasurer_a, batch=batch)
    # The SEPA transfers are "sent to the bank" until the treasurer confirms the bank paid.
    payout_batch_confirm(actor=world.treasurer_a, batch=batch)
    return (
        batch.items.filter(member=world.member_a, status="paid").aggregate(s=Sum("amount_cents"))[
            "s"
        ]
        or 0
    )


def test_without_the_option_the_share_waits_for_the_clients_payment(market):

    ensure_founded(market.coop_a)
    approved_timesheet(market)
    settlement_run()
    assert Split.objects.get().advanced_cents == 0
    assert _balance(market.coop_a, "payable", market.member_a.pk) == 0
    assert _balance(market.coop_a, "earned", market.member_a.pk) == -SHARE


def test_the_fund_advances_within_its_limit_and_is_reimbursed_when_the_client_pays(market):
    _advancing(market, limit=15000, fund=20000)
    sheets = [approved_timesheet(market, days_ago=d) for d in (3, 2, 1)]
    settlement_run()
    splits = [Split.objects.get(timesheet=s) for s in sheets]
    # The first share is advanced; a second would pass the voted limit of € 150 out at once.
    assert [s.advanced_cents for s in splits] == [SHARE, 0, 0]
    coop, member = market.coop_a, market.member_a.pk
    assert _balance(coop, "payable", member) == -SHARE  # payable at once
    assert _balance(coop, "earned", member) == -2 * SHARE  # these wait for the client
    assert _balance(coop, "advanced", "coop_fund") == -SHARE
    assert _balance(coop, "fund", "coop_fund") == -(20000 + 3 * 768 - SHARE)
    legs = Transaction.objects.get(reference=f"advance:{splits[0].pk}").entries.select_related(
        "account"
    )
    assert sorted((e.account.kind, e.amount_cents) for e in legs) == sorted(
        [("earned", SHARE), ("payable", -SHARE), ("fund", SHARE), ("advanced", -SHARE)]
    )
    assert _pay_out(market) == SHARE  # paid before the client paid anything
    # The client pays the invoice: the fund gets its advance back, the other shares come free.
    invoice = _issue(market).data
    paid = api_as(market.treasurer_a).post(
        "/api/v1/cooperatives/alpha/payments/",
        {
            "invoice": invoice["number"],
            "amount": f"{3 * TOTAL / 100:.2f}",
            "currency": "EUR",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    assert paid.status_code == 201, paid.data
    assert _balance(coop, "advanced", "coop_fund") == 0
    assert _balance(coop, "fund", "coop_fund") == -(20000 + 3 * 768)
    assert _balance(coop, "payable", member) == -2 * SHARE  # never the advanced share twice
    assert _balance(coop, "earned", member) == 0
    assert _pay_out(market) == 2 * SHARE
    assert Entry.objects.aggregate(s=Sum("amount_cents"))["s"] == 0


def test_a_client_who_never_pays_leaves_the_advance_with_the_fund_and_stops_further_ones(market):
    _advancing(market, limit=20000, fund=50000)
    first = [approved_timesheet(market, days_ago=d) for d in (5, 4)]
    settlement_run()
    assert [Split.objects.get(timesheet=s).advanced_cents for s in first] == [SHARE, SHARE]
    assert _pay_out(market) == 2 * SHARE  # the member is paid; the client never pays
    _issue(market)  # invoiced, overdue, never paid
    coop = market.coop_a
    assert _balance(coop, "receivable", market.client_a.pk) == 2 * TOTAL
    assert _balance(coop, "advanced", "coop_fund") == -2 * SHARE  # still out, on the fund's books
    assert _balance(coop, "fund", "coop_fund") == -(50000 + 2 * 768 - 2 * SHARE)
    # With € 172.80 out, the next share would pass the € 200 limit: it waits for a payment.
    later = approved_timesheet(market, days_ago=1)
    settlement_run()
    assert Split.objects.get(timesheet=later).advanced_cents == 0
    assert _balance(coop, "payable", market.member_a.pk) == 0
    assert _balance(coop, "earned", market.member_a.pk) == -SHARE


def test_no_advance_beyond_what_the_fund_holds(market):
    _advancing(market, limit=100000, fund=1000)
    approved_timesheet(market)
    settlement_run()
    assert Split.objects.get().advanced_cents == 0  # € 10 + € 7.68 cannot lend € 86.40


def test_a_correction_undoes_the_advance_and_advances_the_new_share(market):
    from payouts.services.corrections import timesheet_correct

    _advancing(market, limit=100000, fund=50000)
    sheet = approved_timesheet(market)
    settlement_run()
    corrected = timesheet_correct(
        actor=market.board_a,
        timesheet_id=sheet.pk,
        minutes_worked=120,
        break_minutes=0,
        reason="2 uur",
    )
    assert corrected.advanced_cents == corrected.member_cents == 5760
    coop = market.coop_a
    assert _balance(coop, "payable", market.member_a.pk) == -5760
    assert _balance(coop, "advanced", "coop_fund") == -5760
    assert _balance(coop, "earned", market.member_a.pk) == 0


def test_the_proposal_carries_the_advances_option_and_says_so(world):

    ensure_founded(world.coop_a)
    proposal = proposal_create(
        actor=world.board_a,
        cooperative=world.coop_a,
        kind="payout_rules",
        title="Voorschot",
        payload={"spec": founding_spec(), "allow_advances": True, "advance_limit_cents": 500000},
    )
    rule_set = RuleSet.objects.get(pk=proposal.payload["rule_set"])
    assert (rule_set.allow_advances, rule_set.advance_limit_cents) == (True, 500000)
    assert "spec" not in proposal.payload or "allow_advances" not in proposal.payload["spec"]
    describe = proposal_kinds()["payout_rules"].describe
    assert any("advances" in line and "5,000.00" in line for line in describe(proposal, "en"))
    assert any("voorschiet" in line or "schiet" in line for line in describe(proposal, "nl"))
    before = RuleSet.objects.count()
    with pytest.raises(ValidationFailed) as error:
        proposal_create(
            actor=world.board_a,
            cooperative=world.coop_a,
            kind="payout_rules",
            title="x",
            payload={"spec": founding_spec(), "allow_advances": True},
        )
    assert error.value.field == "advance_limit_cents"
    with pytest.raises(ValidationFailed) as error:
        proposal_create(
            actor=world.board_a,
            cooperative=world.coop_a,
            kind="payout_rules",
            title="x",
            payload={"spec": founding_spec(), "allow_advances": "yes", "advance_limit_cents": 5},
        )
    assert error.value.field == "allow_advances"
    assert RuleSet.objects.count() == before
