"""The demo shows every state a newcomer needs to see, and says how to sign in once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_seeds_every_state_and_prints_the_logins_once():
    from jobs.challenges.models import Bid, Tender
    from jobs.models import Timesheet
    from members.models import Proposal, Vote
    from payouts.models import Invoice, PayoutBatch

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert text.count("lid@werkstation.demo") == 1
    assert text.count("werkstation-demo'") == 1
    proposal = Proposal.objects.get(status="open")
    assert Vote.objects.filter(proposal=proposal).count() >= 3
    assert Timesheet.objects.filter(status="submitted").exists()
    assert Timesheet.objects.filter(status="disputed").exists()
    assert PayoutBatch.objects.filter(status="draft").exists()
    assert Invoice.objects.filter(status="issued").exists()
    assert Tender.objects.filter(status="open").exists()
    closed = Tender.objects.get(status="closed")
    assert Bid.objects.filter(tender=closed, status="submitted").exists()
