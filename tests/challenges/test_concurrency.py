"""Two requests at once against one contract's budget, on real PostgreSQL with threads."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from jobs.challenges.models import Contract, ContractOccurrence
from jobs.challenges.services import contracts
from jobs.models import Job, Shift
from werkstation.errors import ApplicationError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_at_once(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # collected and asserted by the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_shifts_at_once_never_take_the_budget_past_100(awarded):
    from jobs.services.jobs import shift_create

    contract = awarded.contract
    committed = contracts.contract_budget(contract)["committed_cents"]
    # Room for exactly one more four-hour shift for two people (€ 256), not two.
    Contract.objects.filter(pk=contract.pk).update(budget_cents=committed + 25_600 + 10_000)
    job = Job.objects.get(contract_link__contract=contract)
    day = timezone.localdate() + timedelta(days=3)
    tz = timezone.get_current_timezone()

    def create(hour):
        start = datetime.combine(day, time(hour), tzinfo=tz)
        return lambda: shift_create(
            actor=awarded.muni_user, job=job, start=start, end=start + timedelta(hours=4), slots=2
        )

    results = _run_at_once(create(14), create(15))
    made = [r for r in results if isinstance(r, Shift)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(made) == 1, results
    assert len(refused) == 1, results
    assert refused[0].code == "contract_budget_exhausted"
    budget = contracts.contract_budget(contract)
    assert budget["committed_cents"] <= budget["total_cents"]


def test_generation_running_twice_at_once_makes_each_shift_once(awarded):
    contract = awarded.contract
    later = timezone.localdate() + timedelta(days=10)
    results = _run_at_once(
        lambda: contracts.contract_generate(contract_id=contract.pk, today=later),
        lambda: contracts.contract_generate(contract_id=contract.pk, today=later),
    )
    assert all(isinstance(r, int) for r in results), results
    assert sorted(results)[0] == 0
    shifts = Shift.objects.filter(job__contract_link__contract=contract)
    assert shifts.count() == ContractOccurrence.objects.filter(contract=contract).count()
    assert shifts.values("start").distinct().count() == shifts.count()
