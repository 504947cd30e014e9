"""The bijstand arrangement: the member's own, private like an IBAN; validation names the
field; export and erasure include it; the end of the period is reminded of once."""

import json
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from members.models import BenefitArrangement, User
from members.services.benefits import benefit_arrangement_reminders_send
from tests.conftest import api_as
from werkstation.models import AuditEntry

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/benefit-arrangement/"
BODY = {
    "keep_percent": 25,
    "monthly_max_cents": 25012,
    "starts_on": "2026-01-01",
    "months": 12,
    "municipality": "Utrecht",
}


def test_the_member_records_reads_and_removes_their_arrangement(world):
    client = api_as(world.member_a)
    assert client.get(URL).data["recorded"] is False
    saved = client.put(URL, BODY, format="json")
    assert saved.status_code == 200, saved.content
    assert saved.data["recorded"]
    assert saved.data["last_month"] == "2026-12-01"
    assert client.get(URL).data["monthly_max_cents"] == 25012
    assert client.delete(URL).status_code == 204
    assert not BenefitArrangement.objects.filter(user=world.member_a).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"keep_percent": 0}, "keep_percent"),
        ({"keep_percent": 101}, "keep_percent"),
        ({"monthly_max_cents": 0}, "monthly_max_cents"),
        ({"months": 0}, "months"),
        ({"months": 61}, "months"),
        ({"starts_on": None}, "starts_on"),
    ],
)
def test_validation_names_the_field(world, change, field):
    answer = api_as(world.member_a).put(URL, {**BODY, **change}, format="json")
    assert answer.status_code == 400, answer.content
    assert answer.data["error"]["field"] == field
    assert not BenefitArrangement.objects.exists()


@pytest.mark.parametrize("role", ["member_b", "board_a", "treasurer_a", "staff"])
def test_nobody_else_reads_it(world, client, role):
    api_as(world.member_a).put(URL, BODY, format="json")
    other = getattr(world, role)
    assert api_as(other).get(URL).data["recorded"] is False  # "me" is always yourself
    membership = world.membership(world.member_a)
    sensitive = api_as(other).get(f"/api/v1/memberships/{membership.pk}/sensitive/")
    assert "25012" not in json.dumps(getattr(sensitive, "data", None) or {})
    assert "250,12" not in json.dumps(getattr(sensitive, "data", None) or {})
    # No amounts in the audit trail the board reads.
    for entry in AuditEntry.objects.filter(action__startswith="benefit_arrangement"):
        assert "25012" not in json.dumps(entry.data)
    client.force_login(other)
    for url in ("/", "/profile/", "/c/alpha/board/members/", "/work/"):
        page = client.get(url, follow=True).content.decode()
        assert "250,12" not in page, url
        assert "1.000,48" not in page, url


def test_the_profile_page_records_it_and_shows_field_errors(world, client):
    client.force_login(world.member_a)
    bad = client.post(
        "/profile/benefit/",
        {"keep_percent": "120", "monthly_max": "250", "starts_on": "2026-01-01", "months": "12"},
    )
    assert bad.status_code == 200
    assert not BenefitArrangement.objects.exists()
    assert "keep_percent" in bad.context["benefit_form"].errors
    good = client.post(
        "/profile/benefit/",
        {
            "keep_percent": "25",
            "monthly_max": "250.12",
            "starts_on": "2026-01-01",
            "months": "12",
            "municipality": "Utrecht",
        },
    )
    assert good.status_code == 302
    assert BenefitArrangement.objects.get(user=world.member_a).monthly_max_cents == 25012
    page = client.get("/profile/").content.decode()
    assert 'id="benefit"' in page
    assert "Utrecht" in page


def test_export_and_erasure_include_it(world):
    client = api_as(world.member_a)
    client.put(URL, BODY, format="json")
    export = client.get("/api/v1/me/export/").data
    assert export["benefit_arrangement"]["monthly_max_cents"] == 25012
    assert export["benefit_arrangement"]["municipality"] == "Utrecht"
    erased = client.post("/api/v1/me/erase/", {"confirm_email": world.member_a.email})
    assert erased.status_code == 200
    assert not BenefitArrangement.objects.filter(user_id=world.member_a.pk).exists()
    assert not User.objects.get(pk=world.member_a.pk).is_active


def test_the_end_of_the_period_is_reminded_of_once(world, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    first = today.replace(day=1)
    # Ends at the end of this month: within 30 days from the month's last days.
    arrangement = BenefitArrangement.objects.create(
        user=world.member_a, keep_percent=25, monthly_max_cents=25000, starts_on=first, months=1
    )
    last_day = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert benefit_arrangement_reminders_send(today=last_day - timedelta(days=40)) == 0
        assert benefit_arrangement_reminders_send(today=last_day - timedelta(days=20)) == 1
        assert benefit_arrangement_reminders_send(today=last_day - timedelta(days=10)) == 0
    assert [m.to for m in mail.outbox] == [[world.member_a.email]]
    assert last_day.strftime("%Y") in mail.outbox[0].body
    # A new period may be reminded of again.
    client = api_as(world.member_a)
    client.put(
        URL,
        {"keep_percent": 25, "monthly_max_cents": 25000, "starts_on": str(first), "months": 2},
        format="json",
    )
    arrangement.refresh_from_db()
    assert arrangement.reminded_at is None


def test_the_home_shows_the_room_and_that_it_ends_soon(world, client):
    today = timezone.localdate()
    BenefitArrangement.objects.create(
        user=world.member_a,
        keep_percent=50,
        monthly_max_cents=10000,
        starts_on=today.replace(day=1),
        months=1,
    )
    todo = api_as(world.member_a).get("/api/v1/me/todo/").data
    benefit = todo["earnings"]["benefit"]
    assert benefit["room"] == "200.00"
    assert benefit["ends_soon"] is True
    assert benefit["ends_on"] >= str(date(today.year, today.month, 28))
