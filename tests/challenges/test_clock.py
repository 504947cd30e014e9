"""The tender's status comes from the clock: bids open to the municipality the second
bidding closes, without waiting for beat's next round."""

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs.challenges.models import Bid, Tender
from jobs.challenges.services import tenders
from tests.conftest import api_as

from .conftest import submit_bid

pytestmark = pytest.mark.django_db


def _after_deadline(tender, seconds=1):
    return mock.patch(
        "django.utils.timezone.now",
        return_value=tender.submission_deadline + timedelta(seconds=seconds),
    )


def test_one_second_after_the_deadline_the_municipality_sees_and_scores_the_bids(
    open_tender, client
):
    w = open_tender
    bid = submit_bid(w)
    municipality = api_as(w.muni_user)
    before = municipality.get(f"/api/v1/tenders/{w.tender.pk}/bids/")
    assert before.status_code == 200
    assert before.json()["results"] == []
    with _after_deadline(w.tender):
        tender = municipality.get(f"/api/v1/tenders/{w.tender.pk}/").json()
        assert tender["status"] == "closed"
        bids = municipality.get(f"/api/v1/tenders/{w.tender.pk}/bids/").json()["results"]
        assert [b["id"] for b in bids] == [bid.pk]
        scored = municipality.post(
            f"/api/v1/bids/{bid.pk}/score/", {"quality": "8", "social": "7"}, format="json"
        )
        assert scored.status_code == 200, scored.json()
        # The page shows them too, and reading it writes nothing.
        client.force_login(w.muni_user)
        page = client.get(reverse("challenges:rtc-tender", args=[w.tender.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert f'data-bid="{bid.pk}"' in html
        assert 'id="decide"' in html
    # No beat ran: the stored status is still open; beat does only the side effects.
    assert Tender.objects.get(pk=w.tender.pk).status == Tender.Status.OPEN
    assert Bid.objects.get(pk=bid.pk).scores.count() == 1
    assert tenders.tenders_close_due(now=timezone.now() + timedelta(days=8)) == 1
    assert tenders.tenders_close_due(now=timezone.now() + timedelta(days=8)) == 0


def test_bidding_and_withdrawing_end_at_the_deadline(open_tender):
    w = open_tender
    bid = submit_bid(w)
    with _after_deadline(w.tender, seconds=0):
        response = api_as(w.board_a).post(f"/api/v1/bids/{bid.pk}/withdraw/")
    assert response.status_code == 409
    assert Bid.objects.get(pk=bid.pk).status == Bid.Status.SUBMITTED


def test_bids_stay_sealed_one_second_before_the_deadline(open_tender):
    w = open_tender
    bid = submit_bid(w)
    with _after_deadline(w.tender, seconds=-1):
        bids = api_as(w.muni_user).get(f"/api/v1/tenders/{w.tender.pk}/bids/").json()
        score = api_as(w.muni_user).post(
            f"/api/v1/bids/{bid.pk}/score/", {"quality": "8", "social": "7"}, format="json"
        )
    assert bids["results"] == []
    assert score.status_code in (404, 409)


def test_a_draft_not_submitted_by_the_deadline_shows_as_lapsed(open_tender):
    from jobs.challenges.services.bids import bid_create

    from .conftest import bid_values

    w = open_tender
    draft = bid_create(actor=w.board_a, tender=w.tender, cooperative=w.coop_a, **bid_values())
    board = api_as(w.board_a)
    assert board.get(f"/api/v1/bids/{draft.pk}/").json()["status"] == "draft"
    with _after_deadline(w.tender):
        shown = board.get(f"/api/v1/bids/{draft.pk}/").json()
        submitted = board.post(f"/api/v1/bids/{draft.pk}/submit/")
    assert shown["status"] == "withdrawn"
    assert submitted.status_code == 409
    assert Bid.objects.get(pk=draft.pk).status == Bid.Status.DRAFT  # beat lapses it later
