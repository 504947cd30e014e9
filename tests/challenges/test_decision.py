"""The tender decision cannot go wrong by accident: no decision while bids are sealed,
nothing chosen beforehand, "no award" only explicitly and with reasons, and a summary
to confirm before anything is recorded."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jobs.challenges.models import Bid, Contract, Tender
from tests.conftest import row_counts

from .conftest import close_window, submit_bid
from .test_views import web

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(open_tender):
    w = open_tender
    w.bid = submit_bid(w)
    w.url = reverse("challenges:rtc-tender", args=[w.tender.pk])
    return w


def _radios(page: str) -> list[str]:
    return re.findall(r'<input type="radio" name="bid"[^>]*>', page)


def test_no_decision_while_bidding_is_open(submitted):
    page = web(submitted.muni_user).get(submitted.url).content.decode()
    assert 'id="decide"' not in page
    assert not _radios(page)
    assert "stay sealed" in page or "verzegeld" in page


def test_right_after_the_deadline_the_bids_are_open_and_nothing_is_chosen(submitted):
    w = submitted
    close_window(w.tender)  # beat has not closed it yet
    assert Tender.objects.get(pk=w.tender.pk).status == "open"
    page = web(w.muni_user).get(w.url).content.decode()
    # Closed by the clock; reading the page writes nothing (beat stores it later).
    tender = Tender.objects.get(pk=w.tender.pk)
    assert tender.effective_status == "closed"
    assert tender.status == "open"
    radios = _radios(page)
    assert [r for r in radios if f'value="{w.bid.pk}"' in r]
    assert [r for r in radios if 'value="none"' in r]
    assert not [r for r in radios if "checked" in r]


def test_no_choice_or_no_reason_records_nothing(submitted):
    w = submitted
    close_window(w.tender)
    client = web(w.muni_user)
    before = row_counts(Contract, Bid)
    page = client.post(w.url, {"action": "decide", "reason": "Te duur"}).content.decode()
    assert "Choose a bid, or choose to award nobody." in page or "niemand te gunnen" in page
    page = client.post(w.url, {"action": "decide", "bid": "none", "confirmed": "1"})
    assert page.status_code == 200
    assert row_counts(Contract, Bid) == before
    assert Tender.objects.get(pk=w.tender.pk).effective_status == "closed"
    assert Bid.objects.get(pk=w.bid.pk).status == "submitted"


def test_no_award_is_explicit_with_reasons_and_confirmed(submitted):
    w = submitted
    close_window(w.tender)
    client = web(w.muni_user)
    data = {"action": "decide", "bid": "none", "reason": "Alle biedingen te duur."}
    response = client.post(w.url, data, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="confirm-slot")
    dialog = response.content.decode()
    assert dialog.lstrip().startswith("<dialog")
    assert "<html" not in dialog
    assert "Alle biedingen te duur." in dialog
    assert 'name="confirmed" value="1"' in dialog
    assert Tender.objects.get(pk=w.tender.pk).effective_status == "closed"
    response = client.post(w.url, {**data, "confirmed": "1"})
    assert response.status_code == 302
    tender = Tender.objects.get(pk=w.tender.pk)
    assert tender.status == "not_awarded"
    assert tender.decision_reason == "Alle biedingen te duur."
    assert Bid.objects.get(pk=w.bid.pk).status == "rejected"


def test_the_award_summary_names_the_bidder_and_the_price(submitted):
    w = submitted
    close_window(w.tender)
    client = web(w.muni_user)
    client.cookies["django_language"] = "nl"
    data = {"action": "decide", "bid": str(w.bid.pk), "reason": "Beste plan"}
    page = client.post(w.url, data).content.decode()
    assert w.coop_a.name in page
    assert "€ 15.000,00" in page
    assert not Contract.objects.exists()
    client.post(w.url, {**data, "confirmed": "1"})
    assert Contract.objects.get().cooperative_id == w.coop_a.pk


def test_an_invalid_decision_through_htmx_shows_the_whole_page(submitted):
    w = submitted
    close_window(w.tender)
    response = web(w.muni_user).post(
        w.url, {"action": "decide"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="confirm-slot"
    )
    assert response["HX-Retarget"] == "body"
