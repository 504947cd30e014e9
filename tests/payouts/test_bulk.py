"""The fast settlement path: COPY on PostgreSQL writes the same rows as bulk_create (SQLite)."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from members.models import Membership
from payouts.models import Account, Entry, RuleSet, Split, Transaction
from payouts.services import ledger
from payouts.services.ledger import AccountBook, Leg, post, write_postings
from payouts.services.settlement import settlement_run
from tests.conftest import row_counts
from tests.factories.money import approved_timesheet
from tests.factories.work import ensure_founded
from werkstation.db import bulk
from werkstation.errors import ValidationFailed

pytestmark = pytest.mark.django_db

SPLIT_FIELDS = (
    "timesheet_id",
    "cooperative_id",
    "member_id",
    "rule_set_id",
    "kind",
    "work_date",
    "minutes",
    "gross_cents",
    "vat_cents",
    "vat_reverse_charged",
    "member_cents",
    "pots",
    "month_gross_before_cents",
    "withheld_cents",
    "advanced_cents",
    "withheld_reason",
    "engagement",
    "reverses_id",
    "job_id",
)


class Rollback(Exception):
    pass


def _snapshot() -> dict:
    """Every row settlement wrote, without ids and timestamps (references by timesheet)."""
    splits = list(Split.objects.order_by("timesheet_id").values("id", *SPLIT_FIELDS))
    by_id = {s.pop("id"): s["timesheet_id"] for s in splits}
    transactions = []
    for tx in Transaction.objects.order_by("reference").prefetch_related("entries__account"):
        prefix, _, pk = tx.reference.partition(":")
        legs = sorted((e.account.kind, e.account.key, e.amount_cents) for e in tx.entries.all())
        transactions.append(
            (tx.kind, prefix, by_id.get(int(pk)) if pk.isdigit() else pk, tx.description, legs)
        )
    transactions.sort()
    return {"splits": splits, "transactions": transactions}


def _settle_with(method: str) -> dict:
    try:
        with transaction.atomic():
            while settlement_run(method=method):
                pass
            snapshot = _snapshot()
            raise Rollback
    except Rollback:
        return snapshot


@pytest.fixture
def varied(market):
    """Work of a self-employed member and a volunteer, with advances allowed by the rules."""
    ensure_founded(market.coop_a)
    RuleSet.objects.filter(cooperative=market.coop_a).update(
        allow_advances=True, advance_limit_cents=20000
    )
    Membership.objects.filter(user=market.board_a, cooperative=market.coop_a).update(
        engagement="volunteer"
    )
    book = AccountBook(market.coop_a.pk)
    post(
        market.coop_a.pk,
        kind="opening",
        reference="opening-fund",
        description="Fund at the start",
        legs=[Leg(book.get("bank"), 12000), Leg(book.get("fund", "coop_fund"), -12000)],
    )
    for days_ago in range(1, 6):
        approved_timesheet(market, days_ago=days_ago, minutes=180 - days_ago * 7)
        approved_timesheet(market, days_ago=days_ago, user=market.board_a, break_minutes=days_ago)
    return market


@pytest.mark.postgres
def test_copy_and_bulk_create_write_identical_rows(varied):
    copied = _settle_with(bulk.COPY)
    created = _settle_with(bulk.ORM)
    assert len(copied["splits"]) == 10
    assert copied == created
    # The variety is really there: capped volunteer shares and an advance.
    assert any(s["withheld_cents"] for s in copied["splits"])
    assert any(s["advanced_cents"] for s in copied["splits"])


def test_settlement_path_rows_are_what_the_ledger_needs(varied):
    settlement_run()
    assert Split.objects.count() == 10
    assert settlement_run() == 0
    for split in Split.objects.all():
        assert (
            sum(split.pots.values()) + split.member_cents + split.withheld_cents
            == split.gross_cents
        )
    for tx in Transaction.objects.prefetch_related("entries"):
        assert sum(e.amount_cents for e in tx.entries.all()) == 0


def test_an_unbalanced_posting_is_refused_before_anything_is_written(market):
    book = AccountBook(market.coop_a.pk)
    before = row_counts(Transaction, Entry)
    with pytest.raises(ValidationFailed) as error:
        write_postings(
            market.coop_a.pk,
            [
                ("test", "ok", "", [(book.id("bank"), 5), (book.id("fees"), -5)]),
                ("test", "bad", "", [(book.id("bank"), 5), (book.id("fees"), -4)]),
            ],
        )
    assert error.value.field == "entries"
    assert "bad" in error.value.message
    assert row_counts(Transaction, Entry) == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_checks_zero_sum_of_a_copy_at_commit(market):
    """The statement trigger notes what a COPY left unbalanced; the deferred check refuses it."""
    bank = Account.objects.create(cooperative=market.coop_a, kind="bank", key="", name="Bank")
    fees = Account.objects.create(cooperative=market.coop_a, kind="fees", key="", name="Fees")
    now = timezone.now()
    # The writes are the one transaction that must fail at commit.
    with pytest.raises(IntegrityError), transaction.atomic():  # noqa: PT012
        ids = bulk.insert_rows(
            Transaction,
            ("cooperative_id", "kind", "reference", "description", "created_at"),
            [(market.coop_a.pk, "test", f"t{i}", "", now) for i in range(3)],
            with_ids=True,
        )
        bulk.insert_rows(
            Entry,
            ("transaction_id", "account_id", "amount_cents"),
            [
                (ids[0], bank.pk, 10),
                (ids[0], fees.pk, -10),
                (ids[1], bank.pk, 7),
                (ids[2], fees.pk, -7),
            ],
        )
    assert Transaction.objects.count() == 0
    # Legs of one transaction over several statements are judged as a whole, at commit.
    with transaction.atomic():
        [pk] = bulk.insert_rows(
            Transaction,
            ("cooperative_id", "kind", "reference", "description", "created_at"),
            [(market.coop_a.pk, "test", "split-over", "", now)],
            with_ids=True,
        )
        bulk.insert_rows(
            Entry, ("transaction_id", "account_id", "amount_cents"), [(pk, bank.pk, 10)]
        )
        bulk.insert_rows(
            Entry, ("transaction_id", "account_id", "amount_cents"), [(pk, fees.pk, -10)]
        )
    assert Entry.objects.filter(transaction_id=pk).count() == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM payouts_entry_unbalanced")
        assert cursor.fetchone()[0] == 0  # the notes are gone once checked


def test_copy_text_format_escapes_what_it_must(market):
    """Descriptions with tabs, newlines and backslashes survive COPY's text format."""
    book = AccountBook(market.coop_a.pk)
    text = "Tab\there, new\nline, back\\slash, quote ' and € sign"
    [pk] = write_postings(
        market.coop_a.pk, [("test", "escaped", text, [(book.id("bank"), 1), (book.id("fees"), -1)])]
    )
    assert Transaction.objects.get(pk=pk).description == text
    assert Transaction.objects.get(pk=pk).created_at > timezone.now() - timedelta(minutes=1)


def test_post_returns_the_transaction_as_stored(market):
    book = AccountBook(market.coop_a.pk)
    posted = post(
        market.coop_a.pk,
        kind="test",
        reference="one",
        description="One",
        legs=[Leg(book.get("bank"), 3), Leg(book.get("fees"), -3)],
    )
    stored = Transaction.objects.get(reference="one")
    assert (posted.pk, posted.kind, posted.description, posted.created_at) == (
        stored.pk,
        stored.kind,
        stored.description,
        stored.created_at,
    )
    assert sorted(e.amount_cents for e in posted.entries.all()) == [-3, 3]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("analyze_after", "refreshed"), [(ledger.ANALYZE_AFTER, True), (10**9, False)]
)
def test_many_new_accounts_refresh_the_statistics_the_leg_checks_are_planned_on(
    market, monkeypatch, analyze_after, refreshed
):
    """A first settlement creates hundreds of accounts in its transaction. PostgreSQL plans
    each ledger leg's foreign-key check once per connection; on the statistics of a nearly
    empty table it scans the table for every leg (8 s more for 500,000 legs)."""
    monkeypatch.setattr(ledger, "ANALYZE_AFTER", analyze_after)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE payouts_account")  # as autovacuum left the new install
        AccountBook(market.coop_a.pk).ensure(Account.Kind.EARNED, range(10_000, 10_500))
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'payouts_account'")
        assert (cursor.fetchone()[0] >= 500) is refreshed


@pytest.mark.postgres
def test_streamed_json_values_are_each_written_as_they_were(varied):
    """Rows made one by one, each with its own JSON object that is freed once written: every
    row keeps its own value (the serialiser's cache must not mistake a new object for one
    whose memory it reuses)."""
    settlement_run()
    template = Split.objects.filter(kind="settlement").values(*SPLIT_FIELDS[:-2], "job_id").first()
    columns = (*template, "created_at")
    now = timezone.now()

    before = tuple(dict(template, kind="correction").values())
    at = list(template).index("pots")

    def rows():
        for i in range(500):  # nothing but the row refers to its pots
            yield (*before[:at], {"coop_fund": i}, *before[at + 1 :], now)

    ids = bulk.insert_rows(Split, columns, rows(), with_ids=True, count=500, method=bulk.COPY)
    written = dict(Split.objects.filter(pk__in=ids).values_list("id", "pots"))
    assert [written[pk]["coop_fund"] for pk in ids] == list(range(500))
