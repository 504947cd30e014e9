"""Stripe Connect: Express onboarding, account.updated, and payout batches paid by transfer."""

import pytest
from django.test import Client
from django.utils.translation import gettext

from members.models import Profile
from payouts.models import PayoutItem, StripeConnectAccount, StripeTransfer
from payouts.selectors import account_balance
from payouts.services.ledger import AccountBook
from payouts.services.payouts import payout_batch_create, payout_batch_execute
from tests.conftest import api_as
from tests.factories import MembershipFactory, UserFactory
from tests.payouts.stripe_support import (
    approved_batch,
    connect,
    deliver,
    owe,
    stripe_on,
    stripe_payout_legs,
    transfers_at_stripe,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coop(world, fake_stripe):
    stripe_on(world.coop_a)
    world.fake = fake_stripe
    return world


def _member(world, n: int, *, iban: str = ""):
    user = MembershipFactory(
        cooperative=world.coop_a, user=UserFactory(email=f"lid{n}@example.org")
    ).user
    if iban:
        Profile.objects.filter(user=user).update(iban=iban, account_holder=f"Lid {n}")
    return user


def test_a_member_onboards_with_an_express_link_and_stripe_enables_payouts(coop):
    fake, api = coop.fake, api_as(coop.member_a)
    assert api.get("/api/v1/cooperatives/alpha/stripe/connect/").data["account"] is None
    first = api.post("/api/v1/cooperatives/alpha/stripe/connect/")
    assert first.status_code == 201
    assert "/connect/onboarding/acct_" in first.data["url"]
    again = api.post("/api/v1/cooperatives/alpha/stripe/connect/")
    assert again.status_code == 201
    accounts = fake.of_type("account")
    assert len(accounts) == 1
    assert accounts[0]["type"] == "express"
    assert accounts[0]["email"] == coop.member_a.email
    web = Client()
    web.force_login(coop.member_a)
    assert 'data-state="pending"' in web.get("/c/alpha/payouts/stripe/").content.decode()
    event = fake.update_account(accounts[0]["id"], payouts_enabled=True, details_submitted=True)
    assert deliver(Client(), fake, event).status_code == 200
    state = api.get("/api/v1/cooperatives/alpha/stripe/connect/").data
    assert state["payouts_enabled"]
    assert state["details_submitted"]
    assert 'data-state="ready"' in web.get("/c/alpha/payouts/stripe/").content.decode()
    # The page's button sends the member to Stripe.
    go = web.post("/c/alpha/payouts/stripe/")
    assert go.status_code == 302
    assert "/connect/onboarding/" in go["Location"]
    # Another cooperative's member cannot onboard here (nor learn it is possible).
    assert (
        api_as(coop.member_b).post("/api/v1/cooperatives/alpha/stripe/connect/").status_code == 404
    )


def test_without_connect_there_is_no_onboarding(world, fake_stripe):
    stripe_on(world.coop_a, connect=False)
    refused = api_as(world.member_a).post("/api/v1/cooperatives/alpha/stripe/connect/")
    assert refused.status_code == 400
    assert refused.data["error"]["code"] == "connect_off"
    assert not StripeConnectAccount.objects.exists()
    assert not fake_stripe.of_type("account")


def test_an_older_account_updated_never_overrides_a_newer_one(coop):
    fake = coop.fake
    account = connect(coop, fake, coop.member_a)
    enabled = fake.update_account(account.account_id, payouts_enabled=True)
    disabled = fake.update_account(account.account_id, payouts_enabled=False)
    web = Client()
    assert deliver(web, fake, disabled).status_code == 200
    assert deliver(web, fake, enabled).status_code == 200  # arrives late
    account.refresh_from_db()
    assert account.payouts_enabled is False


def test_a_stale_event_for_a_fresh_account_takes_stripes_current_state(coop):
    """The first event we see is older than what Stripe knows now: we read the account."""
    fake = coop.fake
    api_as(coop.member_a).post("/api/v1/cooperatives/alpha/stripe/connect/")
    account = StripeConnectAccount.objects.get()
    stale = fake.update_account(account.account_id, payouts_enabled=True)
    fake.update_account(account.account_id, payouts_enabled=False)  # not delivered yet
    deliver(Client(), fake, stale)
    account.refresh_from_db()
    assert account.payouts_enabled is False


def test_a_batch_pays_connected_members_by_transfer_and_the_rest_by_sepa(coop):
    fake, coop_a = coop.fake, coop.coop_a
    coop_a.iban, coop_a.bic = "NL91ABNA0417164300", "ABNANL2A"
    coop_a.save()
    one, two = _member(coop, 1), _member(coop, 2)
    by_bank = _member(coop, 3, iban="NL20INGB0001234567")
    for user, cents in ((one, 12000), (two, 8000), (by_bank, 5000)):
        owe(coop_a, user, cents)
    connect(coop, fake, one)
    connect(coop, fake, two)
    fake.top_up(100_000)
    batch = approved_batch(coop)
    methods = {i.member_id: i.method for i in batch.items.all()}
    assert methods == {one.pk: "stripe", two.pk: "stripe", by_bank.pk: "sepa"}
    batch = payout_batch_execute(actor=coop.board_a, batch=batch)
    assert batch.status == "executed"
    transfers = transfers_at_stripe(fake)
    assert sorted(t["amount"] for t in transfers) == [8000, 12000]
    keys = {
        r["idempotency_key"]
        for r in fake.requests
        if r["path"] == "/v1/transfers" and r["method"] == "POST"
    }
    assert keys == {
        f"payout-{coop_a.pk}-{batch.pk}-{one.pk}",
        f"payout-{coop_a.pk}-{batch.pk}-{two.pk}",
    }
    items = {i.member_id: i for i in batch.items.all()}
    assert items[one.pk].status == "paid"
    assert items[one.pk].provider_id.startswith("tr_")
    assert "NL20INGB0001234567" in batch.sepa_xml
    assert "12000" not in batch.sepa_xml
    book = AccountBook(coop_a.pk)
    assert all(account_balance(book.get("payable", u.pk)) == 0 for u in (one, two, by_bank))
    assert account_balance(book.get("stripe")) == -20000
    assert stripe_payout_legs(coop_a) == 20000
    posted = len(fake.requests)
    payout_batch_execute(actor=coop.board_a, batch=batch)  # again: nothing more happens
    assert len(fake.requests) == posted
    assert len(transfers_at_stripe(fake)) == 2


@pytest.mark.parametrize("overflow", ["wait", "sepa"])
def test_a_batch_never_transfers_more_than_the_stripe_balance(coop, overflow):
    fake, coop_a = coop.fake, coop.coop_a
    coop_a.iban = "NL91ABNA0417164300"
    coop_a.save()
    coop_a.stripe_settings.connect_overflow = overflow
    coop_a.stripe_settings.save()
    big, middle = _member(coop, 1, iban="NL20INGB0001234567"), _member(coop, 2)
    small = _member(coop, 3, iban="NL69INGB0123456789")
    for user, cents in ((big, 20000), (middle, 15000), (small, 12000)):
        owe(coop_a, user, cents)
        connect(coop, fake, user)
    fake.top_up(30000)
    batch = payout_batch_execute(actor=coop.board_a, batch=approved_batch(coop))
    assert batch.status == "executed"
    assert sum(t["amount"] for t in transfers_at_stripe(fake)) == 20000  # of the 30000 owed
    items = {i.member_id: i for i in batch.items.all()}
    assert items[big.pk].status == "paid"
    assert items[big.pk].method == "stripe"
    if overflow == "wait":
        assert items[middle.pk].status == items[small.pk].status == "held"
        waits = gettext("%(why)s: waits for the next batch") % {"why": ""}
        assert items[small.pk].hold_reason.endswith(waits)
        assert batch.sepa_xml == ""
        # The next batch takes them up again, once the balance allows.
        fake.top_up(30000)
        later = payout_batch_execute(actor=coop.board_a, batch=approved_batch(coop))
        assert {i.member_id for i in later.items.filter(status="paid")} == {middle.pk, small.pk}
    else:
        # With an IBAN the rest goes by SEPA now; without one it waits.
        assert items[small.pk].status == "sent"
        assert items[small.pk].method == "sepa"
        assert "NL69INGB0123456789" in batch.sepa_xml
        assert items[middle.pk].status == "held"
    book = AccountBook(coop_a.pk)
    assert stripe_payout_legs(coop_a) == sum(t["amount"] for t in transfers_at_stripe(fake))
    assert -account_balance(book.get("stripe")) == sum(
        t["amount"] for t in transfers_at_stripe(fake)
    )


def test_a_refused_transfer_is_not_paid_twice_when_the_account_was_switched_off(coop):
    fake, coop_a = coop.fake, coop.coop_a
    member = _member(coop, 1)
    owe(coop_a, member, 9000)
    account = connect(coop, fake, member)
    fake.top_up(50000)
    batch = approved_batch(coop)
    fake.objects[account.account_id]["payouts_enabled"] = False  # Stripe switched it off meanwhile
    batch = payout_batch_execute(actor=coop.board_a, batch=batch)
    item = batch.items.get()
    refused = gettext("Stripe refused the transfer: %(m)s") % {"m": ""}
    assert item.status == "held"
    assert item.hold_reason.startswith(refused)
    assert transfers_at_stripe(fake) == []
    assert StripeTransfer.objects.get().status == "failed"
    assert account_balance(AccountBook(coop_a.pk).get("payable", member.pk)) == -9000


FAULTS = [
    ("unavailable", {}),
    ("timeout", {"delay": 3.0}),
    ("drop", {}),
    ("error", {"commit": True}),
    ("error", {"commit": False}),
]


@pytest.mark.parametrize(("kind", "options"), FAULTS, ids=[f"{k}-{o}" for k, o in FAULTS])
def test_faults_are_retried_with_the_same_key_and_never_pay_twice(coop, kind, options):
    fake, coop_a = coop.fake, coop.coop_a
    members = [_member(coop, n) for n in (1, 2)]
    for n, user in enumerate(members):
        owe(coop_a, user, 7000 + n)
        connect(coop, fake, user)
    fake.top_up(50000)
    fake.fault("POST", "/v1/transfers", kind, **options)
    batch = payout_batch_execute(actor=coop.board_a, batch=approved_batch(coop))
    if kind == "error" and not options["commit"]:
        # Stripe stored a 500 under the key and made nothing: undecided, the batch waits.
        assert batch.status == "approved"
        batch = payout_batch_execute(actor=coop.board_a, batch=batch)
    assert batch.status == "executed"
    transfers = transfers_at_stripe(fake)
    assert sorted(t["amount"] for t in transfers) == [7000, 7001]
    assert {t["destination"] for t in transfers} == {
        a.account_id for a in StripeConnectAccount.objects.all()
    }
    assert batch.items.filter(status="paid").count() == 2
    assert stripe_payout_legs(coop_a) == sum(t["amount"] for t in transfers)
    posts = [r for r in fake.requests if r["path"] == "/v1/transfers" and r["method"] == "POST"]
    first_item = PayoutItem.objects.filter(batch=batch).order_by("pk").first()
    first_keys = {
        r["idempotency_key"]
        for r in posts
        if r["params"]["metadata"]["payout_item"] == str(first_item.pk)
    }
    if kind == "error" and not options["commit"]:
        assert first_keys == {first_item.idempotency_key, f"{first_item.idempotency_key}-1"}
    else:
        assert first_keys == {first_item.idempotency_key}
    assert (
        len([r for r in posts if r["params"]["metadata"]["payout_item"] == str(first_item.pk)]) >= 2
    )


def test_a_new_batch_does_not_take_up_what_an_undecided_one_still_pays(coop):
    fake, coop_a = coop.fake, coop.coop_a
    member = _member(coop, 1)
    owe(coop_a, member, 5000)
    connect(coop, fake, member)
    fake.top_up(50000)
    fake.fault("POST", "/v1/transfers", "error")
    batch = payout_batch_execute(actor=coop.board_a, batch=approved_batch(coop))
    assert batch.status == "approved"
    from werkstation.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        payout_batch_create(actor=coop.treasurer_a, cooperative=coop_a)


def test_beat_finishes_a_batch_whose_transfer_was_left_undecided(coop):
    from payouts.tasks import stripe_payouts_resume

    fake, coop_a = coop.fake, coop.coop_a
    member = _member(coop, 1)
    owe(coop_a, member, 5000)
    connect(coop, fake, member)
    fake.top_up(50000)
    fake.fault("POST", "/v1/transfers", "error")
    batch = payout_batch_execute(actor=coop.board_a, batch=approved_batch(coop))
    assert batch.status == "approved"
    assert stripe_payouts_resume.delay().get() == 1
    batch.refresh_from_db()
    assert batch.status == "executed"
    assert batch.items.get().status == "paid"
    assert len(transfers_at_stripe(fake)) == 1
    assert stripe_payouts_resume.delay().get() == 0


def test_the_stripe_event_list_and_the_client_invoice_list_take_fixed_queries(
    coop, django_assert_max_num_queries
):
    fake = coop.fake
    for n in range(5):
        deliver(
            Client(), fake, fake._emit("customer.created", {"id": f"cus_{n}", "object": "customer"})
        )
    api = api_as(coop.treasurer_a)
    with django_assert_max_num_queries(8):
        listed = api.get("/api/v1/cooperatives/alpha/stripe/events/")
    assert listed.status_code == 200
    assert len(listed.data["results"]) == 5
    web = Client()
    web.force_login(coop.client_user)
    with django_assert_max_num_queries(12):
        assert web.get("/invoices/").status_code == 200
