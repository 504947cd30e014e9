from datetime import timedelta

import pytest
from icalendar import Calendar

from tests.conftest import api_as
from tests.factories.jobs import ClaimFactory

pytestmark = pytest.mark.django_db


def test_private_calendar_feed_is_valid_icalendar_and_revocable(client, market):
    ClaimFactory(shift=market.shift, user=market.member_a, confirmed=True)
    api = api_as(market.member_a)
    url = api.post("/api/v1/me/calendar/").data["url"]
    path = url.replace("http://testserver", "")
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["summary"]).startswith("Geveltuinen")
    assert event.decoded("dtstart") == market.shift.start
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(hours=3)
    assert "3526 GA" in str(event["location"])
    # A new link replaces the old one; revoking stops it.
    new_url = api.post("/api/v1/me/calendar/").data["url"]
    assert client.get(path).status_code == 404
    assert api.delete("/api/v1/me/calendar/").status_code == 204
    assert client.get(new_url.replace("http://testserver", "")).status_code == 404


def test_withdrawn_claims_are_not_in_the_calendar(client, market):
    ClaimFactory(shift=market.shift, user=market.member_a, status="withdrawn")
    url = api_as(market.member_a).post("/api/v1/me/calendar/").data["url"]
    calendar = Calendar.from_ical(client.get(url.replace("http://testserver", "")).content)
    assert list(calendar.walk("VEVENT")) == []
