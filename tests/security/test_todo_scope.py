"""The member's to-do (home page and GET /api/v1/me/todo/) after they were suspended from,
or left, a cooperative while still active in another: nothing of the first cooperative's
work, offers or votes remains (their own earnings and payouts stay: their money)."""

import pytest

from members.models import Membership
from tests.conftest import api_as
from tests.factories import MembershipFactory
from tests.members.test_home_todo import _card, _page, busy  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", ["suspended", "left"])
def test_nothing_of_a_cooperative_the_member_is_no_longer_active_in(busy, status):  # noqa: F811
    MembershipFactory(cooperative=busy.coop_b, user=busy.member_a)
    Membership.objects.filter(user=busy.member_a, cooperative=busy.coop_a).update(status=status)
    todo = api_as(busy.member_a).get("/api/v1/me/todo/").json()
    assert todo["member"] is True
    assert todo["next_shift"] is None
    assert todo["offers"] == []
    assert todo["hours_to_log"] == []
    assert todo["votes"] == []
    page = _page(busy.member_a)
    for card in ("next-shift", "offers", "hours", "votes"):
        assert "Geveltuinen" not in _card(page, card), card
    assert "Nieuwe pot voor gereedschap" not in page


@pytest.mark.parametrize("status", ["suspended", "left"])
def test_without_another_cooperative_the_todo_is_empty(busy, status):  # noqa: F811
    Membership.objects.filter(user=busy.member_a, cooperative=busy.coop_a).update(status=status)
    todo = api_as(busy.member_a).get("/api/v1/me/todo/").json()
    assert todo["member"] is False
    assert todo["offers"] == []
    assert todo["votes"] == []
    assert todo["next_shift"] is None
    assert todo["earnings"] is None
