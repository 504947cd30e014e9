import pytest
from django.core.management import call_command

from jobs.challenges.models import Bid, Challenge, Contract, Tender
from jobs.models import Shift


@pytest.mark.django_db
@pytest.mark.slow
def test_the_demo_has_one_open_tender_and_one_running_contract_and_seeds_once():
    call_command("seed_demo", verbosity=0)
    counts = [m.objects.count() for m in (Tender, Bid, Contract, Challenge, Shift)]
    call_command("seed_demo", verbosity=0)
    assert [m.objects.count() for m in (Tender, Bid, Contract, Challenge, Shift)] == counts
    assert Tender.objects.filter(status="open").count() == 1
    contract = Contract.objects.get(status="active")
    assert Shift.objects.filter(job__contract_link__contract=contract).exists()
