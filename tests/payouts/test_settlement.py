"""Settlement: approved timesheets become splits and ledger entries, once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from jobs.models import Shift
from payouts.models import Account, Entry, RuleSet, Split, Transaction
from payouts.services.rulesets import rule_set_adopt, rule_set_create
from payouts.services.settlement import gross_cents, settlement_run
from payouts.tasks import settle_timesheet
from tests.conftest import api_as, row_counts
from tests.factories.jobs import ClaimFactory
from tests.factories.money import approved_timesheet
from tests.factories.work import ensure_founded
from werkstation.errors import ValidationFailed
from werkstation.models import AuditEntry, OutboxEvent
from werkstation.outbox import outbox_deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def founded(market):
    ensure_founded(market.coop_a)
    return market


def test_new_cooperative_starts_with_its_founding_rule_set(world):
    response = api_as(world.staff).post(
        "/api/v1/cooperatives/",
        {
            "name": "Zuid",
            "legal_name": "Zuid U.A.",
            "kvk_number": "12345678",
            "founded_on": "2026-03-01",
        },
    )
    assert response.status_code == 201
    rule_set = RuleSet.objects.get(cooperative__slug="zuid")
    assert (rule_set.version, rule_set.status, rule_set.adopted_via) == (1, "adopted", "founding")
    assert rule_set.effective_from == date(2026, 3, 1)
    entry = AuditEntry.objects.get(action="ruleset.adopted", object_id=str(rule_set.pk))
    assert entry.data["via"] == "founding"
    assert entry.data["adopted_at"].startswith("2026-03-01")


def test_approval_settles_through_the_outbox_into_a_balanced_ledger(
    founded, django_capture_on_commit_callbacks
):
    start = timezone.now() - timedelta(days=1, hours=4)
    Shift.objects.filter(pk=founded.shift.pk).update(start=start, end=start + timedelta(hours=3))
    founded.shift.refresh_from_db()
    claim = ClaimFactory(shift=founded.shift, user=founded.member_a, confirmed=True)
    sheet = (
        api_as(founded.member_a)
        .post("/api/v1/timesheets/", {"claim": claim.pk, "minutes_worked": 180})
        .data
    )
    with django_capture_on_commit_callbacks(execute=True):
        api_as(founded.client_user).post(f"/api/v1/timesheets/{sheet['id']}/approve/")
    event = OutboxEvent.objects.get(
        topic="timesheet.approved", handler="payouts.tasks.settle_timesheet"
    )
    assert Split.objects.count() == 0  # approval only records
    assert outbox_deliver(event.pk) == "done"  # what the worker runs when the outbox delivers
    split = Split.objects.get()
    # € 32/h × 3 h = € 96.00; 8% and 2% to the funds; VAT 21% on top for the client.
    assert split.gross_cents == 9600
    assert split.pots == {"coop_fund": 768, "solidarity_fund": 192}
    assert split.member_cents == 8640
    assert split.vat_cents == 2016
    legs = {
        e.account.kind + ":" + e.account.key: e.amount_cents
        for e in Entry.objects.select_related("account")
    }
    assert legs == {
        f"receivable:{founded.client_a.pk}": 11616,
        "vat:": -2016,
        f"earned:{founded.member_a.pk}": -8640,
        "fund:coop_fund": -768,
        "fund:solidarity_fund": -192,
    }
    assert Entry.objects.aggregate(s=Sum("amount_cents"))["s"] == 0


def test_settlement_is_idempotent(founded):
    sheets = [approved_timesheet(founded, days_ago=d) for d in (1, 2, 3)]
    assert settlement_run() == 3
    counts = row_counts(Split, Transaction, Entry)
    assert settlement_run() == 0
    assert settle_timesheet(timesheet_id=sheets[0].pk) == 0
    assert row_counts(Split, Transaction, Entry) == counts


def test_each_split_uses_the_rule_set_in_force_on_its_work_date(founded):
    earlier = approved_timesheet(founded, days_ago=3)
    settlement_run()
    draft = rule_set_create(
        actor=founded.board_a,
        cooperative=founded.coop_a,
        spec={"currency": "EUR", "pots": [{"pot": "coop_fund", "percent": "5"}]},
    )
    rule_set_adopt(
        rule_set=draft,
        effective_from=timezone.localdate() - timedelta(days=2),
        via="vote",
        adopted_at=timezone.now() - timedelta(days=3),
    )
    before = approved_timesheet(founded, days_ago=10)
    after = approved_timesheet(founded, days_ago=1)
    settlement_run()
    assert Split.objects.get(timesheet=earlier).rule_set.version == 1  # kept its rules
    assert Split.objects.get(timesheet=before).rule_set.version == 1
    new = Split.objects.get(timesheet=after)
    assert new.rule_set.version == 2
    assert new.pots == {"coop_fund": 480}


def test_adoption_cannot_take_effect_before_it_was_adopted(founded):
    draft = rule_set_create(
        actor=founded.board_a, cooperative=founded.coop_a, spec={"currency": "EUR", "pots": []}
    )
    with pytest.raises(ValidationFailed) as error:
        rule_set_adopt(
            rule_set=draft, effective_from=timezone.localdate() - timedelta(days=1), via="vote"
        )
    assert error.value.field == "effective_from"
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_invalid_rule_set_names_the_path_and_writes_nothing(founded):
    before = row_counts(RuleSet)
    with pytest.raises(ValidationFailed) as error:
        rule_set_create(
            actor=founded.board_a,
            cooperative=founded.coop_a,
            spec={
                "currency": "EUR",
                "pots": [
                    {"pot": "x", "percent": "8"},
                    {"pot": "y", "max_cents": 1, "min_cents": 5},
                ],
            },
        )
    assert error.value.field == "spec.pots[1].max_cents"
    assert row_counts(RuleSet) == before


def test_the_floor_keeps_the_member_at_the_minimum_wage(founded, settings):
    sheet = approved_timesheet(founded, tariff="15.00", minutes=60)
    settlement_run()
    split = Split.objects.get(timesheet=sheet)
    # € 15.00 gross; 10% would leave € 13.50, below the € 14.71 floor: the pots shrink.
    assert split.gross_cents == 1500
    assert split.member_cents == settings.WERKSTATION_MINIMUM_HOURLY_WAGE_CENTS
    assert sum(split.pots.values()) == 1500 - split.member_cents


def test_month_before_accumulates_within_the_month(founded):
    day = 2 if timezone.localdate().day > 3 else 0  # stay inside this calendar month
    first = approved_timesheet(founded, days_ago=day, hours_earlier=4)
    second = approved_timesheet(founded, days_ago=day)
    settlement_run()
    a, b = Split.objects.get(timesheet=first), Split.objects.get(timesheet=second)
    assert {a.month_gross_before_cents, b.month_gross_before_cents} == {0, 9600}


def test_gross_rounds_half_up():
    assert gross_cents(3250, 1) == 54  # 54.1666…
    assert gross_cents(3000, 1) == 50
    assert gross_cents(3100, 1) == 52  # 51.666…
    assert gross_cents(1, 30) == 1  # 0.5 → 1


def test_why_page_traces_every_euro(client, founded):
    sheet = approved_timesheet(founded)
    settlement_run()
    split = Split.objects.get(timesheet=sheet)
    response = api_as(founded.member_a).get(f"/api/v1/me/earnings/{split.pk}/")
    assert response.status_code == 200
    body = response.data
    assert body["gross"] == "96.00"
    assert body["net"] == "86.40"
    assert body["rule_set"]["version"] == 1
    assert any("coop_fund" in line for line in body["rule_set"]["rules"])
    assert sum(Decimal(leg["amount"]) for leg in body["ledger"]) == 0
    assert api_as(founded.treasurer_a).get(f"/api/v1/me/earnings/{split.pk}/").status_code == 404
    year = api_as(founded.member_a).get("/api/v1/me/earnings/").data
    assert year["net"] == "86.40"
    assert year["shifts"][0]["deductions"][0] == {
        "pot": "coop_fund",
        "amount": "7.68",
    }
    client.force_login(founded.member_a)
    # The page shows amounts in the reader's language (Dutch here; the API keeps "86.40").
    earnings = client.get("/work/earnings/").content.decode()
    assert "€ 86,40" in earnings
    # Which payout rules applied, in words ("rules v1" read as a code).
    assert "rules v1" not in earnings
    assert "regels v1" not in earnings
    # The page names the pot as people do (the API above keeps the slug).
    page = client.get(f"/work/earnings/{split.pk}/").content.decode()
    assert "coöperatiefonds" in page
    assert "coop_fund" not in page


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_database_refuses_an_unbalanced_transaction_and_edits(founded):
    account = Account.objects.create(cooperative=founded.coop_a, kind="bank", key="", name="Bank")
    with pytest.raises(IntegrityError), transaction.atomic():  # noqa: PT012 - one transaction
        tx = Transaction.objects.create(
            cooperative=founded.coop_a, kind="test", reference="unbalanced"
        )
        Entry.objects.create(transaction=tx, account=account, amount_cents=100)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    tx = Transaction.objects.create(cooperative=founded.coop_a, kind="test", reference="balanced")
    other = Account.objects.create(cooperative=founded.coop_a, kind="fees", key="", name="Fees")
    with transaction.atomic():
        Entry.objects.create(transaction=tx, account=account, amount_cents=100)
        Entry.objects.create(transaction=tx, account=other, amount_cents=-100)
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.filter(transaction=tx).update(amount_cents=5)


def test_a_correction_reverses_and_resettles_without_editing(founded):
    from payouts.services.corrections import timesheet_correct

    sheet = approved_timesheet(founded, minutes=180)
    settlement_run()
    original = Split.objects.get(timesheet=sheet)
    corrected = timesheet_correct(
        actor=founded.board_a,
        timesheet_id=sheet.pk,
        minutes_worked=120,
        break_minutes=0,
        reason="Klopt niet",
    )
    assert corrected.gross_cents == 6400
    assert corrected.rule_set_id == original.rule_set_id
    reversal = Split.objects.get(kind="reversal")
    assert reversal.reverses_id == original.pk
    assert reversal.gross_cents == -9600
    # Each split keeps its timesheet's job (what invoicing reads).
    job_id = sheet.claim.shift.job_id
    assert original.job_id == reversal.job_id == corrected.job_id == job_id
    original.refresh_from_db()
    assert original.gross_cents == 9600  # never edited
    assert Entry.objects.aggregate(s=Sum("amount_cents"))["s"] == 0
    earned = Entry.objects.filter(account__kind="earned").aggregate(s=Sum("amount_cents"))["s"]
    assert earned == -corrected.member_cents
    with pytest.raises(ValidationFailed):
        timesheet_correct(
            actor=founded.board_a,
            timesheet_id=sheet.pk,
            minutes_worked=60,
            break_minutes=0,
            reason="",
        )


def test_monthly_income_statement_is_a_real_pdf_with_the_totals(client, founded):
    import io

    from pypdf import PdfReader

    sheet = approved_timesheet(founded, days_ago=0)
    settlement_run()
    split = Split.objects.get(timesheet=sheet)
    client.force_login(founded.member_a)
    response = client.get("/work/earnings/statement.pdf", {"month": f"{split.work_date:%Y-%m}"})
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Inkomstenoverzicht" in text
    assert founded.member_a.full_name in text
    assert "96,00" in text
    assert "86,40" in text
    # Hours as on the invoices, not "180" minutes a benefits office has to divide.
    assert "Minuten" not in text
    assert "Uren" in text
    assert f"{split.minutes / 60:.2f}".replace(".", ",") in text


def test_work_before_any_rule_set_waits_and_the_rest_settles_with_its_own_ledger_entries(founded):
    """Work dated before the first rule set in force gets no split (it waits for a rule set);
    the work around it settles, each split posted under its own reference, nothing shifted."""
    RuleSet.objects.filter(cooperative=founded.coop_a).update(
        effective_from=timezone.localdate() - timedelta(days=3)
    )
    early = [approved_timesheet(founded, days_ago=d) for d in (6, 5)]
    later = [approved_timesheet(founded, days_ago=d, minutes=60 * d) for d in (2, 1)]
    assert settlement_run() == 2
    assert not Split.objects.filter(timesheet__in=early).exists()
    for sheet in later:
        split = Split.objects.get(timesheet=sheet)
        posted = Transaction.objects.get(reference=f"split:{split.pk}")
        assert posted.description == f"Timesheet {sheet.pk}"
        receivable = posted.entries.get(account__kind="receivable").amount_cents
        assert receivable == split.gross_cents + split.vat_cents
