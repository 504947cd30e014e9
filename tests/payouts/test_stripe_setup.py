"""Stripe credentials per cooperative: encrypted at rest, write-only, or from the environment."""

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test import Client

from payouts.models import StripeSettings
from payouts.stripe.setup import stripe_credentials
from tests.conftest import api_as, row_counts
from tests.factories import CooperativeFactory
from tests.factories.api import login_verified

pytestmark = pytest.mark.django_db
URL = "/api/v1/cooperatives/alpha/stripe/"
SECRET = "sk_test_51HyPlainTextSecret"
WHSEC = "whsec_PlainTextWebhookSecret"


def _raw_columns() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_key, webhook_secret FROM payouts_stripesettings")
        return cursor.fetchone()


def _second_board_member_approves(world) -> None:
    """New keys wait for a second board member; board_a (not the requester) approves."""
    board = api_as(world.board_a)
    pending = [
        a
        for a in board.get("/api/v1/cooperatives/alpha/approvals/").data["results"]
        if a["status"] == "pending"
    ]
    assert pending
    assert all(a["kind"] == "stripe_keys" for a in pending)
    for approval in pending:
        assert board.post(f"/api/v1/approvals/{approval['id']}/approve/").status_code == 200


def test_secrets_are_stored_encrypted_and_never_echoed(world, settings):
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    response = api_as(world.treasurer_a).patch(
        URL, {"secret_key": SECRET, "webhook_secret": WHSEC, "connect_enabled": True}
    )
    assert response.status_code == 200, response.data
    # Keys decide where clients' money goes: nothing is used before a second approval.
    assert not response.data["secret_key_set"]
    assert response.data["keys_waiting_for_approval"] == ["secret_key", "webhook_secret"]
    assert SECRET not in response.content.decode()
    assert stripe_credentials(world.coop_a).secret_key == ""
    _second_board_member_approves(world)
    response = api_as(world.treasurer_a).get(URL)
    assert response.data["secret_key_set"]
    assert response.data["webhook_secret_set"]
    assert response.data["connect_enabled"]
    assert response.data["source"] == "cooperative"
    assert response.data["webhook_url"].endswith("/stripe/webhook/alpha/")
    assert SECRET not in response.content.decode()
    assert WHSEC not in response.content.decode()
    raw_key, raw_webhook = _raw_columns()
    assert SECRET not in raw_key
    assert "PlainText" not in raw_key
    assert "PlainText" not in raw_webhook
    assert (
        Fernet(settings.FIELD_ENCRYPTION_KEY.encode()).decrypt(raw_key.encode()).decode() == SECRET
    )
    assert stripe_credentials(world.coop_a).secret_key == SECRET
    shown = api_as(world.board_a).get(URL)
    assert shown.status_code == 200
    assert SECRET not in shown.content.decode()
    assert "secret_key" not in shown.data  # only whether it is set


def test_without_an_encryption_key_nothing_is_stored(world, settings):
    settings.FIELD_ENCRYPTION_KEY = ""
    before = row_counts(StripeSettings)
    response = api_as(world.treasurer_a).patch(URL, {"secret_key": SECRET})
    assert response.status_code == 400
    assert response.data["error"]["code"] == "encryption_key_missing"
    assert response.data["error"]["field"] == "secret_key"
    assert row_counts(StripeSettings) == before


def test_a_key_is_rotated_by_putting_the_new_one_first(world, settings):
    old = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEY = old
    api_as(world.treasurer_a).patch(URL, {"secret_key": SECRET})
    _second_board_member_approves(world)
    settings.FIELD_ENCRYPTION_KEY = f"{Fernet.generate_key().decode()},{old}"
    assert stripe_credentials(world.coop_a).secret_key == SECRET


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"secret_key": "pk_test_publishable"}, "secret_key"),
        ({"webhook_secret": "sk_nope_123456"}, "webhook_secret"),
    ],
)
def test_what_is_not_a_stripe_secret_is_refused(world, settings, body, field):
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    response = api_as(world.treasurer_a).patch(URL, body)
    assert response.status_code == 400
    assert response.data["error"]["field"] == field
    assert not StripeSettings.objects.exists()


def test_only_treasury_and_board_set_keys(world, settings):
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    # A member without the role is refused; outsiders do not learn the settings exist.
    for user, status in ((world.member_a, 403), (world.board_b, 404), (world.client_user, 404)):
        assert api_as(user).patch(URL, {"secret_key": SECRET}).status_code == status
    assert not StripeSettings.objects.exists()


def test_a_single_cooperative_install_may_use_the_environment(db, settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = (
        "sk_test_env_key_1234",
        "whsec_a,whsec_b",
    )
    only = CooperativeFactory(slug="enige")
    credentials = stripe_credentials(only)
    assert credentials.source == "environment"
    assert credentials.webhook_secrets == (
        "whsec_a",
        "whsec_b",
    )
    CooperativeFactory(slug="tweede")
    # With two cooperatives, one Stripe account is never shared between them.
    assert stripe_credentials(only).source == "none"


def test_the_settings_page_sets_keys_without_showing_them(world, settings):
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    web = Client()
    login_verified(web, world.treasurer_a)
    page = web.get("/c/alpha/treasury/stripe/")
    assert page.status_code == 200
    assert "/stripe/webhook/alpha/" in page.content.decode()
    saved = web.post(
        "/c/alpha/treasury/stripe/",
        {
            "secret_key": SECRET,
            "webhook_secret": WHSEC,
            "connect_enabled": "on",
            "connect_overflow": "sepa",
        },
        follow=True,
    )
    html = saved.content.decode()
    assert saved.status_code == 200
    assert SECRET not in html
    assert WHSEC not in html
    _second_board_member_approves(world)
    row = StripeSettings.objects.get(cooperative=world.coop_a)
    assert row.secret_key == SECRET
    assert row.connect_enabled
    assert row.connect_overflow == "sepa"
    wrong = web.post(
        "/c/alpha/treasury/stripe/", {"secret_key": "nope", "connect_overflow": "wait"}
    )
    assert wrong.status_code == 200
    assert "sk_" in wrong.content.decode()
    assert StripeSettings.objects.get(cooperative=world.coop_a).secret_key == SECRET
    member = Client()
    member.force_login(world.member_a)
    assert member.get("/c/alpha/treasury/stripe/").status_code == 403
