"""The API's schema as a contract: committed, served unchanged, every error documented.

``docs/openapi.yaml`` is the schema ``/api/schema/`` serves; an API change shows in
review as a change of that file (``make openapi`` writes it). Integer bounds in the
schema are the database's, so the comparison runs on PostgreSQL, production's database.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import api_as

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.yaml"
METHODS = ("get", "post", "put", "patch", "delete")


def _served(client) -> dict:
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return json.loads(response.content)


def _operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


@pytest.mark.postgres
def test_the_committed_schema_is_the_served_one(client):
    committed = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    served = _served(client)
    if committed != served:
        diff = "\n".join(
            list(
                difflib.unified_diff(
                    yaml.safe_dump(committed, sort_keys=True).splitlines(),
                    yaml.safe_dump(served, sort_keys=True).splitlines(),
                    "docs/openapi.yaml",
                    "/api/schema/",
                    lineterm="",
                )
            )[:60]
        )
        pytest.fail(
            "docs/openapi.yaml differs from the schema the API serves; run `make openapi` "
            f"and commit the file.\n{diff}"
        )


def test_every_error_answer_has_the_one_error_shape(client):
    for name, operation in _operations(_served(client)):
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (name, status)
            assert response["description"], (name, status)


def test_operations_list_the_errors_they_can_answer(client):
    """What a client must handle is in the schema: the generated client knows it."""
    operations = dict(_operations(_served(client)))
    # Every write can conflict with the object's state; every authenticated call can be
    # refused its credentials and its role.
    for name, operation in operations.items():
        statuses = set(operation["responses"])
        assert "403" in statuses, name
        if not name.startswith("GET"):
            assert "409" in statuses, name
        if "{" in name:
            assert "404" in statuses, name
    assert {"400", "401", "403"} <= set(operations["GET /api/v1/feed/"]["responses"])
    claim = set(operations["POST /api/v1/claims/"]["responses"])
    assert {"201", "400", "401", "403", "409"} <= claim
    # The token endpoint authenticates nobody (no 401) but throttles sign-in (429).
    token = set(operations["POST /api/v1/auth/token/"]["responses"])
    assert "429" in token
    assert "401" not in token
    assert "502" in operations["POST /api/v1/invoices/{invoice_id}/payment-link/"]["responses"]


def test_weekly_availability_is_local_wall_clock_time(client):
    schemas = _served(client)["components"]["schemas"]
    start = schemas["AvailabilitySlot"]["properties"]["start"]
    assert start["type"] == "string"
    assert "format" not in start
    assert start["pattern"] == "^([01][0-9]|2[0-3]):[0-5][0-9]$"


@pytest.mark.django_db
def test_weekly_availability_answers_hh_mm(world):
    client = api_as(world.member_a)
    response = client.put(
        "/api/v1/me/availability/", {"slots": [{"weekday": 0, "start": "09:00", "end": "12:30"}]}
    )
    assert response.status_code == 200, response.content
    assert response.json() == [{"weekday": 0, "start": "09:00", "end": "12:30"}]
    listed = client.get("/api/v1/me/availability/").json()
    assert listed["results"] == [{"weekday": 0, "start": "09:00", "end": "12:30"}]


def test_the_checker_fails_an_answer_that_differs_from_the_schema():
    """The check every API test runs can fail: an unnamed key, a missing one, a wrong type."""
    import json

    from django.http import HttpResponse

    from tests.openapi_check import assert_matches_schema

    def answer(body, status=200):
        return HttpResponse(json.dumps(body), status=status, content_type="application/json")

    good = {"page": 1, "has_next": False, "results": []}
    assert_matches_schema(answer(good), "jobs_api:feed", "get")
    for bad in ({**good, "total": 3}, {"page": 1, "results": []}, {**good, "page": "one"}):
        with pytest.raises(AssertionError):
            assert_matches_schema(answer(bad), "jobs_api:feed", "get")
    with pytest.raises(AssertionError, match="does not list"):
        assert_matches_schema(answer(good, status=418), "jobs_api:feed", "get")
