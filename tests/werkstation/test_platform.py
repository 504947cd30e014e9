"""Settings, health, OpenAPI, translations and the embedded Celery broker."""

import gettext
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "werkstation" / "locale"


def _run_python(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_secret_key_and_hosts():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEY")
    }
    env["DJANGO_SETTINGS_MODULE"] = "werkstation.settings.production"
    result = _run_python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    env["SECRET_KEY"] = "x" * 50
    result = _run_python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr
    env["ALLOWED_HOSTS"] = "werkstation.example"
    result = _run_python("import django; django.setup()", env)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY must be set" in result.stderr
    env["FIELD_ENCRYPTION_KEY"] = "k" * 44
    result = _run_python("import django; django.setup(); print('ok')", env)
    assert result.returncode == 0, result.stderr


def test_defaults_need_nothing(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="werkstation.settings.local", WERKSTATION_VAR_DIR=str(tmp_path)
    )
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.EMAIL_BACKEND)"
    )
    result = _run_python(code, env)
    assert result.returncode == 0, result.stderr
    engine, broker, email = result.stdout.split()
    assert engine.endswith("sqlite3")
    assert broker.startswith("sqla+sqlite:///")
    assert email.endswith("console.EmailBackend")
    env.update(
        DATABASE_URL="postgres://u@db.example:5432/w", REDIS_URL="redis://cache.example:6379/0"
    )
    result = _run_python(code, env)
    assert result.stdout.split()[:2] == [
        "django.db.backends.postgresql",
        "redis://cache.example:6379/0",
    ]


@pytest.mark.django_db
def test_healthz_reports_every_service_and_the_outbox(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert (body["database"], body["broker"], body["cache"]) == ("ok", "ok", "ok")
    assert body["outbox"] == {"unfinished": 0, "oldest_age_seconds": None, "stuck": False}


@pytest.mark.django_db
def test_healthz_reports_a_broker_that_is_down_and_keeps_serving(client):
    """Without the broker the site still works (the outbox keeps the work), so a load
    balancer must not take it out: 200, degraded, and which service is down."""
    from werkstation.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["broker"] == "down"
    assert body["database"] == "ok"


@pytest.mark.django_db
def test_openapi_schema_and_docs_use_local_assets(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/cooperatives/{slug}/applications/" in schema.json()["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
    assert b"/static/drf_spectacular_sidecar/" in docs.content


def test_dutch_catalogue_is_complete_and_compiled():
    for language in ("nl", "en"):
        po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
        untranslated = [e.msgid for e in po if not e.translated()]
        assert not untranslated, f"{language}: untranslated {untranslated[:5]}"
        assert not [e for e in po if "fuzzy" in e.flags]
        with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as handle:
            mo = gettext.GNUTranslations(handle)
        for entry in po:
            if not entry.msgid_plural:
                assert mo.gettext(entry.msgid) == entry.msgstr, (
                    f"{language}: .mo is stale for {entry.msgid!r}"
                )


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext")
def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    # makemessages writes into the catalogue it finds, so run it on a copy of the tree.
    for name in ("werkstation", "members", "jobs", "payouts"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "werkstation" / "locale"
    before = {e.msgid for e in polib.pofile(str(target / "nl" / "LC_MESSAGES" / "django.po"))}
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        with override_settings(LOCALE_PATHS=[target]):
            call_command("makemessages", locale=["nl"], verbosity=0)
    finally:
        os.chdir(cwd)
    after = {
        e.msgid
        for e in polib.pofile(str(target / "nl" / "LC_MESSAGES" / "django.po"))
        if not e.obsolete
    }
    assert after - before == set(), (
        f"run 'make messages' and translate: {sorted(after - before)[:10]}"
    )


@pytest.mark.redis
def test_celery_task_goes_through_the_real_broker():
    """With Redis configured, a published task reaches the broker (not eager)."""
    import redis

    from werkstation.celery import app

    connection = redis.Redis.from_url(settings.REDIS_URL)
    queue = "test-platform-probe"
    connection.delete(queue)
    with app.connection_for_write() as conn:
        app.send_task("werkstation.tasks.heartbeat", queue=queue, connection=conn)
    assert connection.llen(queue) == 1
    connection.delete(queue)


def test_embedded_broker_runs_a_worker_without_redis(tmp_path):
    """The default install runs the worker on kombu's SQLite transport (in WAL mode)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="werkstation.settings.local", WERKSTATION_VAR_DIR=str(tmp_path)
    )
    code = (
        "import django; django.setup()\n"
        "from werkstation.celery import app\n"
        "r = app.send_task('werkstation.tasks.heartbeat')\n"
        "print(r.id)\n"
    )
    sent = _run_python(code, env)
    assert sent.returncode == 0, sent.stderr
    task_id = sent.stdout.strip()
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "werkstation",
            "worker",
            "--pool=solo",
            "--loglevel=info",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = worker.stdout.readline()
            if not line:
                break
            seen.append(line)
            if task_id in line and "succeeded" in line:
                break
    finally:
        worker.terminate()
        worker.wait(10)
    assert any(task_id in line and "succeeded" in line for line in seen), "".join(seen[-20:])
    import sqlite3

    with sqlite3.connect(tmp_path / "celery-broker.sqlite3") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    from jobs.models import Client
    from members.models import Cooperative, Membership, User

    call_command("seed_demo", verbosity=0)
    counts = (
        User.objects.count(),
        Membership.objects.count(),
        Client.objects.count(),
        Cooperative.objects.count(),
    )
    call_command("seed_demo", verbosity=0)
    assert counts == (
        User.objects.count(),
        Membership.objects.count(),
        Client.objects.count(),
        Cooperative.objects.count(),
    )
    kanaleneiland = Cooperative.objects.get(slug="kanaleneiland")
    assert Membership.objects.filter(cooperative=kanaleneiland, status="active").count() >= 40
    assert Membership.objects.filter(cooperative=kanaleneiland, is_board=True).exists()
    assert set(Client.objects.values_list("kind", flat=True)) == {
        "business",
        "housing_corporation",
        "municipality",
        "foundation",
    }
    assert Cooperative.objects.count() >= 2
