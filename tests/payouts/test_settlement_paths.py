"""Settlement's two paths write the same ledger legs.

The settlement run writes splits and their ledger legs in bulk (COPY on PostgreSQL); a
correction books one split with ``settlement_postings``, the one definition of what a
settled split books (the run once had a copy of it inline, for speed). On random work under
random rules, every split the run settled must have exactly the transactions
``settlement_postings`` gives for it: same references, kinds, descriptions and legs (no leg
of zero, which the database refuses anyway).
"""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal

import pytest

from jobs.models import Client, Job
from members.models import Membership
from payouts import rules
from payouts.models import Account, Entry, RuleSet, Split, Transaction
from payouts.services.ledger import AccountBook, Leg, post
from payouts.services.settlement import (
    SettlementAccounts,
    settlement_postings,
    settlement_run,
    split_row,
)
from tests.factories import ClientFactory
from tests.factories.money import approved_timesheet
from tests.factories.work import ensure_founded

pytestmark = pytest.mark.django_db

CATEGORIES = ["greening", "energy", "cleaning", "care"]
KINDS = [Client.Kind.BUSINESS, Client.Kind.MUNICIPALITY, Client.Kind.FOUNDATION]


def _percent(rng: random.Random, most: int) -> str:
    return f"{rng.randint(0, most)}.{rng.randint(0, 99):02d}"


def random_spec(rng: random.Random) -> dict:
    """A valid rule set with a bit of everything the format allows."""
    pots: list[dict] = [{"pot": "coop_fund", "percent": _percent(rng, 9)}]
    if rng.random() < 0.7:
        pots.append(
            {
                "pot": "solidarity_fund",
                "percent": _percent(rng, 4),
                "max_cents": rng.choice([150, 400, None]),
            }
        )
    if rng.random() < 0.6:
        pots.append(
            {
                "pot": "training_fund",
                "flat_cents": rng.randint(0, 90),
                "when": {"categories": rng.sample(CATEGORIES, 2)},
            }
        )
    if rng.random() < 0.6:
        pots.append(
            {
                "pot": "progressive_fund",
                "brackets": [
                    {"from_cents": 0, "percent": "0"},
                    {"from_cents": rng.choice([5000, 15000, 40000]), "percent": _percent(rng, 6)},
                ],
                "min_cents": rng.choice([0, 5]),
            }
        )
    if rng.random() < 0.4:
        pots.append(
            {
                "pot": "municipal_fund",
                "percent": _percent(rng, 3),
                "when": {"client_kinds": ["municipality"]},
            }
        )
    return {
        "currency": "EUR",
        "member_floor_hourly_cents": rng.choice([0, 1450, 2400]),
        "pots": pots,
    }


def random_work(world, rng: random.Random) -> None:
    coop = world.coop_a
    ensure_founded(coop)
    spec = rules.rule_set_to_dict(rules.parse_rule_set(random_spec(rng)))
    RuleSet.objects.filter(cooperative=coop).update(
        spec=spec, allow_advances=True, advance_limit_cents=rng.choice([5000, 20000, 60000])
    )
    # Volunteers get at most the allowance maximums; the rest is withheld (its own posting).
    members = [world.member_a, world.board_a, world.treasurer_a, world.auditor_a]
    Membership.objects.filter(user=world.board_a, cooperative=coop).update(engagement="volunteer")
    if rng.random() < 0.5:
        Membership.objects.filter(user=world.auditor_a, cooperative=coop).update(
            engagement="volunteer"
        )
    # The fund lends advances while it holds enough: some are advanced, later ones wait.
    book = AccountBook(coop.pk)
    opening = rng.choice([3000, 12000, 30000])
    post(
        coop.pk,
        kind="opening",
        reference="opening-fund",
        description="Fund at the start",
        legs=[Leg(book.get("bank"), opening), Leg(book.get("fund", "coop_fund"), -opening)],
    )
    jobs = []
    for _ in range(3):
        job = Job.objects.get(pk=world.job.pk)
        job.pk = None
        job.client = ClientFactory(kind=rng.choice(KINDS), cooperatives=[coop])
        job.category = rng.choice(CATEGORIES)
        job.client_tariff = Decimal(rng.randint(1500, 4599)) / 100
        job.save()
        jobs.append(job)
    # Three-hour claims, four hours apart at the least: a member's claims never overlap.
    slots = [
        (member, day, hours) for member in members for day in range(1, 46) for hours in (0, 4, 8)
    ]
    for member, day, hours in rng.sample(slots, rng.randint(25, 40)):
        world.job = rng.choice(jobs)
        minutes = rng.randint(15, 480)
        approved_timesheet(
            world,
            days_ago=day,
            hours_earlier=hours,
            minutes=minutes,
            break_minutes=rng.randint(0, minutes // 4),
            user=member,
        )


def _legs_written() -> dict[str, tuple]:
    return {
        tx.reference: (
            tx.kind,
            tx.description,
            Counter((e.account_id, e.amount_cents) for e in tx.entries.all()),
        )
        for tx in Transaction.objects.exclude(reference="opening-fund").prefetch_related("entries")
    }


def _legs_of_the_general_path(book: AccountBook) -> dict[str, tuple]:
    accounts = SettlementAccounts(book)
    expected = {}
    for split in Split.objects.select_related("job").order_by("pk"):
        for kind, reference, description, legs in settlement_postings(
            accounts, split.pk, split_row(split), split.job.client_id
        ):
            expected[reference] = (
                kind,
                description[:250],
                Counter((account, cents) for account, cents in legs if cents != 0),
            )
    return expected


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_fast_and_general_settlement_paths_write_the_same_legs(market, seed):
    random_work(market, random.Random(seed))
    assert settlement_run() > 0
    splits = list(Split.objects.all())
    written = _legs_written()
    assert written == _legs_of_the_general_path(AccountBook(market.coop_a.pk))
    assert not Entry.objects.filter(amount_cents=0).exists()
    # Both kinds of split were there: plain ones, and ones with a withheld share or an
    # advance (postings of their own).
    assert any(not s.withheld_cents and not s.advanced_cents for s in splits)
    assert any(s.withheld_cents or s.advanced_cents for s in splits)
    assert Account.objects.filter(cooperative=market.coop_a, kind="earned").exists()
