"""Every API answer of 500 and above has the JSON error shape and a request id that is
also in the log; a database that does not answer is a 503 to retry."""

import io
import logging

import pytest
from django.conf import settings
from django.db import OperationalError
from rest_framework.test import APIClient

from jobs.api import claims as claims_api
from werkstation.middleware import RequestIdLogFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """What the console handler of settings.LOGGING would print, request ids included."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdLogFilter())
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    logging.getLogger().addHandler(handler)
    yield stream
    logging.getLogger().removeHandler(handler)


def _client(user) -> APIClient:
    from members.models import ApiToken

    client = APIClient(raise_request_exception=False)
    _token, plain = ApiToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    return client


def _broken(exc):
    def feed_page(*args, **kwargs):
        raise exc

    return feed_page


def test_an_unexpected_error_is_a_500_in_the_error_shape_with_a_logged_id(
    market, monkeypatch, log_lines
):
    monkeypatch.setattr(claims_api, "feed_page", _broken(RuntimeError("a bug")))
    response = _client(market.member_a).get("/api/v1/feed/")
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "server_error"
    assert error["field"] is None
    assert error["message"]
    assert error["details"] == [
        {"field": None, "code": "server_error", "message": error["message"]}
    ]
    request_id = error["request_id"]
    assert request_id
    assert response["X-Request-ID"] == request_id
    assert "a bug" not in response.content.decode()  # no internals to the client
    logged = [line for line in log_lines.getvalue().splitlines() if request_id in line]
    assert any("Internal Server Error: /api/v1/feed/" in line for line in logged)


def test_a_database_that_does_not_answer_is_a_503_to_retry(market, monkeypatch):
    monkeypatch.setattr(claims_api, "feed_page", _broken(OperationalError("timeout expired")))
    response = _client(market.member_a).get(
        "/api/v1/feed/", HTTP_X_REQUEST_ID="req-from-the-proxy-42"
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    error = response.json()["error"]
    assert error["code"] == "service_unavailable"
    assert error["request_id"] == "req-from-the-proxy-42" == response["X-Request-ID"]


def test_a_person_gets_a_page_with_the_same_id(market, monkeypatch, client):
    from tests.factories.api import login_verified

    monkeypatch.setattr("jobs.views.shifts.feed_page", _broken(RuntimeError("a bug")))
    client.raise_request_exception = False
    login_verified(client, market.member_a)
    response = client.get("/work/", HTTP_ACCEPT="text/html")
    assert response.status_code == 500
    assert response["X-Request-ID"] in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_4xx_errors_carry_the_request_id_too(market):
    response = _client(market.member_a).post("/api/v1/claims/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["request_id"] == response["X-Request-ID"]


def test_a_request_id_that_is_not_a_plain_token_is_replaced(market):
    response = _client(market.member_a).get("/api/v1/me/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


def test_after_the_database_failed_the_process_answers_503_at_once_for_a_moment(
    market, monkeypatch, settings
):
    from werkstation import middleware

    settings.WERKSTATION_DATABASE_DOWN_SECONDS = 60
    monkeypatch.setattr(middleware, "_database_down_until", 0.0)
    client = _client(market.member_a)
    with monkeypatch.context() as patch:
        patch.setattr(claims_api, "feed_page", _broken(OperationalError("timeout expired")))
        assert client.get("/api/v1/feed/").status_code == 503
    # The database answers again, but requests right after the failure do not wait on it.
    response = client.get("/api/v1/feed/")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "service_unavailable"
    assert client.get("/healthz").status_code == 200  # the probe always looks
    monkeypatch.setattr(middleware, "_database_down_until", 0.0)  # the moment has passed
    assert client.get("/api/v1/feed/").status_code == 200
