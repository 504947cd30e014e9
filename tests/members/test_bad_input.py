"""Bad input: a clear 4xx naming the field, and nothing written."""

import pytest

from jobs.models import Client
from members.models import Profile, User
from tests.conftest import api_as, row_counts
from werkstation.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"iban": "NL91ABNA0417164301"}, "iban", "invalid_iban"),
        ({"iban": "not an iban"}, "iban", "invalid_iban"),
        ({"postcode": "0123 AB"}, "postcode", "invalid_postcode"),
        ({"postcode": "3526 SA"}, "postcode", "invalid_postcode"),
        ({"latitude": "52.1"}, "longitude", "invalid"),
        ({"languages": ["xx"]}, "languages", "invalid"),
    ],
)
def test_profile_rejects_bad_fields(world, payload, field, code):
    before = row_counts(AuditEntry)
    profile_before = Profile.objects.filter(user=world.member_a).values().get()
    response = api_as(world.member_a).patch("/api/v1/me/profile/", payload)
    assert response.status_code == 400, response.data
    assert response.data["error"]["field"] == field
    assert response.data["error"]["code"] == code
    assert response.data["error"]["message"]
    assert Profile.objects.filter(user=world.member_a).values().get() == profile_before
    assert row_counts(AuditEntry) == before


def test_valid_iban_and_postcode_are_normalised(world):
    response = api_as(world.member_a).patch(
        "/api/v1/me/profile/",
        {"iban": "nl91 abna 0417 1643 00", "postcode": "3526kl", "account_holder": "A. Lid"},
    )
    assert response.status_code == 200, response.data
    assert response.data["iban"] == "NL91ABNA0417164300"
    assert response.data["postcode"] == "3526 KL"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kvk_number": "1234567"}, "kvk_number"),
        ({"kvk_number": "1234567A"}, "kvk_number"),
        ({"billing_email": "geen-email"}, "billing_email"),
        ({"billing_postcode": "12345"}, "billing_postcode"),
    ],
)
def test_client_registration_rejects_bad_fields(world, payload, field):
    base = {
        "cooperative": "alpha",
        "kind": "business",
        "name": "Kapper",
        "kvk_number": "87654321",
        "billing_email": "k@example.org",
    }
    before = row_counts(Client, AuditEntry)
    response = api_as(world.member_b).post("/api/v1/clients/", {**base, **payload})
    assert response.status_code == 400, response.data
    assert response.data["error"]["field"] == field
    assert row_counts(Client, AuditEntry) == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "nope"}, "email"),
        ({"email": "member-a@example.org"}, "email"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_register_rejects_bad_fields(world, payload, field):
    base = {"email": "new@example.org", "password": "a-Long-test-password-42", "full_name": "Nieuw"}
    before = row_counts(User)
    response = api_as(None).post("/api/v1/auth/register/", {**base, **payload})
    assert response.status_code in (400, 409)
    assert response.data["error"]["field"] == field
    assert row_counts(User) == before


def test_member_of_a_cannot_read_members_of_b(world):
    response = api_as(world.member_a).get("/api/v1/cooperatives/beta/members/")
    assert response.status_code == 404  # outside B, B's member list does not exist
    assert response.data["error"]["code"] == "not_found"


def test_certificate_skill_needs_expiry(world):
    from tests.factories import SkillFactory

    vca = SkillFactory(cooperative=world.coop_a, slug="vca", name="VCA", requires_certificate=True)
    client = api_as(world.member_a)
    response = client.post("/api/v1/me/skills/", {"skill": vca.pk})
    assert response.status_code == 400
    assert response.data["error"]["field"] == "certificate_expires_on"
    response = client.post(
        "/api/v1/me/skills/", {"skill": vca.pk, "certificate_expires_on": "2031-01-01"}
    )
    assert response.status_code == 201


def test_skill_of_other_cooperative_is_refused(world):
    from tests.factories import SkillFactory

    other = SkillFactory(cooperative=world.coop_b)
    response = api_as(world.member_a).post("/api/v1/me/skills/", {"skill": other.pk})
    assert response.status_code == 404
    assert response.data["error"]["field"] == "skill"


def test_availability_rejects_end_before_start_and_overlap(world):
    client = api_as(world.member_a)
    response = client.put(
        "/api/v1/me/availability/", {"slots": [{"weekday": 1, "start": "12:00", "end": "09:00"}]}
    )
    assert response.status_code == 400
    assert response.data["error"]["field"] == "slots[0].end"
    response = client.put(
        "/api/v1/me/availability/",
        {
            "slots": [
                {"weekday": 1, "start": "09:00", "end": "12:00"},
                {"weekday": 1, "start": "11:00", "end": "13:00"},
            ]
        },
    )
    assert response.status_code == 409
    ok = client.put(
        "/api/v1/me/availability/", {"slots": [{"weekday": 1, "start": "09:00", "end": "12:00"}]}
    )
    assert ok.status_code == 200
    assert len(ok.data) == 1
