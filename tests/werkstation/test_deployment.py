"""Deployment settings that cannot be got wrong by forgetting a variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from tests.factories.api import login_verified

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "p" * 20 + "-production-secret-with-enough-length-1234567890",
    "ALLOWED_HOSTS": "werk.example.nl",
    "FIELD_ENCRYPTION_KEY": "Xq3NqGGJvKXy0y6SCLtP4p4y3yGmvx2mJ0oQm8Q0b5U=",
}


def _env(**extra) -> dict:
    keep = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DJANGO_SETTINGS_MODULE",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "FIELD_ENCRYPTION_KEY",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests in this process
        )
    }
    return {**keep, **extra}


def _run(args: list[str], env: dict, tmp_path) -> subprocess.CompletedProcess:
    env = {**env, "WERKSTATION_VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, *args],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = _env(DJANGO_SETTINGS_MODULE="werkstation.settings.production", **PRODUCTION_ENV)
    env.pop("DATABASE_URL", None)
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "code",
    [
        "import werkstation.wsgi",
        "import werkstation.asgi",
        "from werkstation.celery import app; app.conf.broker_url",
    ],
)
def test_entry_points_default_to_production_and_refuse_without_secrets(code, tmp_path):
    """A forgotten DJANGO_SETTINGS_MODULE must never serve DEBUG pages with defaults."""
    result = _run(["-c", code], _env(), tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    shown = f"{code}; from django.conf import settings; print(settings.DEBUG)"
    ok = _run(["-c", shown], _env(**PRODUCTION_ENV), tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip().endswith("False")


def test_manage_py_keeps_the_local_settings(tmp_path):
    env = _env()
    env.pop("DATABASE_URL", None)
    result = _run(
        [
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.SETTINGS_MODULE)",
        ],
        env,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "werkstation.settings.local"


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    # Scripts only from this site (a nonce is added where a page uses one).
    assert "script-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    # Every script on the page comes from this site: none inline, no handlers.
    html = response.content.decode()
    assert "<script>" not in html
    assert "onclick=" not in html


@pytest.mark.django_db
@override_settings(API_DOCS_PUBLIC=False)
def test_in_production_the_api_schema_and_docs_need_a_login(world):
    anonymous = Client()
    schema = anonymous.get("/api/schema/")
    assert schema.status_code == 401
    assert schema.json()["error"]["code"] == "not_authenticated"
    docs = anonymous.get("/api/docs/")
    assert docs.status_code == 302
    assert "/accounts/login/" in docs["Location"]
    member = Client()
    member.force_login(world.member_a)
    assert member.get("/api/schema/").status_code == 200
    assert member.get("/api/docs/").status_code == 200
    # A board member's password-only session must first pass the code check.
    board = Client()
    board.force_login(world.board_a)
    assert board.get("/api/docs/").status_code == 302
    login_verified(board, world.board_a)
    assert board.get("/api/docs/").status_code == 200


@pytest.mark.django_db
@override_settings(API_DOCS_PUBLIC=True)
def test_a_setting_opens_the_api_docs(client):
    assert client.get("/api/schema/").status_code == 200
