import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_board_member_must_set_up_and_pass_totp_before_pages(client, world):
    client.force_login(world.board_a)
    response = client.get("/c/alpha/board/members/")
    assert response.status_code == 302 and response["Location"].startswith("/account/2fa/setup/")

    page = client.get("/account/2fa/setup/")
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=world.board_a)
    bad = client.post("/account/2fa/setup/", {"otp_token": "000000"})
    assert bad.status_code == 200 and "otp_token" in bad.context["form"].errors
    # django-otp throttles after a failure; a person would simply try again a moment later.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    ok = client.post(
        "/account/2fa/setup/?next=/c/alpha/board/members/", {"otp_token": _code(device)}
    )
    assert ok.status_code == 302
    assert client.get("/c/alpha/board/members/").status_code == 200


def test_plain_member_needs_no_second_factor(client, world):
    client.force_login(world.member_a)
    assert client.get("/profile/").status_code == 200


def test_unverified_board_session_is_refused_by_the_api(client, world):
    client.force_login(world.board_a)
    response = client.get("/api/v1/cooperatives/alpha/applications/")
    assert response.status_code == 403


def test_token_for_board_needs_totp(api, world):
    device = TOTPDevice.objects.create(user=world.board_a, name="default", confirmed=True)
    response = api.post("/api/v1/auth/token/", {"email": world.board_a.email, "password": PASSWORD})
    assert response.status_code == 400 and response.data["error"]["field"] == "otp_token"
    response = api.post(
        "/api/v1/auth/token/",
        {"email": world.board_a.email, "password": PASSWORD, "otp_token": _code(device)},
    )
    assert response.status_code == 200 and response.data["token"]


def test_member_token_without_totp(api, world):
    response = api.post(
        "/api/v1/auth/token/", {"email": world.member_a.email, "password": PASSWORD}
    )
    assert response.status_code == 200


def test_wrong_password_names_the_field(api, world):
    response = api.post("/api/v1/auth/token/", {"email": world.member_a.email, "password": "wrong"})
    assert response.status_code == 400 and response.data["error"]["field"] == "password"


@override_settings(WERKSTATION_REQUIRE_2FA=True)
def test_staff_admin_needs_second_factor(client, world):
    client.force_login(world.staff)
    assert client.get("/admin/").status_code == 302
