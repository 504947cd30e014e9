"""Sign-in that holds against a determined insider: second factors, tokens, lock-outs.

Each test walks the real HTTP paths (web login form, API, admin) as a person or an
attacker would, and asserts what they would notice.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken

from members.models import ApiToken, EnrolmentLink, Membership, TotpDevice
from tests.conftest import api_as
from tests.factories import PASSWORD, MembershipFactory
from werkstation.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


WRONG_CODE = (
    "Die code klopt niet. Kijk of de tijd op je telefoon goed staat en probeer het opnieuw."
)


def code_of(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def web_login(user, password: str = PASSWORD, client: Client | None = None) -> Client:
    client = client or Client()
    response = client.post("/accounts/login/", {"username": user.email, "password": password})
    assert response.status_code == 302, response.content[:500]
    return client


def enrolled(user) -> TotpDevice:
    return TotpDevice.objects.create(user=user, name="Telefoon", confirmed=True)


def web_verified(user, device=None) -> Client:
    device = device or enrolled(user)
    client = web_login(user)
    response = client.post("/account/2fa/verify/", {"otp_token": code_of(device)})
    assert response.status_code == 302
    return client


def link_from_mail(to: str) -> str:
    message = [m for m in mail.outbox if to in m.to and "/account/2fa/enrol/" in m.body][-1]
    return re.search(r"(/account/2fa/enrol/[^/\s]+/)", message.body).group(1)


# --- 1. Two-factor bypass by enrolment ----------------------------------------------


@pytest.mark.parametrize("role", ["board_a", "treasurer_a", "auditor_a", "staff"])
def test_a_password_alone_never_enrols_a_device_or_reaches_anything(world, role):
    user = getattr(world, role)
    if role == "staff":
        user.is_superuser = True
        user.save()
    client = web_login(user)
    # The password is right: the session knows who it is, but not yet with a second factor.
    assert client.session["_auth_user_id"] == str(user.pk)
    assert "otp_device_id" not in client.session
    # The old set-up page is gone; the new ones refuse a password-only session: it is sent
    # to the code check, and coming back from there would land on the page it asked for.
    setup = client.get("/account/2fa/setup/")
    assert setup.status_code == 302
    assert setup["Location"] == "/account/2fa/verify/?next=/account/2fa/setup/"
    add = client.get("/account/security/add-device/")
    assert add.status_code == 302
    assert add["Location"].startswith("/account/2fa/verify/")
    assert client.get("/account/2fa/enrol/made-up-token/").status_code == 404
    verify = client.get("/account/2fa/verify/")
    assert "Mail me een instellink" in verify.content.decode()
    for path in ("/profile/", "/c/alpha/", "/admin/", "/accounts/password_change/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/account/2fa/verify/"), path
        assert response["Location"] == f"/account/2fa/verify/?next={path}", path
    assert client.get("/api/v1/me/").status_code == 403
    token = Client().post(
        "/api/v1/auth/token/",
        {"email": user.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert token.status_code == 403
    assert token.json()["error"]["code"] == "two_factor_setup_required"
    assert not TotpDevice.objects.filter(user=user).exists()
    assert not ApiToken.objects.filter(user=user).exists()
    # Nothing above verified the session.
    assert "otp_device_id" not in client.session


def test_a_granted_role_sends_a_one_time_link_that_enrols_once(
    world, django_capture_on_commit_callbacks
):
    second_board = MembershipFactory(cooperative=world.coop_a, is_board=True).user
    member = world.membership(world.member_a)
    with django_capture_on_commit_callbacks(execute=True):
        asked = api_as(world.board_a).patch(
            f"/api/v1/memberships/{member.pk}/roles/", {"is_treasurer": True}
        )
        assert asked.status_code == 202
        approval_id = (
            api_as(second_board)
            .get("/api/v1/cooperatives/alpha/approvals/")
            .data["results"][0]["id"]
        )
        approved = api_as(second_board).post(f"/api/v1/approvals/{approval_id}/approve/")
        assert approved.status_code == 200
    link = link_from_mail(world.member_a.email)

    # Someone else, signed in with their own password, cannot use the link.
    intruder = web_login(world.member_b)
    assert intruder.get(link).status_code == 404

    client = web_login(world.member_a)
    page = client.get(link)
    assert page.status_code == 200
    assert b"<svg" in page.content
    device = TotpDevice.objects.get(user=world.member_a, confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(link, {"otp_token": code_of(device), "name": "Mijn telefoon"})
    assert done.status_code == 302
    assert done["Location"] == "/account/security/recovery-codes/"
    codes = client.get(done["Location"])
    assert codes.status_code == 200
    assert len(re.findall(r"<code>\w{4}-\w{4}</code>", codes.content.decode())) == 10
    # Shown once.
    assert client.get("/account/security/recovery-codes/").status_code == 302
    # The session is verified now: the treasury opens.
    assert client.get("/c/alpha/").status_code == 200
    # The link works once.
    assert client.get(link).status_code == 404
    # The owner was told about the new device.
    assert any(
        "new second-factor device" in m.subject.lower() or "apparaat" in m.subject.lower()
        for m in mail.outbox
        if world.member_a.email in m.to
    )


def test_an_expired_link_does_not_work(world, django_capture_on_commit_callbacks):
    from members.services.two_factor import two_factor_link_send

    with django_capture_on_commit_callbacks(execute=True):
        two_factor_link_send(user=world.board_a, reason="test", actor=world.staff)
    link = link_from_mail(world.board_a.email)
    EnrolmentLink.objects.filter(user=world.board_a).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    client = web_login(world.board_a)
    response = client.get(link)
    assert response.status_code == 404
    assert "verlopen" in response.content.decode()
    assert not TotpDevice.objects.filter(user=world.board_a).exists()


def test_a_further_device_needs_a_session_verified_by_an_existing_one(world):
    device = enrolled(world.board_a)
    client = web_login(world.board_a)
    assert client.get("/account/security/add-device/")["Location"].startswith(
        "/account/2fa/verify/"
    )
    assert client.post("/account/2fa/verify/", {"otp_token": code_of(device)}).status_code == 302
    page = client.get("/account/security/add-device/")
    assert page.status_code == 200
    assert b"<svg" in page.content
    new = TotpDevice.objects.get(user=world.board_a, confirmed=False)
    assert (
        client.post("/account/security/add-device/", {"otp_token": code_of(new)}).status_code == 302
    )
    assert TotpDevice.objects.filter(user=world.board_a, confirmed=True).count() == 2


def test_device_password_and_token_changes_are_audited_and_emailed(
    world, django_capture_on_commit_callbacks
):
    device = enrolled(world.board_a)
    client = web_verified(world.board_a, device)
    client.get("/account/security/add-device/")
    new = TotpDevice.objects.get(user=world.board_a, confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/security/add-device/", {"otp_token": code_of(new)})
        client.post(f"/account/security/remove-device/{device.pk}/")
        client.post(
            "/accounts/password_change/",
            {
                "old_password": PASSWORD,
                "new_password1": "another-Long-password-77",
                "new_password2": "another-Long-password-77",
            },
        )
    actions = set(
        AuditEntry.objects.filter(object_id=str(world.board_a.pk)).values_list("action", flat=True)
    )
    assert {"two_factor.device_added", "two_factor.device_removed", "password.changed"} <= actions
    subjects = [m.subject for m in mail.outbox if world.board_a.email in m.to]
    assert len(subjects) >= 3
    # A token made through the API is audited and e-mailed too (with the next code: a code
    # is never accepted twice, so the clock moves on one step here).
    TotpDevice.objects.filter(pk=new.pk).update(last_t=-1)
    with django_capture_on_commit_callbacks(execute=True):
        made = Client().post(
            "/api/v1/auth/token/",
            {
                "email": world.board_a.email,
                "password": "another-Long-password-77",
                "otp_token": code_of(new),
            },
            content_type="application/json",
        )
    assert made.status_code == 200
    assert AuditEntry.objects.filter(
        action="token.created", object_id=str(world.board_a.pk)
    ).exists()
    assert len([m for m in mail.outbox if world.board_a.email in m.to]) == len(subjects) + 1


def test_recovery_codes_sign_in_once_on_the_web_and_the_api(world):
    from members.services.two_factor import _recovery_codes_replace

    enrolled(world.treasurer_a)
    codes = _recovery_codes_replace(world.treasurer_a)
    client = web_login(world.treasurer_a)
    assert client.post("/account/2fa/verify/", {"otp_token": codes[0]}).status_code == 302
    assert client.get("/c/alpha/").status_code == 200
    again = web_login(world.treasurer_a)
    reused = again.post("/account/2fa/verify/", {"otp_token": codes[0]})
    assert reused.status_code == 200
    assert reused.context["form"].errors["otp_token"] == [WRONG_CODE]
    token = Client().post(
        "/api/v1/auth/token/",
        {"email": world.treasurer_a.email, "password": PASSWORD, "otp_token": codes[1]},
        content_type="application/json",
    )
    assert token.status_code == 200
    assert set(token.json()) == {"token", "expiry"}
    assert StaticToken.objects.filter(device__user=world.treasurer_a).count() == 8


def test_after_one_wrong_code_the_next_right_code_is_accepted(world):
    device = enrolled(world.board_a)
    client = web_login(world.board_a)
    wrong = client.post("/account/2fa/verify/", {"otp_token": "000000"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["otp_token"] == [WRONG_CODE]
    assert client.post("/account/2fa/verify/", {"otp_token": code_of(device)}).status_code == 302


def test_while_throttled_the_form_says_so_and_for_how_long(world):
    device = enrolled(world.board_a)
    client = web_login(world.board_a)
    client.post("/account/2fa/verify/", {"otp_token": "000000"})
    client.post("/account/2fa/verify/", {"otp_token": "111111"})
    # Now the throttle applies: even the right code is refused, with the wait, never
    # "wrong code".
    response = client.post("/account/2fa/verify/", {"otp_token": code_of(device)})
    assert response.status_code == 200
    (message,) = response.context["form"].errors["otp_token"]
    assert message.startswith("Te veel verkeerde codes")
    assert "seconde" in message
    assert message != WRONG_CODE
    api = Client().post(
        "/api/v1/auth/token/",
        {"email": world.board_a.email, "password": PASSWORD, "otp_token": code_of(device)},
        content_type="application/json",
    )
    assert api.status_code == 429
    assert api.json()["error"]["code"] == "otp_throttled"
    assert api.json()["error"]["retry_after_seconds"] >= 1
    # Once the wait has passed, the right code works.
    TotpDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(minutes=5)
    )
    assert client.post("/account/2fa/verify/", {"otp_token": code_of(device)}).status_code == 302


# --- 2. Auditors need a second factor -------------------------------------------------


def test_auditors_need_a_second_factor(world):
    client = web_login(world.auditor_a)
    assert client.get("/c/alpha/")["Location"].startswith("/account/2fa/verify/")
    password_only = api_as(world.auditor_a, second_factor=False)
    assert password_only.get("/api/v1/me/").status_code == 401


# --- 3. API tokens --------------------------------------------------------------------


def test_a_members_token_stops_working_when_promoted(world):
    second_board = MembershipFactory(cooperative=world.coop_a, is_board=True).user
    old = Client().post(
        "/api/v1/auth/token/",
        {"email": world.member_a.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert old.status_code == 200
    auth = {"HTTP_AUTHORIZATION": f"Token {old.json()['token']}"}
    assert Client().get("/api/v1/me/", **auth).status_code == 200
    member = world.membership(world.member_a)
    api_as(world.board_a).patch(f"/api/v1/memberships/{member.pk}/roles/", {"is_board": True})
    approval_id = (
        api_as(second_board).get("/api/v1/cooperatives/alpha/approvals/").data["results"][0]["id"]
    )
    api_as(second_board).post(f"/api/v1/approvals/{approval_id}/approve/")
    assert Client().get("/api/v1/me/", **auth).status_code == 401
    # Even a token that somehow survived would be refused without a second factor.
    assert api_as(world.member_a, second_factor=False).get("/api/v1/me/").status_code == 401


def test_the_token_endpoint_keeps_its_shape_and_needs_the_code_for_roles(world):
    device = enrolled(world.board_a)
    without = Client().post(
        "/api/v1/auth/token/",
        {"email": world.board_a.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert without.status_code == 400
    assert without.json()["error"]["field"] == "otp_token"
    response = Client().post(
        "/api/v1/auth/token/",
        {"email": world.board_a.email, "password": PASSWORD, "otp_token": code_of(device)},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 200
    assert set(body) == {"token", "expiry"}
    # Stored as a digest only.
    stored = ApiToken.objects.get(user=world.board_a)
    assert body["token"] not in (stored.digest, stored.token_key)
    assert stored.second_factor
    assert (
        Client()
        .get(
            "/api/v1/cooperatives/alpha/applications/", HTTP_AUTHORIZATION=f"Token {body['token']}"
        )
        .status_code
        == 200
    )


def test_tokens_expire_when_idle_and_at_their_absolute_limit(world, settings):
    made = (
        Client()
        .post(
            "/api/v1/auth/token/",
            {"email": world.member_a.email, "password": PASSWORD},
            content_type="application/json",
        )
        .json()
    )
    auth = {"HTTP_AUTHORIZATION": f"Token {made['token']}"}
    token = ApiToken.objects.get(user=world.member_a)
    now = timezone.now()
    # Used regularly: each use pushes the idle expiry 30 days out.
    ApiToken.objects.filter(pk=token.pk).update(
        created=now - timedelta(days=10), expiry=now + timedelta(days=1)
    )
    assert Client().get("/api/v1/me/", **auth).status_code == 200
    token.refresh_from_db()
    assert token.expiry > now + timedelta(days=29)
    # ...but never past 90 days after it was made.
    ApiToken.objects.filter(pk=token.pk).update(
        created=now - timedelta(days=89, hours=23), expiry=now + timedelta(hours=1)
    )
    assert Client().get("/api/v1/me/", **auth).status_code == 200
    token.refresh_from_db()
    assert token.expiry <= token.created + timedelta(days=90)
    ApiToken.objects.filter(pk=token.pk).update(
        created=now - timedelta(days=91), expiry=now - timedelta(days=1)
    )
    assert Client().get("/api/v1/me/", **auth).status_code == 401
    # Idle for 30 days: gone too.
    fresh = api_as(world.member_a)
    ApiToken.objects.filter(user=world.member_a).update(
        created=now - timedelta(days=31), expiry=now - timedelta(days=1)
    )
    assert fresh.get("/api/v1/me/").status_code == 401


def test_tokens_are_revoked_on_password_change_and_when_membership_ends(world):
    web = web_login(world.member_a)
    api = api_as(world.member_a)
    assert api.get("/api/v1/me/").status_code == 200
    changed = web.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-Long-password-77",
            "new_password2": "another-Long-password-77",
        },
    )
    assert changed.status_code == 302
    assert api.get("/api/v1/me/").status_code == 401
    api = api_as(world.member_a)
    member = world.membership(world.member_a)
    assert api.post(f"/api/v1/memberships/{member.pk}/leave/").status_code == 200
    assert api.get("/api/v1/me/").status_code == 401


def test_people_list_and_revoke_their_own_tokens(world):
    mine = api_as(world.member_a)
    other = ApiToken.objects.create(user=world.member_a)[0]
    listed = mine.get("/api/v1/auth/tokens/")
    assert listed.status_code == 200
    assert len(listed.data["results"]) == 2
    assert sum(1 for t in listed.data["results"] if t["current"]) == 1
    # Someone else cannot revoke it; its owner can.
    assert (
        api_as(world.member_b).delete(f"/api/v1/auth/tokens/{other.token_key}/").status_code == 404
    )
    assert mine.delete(f"/api/v1/auth/tokens/{other.token_key}/").status_code == 204
    assert not ApiToken.objects.filter(pk=other.pk).exists()
    web = web_login(world.member_a)
    page = web.get("/account/security/")
    assert page.status_code == 200
    assert "API-tokens" in page.content.decode()
    current = ApiToken.objects.get(user=world.member_a)
    assert web.post(f"/account/security/revoke-token/{current.token_key}/").status_code == 302
    assert mine.get("/api/v1/me/").status_code == 401


# --- 4. Brute force ---------------------------------------------------------------------


def test_forty_wrong_passwords_lock_the_web_login_and_the_token_endpoint(world):
    client = Client(REMOTE_ADDR="203.0.113.50")
    for _ in range(40):
        client.post("/accounts/login/", {"username": world.member_a.email, "password": "wrong"})
    locked = client.post(
        "/accounts/login/", {"username": world.member_a.email, "password": PASSWORD}
    )
    assert locked.status_code == 429
    assert "geblokkeerd" in locked.content.decode()
    api = Client().post(
        "/api/v1/auth/token/",
        {"email": world.member_a.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert api.status_code == 429
    assert api.json()["error"]["code"] == "locked_out"
    assert not ApiToken.objects.filter(user=world.member_a).exists()


def test_an_address_is_locked_across_accounts_and_staff_can_unlock(world):
    from members.models import User
    from tests.factories import UserFactory

    attacker = Client(REMOTE_ADDR="203.0.113.9")
    victims = [UserFactory() for _ in range(12)]
    for victim in victims:
        attacker.post(
            "/api/v1/auth/token/",
            {"email": victim.email, "password": "guess"},
            content_type="application/json",
        )
    # A right password for a fresh account from the same address is refused too...
    fresh = attacker.post(
        "/api/v1/auth/token/",
        {"email": world.member_b.email, "password": PASSWORD},
        content_type="application/json",
    )
    assert fresh.status_code == 429
    # ...while the same person elsewhere signs in.
    assert (
        Client(REMOTE_ADDR="198.51.100.7")
        .post(
            "/api/v1/auth/token/",
            {"email": world.member_b.email, "password": PASSWORD},
            content_type="application/json",
        )
        .status_code
        == 200
    )
    # Locked account (guessed at from many addresses): staff unlock it in the admin.
    for i in range(12):
        Client(REMOTE_ADDR=f"192.0.2.{i}").post(
            "/accounts/login/", {"username": world.member_a.email, "password": "x"}
        )
    locked = Client().post(
        "/accounts/login/", {"username": world.member_a.email, "password": PASSWORD}
    )
    assert locked.status_code == 429
    world.staff.is_superuser = True
    world.staff.save()
    admin = web_verified(world.staff)
    response = admin.post(
        "/admin/members/user/",
        {"action": "unlock_sign_in", "_selected_action": [world.member_a.pk]},
    )
    assert response.status_code == 302
    assert (
        Client()
        .post("/accounts/login/", {"username": world.member_a.email, "password": PASSWORD})
        .status_code
        == 302
    )
    assert User.objects.filter(pk=world.member_a.pk).exists()


def test_password_reset_requests_are_limited_per_account_and_per_address(world, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 3
    client = Client()
    statuses = [
        client.post("/accounts/password_reset/", {"email": world.member_a.email}).status_code
        for _ in range(5)
    ]
    assert statuses[:3] == [302, 302, 302]
    assert statuses[3:] == [429, 429]
    assert len([m for m in mail.outbox if world.member_a.email in m.to]) == 3
    refused = client.post("/accounts/password_reset/", {"email": world.member_a.email})
    assert "Probeer het over" in refused.content.decode()
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 4
    guesser = Client(REMOTE_ADDR="203.0.113.20")
    answers = [guesser.get(f"/accounts/reset/MQ/bad-token-{i}/").status_code for i in range(6)]
    assert answers[-1] == 429


# --- 5. Four eyes that one person cannot meet alone --------------------------------------


def test_a_board_member_cannot_approve_a_batch_with_a_second_account(world):
    """The finding: a board member made a second account, admitted it, made it treasurer
    and approved a payout batch with both."""
    from payouts.models import PayoutBatch

    board = api_as(world.board_a)
    registered = Client().post(
        "/api/v1/auth/register/",
        {"email": "puppet@example.org", "password": PASSWORD, "full_name": "Pop"},
        content_type="application/json",
    )
    assert registered.status_code == 201
    from members.models import User

    puppet = User.objects.get(email="puppet@example.org")
    assert api_as(puppet).post("/api/v1/cooperatives/alpha/applications/", {}).status_code == 201
    membership = Membership.objects.get(user=puppet, cooperative=world.coop_a)
    assert board.post(f"/api/v1/memberships/{membership.pk}/admit/").status_code == 200
    made = board.patch(f"/api/v1/memberships/{membership.pk}/roles/", {"is_treasurer": True})
    assert made.status_code == 202
    membership.refresh_from_db()
    assert not membership.is_treasurer
    # The requester cannot approve it, nor can the puppet.
    approval_id = board.get("/api/v1/cooperatives/alpha/approvals/").data["results"][0]["id"]
    assert board.post(f"/api/v1/approvals/{approval_id}/approve/").status_code == 403
    assert api_as(puppet).post(f"/api/v1/approvals/{approval_id}/approve/").status_code == 404
    # Suppose another board member is talked into approving it...
    other = MembershipFactory(cooperative=world.coop_a, is_board=True).user
    assert api_as(other).post(f"/api/v1/approvals/{approval_id}/approve/").status_code == 200
    membership.refresh_from_db()
    assert membership.is_treasurer
    # ...the puppet still got the role from the requester: it cannot be the second pair of eyes.
    batch = PayoutBatch.objects.create(
        cooperative=world.coop_a, created_by=world.board_a, execution_date=timezone.localdate()
    )
    url = f"/api/v1/cooperatives/alpha/payout-batches/{batch.pk}/approve/"
    assert board.post(url).status_code == 200
    refused = api_as(puppet).post(url)
    assert refused.status_code == 403
    assert refused.data["error"]["code"] == "four_eyes"
    batch.refresh_from_db()
    assert batch.status == "draft"
    # An independent treasurer can.
    assert api_as(world.treasurer_a).post(url).status_code == 200
    batch.refresh_from_db()
    assert batch.status == "approved"


def test_one_board_member_cannot_change_the_bank_account_alone(
    world, django_capture_on_commit_callbacks
):
    from members.models import Cooperative

    second = MembershipFactory(cooperative=world.coop_a, is_board=True).user
    board = api_as(world.board_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = board.patch(
            "/api/v1/cooperatives/alpha/", {"iban": "NL44RABO0123456789", "voting_days": 10}
        )
    assert response.status_code == 200
    coop = Cooperative.objects.get(pk=world.coop_a.pk)
    assert coop.voting_days == 10
    assert coop.bank_account()[0] != "NL44RABO0123456789"
    # The whole board heard of the request.
    board_emails = {world.board_a.email, second.email}
    assert board_emails <= {to for m in mail.outbox for to in m.to}
    approval_id = (
        api_as(second).get("/api/v1/cooperatives/alpha/approvals/").data["results"][0]["id"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert api_as(second).post(f"/api/v1/approvals/{approval_id}/approve/").status_code == 200
    coop.refresh_from_db()
    # Approved, but on hold: invoices and payout files keep the old account for now.
    assert coop.next_iban == "NL44RABO0123456789"
    assert coop.bank_account()[0] != "NL44RABO0123456789"
    assert coop.bank_account(at=coop.next_iban_from)[0] == "NL44RABO0123456789"
    assert len([m for m in mail.outbox if second.email in m.to]) >= 2


def test_staff_give_the_second_approval_where_the_board_has_one_member(world):
    member = world.membership(world.member_a)
    assert (
        api_as(world.board_a)
        .patch(f"/api/v1/memberships/{member.pk}/roles/", {"is_auditor": True})
        .status_code
        == 202
    )
    approval = world.coop_a.second_approvals.get()
    world.staff.is_superuser = True
    world.staff.save()
    admin = web_verified(world.staff)
    response = admin.post(
        "/admin/members/secondapproval/",
        {
            "action": "approve_as_staff",
            "_selected_action": [approval.pk],
            "apply": "1",
            "reason": "Bestuur heeft maar één lid; gebeld met de voorzitter.",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    approval.refresh_from_db()
    assert member.is_auditor
    assert approval.decided_as_staff
    # Where the board could decide itself, staff cannot.
    MembershipFactory(cooperative=world.coop_a, is_board=True)
    api_as(world.board_a).patch(f"/api/v1/memberships/{member.pk}/roles/", {"is_treasurer": True})
    pending = world.coop_a.second_approvals.get(status="pending")
    admin.post(
        "/admin/members/secondapproval/",
        {
            "action": "approve_as_staff",
            "_selected_action": [pending.pk],
            "apply": "1",
            "reason": "x",
        },
    )
    pending.refresh_from_db()
    assert pending.status == "pending"


# --- 6. The admin writes through the services ------------------------------------------


def test_the_admin_cannot_edit_status_roles_or_numbers(world):
    world.staff.is_superuser = True
    world.staff.save()
    admin = web_verified(world.staff)
    member = world.membership(world.member_a)
    url = f"/admin/members/membership/{member.pk}/change/"
    page = admin.get(url)
    assert page.status_code == 200
    assert 'name="is_board"' not in page.content.decode()
    admin.post(url, {"status": "left", "is_board": "on", "member_number": 999})
    member.refresh_from_db()
    assert member.status == "active"
    assert not member.is_board
    assert member.member_number != 999
    # Suspending is an action that calls the service, with a reason and an audit row.
    response = admin.post(
        "/admin/members/membership/",
        {
            "action": "suspend",
            "_selected_action": [member.pk],
            "apply": "1",
            "reason": "Herhaaldelijk niet op komen dagen.",
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == "suspended"
    assert AuditEntry.objects.filter(
        action="membership.suspended", actor=world.staff, object_id=str(member.pk)
    ).exists()


def test_the_admin_cannot_change_a_proposal(world):
    from members.models import Proposal

    proposal = Proposal.objects.create(
        cooperative=world.coop_a, kind="motion", title="Geheim", proposer=world.board_a, secret=True
    )
    world.staff.is_superuser = True
    world.staff.save()
    admin = web_verified(world.staff)
    admin.post(
        f"/admin/members/proposal/{proposal.pk}/change/", {"secret": "", "status": "adopted"}
    )
    proposal.refresh_from_db()
    assert proposal.secret
    assert proposal.status != "adopted"


# --- the demo ---------------------------------------------------------------------------


def test_demo_code_signs_in_the_demo_board(db):
    from io import StringIO

    from django.core.management import call_command

    from members.management.commands.seed_demo import seed

    seed()
    out = StringIO()
    call_command("demo_code", "bestuur@werkstation.demo", stdout=out)
    code = out.getvalue().strip()
    client = Client()
    client.post(
        "/accounts/login/", {"username": "bestuur@werkstation.demo", "password": "werkstation-demo"}
    )
    assert client.post("/account/2fa/verify/", {"otp_token": code}).status_code == 302
    assert client.get("/c/kanaleneiland/board/members/").status_code == 200
    with pytest.raises(Exception, match="demo"):
        call_command("demo_code", "someone@example.org", stdout=StringIO())


def test_the_readme_prints_the_demo_secrets_the_demo_uses():
    from pathlib import Path

    from members.services.demo_two_factor import demo_secret_base32

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    rows = dict(re.findall(r"\| `([^`]+@[^`]+\.demo)` \| `([A-Z2-7]{32})` \|", readme))
    assert len(rows) == 5
    for email, secret in rows.items():
        assert demo_secret_base32(email) == secret, email


def test_expired_tokens_and_dead_links_are_pruned(world):
    from members.services.tokens import api_tokens_prune

    live = ApiToken.objects.create(user=world.member_a)[0]
    dead = ApiToken.objects.create(user=world.member_a)[0]
    ApiToken.objects.filter(pk=dead.pk).update(expiry=timezone.now() - timedelta(minutes=1))
    assert api_tokens_prune() >= 1
    assert ApiToken.objects.filter(pk=live.pk).exists()
    assert not ApiToken.objects.filter(pk=dead.pk).exists()
