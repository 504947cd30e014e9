"""Engagement per claim and the job's price as an attacker tries them: a crafted claim
form post with an engagement the job does not allow, a member or client narrowing
``Job.engagements``, and a client setting its own price below the cooperative's rate card
through the API (the job form hides the field: only the board agrees another price)."""

from decimal import Decimal

import pytest

from jobs.models import Claim, Job
from tests.conftest import api_as, row_counts
from tests.factories.api import login_verified

pytestmark = pytest.mark.django_db

JOB = {
    "cooperative": "alpha",
    "title": "Tuin opknappen",
    "category": "greening",
    "street": "Marshalllaan 1",
    "postcode": "3526KL",
}


def test_a_crafted_claim_post_cannot_pick_an_engagement_the_job_does_not_allow(market, client):
    Job.objects.filter(pk=market.job.pk).update(engagements=["employee"])
    login_verified(client, market.member_a)
    before = row_counts(Claim)
    client.post(f"/work/shifts/{market.shift.pk}/claim/", {"engagement": "self_employed"})
    client.post(f"/work/shifts/{market.shift.pk}/claim/", {"engagement": "boss"})
    assert row_counts(Claim) == before
    answer = api_as(market.member_a).post(
        "/api/v1/claims/", {"shift": market.shift.pk, "engagement": "volunteer"}
    )
    assert answer.status_code == 400
    assert answer.data["error"]["field"] == "engagement"
    assert row_counts(Claim) == before


@pytest.mark.parametrize("who", ["member_a", "client_user", "treasurer_a", "board_b"])
def test_only_the_board_narrows_job_engagements(market, who):
    answer = api_as(getattr(market, who)).patch(
        f"/api/v1/jobs/{market.job.pk}/", {"engagements": ["volunteer"]}, format="json"
    )
    assert answer.status_code in (403, 404)
    market.job.refresh_from_db()
    assert sorted(market.job.engagements) == ["employee", "self_employed", "volunteer"]


def test_a_client_cannot_post_a_job_below_the_rate_card_through_the_api(market):
    before = row_counts(Job)
    answer = api_as(market.client_user).post(
        "/api/v1/jobs/", {**JOB, "client": market.client_a.pk, "client_tariff": "20.00"}
    )
    assert answer.status_code == 403, answer.data
    assert answer.data["error"]["field"] == "client_tariff"
    assert row_counts(Job) == before
    # The rate card's own price, or none given, is fine.
    same = api_as(market.client_user).post(
        "/api/v1/jobs/", {**JOB, "client": market.client_a.pk, "client_tariff": "32.00"}
    )
    assert same.status_code == 201, same.data
    # The board agrees another.
    board = api_as(market.board_a).post(
        "/api/v1/jobs/", {**JOB, "client": market.client_a.pk, "client_tariff": "20.00"}
    )
    assert board.status_code == 201
    assert board.data["client_tariff"] == "20.00"


def test_a_client_cannot_lower_the_price_of_its_job(market):
    job = f"/api/v1/jobs/{market.job.pk}/"
    answer = api_as(market.client_user).patch(job, {"client_tariff": "20.00"})
    assert answer.status_code == 403
    assert answer.data["error"]["field"] == "client_tariff"
    assert Job.objects.get(pk=market.job.pk).client_tariff.amount == Decimal("32.00")
    # A title change with the same price goes through; the board may change the price.
    same = api_as(market.client_user).patch(job, {"title": "Nieuw", "client_tariff": "32.00"})
    assert same.status_code == 200, same.data
    assert api_as(market.board_a).patch(job, {"client_tariff": "40.00"}).status_code == 200
