"""Self-billing ("factureren op verzoek"): the cooperative draws up each self-employed
member's monthly invoice in their name. Tests read the PDF back (pypdf) as the member and
the tax office would, and check the books and the payout that follow."""

import io
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from pypdf import PdfReader

from members.models import Membership, Profile
from payouts.models import Entry, SelfBillingInvoice, SelfBillingSequence, Split, Transaction
from payouts.selectors import account_balance
from payouts.services.ledger import AccountBook
from payouts.services.payouts import payout_batch_create
from payouts.services.self_billing import self_billing_last_month
from payouts.services.settlement import settlement_run
from tests.conftest import api_as
from tests.factories.api import login_verified
from tests.factories.money import approved_timesheet
from tests.factories.work import ensure_founded
from werkstation.money import format_money

pytestmark = pytest.mark.django_db

VAT_NUMBER = "NL123456789B01"
KOR_NOTE = "Vrijgesteld van btw op grond van de kleineondernemersregeling (KOR)"


def last_month_days(*days: int) -> tuple[str, list[int]]:
    """The month before this one as "YYYY-MM", and ``days_ago`` values landing on ``days``."""
    today = timezone.localdate()
    in_last_month = today.replace(day=1) - timedelta(days=1)
    dates = [in_last_month.replace(day=d) for d in days]
    return f"{in_last_month:%Y-%m}", [(today - d).days for d in dates]


def work_last_month(world, *days: int, user=None) -> str:
    ensure_founded(world.coop_a)
    month, ago = last_month_days(*days)
    for days_ago in ago:
        sheet = approved_timesheet(world, days_ago=days_ago, user=user)
        sheet.claim.engagement = "self_employed"
        sheet.claim.save(update_fields=["engagement"])
    settlement_run()
    return month


def profile(user, **fields):
    Profile.objects.filter(user=user).update(
        street="Lindelaan 4", postcode="3526 KL", city="Utrecht", **fields
    )


def issue(world, month, **extra):
    return api_as(world.treasurer_a).post(
        "/api/v1/cooperatives/alpha/self-billing/", {"month": month, **extra}
    )


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def member_number(world, user=None) -> int:
    return Membership.objects.get(
        user=user or world.member_a, cooperative=world.coop_a
    ).member_number


def eur(cents: int) -> str:
    return format_money(cents, "EUR", "nl")


def test_a_kor_member_gets_an_invoice_in_their_name_without_vat(market):
    month = work_last_month(market, 10, 11, 12)
    profile(market.member_a, kor=True, kvk_number="12345678")
    response = issue(market, month)
    assert response.status_code == 201, response.data
    assert response.data["refused"] == []
    [invoice] = response.data["issued"]
    year = timezone.localdate().year
    assert invoice["number"] == f"SB-{member_number(market)}-{year}-0001"
    assert invoice["kor"] is True
    assert invoice["vat_cents"] == 0
    splits = Split.objects.filter(member=market.member_a, engagement="self_employed")
    assert len(invoice["lines"]) == 3
    subtotal = splits.aggregate(s=Sum("member_cents"))["s"]
    assert invoice["subtotal_cents"] == invoice["total_cents"] == subtotal
    # The member downloads it from their earnings page; it says what the law asks.
    web = Client()
    login_verified(web, market.member_a)
    page = web.get("/work/earnings/")
    assert invoice["number"] in page.content.decode()
    pdf = web.get(f"/work/earnings/self-billing/{invoice['id']}.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Factuur uitgereikt door afnemer" in text
    assert invoice["number"] in text
    assert KOR_NOTE in text
    assert market.member_a.full_name in text
    assert "KvK 12345678" in text
    assert "Lindelaan 4" in text
    assert market.coop_a.legal_name in text
    assert f"Totaal {eur(subtotal)}" in text
    assert "Geveltuinen" in text
    assert not Transaction.objects.filter(kind="self-billing-vat").exists()


def test_a_vat_registered_member_is_paid_the_vat_on_top_and_the_books_balance(market):
    month = work_last_month(market, 3, 4)
    profile(market.member_a, vat_number=VAT_NUMBER, iban="NL20INGB0001234567")
    market.coop_a.iban, market.coop_a.bic = "NL91ABNA0417164300", "ABNANL2A"
    market.coop_a.save()
    # The client pays for the work: the member's shares become payable.
    client_invoice = (
        api_as(market.treasurer_a)
        .post(
            "/api/v1/cooperatives/alpha/invoices/",
            {
                "client": market.client_a.pk,
                "period_start": (timezone.localdate() - timedelta(days=70)).isoformat(),
                "period_end": timezone.localdate().isoformat(),
            },
        )
        .data
    )
    paid = api_as(market.treasurer_a).post(
        "/api/v1/cooperatives/alpha/payments/",
        {
            "invoice": client_invoice["number"],
            "amount": f"{client_invoice['total_cents'] / 100:.2f}",
            "currency": "EUR",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    assert paid.status_code == 201
    book = AccountBook(market.coop_a.pk)
    payable = book.get("payable", market.member_a.pk)
    share = -account_balance(payable)
    response = issue(market, month)
    [invoice] = response.data["issued"]
    assert invoice["subtotal_cents"] == share  # all of the member's work was that month
    vat = invoice["vat_cents"]
    assert vat == round(share * 21 / 100)
    assert invoice["total_cents"] == share + vat
    # Booked at issue: input VAT to reclaim, owed to the member; the ledger stays zero-sum.
    booking = Transaction.objects.get(reference=f"self-billing-vat:{invoice['id']}")
    legs = {(e.account.kind, e.amount_cents) for e in booking.entries.select_related("account")}
    assert legs == {("input_vat", vat), ("payable", -vat)}
    assert Entry.objects.aggregate(s=Sum("amount_cents"))["s"] == 0
    assert account_balance(book.get("input_vat")) == vat
    # The PDF shows the member's VAT number and the VAT that is paid, not the KOR note.
    text = pdf_text(
        api_as(market.member_a)
        .get(f"/api/v1/me/self-billing-invoices/{invoice['id']}/pdf/")
        .content
    )
    assert "Factuur uitgereikt door afnemer" in text
    assert invoice["number"] in text
    assert f"Btw-nummer {VAT_NUMBER}" in text
    assert KOR_NOTE not in text
    assert f"Btw 21% {eur(vat)}" in text
    assert f"Totaal {eur(share + vat)}" in text
    # The next payout pays the share and the VAT.
    batch = payout_batch_create(actor=market.treasurer_a, cooperative=market.coop_a)
    [item] = [i for i in batch.items.all() if i.member_id == market.member_a.pk]
    assert item.amount_cents == share + vat


def test_numbers_are_gapless_per_member_and_a_month_is_invoiced_once(market):
    month = work_last_month(market, 5)
    profile(market.member_a, kor=True)
    first = issue(market, month)
    assert len(first.data["issued"]) == 1
    # Running the month again (by hand or the beat) issues nothing new.
    again = issue(market, month)
    assert again.status_code == 201
    assert again.data["issued"] == []
    assert self_billing_last_month() == 0
    assert SelfBillingInvoice.objects.count() == 1
    # Work of that month settled later gets an invoice of its own, with the next number.
    work_last_month(market, 6)
    later = issue(market, month).data["issued"]
    assert len(later) == 1
    assert len(later[0]["lines"]) == 1
    year = timezone.localdate().year
    numbers = list(
        SelfBillingInvoice.objects.filter(member=market.member_a)
        .order_by("sequence_number")
        .values_list("number", flat=True)
    )
    assert numbers == [
        f"SB-{member_number(market)}-{year}-0001",
        f"SB-{member_number(market)}-{year}-0002",
    ]
    # Each split is on one self-billing invoice.
    on_invoices = Split.objects.filter(self_billing_line__isnull=False).count()
    assert on_invoices == Split.objects.filter(member=market.member_a).count() == 2


def test_another_member_has_their_own_series(market):
    month = work_last_month(market, 7)
    work_last_month(market, 8, user=market.board_a)
    profile(market.member_a, kor=True)
    profile(market.board_a, vat_number=VAT_NUMBER)
    issued = issue(market, month).data["issued"]
    year = timezone.localdate().year
    assert sorted(i["number"] for i in issued) == sorted(
        [
            f"SB-{member_number(market)}-{year}-0001",
            f"SB-{member_number(market, market.board_a)}-{year}-0001",
        ]
    )


def test_without_vat_number_or_kor_issuing_is_refused_naming_vat_number(market):
    month = work_last_month(market, 9)
    one = issue(market, month, member=market.member_a.pk)
    assert one.status_code == 400
    assert one.data["error"]["field"] == "vat_number"
    run = issue(market, month)
    assert run.status_code == 201
    assert run.data["issued"] == []
    [refused] = run.data["refused"]
    assert refused["member"] == market.member_a.pk
    assert refused["field"] == "vat_number"
    assert not SelfBillingInvoice.objects.exists()
    # No number was used up: once the member records the KOR, they get number 1.
    profile(market.member_a, kor=True)
    [invoice] = issue(market, month).data["issued"]
    assert invoice["number"].endswith("-0001")
    assert SelfBillingSequence.objects.get(member=market.member_a).last_number == 1


def test_the_month_must_be_valid_and_over(market):
    assert issue(market, "2026-13").data["error"]["field"] == "month"
    this_month = f"{timezone.localdate():%Y-%m}"
    response = issue(market, this_month)
    assert response.status_code == 400
    assert response.data["error"]["code"] == "month_not_over"


def test_only_the_member_and_the_cooperatives_books_see_an_invoice(market):
    month = work_last_month(market, 14)
    profile(market.member_a, kor=True)
    [invoice] = issue(market, month).data["issued"]
    pdf = f"/api/v1/cooperatives/alpha/self-billing/{invoice['id']}/pdf/"
    mine = f"/api/v1/me/self-billing-invoices/{invoice['id']}/pdf/"
    # The member: their own list and PDF.
    own = api_as(market.member_a).get("/api/v1/me/self-billing-invoices/")
    assert [row["number"] for row in own.data["results"]] == [invoice["number"]]
    assert api_as(market.member_a).get(mine).status_code == 200
    # The treasurer and the auditor: all of the cooperative's.
    for user in (market.treasurer_a, market.auditor_a):
        listed = api_as(user).get("/api/v1/cooperatives/alpha/self-billing/")
        assert [row["number"] for row in listed.data["results"]] == [invoice["number"]]
        assert api_as(user).get(pdf).status_code == 200
    # The auditor reads, but does not issue.
    assert (
        api_as(market.auditor_a)
        .post("/api/v1/cooperatives/alpha/self-billing/", {"month": month})
        .status_code
        == 403
    )
    # Another member of the same cooperative: not found as theirs, no books role.
    assert api_as(market.board_a).get("/api/v1/me/self-billing-invoices/").data["results"] == []
    assert api_as(market.board_a).get(mine).status_code == 404
    assert api_as(market.member_a).get(pdf).status_code == 403
    # Another cooperative's people: not found at all.
    for user in (market.member_b, market.board_b):
        assert api_as(user).get(mine).status_code == 404
        assert api_as(user).get(pdf).status_code == 404
        assert api_as(user).get("/api/v1/cooperatives/alpha/self-billing/").status_code == 404
    # The web pages likewise.
    web = Client()
    login_verified(web, market.member_b)
    assert web.get(f"/work/earnings/self-billing/{invoice['id']}.pdf").status_code == 404
    assert web.get(f"/c/alpha/treasury/self-billing/{invoice['id']}.pdf").status_code == 404
    login_verified(web, market.board_a)
    assert web.get(f"/work/earnings/self-billing/{invoice['id']}.pdf").status_code == 404
    login_verified(web, market.auditor_a)
    assert web.get(f"/c/alpha/treasury/self-billing/{invoice['id']}.pdf").status_code == 200


def test_the_treasurer_issues_a_month_on_the_page(market):
    month = work_last_month(market, 15)
    web = Client()
    login_verified(web, market.treasurer_a)
    # First the page asks to confirm, saying the month and how many members; nothing yet.
    asked = web.post("/c/alpha/treasury/self-billing/", {"month": month})
    assert asked.status_code == 200
    assert 'name="confirmed" value="1"' in asked.content.decode()
    assert not SelfBillingInvoice.objects.exists()
    response = web.post(
        "/c/alpha/treasury/self-billing/", {"month": month, "confirmed": "1"}, follow=True
    )
    page = response.content.decode()
    # Refused: the member has neither a VAT number nor the KOR; the page says why.
    assert escape(market.member_a.full_name) in page
    assert not SelfBillingInvoice.objects.exists()
    profile(market.member_a, kor=True)
    response = web.post(
        "/c/alpha/treasury/self-billing/", {"month": month, "confirmed": "1"}, follow=True
    )
    invoice = SelfBillingInvoice.objects.get()
    assert invoice.number in response.content.decode()
    bad = web.post("/c/alpha/treasury/self-billing/", {"month": "november"})
    assert bad.status_code == 200
    assert "2026-11" in bad.content.decode()


def test_the_beat_issues_last_months_invoices(market):
    work_last_month(market, 16)
    profile(market.member_a, vat_number=VAT_NUMBER)
    assert self_billing_last_month() == 1
    assert self_billing_last_month() == 0
    assert SelfBillingInvoice.objects.get().member == market.member_a


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"vat_number": "123"}, "vat_number"), ({"kvk_number": "12"}, "kvk_number")],
)
def test_profile_kvk_and_vat_numbers_are_checked(world, payload, field):
    response = api_as(world.member_a).patch("/api/v1/me/profile/", payload)
    assert response.status_code == 400
    assert response.data["error"]["field"] == field


def test_a_member_records_kvk_vat_and_kor_on_the_profile(world):
    response = api_as(world.member_a).patch(
        "/api/v1/me/profile/",
        {"kvk_number": "1234 5678", "vat_number": "nl123456789b01", "kor": True},
    )
    assert response.status_code == 200
    assert (response.data["kvk_number"], response.data["vat_number"], response.data["kor"]) == (
        "12345678",
        VAT_NUMBER,
        True,
    )
    web = Client()
    login_verified(web, world.member_a)
    page = web.get("/profile/").content.decode()
    assert 'name="vat_number"' in page
    assert VAT_NUMBER in page


def test_a_month_without_work_to_invoice_says_so_and_asks_nothing(market):
    web = Client()
    login_verified(web, market.treasurer_a)
    response = web.post("/c/alpha/treasury/self-billing/", {"month": "2024-01"}, follow=True)
    page = response.content.decode()
    assert 'name="confirmed"' not in page
    assert "0 facturen" not in page
    assert "januari 2024" in page
    # A month not over is refused before anything is asked.
    this_month = timezone.localdate().strftime("%Y-%m")
    refused = web.post("/c/alpha/treasury/self-billing/", {"month": this_month})
    assert 'name="confirmed"' not in refused.content.decode()
    assert "nog niet voorbij" in refused.content.decode()
