"""One definition of eligibility: the feed, the claim check and dispatch agree.

The rules on their own (no database), then random worlds in the database: every shift
the feed shows passes the claim check, every open shift with a free slot that the claim
check accepts is in the feed, and every pair a dispatch instance allows passes the claim
check too. Building a dispatch instance costs the same queries for 3 members or 30.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jobs import dispatch
from jobs.eligibility import Plane, rules, work_context
from jobs.eligibility.context import local_minute_at
from jobs.eligibility.rules import MemberFacts, day_windows
from jobs.models import SLOT_HOLDING, BlockedClient, Claim, DispatchRun, Job, Shift
from jobs.selectors import FeedFilters, feed_page
from jobs.services.claims import shift_claim
from jobs.services.dispatching import build_instance
from members.models import AvailabilityException, AvailabilitySlot, MemberSkill, Profile
from members.selectors import member_work_context_forget
from tests.factories import ClientFactory, MembershipFactory, SkillFactory
from tests.factories.jobs import ClaimFactory
from tests.factories.work import make_shift
from werkstation.errors import ApplicationError
from werkstation.geo import plane_scale, project_km

CENTER = (52.0735, 5.0965)


def _facts(weekly=None, exceptions=None) -> MemberFacts:
    return MemberFacts(
        user_id=1,
        latitude=CENTER[0],
        longitude=CENTER[1],
        radius_km=5,
        cooperatives={1: 15},
        weekly=weekly or {},
        exceptions=exceptions or {},
        skills={},
    )


MONDAY = date(2030, 1, 7)


def test_day_windows_apply_the_exceptions_of_the_day():
    facts = _facts(
        weekly={0: ((420, 1080),)},
        exceptions={
            MONDAY: ((False, 600, 660),),  # away 10:00–11:00
            MONDAY + timedelta(days=7): ((False, None, None),),  # away all day
            MONDAY + timedelta(days=14): ((True, 1080, 1260),),  # extra 18:00–21:00
            MONDAY + timedelta(days=21): ((True, None, None), (False, 0, 360)),
        },
    )
    assert day_windows(facts, MONDAY - timedelta(days=7)) == ((420, 1080),)
    assert day_windows(facts, MONDAY) == ((420, 600), (660, 1080))
    assert day_windows(facts, MONDAY + timedelta(days=7)) == ()
    assert day_windows(facts, MONDAY + timedelta(days=14)) == ((420, 1260),)
    assert day_windows(facts, MONDAY + timedelta(days=21)) == ((360, 1440),)
    assert day_windows(facts, MONDAY + timedelta(days=1)) == ()


def test_distance_is_the_dispatch_contracts_on_the_members_plane():
    plane = Plane(*CENTER)
    place = (52.0860, 5.1210)
    x, y = project_km(*place, CENTER)
    assert plane.from_home2(*place) == pytest.approx(x * x + y * y, rel=1e-15)
    assert (plane.kx, plane.ky) == plane_scale(CENTER[0])
    assert math.sqrt(plane.from_home2(*place)) == pytest.approx(2.176, abs=0.001)


def test_no_overlap_counts_travel_with_the_contracts_tolerance():
    assert not rules.clashes((0, 60), (64, 120), 4.0)  # arrives exactly on time
    assert not rules.clashes((0, 60), (64, 120), 4.0 + 1e-7)  # within the tolerance
    assert rules.clashes((0, 60), (64, 120), 4.01)
    assert rules.clashes((64, 120), (0, 60), 4.01)  # whichever comes first
    assert rules.clashes((0, 60), (30, 90), 0.0)


# --- Random worlds ---------------------------------------------------------------------


def _decimal(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def _job(coop, client, place, **extra) -> Job:
    """A job at ``place`` (open, no skill, unless ``extra`` says otherwise)."""
    values = {
        "title": "Klus",
        "category": "greening",
        "street": "Straat 1",
        "postcode": "3526 KL",
        "client_tariff": Decimal("30"),
        "status": "open",
        **extra,
    }
    return Job.objects.create(
        cooperative=coop,
        client=client,
        latitude=_decimal(place[0]),
        longitude=_decimal(place[1]),
        **values,
    )


def _offset(origin, km: float, bearing: float) -> tuple[float, float]:
    """A place ``km`` from ``origin`` on the plane around it."""
    kx, ky = plane_scale(origin[0])
    return origin[0] + km * math.sin(bearing) / ky, origin[1] + km * math.cos(bearing) / kx


class RandomWorld:
    """Two cooperatives with different travel speeds, members with homes, radii, weekly
    windows (some touching), dated exceptions, skills with certificates, blocked clients
    and claims in every state; shifts at random places and times, many of them on the
    edge of a radius or of the travel time between two shifts."""

    def __init__(self, world, seed: int):
        self.rng = rng = random.Random(seed)
        self.now = timezone.now()
        self.today = timezone.localdate()
        coop_a, coop_b = world.coop_a, world.coop_b
        coop_b.travel_speed_kmh = 20
        coop_b.save()
        self.coop_a = coop_a
        green = SkillFactory(cooperative=coop_a, slug="groen-x", requires_certificate=False)
        vca = SkillFactory(cooperative=coop_a, slug="vca", requires_certificate=True)
        clients = [ClientFactory(cooperatives=[coop_a, coop_b]) for _ in range(3)]
        self.members = []
        for n in range(7):
            user = MembershipFactory(cooperative=coop_a).user
            if n % 3 == 0:
                MembershipFactory(cooperative=coop_b, user=user)
            self.members.append(user)
            if n == 6:
                continue  # no home
            home = (
                CENTER[0] + rng.uniform(-0.02, 0.02),
                CENTER[1] + rng.uniform(-0.03, 0.03),
            )
            Profile.objects.filter(user=user).update(
                latitude=_decimal(home[0]),
                longitude=_decimal(home[1]),
                travel_radius_km=Decimal(rng.choice(["1.5", "2.5", "4.0", "6.0"])),
            )
            if n != 5:  # n == 5 says nothing about when they work
                self._availability(user)
            for skill in rng.sample([green, vca], k=rng.randint(0, 2)):
                expires = self.today + timedelta(days=rng.randint(-2, 12))
                MemberSkill.objects.create(
                    user=user,
                    skill=skill,
                    certificate_expires_on=expires if skill.requires_certificate else None,
                )
            if rng.random() < 0.4:
                BlockedClient.objects.create(user=user, client=rng.choice(clients))
            member_work_context_forget(user.pk)
        self.placed = [
            (user, profile)
            for user in self.members
            for profile in [Profile.objects.get(user=user)]
            if profile.latitude is not None
        ]
        self.jobs = [self._job(rng, coop_a, clients, green, vca) for _ in range(8)]
        self.jobs += [self._job(rng, coop_b, clients, None, None) for _ in range(3)]
        self.shifts = [self._shift(rng, rng.choice(self.jobs)) for _ in range(30)]
        self._claims(rng)
        self._travel_edges(rng, clients)
        self._radius_edges(rng, clients)
        for shift in self.shifts:
            shift.refresh_from_db()

    def _availability(self, user) -> None:
        rng = self.rng
        for weekday in range(7):
            if rng.random() < 0.8:
                start = rng.choice([6, 7, 8, 12])
                end = min(start + rng.choice([4, 6, 10, 15]), 23)
                AvailabilitySlot.objects.create(
                    user=user, weekday=weekday, start=time(start), end=time(end)
                )
                if end < 23 and rng.random() < 0.3:  # a touching second window
                    AvailabilitySlot.objects.create(
                        user=user, weekday=weekday, start=time(end), end=time(23, 30)
                    )
        for day in rng.sample(range(14), k=4):
            kind = rng.random()
            values = {"user": user, "date": self.today + timedelta(days=day)}
            if kind < 0.3:
                AvailabilityException.objects.create(**values, available=False)
            elif kind < 0.6:
                start = rng.choice([9, 11, 14])
                AvailabilityException.objects.create(
                    **values, available=False, start=time(start), end=time(start + 2)
                )
            elif kind < 0.8:
                AvailabilityException.objects.create(**values, available=True)
            else:
                AvailabilityException.objects.create(
                    **values, available=True, start=time(17), end=time(23, 45)
                )

    def _job(self, rng, coop, clients, green, vca, place=None) -> Job:
        if place is None and self.placed and rng.random() < 0.5:
            # On the edge of someone's radius (to about a decimetre, as coordinates go).
            _user, profile = rng.choice(self.placed)
            home = (float(profile.latitude), float(profile.longitude))
            edge = float(profile.travel_radius_km) * (1 + rng.uniform(-1e-4, 1e-4))
            place = _offset(home, edge, rng.uniform(0, 2 * math.pi))
        elif place is None:
            place = (
                CENTER[0] + rng.uniform(-0.04, 0.04),
                CENTER[1] + rng.uniform(-0.06, 0.06),
            )
        return _job(
            coop,
            rng.choice(clients),
            place,
            category=rng.choice(["greening", "cleaning"]),
            status=rng.choice(["open"] * 6 + ["in_progress", "draft", "completed"]),
            required_skill=rng.choice([None, None, green, vca]) if green else None,
        )

    def _start(self, rng):
        """A whole minute, never within ten minutes of now (the test takes a moment)."""
        base = timezone.localtime(self.now).replace(hour=0, minute=0, second=0, microsecond=0)
        if rng.random() < 0.15:  # soon, or just begun
            start = self.now.replace(second=0, microsecond=0) + timedelta(
                minutes=rng.choice([-150, -90, 15, 25, 40, 70])
            )
        else:
            start = base + timedelta(days=rng.randint(0, 13), minutes=15 * rng.randint(20, 92))
        return start

    def _shift(self, rng, job, start=None, minutes=None) -> Shift:
        start = start or self._start(rng)
        minutes = minutes or rng.choice([60, 90, 120, 180, 240, 300])
        shift = make_shift(job, start, hours=minutes / 60, slots=rng.randint(1, 3))
        if rng.random() < 0.08:
            Shift.objects.filter(pk=shift.pk).update(status="cancelled")
        return shift

    def _claim(self, user, shift, status) -> Claim | None:
        holding = status in SLOT_HOLDING
        if holding:
            if shift.filled >= shift.slots:
                return None
            overlaps = Claim.objects.filter(
                user=user, status__in=SLOT_HOLDING, start__lt=shift.end, end__gt=shift.start
            ).exists()
            if overlaps or Claim.objects.filter(user=user, shift=shift).exists():
                return None
            Shift.objects.filter(pk=shift.pk).update(filled=shift.filled + 1)
            shift.filled += 1
        elif Claim.objects.filter(user=user, shift=shift).exists():
            return None
        return Claim.objects.create(
            shift=shift,
            user=user,
            status=status,
            start=shift.start,
            end=shift.end,
            waitlist_position=1 if status == "waitlisted" else None,
        )

    def _claims(self, rng) -> None:
        statuses = ["claimed", "confirmed", "offered", "waitlisted", "withdrawn", "rejected"]
        for user in self.members:
            for shift in rng.sample(self.shifts, k=5):
                self._claim(user, shift, rng.choice(statuses))
        for shift in self.shifts:  # others hold slots too; some shifts are full
            extra = rng.randint(0, shift.slots - shift.filled)
            Shift.objects.filter(pk=shift.pk).update(filled=shift.filled + extra)

    def _open_job(self, rng, coop, user, place) -> Job:
        """An open job without a skill, of a client ``user`` did not block."""
        blocked = set(BlockedClient.objects.filter(user=user).values_list("client_id", flat=True))
        return _job(coop, rng.choice([c for c in self.clients if c.pk not in blocked]), place)

    def _travel_edges(self, rng, clients) -> None:
        """Shifts that start just when (or just before) a member could arrive from one
        of their claims, at the speed of the new shift's cooperative, near their home."""
        self.clients = clients
        held = list(
            Claim.objects.filter(
                status__in=SLOT_HOLDING, user__profile__latitude__isnull=False
            ).select_related("shift", "user__profile")
        )
        for claim in rng.sample(held, k=min(10, len(held))):
            other, profile = claim.shift, claim.user.profile
            minutes = rng.randint(3, 25)
            coop = rng.choice(list(claim.user.memberships.all())).cooperative
            km = minutes * coop.travel_speed_kmh / 60 * (1 + rng.uniform(-1e-4, 1e-4))
            home = (float(profile.latitude), float(profile.longitude))
            places = [
                _offset((other.latitude, other.longitude), km, rng.uniform(0, 2 * math.pi))
                for _ in range(20)
            ]
            near = [
                p
                for p in places
                if Plane(*home).from_home2(*p) < float(profile.travel_radius_km) ** 2
            ]
            job = self._open_job(rng, coop, claim.user, (near or places)[0])
            for start, length in (
                (other.end + timedelta(minutes=minutes), 60),
                (other.start - timedelta(minutes=minutes + 60), 60),
            ):
                if abs((start - self.now).total_seconds()) >= 600:
                    self.shifts.append(self._shift(rng, job, start=start, minutes=length))

    def _radius_edges(self, rng, clients) -> None:
        """For each member, shifts on the edge of their radius that pass every other rule:
        inside one of their windows, on a free, open shift of a client they did not block."""
        for user, profile in self.placed:
            facts = work_context(user).facts
            home = (float(profile.latitude), float(profile.longitude))
            for _ in range(4):
                day = self.today + timedelta(days=rng.randint(1, 13))
                windows = [w for w in day_windows(facts, day) if w[1] - w[0] >= 60]
                if not windows:
                    continue
                start, end = rng.choice(windows)
                first = start + 15 * rng.randint(0, (end - 60 - start) // 15)
                edge = float(profile.travel_radius_km) * (1 + rng.uniform(-1e-4, 1e-4))
                place = _offset(home, edge, rng.uniform(0, 2 * math.pi))
                job = self._open_job(rng, self.coop_a, user, place)
                shift = make_shift(job, local_minute_at(day, first), hours=1, slots=2)
                self.shifts.append(shift)


def _feed_ids(user) -> set[int]:
    try:
        return {row["id"] for row in feed_page(user, FeedFilters(), size=1000).rows}
    except ApplicationError:
        return set()


class _Undo(Exception):
    pass


def _claim_check(user, shift) -> str:
    """What the claim service says (then undone): "ok", or the error's code."""
    try:
        with transaction.atomic():
            shift_claim(user=user, shift=Shift.objects.get(pk=shift.pk))
            raise _Undo
    except _Undo:
        return "ok"
    except ApplicationError as exc:
        return exc.code


@pytest.mark.parametrize("seed", range(3))
def test_feed_and_claim_check_agree_on_random_worlds(world, seed):
    w = RandomWorld(world, seed)
    outcomes: Counter = Counter()
    shown_total = 0
    for user in w.members:
        shown = _feed_ids(user)
        shown_total += len(shown)
        for shift in w.shifts:
            verdict = _claim_check(user, shift)
            outcomes[verdict] += 1
            free = shift.filled < shift.slots
            if shift.pk in shown:
                assert verdict == "ok", (user.pk, shift.pk, "the feed shows it", verdict)
            elif verdict == "ok" and free:
                pytest.fail(f"member {user.pk}, shift {shift.pk}: accepted but not in the feed")
    # The worlds are not trivial: shifts are shown, and refused for many reasons.
    assert shown_total > 0
    assert outcomes["ok"] >= shown_total
    assert len(outcomes) >= 7, outcomes


@pytest.mark.parametrize("seed", range(2))
def test_dispatch_allows_only_what_the_claim_check_accepts(world, seed):
    w = RandomWorld(world, 100 + seed)
    run = DispatchRun.objects.create(
        cooperative=w.coop_a, period_start=w.today, period_end=w.today + timedelta(days=13)
    )
    instance_data, rows = build_instance(run)
    instance = dispatch.parse_instance(instance_data)
    users = {str(u.pk): u for u in w.members}
    checked = 0
    for member in instance.members:
        for shift in instance.shifts:
            if shift.id in member.commitments or shift.id in member.blocked:
                continue
            if instance.ineligibility(member, shift) is None:
                checked += 1
                verdict = _claim_check(users[member.id], rows["shifts"][shift.id])
                assert verdict in ("ok",), (member.id, shift.id, verdict)
    assert checked > 0


# --- Query counts ---------------------------------------------------------------------


def _members(world, count: int) -> None:
    for n in range(count):
        user = MembershipFactory(cooperative=world.coop_a).user
        Profile.objects.filter(user=user).update(
            latitude=_decimal(CENTER[0] + n * 1e-4),
            longitude=_decimal(CENTER[1]),
            yearly_earnings_cap=Decimal("5000.00"),
        )
        AvailabilitySlot.objects.create(user=user, weekday=1, start=time(7), end=time(22))
        AvailabilityException.objects.create(
            user=user, date=world.tuesday.date(), available=True, start=time(6), end=time(7)
        )
        MemberSkill.objects.create(user=user, skill=world.skill_a)
        BlockedClient.objects.create(user=user, client=ClientFactory())
        Claim.objects.create(
            shift=world.shift,
            user=user,
            status="waitlisted",
            waitlist_position=n + 1,
            start=world.shift.start,
            end=world.shift.end,
        )


def _instance_queries(world) -> tuple[int, int]:
    run = DispatchRun.objects.create(
        cooperative=world.coop_a, period_start=world.tuesday.date(), period_end=world.tuesday.date()
    )
    with CaptureQueriesContext(connection) as ctx:
        instance, _rows = build_instance(run)
    return len(ctx.captured_queries), len(instance["members"])


def test_building_a_dispatch_instance_costs_the_same_queries_for_3_or_30_members(market):
    _members(market, 3)
    few_queries, few_members = _instance_queries(market)
    _members(market, 27)
    many_queries, many_members = _instance_queries(market)
    assert (few_members, many_members) == (3 + 4, 30 + 4)  # and the market's four
    assert many_queries == few_queries


def test_the_instance_blocks_what_the_claim_check_refuses(market):
    """A blocked client, and a clash (travel included) with a claim outside the
    instance (another cooperative's shift), are never offered."""
    blocked_job = _job(market.coop_a, ClientFactory(cooperatives=[market.coop_a]), (52.076, 5.092))
    blocked = make_shift(blocked_job, market.shift.start + timedelta(hours=8))
    BlockedClient.objects.create(user=market.member_a, client=blocked_job.client)
    elsewhere = _job(
        market.coop_b, ClientFactory(cooperatives=[market.coop_b]), (52.1162, 5.1047)
    )  # Overvecht
    MembershipFactory(cooperative=market.coop_b, user=market.member_a)
    other = make_shift(elsewhere, market.shift.end + timedelta(minutes=10), hours=2)
    ClaimFactory(shift=other, user=market.member_a, confirmed=True)
    run = DispatchRun.objects.create(
        cooperative=market.coop_a,
        period_start=market.tuesday.date(),
        period_end=market.tuesday.date(),
    )
    instance, _rows = build_instance(run)
    member = next(m for m in instance["members"] if m["id"] == str(market.member_a.pk))
    # 4.5 km to Overvecht at 15 km/h takes 18 minutes: the 9–12 shift clashes.
    assert set(member["blocked"]) >= {str(market.shift.pk), str(blocked.pk)}
    assert _claim_check(market.member_a, market.shift) == "overlap"
    assert _claim_check(market.member_a, blocked) == "client_blocked"
