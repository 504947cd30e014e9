"""The board's lists: members and hours, with a search and filters by status and period."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client as WebClient
from django.utils import timezone
from django.utils.html import escape

from jobs.models import Timesheet
from members.models import Membership
from tests.factories import MembershipFactory, UserFactory
from tests.factories.api import login_verified
from tests.factories.money import approved_timesheet

pytestmark = pytest.mark.django_db


def _board(world) -> WebClient:
    client = WebClient()
    login_verified(client, world.board_a)
    return client


def test_the_member_list_searches_and_filters(world):
    MembershipFactory(cooperative=world.coop_a, user=UserFactory(full_name="Yasmina Ouali"))
    gone = MembershipFactory(
        cooperative=world.coop_a, user=UserFactory(full_name="Piet Vertrokken"), status="left"
    )
    Membership.objects.filter(pk=gone.pk).update(decided_at=timezone.now() - timedelta(days=400))
    client = _board(world)
    url = "/c/alpha/board/members/"
    page = client.get(url).content.decode()
    assert "Yasmina Ouali" in page
    assert "Piet Vertrokken" in page
    page = client.get(url, {"q": "yasm"}).content.decode()
    assert "Yasmina Ouali" in page
    assert "Piet Vertrokken" not in page
    page = client.get(url, {"status": "left"}).content.decode()
    assert "Piet Vertrokken" in page
    assert "Yasmina Ouali" not in page
    page = client.get(url, {"role": "treasurer"}).content.decode()
    assert escape(world.treasurer_a.full_name) in page
    assert "Yasmina Ouali" not in page
    since = (timezone.localdate() - timedelta(days=30)).isoformat()
    page = client.get(url, {"since": since}).content.decode()
    assert "Yasmina Ouali" in page
    assert "Piet Vertrokken" not in page


def test_the_hours_list_searches_and_filters(market):
    old = approved_timesheet(market, days_ago=40, minutes=120)
    recent = approved_timesheet(market, days_ago=2, minutes=150, user=market.board_a)
    Timesheet.objects.filter(pk=recent.pk).update(status="submitted")
    client = _board(market)
    client.cookies["django_language"] = "nl"
    url = "/work/timesheets/"
    page = client.get(url).content.decode()
    assert page.count('class="card sheet"') == 2
    page = client.get(url, {"status": "submitted"}).content.decode()
    assert page.count('class="card sheet"') == 1
    assert "2 u 30 min" in page
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    page = client.get(url, {"since": since}).content.decode()
    assert page.count('class="card sheet"') == 1
    assert "2 u 30 min" in page
    page = client.get(url, {"q": market.member_a.full_name[:5]}).content.decode()
    assert f'data-sheet="{old.pk}"' in page
