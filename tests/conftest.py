from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.db import connection

from tests.factories import (
    ClientFactory,
    ClientUserFactory,
    CooperativeFactory,
    MembershipFactory,
    SkillFactory,
    UserFactory,
)
from tests.factories.api import api_as  # noqa: F401  (re-exported for the tests)

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need PostgreSQL: skipped on SQLite locally, never in CI.

    Under CI=true the test settings refuse to load without PostgreSQL and Redis, so a
    missing service fails the whole run loudly instead of narrowing it.
    """
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    redis = getattr(settings, "REDIS_AVAILABLE", False)
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            if CI:
                raise pytest.UsageError("CI=true but the tests are not running on PostgreSQL")
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        if "redis" in item.keywords and not redis:
            if CI:
                raise pytest.UsageError("CI=true but Redis is not reachable")
            item.add_marker(pytest.mark.skip(reason="needs Redis (set REDIS_URL)"))


@pytest.fixture
def api():
    from tests.factories.api import SchemaCheckedClient

    return SchemaCheckedClient()


@dataclass
class World:
    coop_a: object
    coop_b: object
    member_a: object
    board_a: object
    treasurer_a: object
    auditor_a: object
    member_b: object
    board_b: object
    client_user: object
    client_a: object
    staff: object
    applicant_a: object
    skill_a: object

    def membership(self, user, coop=None):
        return user.memberships.get(cooperative=coop or self.coop_a)


@pytest.fixture
def world(db) -> World:
    return build_world()


def build_world() -> World:
    coop_a = CooperativeFactory(slug="alpha", name="Coop Alpha")
    coop_b = CooperativeFactory(slug="beta", name="Coop Beta")
    member_a = MembershipFactory(
        cooperative=coop_a, user=UserFactory(email="member-a@example.org")
    ).user
    board_a = MembershipFactory(
        cooperative=coop_a, is_board=True, user=UserFactory(email="board-a@example.org")
    ).user
    treasurer_a = MembershipFactory(
        cooperative=coop_a, is_treasurer=True, user=UserFactory(email="treasurer-a@example.org")
    ).user
    auditor_a = MembershipFactory(
        cooperative=coop_a, is_auditor=True, user=UserFactory(email="auditor-a@example.org")
    ).user
    member_b = MembershipFactory(
        cooperative=coop_b, user=UserFactory(email="member-b@example.org")
    ).user
    board_b = MembershipFactory(
        cooperative=coop_b, is_board=True, user=UserFactory(email="board-b@example.org")
    ).user
    applicant_a = MembershipFactory(
        cooperative=coop_a,
        status="applied",
        member_number=None,
        user=UserFactory(email="applicant-a@example.org"),
    ).user
    client_a = ClientFactory(cooperatives=[coop_a])
    client_user = ClientUserFactory(
        client=client_a, user=UserFactory(email="client@example.org")
    ).user
    staff = UserFactory(email="staff@example.org", is_staff=True)
    skill_a = SkillFactory(cooperative=coop_a, slug="groen", name="Groen")
    return World(
        coop_a=coop_a,
        coop_b=coop_b,
        member_a=member_a,
        board_a=board_a,
        treasurer_a=treasurer_a,
        auditor_a=auditor_a,
        member_b=member_b,
        board_b=board_b,
        client_user=client_user,
        client_a=client_a,
        staff=staff,
        applicant_a=applicant_a,
        skill_a=skill_a,
    )


def row_counts(*models) -> dict:
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def broker_at(url: str):
    """Point the Celery app at another broker (e.g. a closed port) and back again."""
    from werkstation.celery import app

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    original = app.conf.broker_url
    app.conf.broker_url = url
    reset_pools()
    try:
        yield app
    finally:
        app.conf.broker_url = original
        reset_pools()


from tests.factories.money import settled  # noqa: E402,F401  (shared fixture)
from tests.factories.work import market  # noqa: E402,F401  (shared fixture)


@pytest.fixture(autouse=True)
def _legal_figures(request):
    """A transactional test flushes every table, the legal figures the data migration ships
    included; an installation always has them, so each transactional test starts with them."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        "transactional_db" in request.fixturenames
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps as django_apps
    from django.utils.module_loading import import_string

    from werkstation.models import LegalParameter

    if not LegalParameter.objects.exists():
        ship = import_string("werkstation.migrations.0001_initial.ship")
        ship(django_apps, None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The local-memory cache outlives a test; start each one without cached data."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def fake_stripe(settings):
    """The fake Stripe server on loopback, with the SDK pointed at it and an encryption key."""
    from cryptography.fernet import Fernet

    from tests.payouts.fake_stripe import FakeStripe

    fake = FakeStripe().start()
    settings.STRIPE_API_BASE = fake.url
    settings.STRIPE_TIMEOUT = 2.0
    settings.STRIPE_MAX_NETWORK_RETRIES = 2
    settings.FIELD_ENCRYPTION_KEY = Fernet.generate_key().decode()
    yield fake
    fake.stop()


@contextmanager
def fake_stripe_running():
    """``fake_stripe`` for a whole module (the authorization matrix builds its world once)."""
    from cryptography.fernet import Fernet
    from django.test import override_settings

    from tests.payouts.fake_stripe import FakeStripe

    fake = FakeStripe().start()
    try:
        with override_settings(
            STRIPE_API_BASE=fake.url,
            STRIPE_TIMEOUT=2.0,
            STRIPE_MAX_NETWORK_RETRIES=2,
            FIELD_ENCRYPTION_KEY=Fernet.generate_key().decode(),
        ):
            yield fake
    finally:
        fake.stop()


@pytest.fixture
def tenancy(db):
    """Two cooperatives and a shared client (``tests/factories/tenancy.py``)."""
    from tests.factories.tenancy import build_tenancy

    return build_tenancy()
