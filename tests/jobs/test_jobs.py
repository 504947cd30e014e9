"""Posting jobs and shifts, the lifecycle, and bad input that writes nothing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from jobs.models import Claim, Job, Shift
from tests.conftest import api_as, row_counts
from tests.factories.jobs import ClaimFactory
from tests.factories.work import at, next_weekday
from werkstation.models import AuditEntry

pytestmark = pytest.mark.django_db

JOB = {
    "cooperative": "alpha",
    "title": "Tuin opknappen",
    "category": "greening",
    "street": "Marshalllaan 1",
    "postcode": "3526KL",
}


def test_client_posts_job_with_pay_from_the_rate_card_and_bundled_geocoding(market):
    response = api_as(market.client_user).post(
        "/api/v1/jobs/", {**JOB, "client": market.client_a.pk}
    )
    assert response.status_code == 201, response.data
    assert "member_pay" not in response.data
    assert response.data["client_tariff"] == "32.00"
    assert response.data["postcode"] == "3526 KL"
    assert response.data["latitude"]
    assert response.data["status"] == "open"


def test_job_without_rate_or_known_address_names_the_field(market):
    before = row_counts(Job)
    response = api_as(market.client_user).post(
        "/api/v1/jobs/", {**JOB, "client": market.client_a.pk, "category": "removals"}
    )
    assert response.status_code == 400
    assert response.data["error"]["field"] == "client_tariff"
    response = api_as(market.client_user).post(
        "/api/v1/jobs/", {**JOB, "client": market.client_a.pk, "postcode": "9999 ZZ"}
    )
    assert response.status_code == 400
    assert response.data["error"]["field"] == "postcode"
    assert row_counts(Job) == before


def test_member_cannot_post_for_a_client(market):
    from jobs.models import Client

    before = row_counts(Job, Shift, Client, AuditEntry)
    response = api_as(market.member_a).post("/api/v1/jobs/", {**JOB, "client": market.client_a.pk})
    assert response.status_code == 403
    # The refused request wrote nothing: no job, no shift, no client, no audit row.
    assert row_counts(Job, Shift, Client, AuditEntry) == before
    assert not Job.objects.filter(title=JOB["title"]).exists()


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"end_offset": -1}, "end", "end_before_start"),
        ({"slots": 0}, "slots", "invalid_slots"),
        ({"slots": -2}, "slots", "invalid_slots"),
        ({"past": True}, "start", "in_the_past"),
    ],
)
def test_bad_shifts_are_refused_and_write_nothing(market, payload, field, code):
    start = timezone.now() - timedelta(days=1) if payload.get("past") else at(market.tuesday, 13)
    end = start + timedelta(hours=payload.get("end_offset", 3))
    before = row_counts(Shift, AuditEntry)
    response = api_as(market.client_user).post(
        f"/api/v1/jobs/{market.job.pk}/shifts/",
        {"start": start.isoformat(), "end": end.isoformat(), "slots": payload.get("slots", 1)},
    )
    assert response.status_code == 400, response.data
    assert response.data["error"]["field"] == field
    assert response.data["error"]["code"] == code
    assert row_counts(Shift, AuditEntry) == before


def test_weekly_pattern_creates_every_tuesday_for_eight_weeks(market):
    response = api_as(market.client_user).post(
        f"/api/v1/jobs/{market.job.pk}/shifts/weekly/",
        {
            "first_date": market.tuesday.date().isoformat(),
            "weekdays": [1],
            "start_time": "09:00",
            "end_time": "12:00",
            "weeks": 8,
            "slots": 3,
        },
    )
    assert response.status_code == 201, response.data
    assert len(response.data) == 8
    starts = [timezone.localtime(Shift.objects.get(pk=row["id"]).start) for row in response.data]
    assert all(s.weekday() == 1 and s.hour == 9 for s in starts)
    assert (starts[-1] - starts[0]).days == 49


def test_night_shift_pattern_runs_past_midnight(market):
    response = api_as(market.client_user).post(
        f"/api/v1/jobs/{market.job.pk}/shifts/weekly/",
        {
            "first_date": market.tuesday.date().isoformat(),
            "weekdays": [5],
            "start_time": "22:00",
            "end_time": "02:00",
            "weeks": 1,
        },
    )
    assert response.status_code == 201
    shift = Shift.objects.get(pk=response.data[0]["id"])
    assert shift.duration_minutes == 240
    assert shift.local_end == 22 * 60 + 240


def test_lifecycle_is_enforced_in_one_place(market):
    client = api_as(market.client_user)
    assert (
        client.post(f"/api/v1/jobs/{market.job.pk}/status/", {"status": "draft"}).status_code == 409
    )
    assert (
        client.post(f"/api/v1/jobs/{market.job.pk}/status/", {"status": "completed"}).status_code
        == 200
    )
    response = client.post(f"/api/v1/jobs/{market.job.pk}/status/", {"status": "open"})
    assert response.status_code == 409
    assert response.data["error"]["code"] == "invalid_transition"


def test_editing_and_cancelling_a_shift_tells_the_claimants(
    market, django_capture_on_commit_callbacks
):
    ClaimFactory(shift=market.shift, user=market.member_a, confirmed=True)  # holds a slot
    client = api_as(market.client_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            f"/api/v1/shifts/{market.shift.pk}/",
            {
                "start": at(market.tuesday, 10).isoformat(),
                "end": at(market.tuesday, 13).isoformat(),
            },
        )
    assert response.status_code == 200, response.data
    assert any(
        market.member_a.email in m.to and ("gewijzigd" in m.subject or "changed" in m.subject)
        for m in mail.outbox
    )
    claim = Claim.objects.get(shift=market.shift)
    assert timezone.localtime(claim.start).hour == 10
    assert client.patch(f"/api/v1/shifts/{market.shift.pk}/", {"slots": 0}).status_code == 400
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/shifts/{market.shift.pk}/cancel/", {"reason": "Regen"})
    assert response.status_code == 200
    assert Claim.objects.get(shift=market.shift).status == "withdrawn"
    assert any(market.member_a.email in m.to for m in mail.outbox)


def test_cancelling_a_job_cancels_its_future_shifts(market):
    api_as(market.board_a).post(f"/api/v1/jobs/{market.job.pk}/status/", {"status": "cancelled"})
    market.shift.refresh_from_db()
    assert market.shift.status == "cancelled"


def test_board_sees_fill_rates(market):
    Shift.objects.filter(pk=market.shift.pk).update(filled=1)
    response = api_as(market.board_a).get("/api/v1/cooperatives/alpha/jobs/")
    assert response.status_code == 200
    row = next(r for r in response.data["results"] if r["id"] == market.job.pk)
    assert row["fill_rate"] == 0.5
    assert api_as(market.member_a).get("/api/v1/cooperatives/alpha/jobs/").status_code == 403


def test_jobs_move_to_in_progress_and_completed(market):
    from jobs.services.jobs import jobs_progress

    jobs_progress(now=market.shift.start + timedelta(minutes=5))
    market.job.refresh_from_db()
    assert market.job.status == "in_progress"
    jobs_progress(now=market.shift.end + timedelta(minutes=5))
    market.job.refresh_from_db()
    assert market.job.status == "completed"


def test_next_weekday_helper_is_in_the_future():
    assert next_weekday(1) > timezone.now()


def test_pdok_response_is_parsed_to_coordinates():
    from decimal import Decimal

    from werkstation.geocoding import parse_pdok_response

    payload = {
        "response": {
            "docs": [{"centroide_ll": "POINT(5.0965 52.0735)", "weergavenaam": "Marshalllaan 1"}]
        }
    }
    assert parse_pdok_response(payload) == (Decimal("52.073500"), Decimal("5.096500"))
    assert parse_pdok_response({"response": {"docs": []}}) is None


def test_geocoding_uses_the_bundled_table_without_configuration(settings):
    from werkstation.geocoding import geocode

    settings.PDOK_LOCATIESERVER_URL = ""
    assert geocode(postcode="3526 KL") is not None
    assert geocode(postcode="1011 AB") is None
