"""Yearly earnings caps: a warning at 80% and at 100%, once each; the board sees who would pass."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.html import escape

from members.models import Profile
from payouts.models import EarningsCapWarning
from payouts.services.earnings_caps import earnings_cap_warnings_send
from tests.conftest import api_as
from tests.factories.jobs import ClaimFactory
from tests.factories.money import approved_timesheet
from tests.factories.work import make_shift
from werkstation.models import AuditEntry

pytestmark = pytest.mark.django_db
URL = "/api/v1/cooperatives/alpha/earnings-caps/"


@pytest.fixture
def capped(settled):
    """Earned € 288 (3 × € 96 gross) of a € 350 cap: 82%; a confirmed € 96 shift ahead."""
    Profile.objects.filter(user=settled.member_a).update(
        yearly_earnings_cap=Decimal("350.00"), earnings_cap_reason="bijstand"
    )
    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    if start.year != timezone.localdate().year:
        pytest.skip("no days left this year for an upcoming shift")
    shift = make_shift(settled.job, start, hours=3)
    ClaimFactory(shift=shift, user=settled.member_a, confirmed=True)
    return settled


def test_members_are_warned_at_80_and_100_percent_once_each(
    capped, django_capture_on_commit_callbacks
):
    from payouts.tasks import settle_timesheet

    with django_capture_on_commit_callbacks(execute=True):
        assert earnings_cap_warnings_send() == 1
        assert earnings_cap_warnings_send() == 0
    assert [m.to for m in mail.outbox] == [[capped.member_a.email]]
    assert "80%" in mail.outbox[0].subject
    # Another approved shift is settled: now € 384 of € 350.
    sheet = approved_timesheet(capped, days_ago=4)
    with django_capture_on_commit_callbacks(execute=True):
        assert settle_timesheet(sheet.pk) == 1
        assert earnings_cap_warnings_send() == 0
    assert len(mail.outbox) == 2
    assert "100%" in mail.outbox[1].subject
    assert sorted(EarningsCapWarning.objects.values_list("percent", flat=True)) == [80, 100]


def test_the_earnings_page_and_api_show_the_cap(client, capped):
    earnings_cap_warnings_send()
    cap = api_as(capped.member_a).get("/api/v1/me/earnings/").data["cap"]
    assert cap["cap_cents"] == 35000
    assert cap["earned_cents"] == 28800
    assert cap["upcoming_cents"] == 9600
    assert (cap["percent"], cap["projected_percent"], cap["would_pass"]) == (82, 109, True)
    assert cap["warned_at"] == [80]
    client.force_login(capped.member_a)
    page = client.get("/work/earnings/").content.decode()
    assert 'id="earnings-cap"' in page
    assert "€ 288,00" in page
    assert "€ 350,00" in page
    assert api_as(capped.board_a).get("/api/v1/me/earnings/").data["cap"] is None


def test_the_board_sees_who_would_pass_without_the_amounts(client, capped):
    from tests.factories.api import login_verified

    board = api_as(capped.board_a).get(URL)
    assert board.status_code == 200
    assert board.data["would_pass"] == 1
    row = board.data["members"][0]
    assert row["name"] == capped.member_a.full_name
    assert row["would_pass"]
    assert row["projected_percent"] == 109
    assert "cap_cents" not in row
    assert "earned_cents" not in row
    treasurer = api_as(capped.treasurer_a).get(URL).data["members"][0]
    assert treasurer["cap_cents"] == 35000
    assert treasurer["upcoming_cents"] == 9600
    assert AuditEntry.objects.filter(action="earnings_caps.read").count() == 2
    assert api_as(capped.member_a).get(URL).status_code == 403
    assert api_as(capped.board_b).get(URL).status_code == 404
    login_verified(client, capped.board_a)
    page = client.get("/c/alpha/earnings-caps/").content.decode()
    assert escape(capped.member_a.full_name) in page
    assert "109%" in page
    assert "€ 350,00" not in page
    member = client.__class__()
    member.force_login(capped.member_a)
    assert member.get("/c/alpha/earnings-caps/").status_code == 403


def test_members_without_a_cap_or_under_80_percent_hear_nothing(settled):
    Profile.objects.filter(user=settled.member_a).update(yearly_earnings_cap=Decimal("1000.00"))
    assert earnings_cap_warnings_send() == 0
    assert api_as(settled.board_a).get(URL).data == {
        "would_pass": 0,
        "currency": "EUR",
        "members": [
            {
                "member_id": settled.member_a.pk,
                "name": settled.member_a.full_name,
                "percent": 28,
                "projected_percent": 28,
                "would_pass": False,
            }
        ],
    }
