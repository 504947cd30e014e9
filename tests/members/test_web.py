"""The web pages: register, apply, board admits, profile errors next to fields."""

import pytest

from members.models import Membership

pytestmark = pytest.mark.django_db


from tests.factories.api import login_verified as _verified  # noqa: E402


def test_register_apply_and_admission_through_pages(client, world):
    response = client.post(
        "/accounts/register/",
        {
            "full_name": "Nora Nieuw",
            "email": "nora@example.org",
            "password": "a-Long-test-password-42",
            "language": "nl",
            "privacy_consent": "on",
        },
    )
    assert response.status_code == 302
    response = client.post("/c/alpha/apply/", {"motivation": "Ik woon in de wijk"}, follow=True)
    assert response.status_code == 200
    membership = Membership.objects.get(user__email="nora@example.org")
    assert membership.status == "applied"

    board = client.__class__()
    _verified(board, world.board_a)
    page = board.get("/c/alpha/board/members/")
    assert b"Nora Nieuw" in page.content
    response = board.post(f"/c/alpha/board/members/{membership.pk}/admit/", follow=True)
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.status == "active"
    assert membership.member_number


def test_duplicate_application_error_is_shown_on_the_form(client, world):
    client.force_login(world.applicant_a)
    response = client.post("/c/alpha/apply/", {"motivation": "nog eens"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_profile_form_shows_iban_error_next_to_field(client, world):
    client.force_login(world.member_a)
    response = client.post(
        "/profile/",
        {"iban": "NL00BANK0000000000", "travel_radius_km": "5", "target_hours_per_week": "10"},
    )
    assert response.status_code == 200
    assert "iban" in response.context["form"].errors
    assert b'id="id_iban_error"' in response.content


def test_profile_saves_skills_and_availability(client, world):
    client.force_login(world.member_a)
    assert client.post("/profile/skills/", {"skill": world.skill_a.pk}).status_code == 302
    assert (
        client.post(
            "/profile/availability/", {"weekday": 2, "start": "09:00", "end": "13:00"}
        ).status_code
        == 302
    )
    bad = client.post("/profile/availability/", {"weekday": 2, "start": "14:00", "end": "13:00"})
    assert bad.status_code == 200
    assert "end" in bad.context["slot_form"].errors
    page = client.get("/profile/")
    assert b"Groen" in page.content
    assert b"09:00" in page.content


def test_pages_render_in_dutch_and_english(client, world):
    assert b"Inloggen" in client.get("/accounts/login/").content
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert b"Log in" in client.get("/accounts/login/").content


def test_board_pages_are_closed_to_members(client, world):
    client.force_login(world.member_a)
    assert client.get("/c/alpha/board/members/").status_code == 403
    assert client.get("/c/alpha/settings/").status_code == 403


def test_client_page_invites_a_colleague(client, world):
    client.force_login(world.client_user)
    response = client.post(
        f"/clients/{world.client_a.pk}/", {"action": "invite", "email": "collega@example.org"}
    )
    assert response.status_code == 302
    from members.models import Invitation

    assert Invitation.objects.filter(kind="client_user", email="collega@example.org").exists()
    outsider = client.__class__()
    outsider.force_login(world.member_b)
    assert outsider.get(f"/clients/{world.client_a.pk}/").status_code == 404


def test_member_sets_email_preferences(client, world):
    from members.models import NotificationPreference

    client.force_login(world.member_a)
    response = client.post(
        "/profile/notifications/",
        {"shift_digest": "weekly", "claim_updates": "on", "timesheet_updates": ""},
    )
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=world.member_a)
    assert preference.shift_digest == "weekly"
    assert preference.claim_updates
    assert not preference.timesheet_updates


def test_preferences_api_rejects_unknown_choice(world):
    from tests.conftest import api_as

    response = api_as(world.member_a).patch("/api/v1/me/notifications/", {"shift_digest": "hourly"})
    assert response.status_code == 400
    assert response.data["error"]["field"] == "shift_digest"


def test_registration_asks_privacy_consent_and_speaks_dutch(client, world):
    from members.models import User

    client.cookies["django_language"] = "nl"
    page = client.get("/accounts/register/").content.decode()
    assert 'name="privacy_consent"' in page
    assert "/privacy-statement/" in page
    assert client.get("/privacy-statement/").status_code == 200
    data = {"full_name": "Nora Nieuw", "email": "nora@example.org", "language": "nl"}
    page = client.post(
        "/accounts/register/", {**data, "password": "a-Long-test-password-42"}
    ).content.decode()
    assert "privacyverklaring" in page
    assert not User.objects.filter(email="nora@example.org")
    page = client.post(
        "/accounts/register/", {**data, "password": "kort", "privacy_consent": "on"}
    ).content.decode()
    assert "Dit wachtwoord is te kort" in page
    assert "too short" not in page
    assert not User.objects.filter(email="nora@example.org").exists()
