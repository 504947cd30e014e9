"""Payroll work and the minimum wage: rules whose floor is below it are tabled with a warning
but never come into force while members are on payroll; a tariff that cannot pay it after
the pots is refused, with the amount and the date."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from jobs.models import Job
from members.models import Membership
from members.services.governance import (
    proposal_close,
    proposal_create,
    proposal_kinds,
    proposal_open,
    simulation_viewed,
    vote_cast,
)
from payouts.models import RuleSet
from tests.conftest import api_as

pytestmark = pytest.mark.django_db

JOB_FIELDS = {
    "cooperative": "alpha",
    "title": "Tuin opknappen",
    "category": "greening",
    "street": "Marshalllaan 1",
    "postcode": "3526KL",
}
LOW_FLOOR = {
    "currency": "EUR",
    "member_floor_hourly_cents": 1000,
    "pots": [{"pot": "coop_fund", "percent": "5"}],
}


def proposal_describe(proposal, language):
    return proposal_kinds()["payout_rules"].describe(proposal, language)


def _on_payroll(world):
    Membership.objects.filter(cooperative=world.coop_a, user=world.member_a).update(
        engagement=Membership.Engagement.EMPLOYEE
    )


def test_a_tariff_that_cannot_pay_the_minimum_wage_is_refused_with_amount_and_date(market):
    _on_payroll(market)
    api = api_as(market.client_user)
    before = Job.objects.count()
    response = api.post(
        "/api/v1/jobs/", {**JOB_FIELDS, "client": market.client_a.pk, "client_tariff": "14.00"}
    )
    assert response.status_code == 400, response.data
    error = response.data["error"]
    assert error["field"] == "client_tariff"
    assert error["code"] == "below_minimum_wage"
    assert "€ 14,00" in error["message"]
    assert "€ 14,71" in error["message"]
    assert "2026" in error["message"]
    assert Job.objects.count() == before
    response = api.patch(f"/api/v1/jobs/{market.job.pk}/", {"client_tariff": "14.00"})
    assert response.status_code == 400
    assert response.data["error"]["field"] == "client_tariff"
    assert Job.objects.get(pk=market.job.pk).client_tariff.amount == Decimal("32.00")


def test_for_work_without_payroll_a_low_tariff_is_the_board_s_choice(market):
    response = api_as(market.board_a).post(
        "/api/v1/jobs/",
        {
            **JOB_FIELDS,
            "client": market.client_a.pk,
            "client_tariff": "14.00",
            "engagements": ["self_employed", "volunteer"],
        },
    )
    assert response.status_code == 201, response.data
    assert response.data["engagements"] == ["self_employed", "volunteer"]
    # Allowing payroll afterwards at that tariff is refused, and nothing changes.
    response = api_as(market.board_a).patch(
        f"/api/v1/jobs/{response.data['id']}/", {"engagements": ["employee", "volunteer"]}
    )
    assert response.status_code == 400
    assert response.data["error"]["code"] == "below_minimum_wage"
    assert Job.objects.get(title=JOB_FIELDS["title"]).engagements == ["self_employed", "volunteer"]


def _vote_through(world, spec):
    proposal = proposal_create(
        actor=world.board_a,
        cooperative=world.coop_a,
        kind="payout_rules",
        title="Lagere bodem",
        payload={"spec": spec},
    )
    proposal = proposal_open(actor=world.board_a, proposal=proposal)
    for voter in (world.member_a, world.board_a, world.treasurer_a):
        simulation_viewed(user=voter, proposal=proposal)
        vote_cast(actor=voter, proposal=proposal, choice="yes")
    proposal.refresh_from_db()
    return proposal


def test_rules_below_the_minimum_wage_are_tabled_with_a_warning_and_kept_out_of_force(market):
    _on_payroll(market)
    proposal = _vote_through(market, LOW_FLOOR)
    lines = proposal_describe(proposal, "nl")
    assert "€ 10,00" in lines[0]
    assert "€ 14,71" in lines[0]
    assert "minimumloon" in lines[0]
    closed = proposal_close(proposal=proposal, now=proposal.closes_at + timedelta(seconds=1))
    rule_set = RuleSet.objects.get(pk=proposal.payload["rule_set"])
    assert rule_set.status == RuleSet.Status.REJECTED
    in_force = RuleSet.objects.filter(
        cooperative=market.coop_a, status="adopted", effective_from__lte=timezone.localdate()
    ).order_by("-effective_from", "-version")
    assert in_force.first().version == 1  # the founding rules stay
    assert "payroll" in proposal_describe(closed, "en")[0]


def test_without_payroll_work_the_members_may_adopt_a_lower_floor(market):
    # No job that is not finished allows payroll (members on payroll do not matter).
    _on_payroll(market)
    Job.objects.filter(cooperative=market.coop_a).update(engagements=["self_employed"])
    proposal = _vote_through(market, LOW_FLOOR)
    proposal_close(proposal=proposal, now=proposal.closes_at + timedelta(seconds=1))
    assert RuleSet.objects.get(pk=proposal.payload["rule_set"]).status == "adopted"
