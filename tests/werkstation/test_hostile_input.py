"""Each hostile input that once gave a 500 now gets a 4xx naming the field, writing nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs.models import Job, Shift
from payouts.models import Payment
from tests.conftest import api_as, row_counts
from tests.payouts.test_camt import STATEMENT
from werkstation.models import AuditEntry

pytestmark = pytest.mark.django_db


def _post_raw(user, path: str, body: str | bytes):
    return api_as(user).generic("POST", path, body, content_type="application/json")


def _error(response) -> dict:
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    return json.loads(response.content)["error"]


def test_a_weekly_pattern_at_the_end_of_the_calendar(market):
    before = row_counts(Shift, AuditEntry)
    body = {"first_date": "9999-12-31", "weekdays": [1], "start_time": "09:00"}
    body |= {"end_time": "12:00", "weeks": 2}
    error = _error(
        api_as(market.client_user).post(f"/api/v1/jobs/{market.job.pk}/shifts/weekly/", body)
    )
    assert error["field"] == "first_date"
    assert row_counts(Shift, AuditEntry) == before


def test_a_shift_in_the_year_9999(market):
    body = {"start": "9999-12-31T20:00:00+01:00", "end": "9999-12-31T23:00:00+01:00"}
    error = _error(api_as(market.client_user).post(f"/api/v1/jobs/{market.job.pk}/shifts/", body))
    assert error["field"] == "start"


def test_a_number_too_large_for_a_float(market):
    before = row_counts(Shift)
    body = '{"first_date": "2030-01-01", "weekdays": [1e400], "start_time": "09:00",'
    body += ' "end_time": "12:00", "weeks": 2}'
    response = _post_raw(market.client_user, f"/api/v1/jobs/{market.job.pk}/shifts/weekly/", body)
    assert _error(response)["field"] == "weekdays[0]"
    assert row_counts(Shift) == before


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_literals(market, literal):
    body = f'{{"minutes_worked": {literal}, "claim": 1}}'
    assert _error(_post_raw(market.member_a, "/api/v1/timesheets/", body))["field"] in (
        "minutes_worked",
        "claim",
    )


def test_json_nested_100000_levels_deep(market):
    body = "[" * 100_000 + "]" * 100_000
    response = _post_raw(market.member_a, "/api/v1/claims/", body)
    assert response.status_code == 400
    assert _error(response)["code"] == "parse_error"


def test_a_lone_surrogate_in_an_invalid_choice(market):
    body = '{"title": "x", "category": "\\ud800", "client": 1, "street": "a", "postcode": "x"}'
    response = _post_raw(market.board_a, "/api/v1/jobs/", body)
    assert _error(response)["field"] == "category"


def test_a_body_over_the_limit_is_refused_unread(market, settings):
    settings.WERKSTATION_MAX_JSON_BYTES = 1000
    response = _post_raw(
        market.member_a, "/api/v1/claims/", '{"shift": 1, "x": "' + "a" * 2000 + '"}'
    )
    assert response.status_code == 413
    assert _error(response)["code"] == "too_large"


def test_a_page_number_beyond_64_bits(market):
    response = api_as(market.member_a).get("/api/v1/feed/", {"page": str(2**70)})
    assert _error(response)["field"] == "page"


def test_a_latitude_of_91(market):
    before = row_counts(Job)
    body = {"client": market.client_a.pk, "title": "Tuin", "category": "greening"}
    body |= {"street": "Marshalllaan 1", "postcode": "3526 KL", "latitude": "91", "longitude": "5"}
    body |= {"cooperative": "alpha"}
    error = _error(api_as(market.client_user).post("/api/v1/jobs/", body))
    assert error["field"] == "latitude"
    assert row_counts(Job) == before
    error = _error(
        api_as(market.member_a).patch(
            "/api/v1/me/profile/", {"latitude": "-90.5", "longitude": "5"}
        )
    )
    assert error["field"] == "latitude"


def _upload(world, data: bytes):
    file = SimpleUploadedFile("camt.xml", data, content_type="application/xml")
    return api_as(world.treasurer_a).post(
        "/api/v1/cooperatives/alpha/bank-statements/", {"file": file}, format="multipart"
    )


def _statement(amount: str = "10.00", day: str = "2026-11-20") -> bytes:
    return STATEMENT.format(amount=amount, day=day, number="2026-00001").encode()


@pytest.mark.parametrize(
    "data",
    [
        _statement(amount="tien euro"),
        _statement(amount="NaN"),
        _statement(amount="Infinity"),
        _statement(amount="1e400"),
        _statement(amount="99999999999999999999999999.00"),
        _statement(amount="-5.00"),
        _statement(amount="1.001"),
        _statement(amount=""),
        _statement(day="2026-02-30"),
        _statement(day="morgen"),
        _statement().replace(b"<CdtDbtInd>CRDT</CdtDbtInd>", b"", 1),
        _statement().replace(b'<Amt Ccy="EUR">10.00</Amt>', b"", 1),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<Document>&b;</Document>"
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<Document>&x;</Document>"
        ),
        b"\xff\xfe not xml at all",
    ],
    ids=lambda d: d[:0] or "statement",
)
def test_malformed_bank_statements(settled, data):
    before = row_counts(Payment, AuditEntry)
    assert _error(_upload(settled, data))["field"] == "file"
    assert row_counts(Payment, AuditEntry) == before


def test_a_bank_statement_of_26_megabytes(settled):
    data = _statement().replace(b"<Stmt>", b"<Stmt><!--" + b"x" * (26 * 2**20) + b"-->", 1)
    error = _error(_upload(settled, data))
    assert error["field"] == "file" or error["code"] == "too_large"


def test_the_weekly_payout_batch_task_logs_what_failed(world, caplog, monkeypatch):
    from payouts import tasks
    from payouts.services import payouts

    def broken(**kwargs):
        raise RuntimeError("bank file store is read-only")

    monkeypatch.setattr(payouts, "payout_batch_create", broken)
    with caplog.at_level("ERROR", logger="payouts.tasks"):
        assert tasks.weekly_payout_batches() == 0
    assert "bank file store is read-only" in caplog.text
    assert "alpha" in caplog.text
    assert "beta" in caplog.text


def test_a_nul_character_in_a_rule_set_label_is_refused_naming_the_field(market):
    """PostgreSQL stores no NUL in text or JSON: it is refused at the door, not a 500."""
    from payouts.models import RuleSet

    before = RuleSet.objects.count()
    body = (
        '{"kind": "payout_rules", "title": "Labels", "payload": {"spec": {"currency": "EUR", '
        '"pots": [{"pot": "coop_fund", "percent": "5", "label": {"nl": "Wijk\\u0000fonds"}}]}}}'
    )
    response = _post_raw(market.board_a, "/api/v1/cooperatives/alpha/proposals/", body)
    assert response.status_code == 400
    assert _error(response)["field"] == "payload.spec.pots[0].label.nl"
    assert RuleSet.objects.count() == before
