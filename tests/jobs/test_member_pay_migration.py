"""Retiring member_pay keeps what members were shown: a claim made on the old pages carries the
old amount as what it was shown, so its pay page can say why settlement pays another."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("jobs", "0009_claim_quote"), ("challenges", "0001_right_to_challenge")]


@pytest.mark.django_db(transaction=True)
def test_claims_keep_the_old_amount_they_were_shown(world):
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        shown, quoted, job = _old_claims(world)
    finally:  # the schema goes forward again whatever happened, for the tests after this one
        MigrationExecutor(connection).migrate(leaves)

    from jobs.models import Claim, Job

    assert not hasattr(Job.objects.get(pk=job), "member_pay")
    # 1 h 35 at € 17,50 = € 27,7083…: € 27,71, marked as the old price.
    assert Claim.objects.get(pk=shown).quote == {
        "member_cents": 2771,
        "minutes": 95,
        "legacy_member_pay": True,
    }
    assert Claim.objects.get(pk=quoted).quote == {"member_cents": 4000, "minutes": 95}


def _old_claims(world) -> tuple[int, int, int]:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Job, Shift, Claim = (old.get_model("jobs", name) for name in ("Job", "Shift", "Claim"))
    job = Job.objects.create(
        cooperative_id=world.coop_a.pk,
        client_id=world.client_a.pk,
        title="Geveltuinen",
        category="greening",
        street="Marshalllaan 40",
        postcode="3526 GA",
        latitude=Decimal("52.076"),
        longitude=Decimal("5.092"),
        client_tariff=Decimal("32.00"),
        member_pay=Decimal("17.50"),
        status="open",
    )
    start = timezone.now().replace(microsecond=0) + timedelta(days=3)
    end = start + timedelta(minutes=95)
    shift = Shift.objects.create(
        job_id=job.pk,
        cooperative_id=world.coop_a.pk,
        category="greening",
        start=start,
        end=end,
        slots=1,
        latitude=52.076,
        longitude=5.092,
        start_minute=0,
        end_minute=95,
        local_date=start.date(),
        local_weekday=start.weekday(),
        local_start=540,
        local_end=635,
    )
    shown = Claim.objects.create(shift_id=shift.pk, user_id=world.member_a.pk, start=start, end=end)
    quoted = Claim.objects.create(
        shift_id=shift.pk,
        user_id=world.board_a.pk,
        start=start,
        end=end,
        quote={"member_cents": 4000, "minutes": 95},
    )
    return shown.pk, quoted.pk, job.pk
