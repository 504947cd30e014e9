"""The ledger's last word: the database refuses a leg of zero; postings never write one."""

import pytest
from django.db import IntegrityError, transaction

from payouts.models import Account, Entry, Transaction
from payouts.services.ledger import AccountBook, write_postings

pytestmark = pytest.mark.django_db


def test_database_refuses_a_leg_of_zero(world):
    account = Account.objects.create(cooperative=world.coop_a, kind="bank", key="", name="Bank")
    tx = Transaction.objects.create(cooperative=world.coop_a, kind="test", reference="zero-leg")
    with pytest.raises(IntegrityError, match="entry_not_zero"), transaction.atomic():
        Entry.objects.create(transaction=tx, account=account, amount_cents=0)
    assert not Entry.objects.filter(transaction=tx).exists()


def test_a_posting_leaves_its_zero_legs_out(world):
    """A split with a pot that took nothing (or no VAT) posts only the legs that move money."""
    book = AccountBook(world.coop_a.pk)
    bank, fees, fund = book.id("bank"), book.id("fees"), book.id("fund", "training_fund")
    [pk] = write_postings(
        world.coop_a.pk, [("test", "with-zero-legs", "", [(bank, 500), (fund, 0), (fees, -500)])]
    )
    legs = sorted(Entry.objects.filter(transaction_id=pk).values_list("account_id", "amount_cents"))
    assert legs == sorted([(bank, 500), (fees, -500)])
