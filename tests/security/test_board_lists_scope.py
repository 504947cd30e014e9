"""The board's working-time list and dispatch runs as others try them: the treasurer and
the auditor read the dashboard without the working-time section, and a board asking for
another cooperative's run under its own slug (or the other's) finds nothing."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from jobs.models import DispatchRun
from tests.conftest import api_as
from tests.factories.api import login_verified
from tests.factories.jobs import ClaimFactory
from tests.factories.work import make_shift

pytestmark = pytest.mark.django_db


def _near_limit(market):
    now = timezone.now()
    monday = now - timedelta(days=now.weekday() + 7)
    for day in range(5):
        start = monday.replace(hour=6, minute=0) + timedelta(days=day)
        shift = make_shift(market.job, start, hours=11.25)
        ClaimFactory(shift=shift, user=market.member_a, engagement="employee", completed=True)


@pytest.mark.parametrize("who", ["treasurer_a", "auditor_a"])
def test_other_dashboard_readers_do_not_see_the_working_time_list(market, who):
    _near_limit(market)
    web = Client()
    login_verified(web, getattr(market, who))
    page = web.get("/c/alpha/dashboard/")
    assert page.status_code == 200
    assert 'id="working-time"' not in page.content.decode()
    assert (
        api_as(getattr(market, who)).get("/api/v1/cooperatives/alpha/working-time/").status_code
        == 403
    )
    board = Client()
    login_verified(board, market.board_a)
    assert 'id="working-time"' in board.get("/c/alpha/dashboard/").content.decode()


def test_another_cooperatives_run_is_not_found_under_either_slug(world):
    today = timezone.localdate()
    theirs = DispatchRun.objects.create(
        cooperative=world.coop_b, period_start=today, period_end=today, status="done"
    )
    board = api_as(world.board_a)
    for suffix in ("", "offers/", "open-shifts/"):
        url = f"/api/v1/cooperatives/alpha/dispatch/{theirs.pk}/{suffix}"
        assert board.get(url).status_code == 404, url
        url = f"/api/v1/cooperatives/beta/dispatch/{theirs.pk}/{suffix}"
        assert board.get(url).status_code == 404, url
    web = Client()
    login_verified(web, world.board_a)
    assert web.get(f"/c/alpha/dispatch/{theirs.pk}/").status_code == 404
    assert web.get(f"/c/beta/dispatch/{theirs.pk}/").status_code == 404
    assert (
        api_as(world.member_b).get(f"/api/v1/cooperatives/beta/dispatch/{theirs.pk}/").status_code
        == 403
    )
