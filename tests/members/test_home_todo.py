"""The member's home is their to-do list: next shift, offers, hours to log, votes,
earnings against target and limits, payouts; the same data at GET /api/v1/me/todo/."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobs.models import Claim, DispatchRun, Offer, Shift
from jobs.selectors import member_todo
from members.models import Elector, Profile, Proposal, Vote
from payouts.models import Split
from tests.conftest import api_as
from tests.factories.work import at, make_shift
from werkstation.money import format_money

pytestmark = pytest.mark.django_db


def _page(user) -> str:
    browser = Client()
    if user is not None:
        browser.force_login(user)
    response = browser.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _card(page: str, name: str) -> str:
    return page.split(f'id="todo-{name}"')[1].split("</section>", maxsplit=1)[0]


def _offer(world, user, shift, *, hours=24, status="open") -> Offer:
    run = DispatchRun.objects.create(
        cooperative=shift.cooperative,
        period_start=shift.start.date(),
        period_end=shift.start.date(),
        status="done",
    )
    return Offer.objects.create(
        run=run,
        shift=shift,
        user=user,
        reason="Dichtbij en past in je week",
        deadline=timezone.now() + timedelta(hours=hours),
        status=status,
    )


def _claim(shift, user, status="confirmed", **extra) -> Claim:
    return Claim.objects.create(
        shift=shift, user=user, status=status, start=shift.start, end=shift.end, **extra
    )


def _proposal(coop, title, *, electors=(), days=3) -> Proposal:
    now = timezone.now()
    proposal = Proposal.objects.create(
        cooperative=coop,
        kind="free_text",
        title=title,
        proposer=electors[0] if electors else coop.memberships.first().user,
        status=Proposal.Status.OPEN,
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=days),
    )
    for user in electors:
        Elector.objects.create(proposal=proposal, user=user)
    return proposal


def _ended_shift(market, days_ago=1, hour=8) -> Shift:
    start = (timezone.now() - timedelta(days=days_ago)).replace(
        hour=hour, minute=0, second=0, microsecond=0
    )
    shift = make_shift(market.job, start + timedelta(days=40), hours=2)
    Shift.objects.filter(pk=shift.pk).update(start=start, end=start + timedelta(hours=2))
    shift.refresh_from_db()
    return shift


@pytest.fixture
def busy(settled):
    """Member A with one of everything, and the same things for others that A must not see."""
    m = settled
    Profile.objects.filter(user=m.member_a).update(
        target_hours_per_week=20, yearly_earnings_cap=Decimal("5000.00")
    )
    m.next_claim = _claim(m.shift, m.member_a)
    wednesday = m.tuesday + timedelta(days=1)
    m.offered_shift = make_shift(m.job, at(wednesday, 9), hours=2)
    m.offer = _offer(m, m.member_a, m.offered_shift)
    m.waitlist_shift = make_shift(m.job, at(wednesday, 14), hours=2)
    m.waitlist_claim = _claim(
        m.waitlist_shift,
        m.member_a,
        status="offered",
        offer_expires_at=timezone.now() + timedelta(hours=3),
    )
    m.unlogged = _claim(_ended_shift(m, days_ago=5), m.member_a)
    m.vote = _proposal(m.coop_a, "Nieuwe pot voor gereedschap", electors=[m.member_a, m.board_a])
    voted = _proposal(m.coop_a, "Al gestemd", electors=[m.member_a])
    Vote.objects.create(proposal=voted, voter=m.member_a, cast_by=m.member_a, choice="yes")
    # Others: another member of A, and a member of cooperative B.
    _claim(make_shift(m.job, at(m.tuesday, 15), hours=2), m.board_a)
    _offer(m, m.board_a, make_shift(m.job, at(m.tuesday, 18), hours=2))
    _claim(_ended_shift(m, days_ago=2), m.board_a)
    _proposal(m.coop_b, "Stemming van Beta", electors=[m.member_b])
    _proposal(m.coop_a, "Alleen voor de board", electors=[m.board_a])
    return m


def test_member_home_shows_every_card_in_order(busy):
    page = _page(busy.member_a)
    order = [page.index(f'id="todo-{n}"') for n in ("next-shift", "offers", "hours", "votes")]
    order += [page.index('id="todo-earnings"'), page.index('id="todo-payout"')]
    assert order == sorted(order)
    assert "Register an organisation" not in page
    assert "Registreer" not in page

    nxt = _card(page, "next-shift")
    assert "Geveltuinen" in nxt
    assert "Marshalllaan 40, 3526 GA" in nxt
    assert "openstreetmap.org/directions" in nxt
    assert "route=52.073500%2C5.096500%3B" in nxt

    offers = _card(page, "offers")
    assert f"/work/offers/{busy.offer.pk}/accept/" in offers
    assert f"/work/offers/{busy.offer.pk}/decline/" in offers
    assert f"/work/claims/{busy.waitlist_claim.pk}/accept/" in offers
    assert f"/work/claims/{busy.waitlist_claim.pk}/decline/" in offers
    assert 'name="next" value="/"' in offers

    hours = _card(page, "hours")
    assert f"#claim-{busy.unlogged.pk}" in hours
    assert hours.count("<li>") == 1

    votes = _card(page, "votes")
    assert "Nieuwe pot voor gereedschap" in votes
    assert "Al gestemd" not in votes
    assert "Beta" not in votes
    assert "board" not in votes

    earnings = _card(page, "earnings")
    month_start = timezone.localdate().replace(day=1)
    splits = Split.objects.filter(member=busy.member_a, work_date__gte=month_start)
    earned = sum(s.member_cents for s in splits)
    assert format_money(earned, language="nl") in earnings
    assert format_money(500000, language="nl") in earnings  # the yearly cap
    assert "doel" in earnings or "target" in earnings
    assert "cents" not in earnings

    payout = _card(page, "payout")
    awaiting = sum(s.member_cents for s in Split.objects.filter(member=busy.member_a))
    assert format_money(awaiting, language="nl") in payout


def test_member_home_empty_states(world):
    page = _page(world.member_b)
    assert "Geen diensten gepland." in page or "No shifts planned." in page
    for name in ("offers", "hours", "votes", "payout"):
        assert 'class="muted"' in _card(page, name), name
    assert "Register an organisation" not in page


@pytest.mark.parametrize("who", ["client_user", "applicant_a", None])
def test_non_members_keep_their_home(world, who):
    page = _page(getattr(world, who) if who else None)
    assert "todo-" not in page
    assert "/clients/new/" in page or "/register/" in page


def test_accepting_an_offer_from_home_comes_back_home(busy):
    browser = Client()
    browser.force_login(busy.member_a)
    response = browser.post(f"/work/offers/{busy.offer.pk}/decline/", {"next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert Offer.objects.get(pk=busy.offer.pk).status == "declined"
    response = browser.post(f"/work/claims/{busy.waitlist_claim.pk}/accept/", {"next": "/"})
    assert response["Location"] == "/"


def test_todo_is_only_the_members_own(busy):
    todo = member_todo(busy.member_a)
    assert todo["next_shift"]["claim_id"] == busy.next_claim.pk
    assert {(o["kind"], o["id"]) for o in todo["offers"]} == {
        ("dispatch", busy.offer.pk),
        ("waitlist", busy.waitlist_claim.pk),
    }
    assert [h["claim_id"] for h in todo["hours_to_log"]] == [busy.unlogged.pk]
    assert [v["proposal_id"] for v in todo["votes"]] == [busy.vote.pk]
    other = member_todo(busy.member_b)
    assert other["member"]
    assert other["next_shift"] is None
    assert other["offers"] == []
    assert other["hours_to_log"] == []
    assert [v["title"] for v in other["votes"]] == ["Stemming van Beta"]


def test_expired_offers_and_logged_hours_drop_off(busy):
    Offer.objects.filter(pk=busy.offer.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    Claim.objects.filter(pk=busy.waitlist_claim.pk).update(
        offer_expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = Client()
    response.force_login(busy.member_a)
    response.post(
        f"/work/claims/{busy.unlogged.pk}/hours", {"hours": "2", "minutes": "0", "next": "/"}
    )
    todo = member_todo(busy.member_a)
    assert todo["offers"] == []
    assert todo["hours_to_log"] == []


def test_query_count_is_bounded(busy):
    with CaptureQueriesContext(connection) as few:
        member_todo(busy.member_a)
    # Many more claims, offers and votes: not one query more.
    thursday = busy.tuesday + timedelta(days=2)
    for hour in (7, 10, 13, 16):
        _offer(busy, busy.member_a, make_shift(busy.job, at(thursday, hour), hours=2))
        _claim(_ended_shift(busy, days_ago=6, hour=hour), busy.member_a)
        _proposal(busy.coop_a, f"Voorstel {hour}", electors=[busy.member_a])
    with CaptureQueriesContext(connection) as many:
        todo = member_todo(busy.member_a)
    assert len(todo["offers"]) == 6
    assert len(todo["hours_to_log"]) == 5
    assert len(todo["votes"]) == 5
    assert len(many) == len(few) <= 25


def test_api_gives_the_same_list(busy):
    response = api_as(busy.member_a).get("/api/v1/me/todo/")
    assert response.status_code == 200, response.data
    data = response.json()
    assert data["member"] is True
    assert data["currency"] == "EUR"
    assert data["next_shift"]["claim_id"] == busy.next_claim.pk
    assert data["next_shift"]["route_url"].startswith("https://www.openstreetmap.org/directions")
    assert {o["kind"] for o in data["offers"]} == {"dispatch", "waitlist"}
    assert [h["claim_id"] for h in data["hours_to_log"]] == [busy.unlogged.pk]
    assert [v["proposal_id"] for v in data["votes"]] == [busy.vote.pk]
    assert data["earnings"]["cap"]["cap"] == "5000.00"
    assert data["earnings"]["target_minutes"] > 0
    awaiting = sum(s.member_cents for s in Split.objects.filter(member=busy.member_a))
    assert Decimal(data["payout"]["awaiting"]) * 100 == awaiting
    assert not any(key.endswith("_cents") for key in data["payout"])


def test_api_for_a_non_member_is_empty_and_anonymous_is_refused(world):
    data = api_as(world.client_user).get("/api/v1/me/todo/").json()
    assert data["member"] is False
    assert data["offers"] == []
    assert data["earnings"] is None
    assert api_as(None).get("/api/v1/me/todo/").status_code in (401, 403)


def test_volunteer_sees_the_monthly_maximum(market):
    market.membership(market.member_a).__class__.objects.filter(
        user=market.member_a, cooperative=market.coop_a
    ).update(engagement="volunteer")
    todo = member_todo(market.member_a)
    [limit] = todo["earnings"]["volunteer"]
    assert limit["cooperative"] == "Coop Alpha"
    assert limit["month_max_cents"] > 0
    page = _card(_page(market.member_a), "earnings")
    assert format_money(limit["month_max_cents"], language="nl") in page


def test_the_home_page_names_the_member_number(market):
    # "actief #4" left a newcomer guessing what the 4 is.
    from members.models import Membership

    membership = Membership.objects.filter(user=market.member_a, status="active").first()
    Membership.objects.filter(pk=membership.pk).update(member_number=4)
    web = Client()
    web.force_login(market.member_a)
    web.cookies["django_language"] = "nl"
    page = web.get("/").content.decode()
    assert "<small>lidnummer 4</small>" in page
    assert "#4" not in page
