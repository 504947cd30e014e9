import json

import pytest

from members.models import Membership, MemberSkill, Profile, User
from tests.conftest import api_as
from werkstation.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def iban_member(world):
    Profile.objects.filter(user=world.member_a).update(
        iban="NL91ABNA0417164300", account_holder="A", earnings_cap_reason="bijstand"
    )
    return world.membership(world.member_a)


def test_treasurer_reads_sensitive_fields_and_the_read_is_logged(world, iban_member):
    response = api_as(world.treasurer_a).get(f"/api/v1/memberships/{iban_member.pk}/sensitive/")
    assert response.status_code == 200
    assert response.data["iban"] == "NL91ABNA0417164300"
    entry = AuditEntry.objects.get(action="privacy.sensitive_read")
    assert entry.actor == world.treasurer_a
    assert entry.data["member_id"] == world.member_a.pk


def test_member_reads_own_sensitive_fields_without_a_log(world, iban_member):
    response = api_as(world.member_a).get(f"/api/v1/memberships/{iban_member.pk}/sensitive/")
    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action="privacy.sensitive_read").exists()


@pytest.mark.parametrize("role", ["board_a", "member_b", "auditor_a"])
def test_others_cannot_read_sensitive_fields(world, iban_member, role):
    response = api_as(getattr(world, role)).get(f"/api/v1/memberships/{iban_member.pk}/sensitive/")
    assert response.status_code in (403, 404)
    assert "NL91" not in json.dumps(response.data)


def test_member_list_never_contains_iban(world, iban_member):
    response = api_as(world.board_a).get("/api/v1/cooperatives/alpha/members/")
    assert "NL91ABNA" not in json.dumps(response.data)


def test_export_contains_personal_data(world, iban_member):
    MemberSkill.objects.create(user=world.member_a, skill=world.skill_a)
    response = api_as(world.member_a).get("/api/v1/me/export/")
    assert response.status_code == 200
    assert response.data["account"]["email"] == world.member_a.email
    assert response.data["profile"]["iban"] == "NL91ABNA0417164300"
    assert response.data["skills"][0]["skill"] == "Groen"
    assert response.data["memberships"][0]["cooperative"] == "Coop Alpha"
    assert response["Content-Disposition"].startswith("attachment")


def test_erasure_anonymises_but_keeps_membership_numbers(world, iban_member):
    client = api_as(world.member_a)
    wrong = client.post("/api/v1/me/erase/", {"confirm_email": "someone@else.org"})
    assert wrong.status_code == 400
    assert wrong.data["error"]["field"] == "confirm_email"
    assert User.objects.get(pk=world.member_a.pk).is_active

    response = client.post("/api/v1/me/erase/", {"confirm_email": world.member_a.email})
    assert response.status_code == 200
    user = User.objects.get(pk=world.member_a.pk)
    assert not user.is_active
    assert user.email.endswith("@erased.invalid")
    assert world.member_a.full_name not in user.full_name
    profile = Profile.objects.get(user=user)
    assert profile.iban == ""
    assert profile.postcode == ""
    membership = Membership.objects.get(pk=iban_member.pk)
    assert membership.status == "left"
    assert membership.member_number == iban_member.member_number
    # The old token no longer works.
    assert client.get("/api/v1/me/").status_code in (401, 403)


def test_a_member_records_their_date_of_birth_kept_private_like_the_iban(world, iban_member):
    member = api_as(world.member_a)
    future = member.patch("/api/v1/me/profile/", {"date_of_birth": "2030-01-01"})
    assert future.status_code == 400
    assert future.data["error"]["field"] == "date_of_birth"
    assert Profile.objects.get(user=world.member_a).date_of_birth is None  # nothing written
    assert member.patch("/api/v1/me/profile/", {"date_of_birth": "2008-05-17"}).status_code == 200
    assert member.get("/api/v1/me/profile/").data["date_of_birth"] == "2008-05-17"
    # The treasurer reads it, logged; the board and the member list never show it.
    sensitive = f"/api/v1/memberships/{iban_member.pk}/sensitive/"
    assert api_as(world.treasurer_a).get(sensitive).data["date_of_birth"] == "2008-05-17"
    logged = AuditEntry.objects.get(action="privacy.sensitive_read")
    assert "date_of_birth" in logged.data["fields"]
    assert "2008-05-17" not in json.dumps(api_as(world.board_a).get(sensitive).data)
    listing = api_as(world.board_a).get("/api/v1/cooperatives/alpha/members/")
    assert "2008-05-17" not in json.dumps(listing.data)
    # It goes with the export, and erasure removes it.
    assert member.get("/api/v1/me/export/").data["profile"]["date_of_birth"] == "2008-05-17"
    member.post("/api/v1/me/erase/", {"confirm_email": world.member_a.email})
    assert Profile.objects.get(user=world.member_a).date_of_birth is None


def test_the_profile_page_asks_the_date_of_birth_and_refuses_a_future_one(world):
    from django.test import Client

    from tests.factories.api import login_verified

    browser = Client()
    login_verified(browser, world.member_a)
    page = browser.get("/profile/").content.decode()
    assert 'name="date_of_birth"' in page
    assert 'type="date"' in page
    form = {"travel_radius_km": "5", "target_hours_per_week": "12"}
    refused = browser.post("/profile/", {**form, "date_of_birth": "2030-01-01"})
    assert refused.status_code == 200
    assert "id_date_of_birth_error" in refused.content.decode()
    assert Profile.objects.get(user=world.member_a).date_of_birth is None
    saved = browser.post("/profile/", {**form, "date_of_birth": "1990-02-03"})
    assert saved.status_code == 302
    assert str(Profile.objects.get(user=world.member_a).date_of_birth) == "1990-02-03"
