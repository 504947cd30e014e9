"""Pages of API lists: the feed's envelope for every list, 50 rows unless asked, at most
200, and a 400 naming the field for a page or page size that makes no sense."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from jobs.models import DispatchRun
from tests.conftest import api_as

URL = "/api/v1/cooperatives/alpha/dispatch/"


@pytest.fixture
def runs(world):
    """60 dispatch runs: more than the 50 this list was cut to before it paged."""
    for _i in range(60):
        DispatchRun.objects.create(
            cooperative=world.coop_a, period_start=date.today(), period_end=date.today()
        )
    return api_as(world.board_a)


def test_a_list_pages_50_rows_unless_asked_and_loses_none(runs):
    first = runs.get(URL).json()
    assert set(first) == {"page", "has_next", "results"}
    assert first["page"] == 1
    assert first["has_next"] is True
    assert len(first["results"]) == 50
    second = runs.get(URL, {"page": 2}).json()
    assert second["page"] == 2
    assert second["has_next"] is False
    assert len(second["results"]) == 10
    ids = [r["id"] for r in first["results"] + second["results"]]
    assert len(set(ids)) == 60 == DispatchRun.objects.count()
    assert ids == sorted(ids, reverse=True)  # newest first, no row twice or skipped

    everything = runs.get(URL, {"page_size": 200}).json()
    assert everything["has_next"] is False
    assert len(everything["results"]) == 60
    small = runs.get(URL, {"page_size": 7, "page": 3}).json()
    assert [r["id"] for r in small["results"]] == ids[14:21]
    assert small["has_next"] is True

    past_the_end = runs.get(URL, {"page": 4}).json()
    assert past_the_end == {"page": 4, "has_next": False, "results": []}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page_size": 201}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": "many"}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": "last"}, "page"),
        ({"page": 10_001}, "page"),
        ({"page": "9" * 30}, "page"),
    ],
)
def test_a_bad_page_or_page_size_is_a_400_naming_the_field(runs, query, field):
    response = runs.get(URL, query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == field
    assert "1" in error["message"]  # says the range to choose from


def test_the_feed_takes_the_same_page_size(runs, world):
    from tests.factories.work import place_member

    place_member(world.member_a)
    member = api_as(world.member_a)
    assert member.get("/api/v1/feed/", {"page_size": 201}).json()["error"]["field"] == "page_size"
    body = member.get("/api/v1/feed/", {"page_size": 5}).json()
    assert set(body) == {"page", "has_next", "results"}


def test_the_schema_has_no_warnings(tmp_path):
    """drf-spectacular validates the schema and fails on any warning (an untyped answer,
    a name collision): the published schema is the API's true shape."""
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
