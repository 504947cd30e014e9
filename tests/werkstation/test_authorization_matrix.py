"""Every API endpoint × every role: allowed or denied.

The list of endpoints comes from the URL resolver, so an endpoint added later without
an entry here fails ``test_every_endpoint_has_a_matrix_entry``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from members.models import Invitation, MemberSkill
from tests.api_endpoints import api_endpoints
from tests.conftest import api_as
from tests.factories.work import ensure_founded
from tests.openapi_check import assert_matches_schema

ROLES = ["anonymous", "member_a", "board_a", "treasurer_a", "member_b", "client_user", "staff"]
ALL = set(ROLES)
AUTHENTICATED = ALL - {"anonymous"}
A_MEMBERS = {"member_a", "board_a", "treasurer_a"}
CLIENT_MANAGERS = {"client_user", "board_a", "treasurer_a"}
JOB_MANAGERS = {"client_user", "board_a"}


RULES = {
    "currency": "EUR",
    "member_floor_hourly_cents": 1471,
    "pots": [{"pot": "coop_fund", "percent": "9"}],
}


def _set(*names):
    return set(names)


# (url name, method) -> (roles allowed, how to build the request)
def _kwargs_for(name, world):
    m = world.membership
    return {
        "members_api:cooperative": {"slug": "alpha"},
        "members_api:cooperative-members": {"slug": "alpha"},
        "members_api:applications": {"slug": "alpha"},
        "members_api:cooperative-skills": {"slug": "alpha"},
        "members_api:membership-admit": {"membership_id": m(world.applicant_a).pk},
        "members_api:membership-reject": {"membership_id": m(world.applicant_a).pk},
        "members_api:membership-suspend": {"membership_id": m(world.auditor_a).pk},
        "members_api:membership-reinstate": {"membership_id": world.suspended_a.pk},
        "members_api:membership-leave": {"membership_id": m(world.member_a).pk},
        "members_api:membership-roles": {"membership_id": m(world.member_a).pk},
        "members_api:membership-sensitive": {"membership_id": m(world.member_a).pk},
        "members_api:my-skill": {"member_skill_id": world.member_skill_a.pk},
        "members_api:my-availability-exception": {"exception_id": world.exception_a.pk},
        "members_api:invitation": {"token": world.invitation.token},
        "members_api:invitation-accept": {"token": world.invitation.token},
        "jobs_api:client": {"client_id": world.client_a.pk},
        "jobs_api:client-g-account": {"slug": "alpha", "client_id": world.client_a.pk},
        "jobs_api:client-users": {"client_id": world.client_a.pk},
        "jobs_api:client-cooperatives": {"client_id": world.client_a.pk},
        "jobs_api:cooperative-client-requests": {"slug": "alpha"},
        "jobs_api:cooperative-client-request-decide": {
            "slug": "alpha",
            "request_id": world.link_request.pk,
        },
        "jobs_api:client-request-withdraw": {"request_id": world.link_request.pk},
        "jobs_api:client-invitation": {"token": world.link_invitation.token},
        "jobs_api:client-invitation-decide": {"token": world.link_invitation.token},
        "jobs_api:job": {"job_id": world.job.pk},
        "jobs_api:job-status": {"job_id": world.job.pk},
        "jobs_api:job-shifts": {"job_id": world.job.pk},
        "jobs_api:job-shifts-weekly": {"job_id": world.job.pk},
        "jobs_api:shift": {"shift_id": world.open_shift.pk},
        "jobs_api:shift-cancel": {"shift_id": world.open_shift.pk},
        "jobs_api:shift-price": {"shift_id": world.open_shift.pk},
        "jobs_api:shift-claims": {"shift_id": world.open_shift.pk},
        "jobs_api:claim-withdraw": {"claim_id": world.claim_x.pk},
        "jobs_api:claim-confirm": {"claim_id": world.claim_x.pk},
        "jobs_api:claim-reject": {"claim_id": world.claim_x.pk},
        "jobs_api:claim-respond": {"claim_id": world.claim_offered.pk},
        "jobs_api:claim-no-show": {"claim_id": world.claim_past.pk},
        "jobs_api:timesheet-approve": {"timesheet_id": world.sheet_submitted.pk},
        "jobs_api:timesheet-dispute": {"timesheet_id": world.sheet_submitted.pk},
        "jobs_api:timesheet-resolve": {"timesheet_id": world.sheet_disputed.pk},
        "jobs_api:cooperative-jobs": {"slug": "alpha"},
        "payouts_api:my-earning": {"split_id": world.split_a.pk},
        "payouts_api:timesheet-correct": {"timesheet_id": world.correctable.pk},
        "jobs_api:offer-respond": {"offer_id": world.offer.pk},
        "jobs_api:my-blocked-client": {"client_id": world.client_a.pk},
        "members_api:proposals": {"slug": "alpha"},
        "members_api:proxies": {"slug": "alpha"},
        "members_api:proxy": {"proxy_id": world.proxy.pk},
        "members_api:proposal": {"proposal_id": world.proposal_draft.pk},
        "members_api:proposal-open": {"proposal_id": world.proposal_draft.pk},
        "members_api:proposal-cosign": {"proposal_id": world.proposal_draft.pk},
        "members_api:proposal-withdraw": {"proposal_id": world.proposal_draft.pk},
        "members_api:proposal-vote": {"proposal_id": world.proposal_open.pk},
        "members_api:proposal-simulation": {"proposal_id": world.proposal_open.pk},
        "members_api:proposal-tally": {"proposal_id": world.proposal_open.pk},
        "jobs_api:cooperative-dispatch": {"slug": "alpha"},
        "jobs_api:cooperative-dispatch-run": {"slug": "alpha", "run_id": world.offer.run_id},
        "jobs_api:cooperative-dispatch-offers": {"slug": "alpha", "run_id": world.offer.run_id},
        "jobs_api:cooperative-dispatch-open-shifts": {
            "slug": "alpha",
            "run_id": world.offer.run_id,
        },
        "jobs_api:cooperative-working-time": {"slug": "alpha"},
        "payouts_api:invoices": {"slug": "alpha"},
        "payouts_api:invoice-pdf": {"slug": "alpha", "invoice_id": world.invoice.pk},
        "payouts_api:payments": {"slug": "alpha"},
        "payouts_api:bank-statements": {"slug": "alpha"},
        "payouts_api:payout-batches": {"slug": "alpha"},
        "payouts_api:payout-batch-approve": {"slug": "alpha", "batch_id": world.batch.pk},
        "payouts_api:payout-batch-execute": {"slug": "alpha", "batch_id": world.batch.pk},
        "payouts_api:payout-batch-confirm-paid": {
            "slug": "alpha",
            "batch_id": world.sent_batch.pk,
        },
        "payouts_api:payout-batch-sepa": {"slug": "alpha", "batch_id": world.batch.pk},
        "payouts_api:payout-batch-payroll": {"slug": "alpha", "batch_id": world.batch.pk},
        "payouts_api:stripe-settings": {"slug": "alpha"},
        "payouts_api:stripe-events": {"slug": "alpha"},
        "payouts_api:stripe-connect": {"slug": "alpha"},
        "payouts_api:invoice-payment-link": {"invoice_id": world.open_invoice.pk},
        "payouts_api:payment-refunds": {"slug": "alpha", "payment_id": world.payment.pk},
        "payouts_api:payout-item-return": {"slug": "alpha", "item_id": world.paid_item.pk},
        "payouts_api:credit-notes": {"slug": "alpha"},
        "payouts_api:earnings-caps": {"slug": "alpha"},
        "payouts_api:dashboard": {"slug": "alpha"},
        "payouts_api:dashboard-csv": {"slug": "alpha", "figure": "money"},
        "payouts_api:credit-note-pdf": {"slug": "alpha", "note_id": world.credit_note.pk},
        "payouts_api:invoice-ubl": {"slug": "alpha", "invoice_id": world.invoice.pk},
        "payouts_api:self-billing": {"slug": "alpha"},
        "payouts_api:self-billing-pdf": {"slug": "alpha", "invoice_id": world.self_billing.pk},
        "payouts_api:my-self-billing-invoice-pdf": {"invoice_id": world.self_billing.pk},
        "challenges_api:tender": {"tender_id": world.tender_open.pk},
        "challenges_api:tender-publish": {"tender_id": world.tender_draft.pk},
        "challenges_api:tender-bids": {"tender_id": world.tender_open.pk},
        "challenges_api:tender-decision": {"tender_id": world.tender_closed.pk},
        "challenges_api:bid": {"bid_id": world.bid_draft.pk},
        "challenges_api:bid-capacity": {"bid_id": world.bid_draft.pk},
        "challenges_api:bid-submit": {"bid_id": world.bid_draft.pk},
        "challenges_api:bid-withdraw": {"bid_id": world.bid_draft.pk},
        "challenges_api:bid-score": {"bid_id": world.bid_submitted.pk},
        "challenges_api:challenge": {"challenge_id": world.challenge.pk},
        "challenges_api:challenge-decision": {"challenge_id": world.challenge.pk},
        "challenges_api:challenge-consent": {"challenge_id": world.challenge_modified.pk},
        "challenges_api:contract": {"contract_id": world.contract.pk},
        "challenges_api:contract-generate": {"contract_id": world.contract.pk},
        "challenges_api:contract-amendments": {"contract_id": world.contract.pk},
        "challenges_api:contract-report": {"contract_id": world.contract.pk},
        "challenges_api:target-groups": {"slug": "alpha"},
        "payouts_api:money-settings": {"slug": "alpha"},
        "payouts_api:rule-sets": {"slug": "alpha"},
        "payouts_api:rule-set-in-force": {"slug": "alpha"},
        "payouts_api:rule-set-preview": {"slug": "alpha"},
        "payouts_api:rule-set-propose": {"slug": "alpha"},
        "payouts_api:rule-set": {"slug": "alpha", "rule_set_id": world.rule_set_a.pk},
        "payouts_api:rule-set-description": {"slug": "alpha", "rule_set_id": world.rule_set_a.pk},
        "payouts_api:rule-set-export": {"slug": "alpha", "rule_set_id": world.rule_set_a.pk},
        "payouts_api:reverse-charge": {"slug": "alpha"},
        "members_api:approvals": {"slug": "alpha"},
        "members_api:approval-approve": {"approval_id": world.approval.pk},
        "members_api:approval-reject": {"approval_id": world.approval.pk},
        "members_api:token-detail": {"token_key": world.member_token_key},
    }.get(name, {})


def _payload(name, method, world, role_user):
    email = getattr(role_user, "email", "anonymous@example.org")
    return {
        ("members_api:register", "post"): {
            "email": f"new-{email}",
            "password": "a-Long-test-password-42",
            "full_name": "Nieuw Lid",
        },
        ("members_api:token", "post"): {
            "email": "member-a@example.org",
            "password": "a-Long-test-password-42",
        },
        ("members_api:cooperatives", "post"): {
            "name": "Nieuwe Coop",
            "legal_name": "Nieuwe Coop U.A.",
            "kvk_number": "12345678",
        },
        ("members_api:cooperative", "patch"): {"voting_days": 10},
        ("members_api:applications", "post"): {"motivation": "graag"},
        ("members_api:cooperative-skills", "post"): {"name": "Timmeren"},
        ("members_api:membership-reject", "post"): {"reason": "past niet"},
        ("members_api:membership-suspend", "post"): {"reason": "afspraken"},
        ("members_api:membership-roles", "patch"): {"is_auditor": True},
        ("members_api:my-profile", "patch"): {"city": "Utrecht"},
        ("members_api:my-skills", "post"): {"skill": world.skill_a.pk},
        ("members_api:my-availability", "put"): {
            "slots": [{"weekday": 0, "start": "09:00", "end": "12:00"}]
        },
        ("members_api:my-availability-exceptions", "post"): {"date": "2030-01-02"},
        ("members_api:my-erase", "post"): {"confirm_email": email},
        ("members_api:my-notifications", "patch"): {"shift_digest": "weekly"},
        ("members_api:my-benefit-arrangement", "put"): {
            "keep_percent": 25,
            "monthly_max_cents": 25000,
            "starts_on": "2026-01-01",
            "months": 12,
        },
        ("payouts_api:invoices", "post"): {
            "client": world.client_a.pk,
            "period_start": "2020-01-01",
            "period_end": "2040-01-01",
            "timesheets": [world.uninvoiced.pk],
        },
        ("payouts_api:self-billing", "post"): {"month": "2020-01"},
        ("payouts_api:payments", "post"): {
            "invoice": world.open_invoice.display_number,
            "amount": "1.00",
            "currency": "EUR",
            "received_on": "2026-11-01",
        },
        ("jobs_api:clients", "post"): {
            "cooperative": "alpha",
            "kind": "business",
            "name": "Kapper",
            "kvk_number": "87654321",
            "billing_email": "kapper@example.org",
        },
        ("jobs_api:client", "patch"): {"billing_city": "Utrecht"},
        ("payouts_api:money-settings", "put"): {
            "volunteer_month_max_cents": 21000,
            "volunteer_year_max_cents": 210000,
        },
        ("payouts_api:rule-set-preview", "post"): {
            "spec": RULES,
            "example": {
                "gross": "100.00",
                "minutes": 60,
                "category": "greening",
                "client_kind": "business",
            },
        },
        ("payouts_api:rule-set-propose", "post"): {"title": "Nieuwe regels", "spec": RULES},
        ("payouts_api:reverse-charge", "put"): {"categories": ["greening"]},
        ("jobs_api:client-g-account", "put"): {"agreement": True},
        ("jobs_api:client-users", "post"): {"email": "collega@example.org"},
        ("jobs_api:client-cooperatives", "post"): {"cooperative": "beta"},
        ("jobs_api:cooperative-client-requests", "post"): {"email": "winkel@example.org"},
        ("jobs_api:cooperative-client-request-decide", "post"): {"accept": False},
        ("jobs_api:client-invitation-decide", "post"): {
            "accept": True,
            "client": world.client_a.pk,
        },
        ("jobs_api:jobs", "post"): {
            "cooperative": "alpha",
            "client": world.client_a.pk,
            "title": "Tuin",
            "category": "greening",
            "street": "Marshalllaan 1",
            "postcode": "3526 KL",
            "client_tariff": "30",
        },
        ("jobs_api:job", "patch"): {"title": "Nieuwe titel"},
        ("jobs_api:job-status", "post"): {"status": "completed"},
        ("jobs_api:job-shifts", "post"): {
            "start": (world.base + timedelta(days=2, hours=9)).isoformat(),
            "end": (world.base + timedelta(days=2, hours=12)).isoformat(),
        },
        ("jobs_api:job-shifts-weekly", "post"): {
            "first_date": (world.base + timedelta(days=1)).date().isoformat(),
            "weekdays": [1],
            "start_time": "09:00",
            "end_time": "12:00",
            "weeks": 2,
        },
        ("jobs_api:shift", "patch"): {"slots": 6},
        ("jobs_api:shift-cancel", "post"): {"reason": "regen"},
        ("jobs_api:claims", "post"): {"shift": world.open_shift.pk},
        ("jobs_api:my-plan-claim", "post"): {"shifts": [world.open_shift.pk]},
        ("payouts_api:timesheet-correct", "post"): {"minutes_worked": 30, "reason": "fout"},
        ("jobs_api:offer-respond", "post"): {"accept": False},
        ("jobs_api:my-blocked-clients", "post"): {"client": world.client_a.pk},
        ("members_api:proposals", "post"): {"kind": "motion", "title": "Meer bankjes"},
        ("members_api:proxies", "post"): {"holder": world.auditor_a.pk},
        ("members_api:proposal-vote", "post"): {"choice": "yes"},
        ("members_api:proposal", "patch"): {"title": "Beter concept", "secret": True},
        ("jobs_api:cooperative-dispatch", "post"): {
            "period_start": world.base.date().isoformat(),
            "period_end": world.base.date().isoformat(),
        },
        ("jobs_api:claim-reject", "post"): {"reason": "vol"},
        ("jobs_api:claim-respond", "post"): {"accept": True},
        ("jobs_api:timesheets", "post"): {"claim": world.claim_past.pk, "minutes_worked": 120},
        ("jobs_api:timesheet-dispute", "post"): {"reason": "te veel"},
        ("jobs_api:timesheet-resolve", "post"): {"approve": True, "reason": "besproken"},
        ("payouts_api:stripe-settings", "patch"): {"connect_enabled": True},
        ("payouts_api:payment-refunds", "post"): {"amount": "1.00", "reason": "korting"},
        ("payouts_api:payout-item-return", "post"): {"reason": "IBAN onbekend"},
        ("payouts_api:credit-notes", "post"): {
            "invoice": world.open_invoice.pk,
            "amount": "1.00",
            "reason": "korting",
        },
        ("challenges_api:tenders", "post"): {
            "client": world.municipality.pk,
            "title": "Zwerfvuil Kanaalweg",
            "description": "Wekelijks zwerfvuil ruimen.",
            "category": "green_maintenance",
            "area": "Kanaleneiland",
            "street": "Marshalllaan 40",
            "postcode": "3526 GA",
            "period_start": (world.base + timedelta(days=30)).date().isoformat(),
            "period_end": (world.base + timedelta(days=120)).date().isoformat(),
            "budget_ceiling": "9000.00",
            "required_outcomes": ["Kanaalweg schoon"],
            "weight_price": 50,
            "weight_quality": 25,
            "weight_social": 25,
            "submission_deadline": (world.base + timedelta(days=10)).isoformat(),
            "decision_deadline": (world.base + timedelta(days=20)).date().isoformat(),
        },
        ("challenges_api:tender-bids", "post"): {
            "cooperative": "alpha",
            "price": "5000.00",
            "hourly_tariff": "32.00",
            "plan": "Met buren",
            "staffing_plan": [
                {"title": "Ronde", "weekdays": [1], "start": "09:00", "end": "12:00", "slots": 1}
            ],
        },
        ("challenges_api:tender-decision", "post"): {
            "bid": world.bid_submitted.pk,
            "reason": "Beste plan",
        },
        ("challenges_api:bid", "patch"): {"plan": "Nieuw plan"},
        ("challenges_api:bid-score", "post"): {"quality": "8", "social": "7"},
        ("challenges_api:challenges", "post"): {
            "cooperative": "alpha",
            "client": world.municipality.pk,
            "task": "Speeltuin beheren",
            "area": "Transwijk",
            "plan": "Buurtouders",
            "signatures": 120,
        },
        ("challenges_api:challenge-decision", "post"): {"decision": "accept", "note": "Goed plan"},
        ("challenges_api:challenge-consent", "post"): {"consent": True},
        ("challenges_api:contract-amendments", "post"): {
            "extra_budget": "1000.00",
            "reason": "Meer werk",
        },
        ("challenges_api:target-groups", "post"): {"user": world.member_a.pk, "group": "youth"},
        ("members_api:approval-reject", "post"): {"reason": "Toch niet"},
    }.get((name, method), {})


MATRIX: dict[tuple[str, str], set[str]] = {
    ("members_api:register", "post"): ALL,
    ("members_api:token", "post"): ALL,
    ("members_api:tokens", "get"): AUTHENTICATED,
    # Revoking a token by its key: only its owner; anyone else's key is simply not found.
    ("members_api:token-detail", "delete"): _set("member_a"),
    ("members_api:approvals", "get"): _set("board_a", "treasurer_a"),
    # The pending request was made by board_a, the only board member: nobody here may
    # approve it (staff do, in the admin); the requester may only withdraw it.
    ("members_api:approval-approve", "post"): _set(),
    ("members_api:approval-reject", "post"): _set("board_a"),
    ("members_api:cooperatives", "get"): ALL,
    ("members_api:cooperatives", "post"): _set("staff"),
    ("members_api:cooperative", "get"): ALL,
    ("members_api:cooperative", "patch"): _set("board_a"),
    ("members_api:cooperative-members", "get"): A_MEMBERS,
    ("members_api:applications", "get"): _set("board_a"),
    # Members of A already belong to A: their application is a 409, not a permission matter.
    ("members_api:applications", "post"): _set("member_b", "client_user", "staff"),
    ("members_api:cooperative-skills", "get"): AUTHENTICATED,
    ("members_api:cooperative-skills", "post"): _set("board_a"),
    ("members_api:membership-admit", "post"): _set("board_a"),
    ("members_api:membership-reject", "post"): _set("board_a"),
    ("members_api:membership-suspend", "post"): _set("board_a"),
    ("members_api:membership-reinstate", "post"): _set("board_a"),
    ("members_api:membership-leave", "post"): _set("member_a"),
    ("members_api:membership-roles", "patch"): _set("board_a"),
    ("members_api:membership-sensitive", "get"): _set("member_a", "treasurer_a"),
    ("members_api:me", "get"): AUTHENTICATED,
    ("members_api:my-profile", "get"): AUTHENTICATED,
    ("members_api:my-profile", "patch"): AUTHENTICATED,
    ("members_api:my-skills", "get"): AUTHENTICATED,
    ("members_api:my-skills", "post"): A_MEMBERS,
    ("members_api:my-skill", "delete"): _set("member_a"),
    ("members_api:my-availability", "get"): AUTHENTICATED,
    ("members_api:my-availability", "put"): AUTHENTICATED,
    ("members_api:my-availability-exceptions", "get"): AUTHENTICATED,
    ("members_api:my-availability-exceptions", "post"): AUTHENTICATED,
    ("members_api:my-availability-exception", "delete"): _set("member_a"),
    ("members_api:my-export", "get"): AUTHENTICATED,
    ("members_api:my-notifications", "get"): AUTHENTICATED,
    ("members_api:my-benefit-arrangement", "get"): AUTHENTICATED,
    ("members_api:my-benefit-arrangement", "put"): AUTHENTICATED,
    ("members_api:my-benefit-arrangement", "delete"): AUTHENTICATED,
    ("payouts_api:my-earnings", "get"): AUTHENTICATED,
    ("payouts_api:my-earning", "get"): _set("member_a"),
    ("payouts_api:timesheet-correct", "post"): _set("board_a", "treasurer_a"),
    ("payouts_api:invoices", "get"): _set("board_a", "treasurer_a"),
    ("payouts_api:invoices", "post"): _set("treasurer_a"),
    ("payouts_api:invoice-pdf", "get"): _set("board_a", "treasurer_a"),
    # Self-billing invoices: the member's own, and the treasurer's (and the auditor's) books.
    ("payouts_api:my-self-billing-invoices", "get"): AUTHENTICATED,
    ("payouts_api:my-self-billing-invoice-pdf", "get"): _set("member_a"),
    ("payouts_api:self-billing", "get"): _set("treasurer_a"),
    ("payouts_api:self-billing", "post"): _set("treasurer_a"),
    ("payouts_api:self-billing-pdf", "get"): _set("treasurer_a"),
    ("payouts_api:payments", "post"): _set("treasurer_a"),
    ("payouts_api:bank-statements", "post"): _set("treasurer_a"),
    ("payouts_api:payout-batches", "get"): _set("board_a", "treasurer_a"),
    ("payouts_api:payout-batches", "post"): _set("board_a", "treasurer_a"),
    ("payouts_api:payout-batch-approve", "post"): _set("board_a", "treasurer_a"),
    ("payouts_api:payout-batch-execute", "post"): _set(),  # nobody: it awaits a second approval
    ("payouts_api:payout-batch-confirm-paid", "post"): _set("board_a", "treasurer_a"),
    # Payment files carry IBANs: the treasurer's only, every download logged.
    ("payouts_api:payout-batch-sepa", "get"): _set("treasurer_a"),
    ("payouts_api:payout-batch-payroll", "get"): _set("treasurer_a"),
    ("payouts_api:payments", "get"): _set("board_a", "treasurer_a"),
    ("payouts_api:payment-refunds", "post"): _set("treasurer_a"),
    ("payouts_api:payout-item-return", "post"): _set("board_a", "treasurer_a"),
    ("payouts_api:credit-notes", "get"): _set("board_a", "treasurer_a"),
    ("payouts_api:credit-notes", "post"): _set("treasurer_a"),
    ("payouts_api:credit-note-pdf", "get"): _set("board_a", "treasurer_a"),
    ("payouts_api:earnings-caps", "get"): _set("board_a", "treasurer_a"),
    # The figures of the cooperative: its board, treasurer and auditor (none in this matrix).
    ("payouts_api:dashboard", "get"): _set("board_a", "treasurer_a"),
    ("payouts_api:dashboard-csv", "get"): _set("board_a", "treasurer_a"),
    ("payouts_api:money-settings", "get"): _set("board_a", "treasurer_a"),
    ("payouts_api:money-settings", "put"): _set("board_a"),
    ("payouts_api:rule-sets", "get"): A_MEMBERS,
    ("payouts_api:rule-set-in-force", "get"): A_MEMBERS,
    ("payouts_api:rule-set", "get"): A_MEMBERS,
    ("payouts_api:rule-set-description", "get"): A_MEMBERS,
    ("payouts_api:rule-set-export", "get"): A_MEMBERS,
    ("payouts_api:rule-set-preview", "post"): _set("board_a"),
    ("payouts_api:rule-set-propose", "post"): _set("board_a"),
    ("payouts_api:reverse-charge", "get"): _set("board_a", "treasurer_a"),
    ("payouts_api:reverse-charge", "put"): _set("board_a"),
    ("jobs_api:client-g-account", "get"): _set("board_a", "treasurer_a"),
    ("jobs_api:client-g-account", "put"): _set("board_a"),
    ("members_api:my-notifications", "patch"): AUTHENTICATED,
    ("members_api:my-erase", "post"): AUTHENTICATED,
    ("members_api:invitation", "get"): ALL,
    ("members_api:invitation-accept", "post"): _set("member_b"),
    ("jobs_api:clients", "get"): AUTHENTICATED,
    ("jobs_api:clients", "post"): AUTHENTICATED,
    # The board and treasurer see a linked client's details; only its own admins change it.
    ("jobs_api:client", "get"): CLIENT_MANAGERS,
    ("jobs_api:client", "patch"): _set("client_user"),
    ("jobs_api:client-users", "get"): CLIENT_MANAGERS,
    ("jobs_api:client-users", "post"): _set("client_user"),
    ("jobs_api:client-cooperatives", "get"): _set("client_user"),
    ("jobs_api:client-cooperatives", "post"): _set("client_user"),
    ("jobs_api:cooperative-client-requests", "get"): _set("board_a"),
    ("jobs_api:cooperative-client-requests", "post"): _set("board_a"),
    ("jobs_api:cooperative-client-request-decide", "post"): _set("board_a"),
    ("jobs_api:client-request-withdraw", "post"): _set("client_user"),
    ("jobs_api:client-invitation", "get"): ALL,
    # Sent to the client user's address: they accept it for their own client.
    ("jobs_api:client-invitation-decide", "post"): _set("client_user"),
    ("jobs_api:jobs", "get"): AUTHENTICATED,
    ("jobs_api:jobs", "post"): JOB_MANAGERS,
    ("jobs_api:job", "get"): A_MEMBERS | {"client_user"},
    ("jobs_api:job", "patch"): JOB_MANAGERS,
    ("jobs_api:job-status", "post"): JOB_MANAGERS,
    ("jobs_api:job-shifts", "get"): A_MEMBERS | {"client_user"},
    ("jobs_api:job-shifts", "post"): JOB_MANAGERS,
    ("jobs_api:job-shifts-weekly", "post"): JOB_MANAGERS,
    ("jobs_api:shift", "get"): A_MEMBERS | {"client_user"},
    ("jobs_api:shift", "patch"): JOB_MANAGERS,
    ("jobs_api:shift-price", "get"): A_MEMBERS | {"client_user"},
    ("jobs_api:shift-cancel", "post"): JOB_MANAGERS,
    ("jobs_api:shift-claims", "get"): JOB_MANAGERS,
    ("jobs_api:feed", "get"): AUTHENTICATED,
    ("jobs_api:claims", "get"): AUTHENTICATED,
    ("jobs_api:claims", "post"): A_MEMBERS,
    ("jobs_api:claim-withdraw", "post"): _set("member_a"),
    ("jobs_api:claim-confirm", "post"): JOB_MANAGERS,
    ("jobs_api:claim-reject", "post"): JOB_MANAGERS,
    ("jobs_api:claim-respond", "post"): _set("member_a"),
    ("jobs_api:claim-no-show", "post"): JOB_MANAGERS,
    ("jobs_api:timesheets", "get"): AUTHENTICATED,
    ("jobs_api:timesheets", "post"): _set("member_a"),
    ("jobs_api:timesheet-approve", "post"): JOB_MANAGERS,
    ("jobs_api:timesheet-dispute", "post"): JOB_MANAGERS,
    ("jobs_api:timesheet-resolve", "post"): _set("board_a"),
    ("jobs_api:cooperative-jobs", "get"): _set("board_a"),
    ("jobs_api:my-week", "get"): AUTHENTICATED,
    ("jobs_api:my-calendar", "get"): AUTHENTICATED,
    ("jobs_api:my-calendar", "post"): AUTHENTICATED,
    ("jobs_api:my-calendar", "delete"): AUTHENTICATED,
    ("jobs_api:my-plan", "get"): AUTHENTICATED,
    ("members_api:proposals", "get"): A_MEMBERS,
    ("members_api:proposals", "post"): A_MEMBERS,
    ("members_api:proxies", "post"): A_MEMBERS,
    ("members_api:proxy", "delete"): _set("member_a"),
    ("members_api:proposal", "get"): A_MEMBERS,
    ("members_api:proposal", "patch"): _set(
        "board_a"
    ),  # a draft: its proposer (the auditor) or the board
    ("members_api:proposal-open", "post"): _set("board_a"),
    ("members_api:proposal-cosign", "post"): A_MEMBERS,
    ("members_api:proposal-withdraw", "post"): _set("board_a"),
    ("members_api:proposal-vote", "post"): A_MEMBERS,
    ("members_api:proposal-simulation", "get"): A_MEMBERS,
    ("members_api:proposal-tally", "get"): _set(),  # the auditor's (not one of these roles)
    ("jobs_api:my-blocked-clients", "get"): AUTHENTICATED,
    ("jobs_api:my-blocked-clients", "post"): A_MEMBERS,
    ("jobs_api:my-blocked-client", "delete"): AUTHENTICATED,
    ("jobs_api:my-offers", "get"): AUTHENTICATED,
    ("jobs_api:my-todo", "get"): AUTHENTICATED,  # a non-member gets an empty list
    ("jobs_api:offer-respond", "post"): _set("member_a"),
    ("jobs_api:cooperative-dispatch", "get"): _set("board_a"),
    ("jobs_api:cooperative-working-time", "get"): _set("board_a"),
    ("jobs_api:cooperative-dispatch", "post"): _set("board_a"),
    # A run of cooperative A: its board only (board B gets 404 like any outsider).
    ("jobs_api:cooperative-dispatch-run", "get"): _set("board_a"),
    ("jobs_api:cooperative-dispatch-offers", "get"): _set("board_a"),
    ("jobs_api:cooperative-dispatch-open-shifts", "get"): _set("board_a"),
    ("jobs_api:my-plan-claim", "post"): A_MEMBERS,
    # Right to challenge. ``client_user`` is also a user of the municipality in this world.
    ("payouts_api:invoice-ubl", "get"): _set("board_a", "treasurer_a"),
    ("challenges_api:tenders", "get"): ALL,
    ("challenges_api:tenders", "post"): _set("client_user"),
    ("challenges_api:tender", "get"): ALL,
    ("challenges_api:tender-publish", "post"): _set("client_user"),
    ("challenges_api:tender-bids", "get"): AUTHENTICATED,  # each sees only the bids they may see
    ("challenges_api:tender-bids", "post"): _set("board_a"),
    ("challenges_api:tender-decision", "post"): _set("client_user"),
    ("challenges_api:bid", "get"): _set("board_a", "treasurer_a"),
    ("challenges_api:bid", "patch"): _set("board_a"),
    ("challenges_api:bid-capacity", "post"): _set("board_a"),
    ("challenges_api:bid-submit", "post"): _set("board_a"),
    ("challenges_api:bid-withdraw", "post"): _set("board_a"),
    ("challenges_api:bid-score", "post"): _set("client_user"),
    ("challenges_api:challenges", "get"): ALL,
    ("challenges_api:challenges", "post"): _set("board_a"),
    ("challenges_api:challenge", "get"): ALL,
    ("challenges_api:challenge-decision", "post"): _set("client_user"),
    ("challenges_api:challenge-consent", "post"): _set("board_a"),
    ("challenges_api:contracts", "get"): AUTHENTICATED,  # each sees only their own contracts
    ("challenges_api:contract", "get"): _set("board_a", "treasurer_a", "client_user"),
    ("challenges_api:contract-generate", "post"): _set("board_a", "client_user"),
    ("challenges_api:contract-amendments", "post"): _set("client_user"),
    ("challenges_api:contract-report", "get"): _set("board_a", "treasurer_a", "client_user"),
    ("challenges_api:target-groups", "get"): _set("board_a"),
    ("challenges_api:target-groups", "post"): _set("board_a"),
    ("payouts_api:stripe-settings", "get"): _set("board_a", "treasurer_a"),
    ("payouts_api:stripe-settings", "patch"): _set("board_a", "treasurer_a"),
    ("payouts_api:stripe-settings", "delete"): _set("board_a", "treasurer_a"),
    ("payouts_api:stripe-events", "get"): _set("board_a", "treasurer_a"),
    ("payouts_api:stripe-connect", "get"): A_MEMBERS,
    ("payouts_api:stripe-connect", "post"): A_MEMBERS,
    ("payouts_api:invoice-payment-link", "post"): _set("client_user", "board_a", "treasurer_a"),
}


def _api_endpoints() -> set[tuple[str, str]]:
    return api_endpoints()


def test_every_endpoint_has_a_matrix_entry():
    missing = _api_endpoints() - set(MATRIX)
    assert not missing, f"endpoints without an authorization matrix entry: {sorted(missing)}"
    stale = set(MATRIX) - _api_endpoints()
    assert not stale, f"matrix entries for endpoints that no longer exist: {sorted(stale)}"


@pytest.fixture(scope="module")
def full_world(django_db_setup, django_db_blocker):
    """The world every case acts on, built once for the module inside a transaction that is
    rolled back at the end; each case runs in its own savepoint (pytest-django's ``db``), so
    what one request writes is gone before the next."""
    from django.db import transaction

    from tests.conftest import build_world, fake_stripe_running
    from werkstation.locks import lock_order_unchecked

    with django_db_blocker.unblock(), fake_stripe_running():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # One transaction that calls many services one after the other (as seeding
            # the demo does): it cannot deadlock with itself, so the order is not checked.
            with lock_order_unchecked():
                world = _build_full_world(build_world())
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _build_full_world(world):
    from tests.factories import MembershipFactory, UserFactory
    from tests.payouts.stripe_support import stripe_on

    stripe_on(world.coop_a)
    from members.models import ApiToken
    from members.services.memberships import membership_set_roles

    membership_set_roles(
        actor=world.board_a, membership=world.membership(world.member_a), is_auditor=True
    )
    world.approval = world.coop_a.second_approvals.get(status="pending")
    world.member_token_key = ApiToken.objects.create(user=world.member_a)[0].token_key

    suspended = MembershipFactory(
        user=UserFactory(email="suspended-a@example.org"),
        cooperative=world.coop_a,
        status="suspended",
    )
    world.suspended_a = suspended
    world.member_skill_a = MemberSkill.objects.create(user=world.member_a, skill=world.skill_a)
    from members.models import AvailabilityException

    world.exception_a = AvailabilityException.objects.create(
        user=world.member_a, date=timezone.localdate()
    )
    world.invitation = Invitation.objects.create(
        kind="board",
        email=world.member_b.email,
        cooperative=world.coop_a,
        expires_at=timezone.now() + timedelta(days=3),
    )
    _add_work(world)
    _add_challenges(world)
    _add_link_requests(world)
    return world


def _add_link_requests(world):
    """A client asking coop A (still open), and coop B inviting the client user's address."""
    from jobs.models import ClientLinkRequest
    from tests.factories import ClientFactory, ClientUserFactory

    asking = ClientFactory(name="Vraagt Alpha")
    ClientUserFactory(client=asking, user=world.client_user)
    world.link_request = ClientLinkRequest.objects.create(
        direction="client", cooperative=world.coop_a, client=asking, created_by=world.client_user
    )
    world.link_invitation = ClientLinkRequest.objects.create(
        direction="cooperative",
        cooperative=world.coop_b,
        email=world.client_user.email,
        created_by=world.board_b,
    )


def _add_work(world):
    """A job with a future shift and claims and timesheets in every state the endpoints act on;
    settled work, invoices and payout batches made by the services (``tests/factories``)."""
    from decimal import Decimal

    from jobs.models import DispatchRun, Offer
    from members.services.governance import proposal_create, proposal_open, proxy_grant
    from payouts.services.credit_notes import credit_note_issue
    from tests.factories.jobs import ClaimFactory, JobFactory, ShiftFactory, TimesheetFactory
    from tests.factories.payouts import (
        InvoiceFactory,
        PayoutBatchFactory,
        PayoutItemFactory,
        SelfBillingInvoiceFactory,
    )
    from tests.factories.work import place_member

    for user in (
        world.member_a,
        world.board_a,
        world.treasurer_a,
        world.member_b,
        world.client_user,
        world.staff,
    ):
        place_member(user)
    world.job = JobFactory(
        cooperative=world.coop_a, client=world.client_a, title="Tuin", client_tariff=Decimal("30")
    )
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    world.base = today + timedelta(days=7)
    world.open_shift = ShiftFactory(
        job=world.job, start=world.base + timedelta(days=1, hours=9), slots=5
    )
    run = DispatchRun.objects.create(
        cooperative=world.coop_a, period_start=world.base.date(), period_end=world.base.date()
    )
    world.offer = Offer.objects.create(
        run=run,
        shift=world.open_shift,
        user=world.member_a,
        reason="test",
        deadline=timezone.now() + timedelta(hours=5),
    )

    def claim(start=None, days_ago=None, slots=1, **traits):
        """A claim of member A on a new shift of the job (at ``start``, or 09:00 ``days_ago``)."""
        where = {"shift__start": start} if start else {"past": True, "shift__days_ago": days_ago}
        return ClaimFactory(
            user=world.member_a, shift__job=world.job, shift__slots=slots, **where, **traits
        )

    def work(days_ago, minutes, **traits):
        """Timesheet of member A for 09:00 ``days_ago`` days back."""
        return TimesheetFactory(
            claim=claim(days_ago=days_ago, confirmed=True), minutes_worked=minutes, **traits
        )

    world.claim_x = claim(start=world.base + timedelta(hours=9), slots=3)
    world.claim_offered = claim(start=world.base + timedelta(hours=14), slots=3, offered=True)
    world.claim_past = claim(days_ago=1, slots=2, confirmed=True)
    world.sheet_submitted = TimesheetFactory(
        claim=claim(days_ago=2, slots=2, confirmed=True), minutes_worked=150
    )
    approved = work(4, 120, settled=True)
    world.rule_set_a = ensure_founded(world.coop_a)
    world.split_a = approved.splits.get()
    world.invoice = InvoiceFactory(timesheets=[approved], actor=world.treasurer_a, paid=True)
    world.payment = world.invoice.payments.get()
    world.uninvoiced = work(5, 60, settled=True)
    world.batch = PayoutBatchFactory(actor=world.treasurer_a, cooperative=world.coop_a)
    # An executed batch whose SEPA transfer no bank statement has confirmed yet.
    world.sent_batch = PayoutItemFactory(
        batch__cooperative=world.coop_a, member=world.member_a, sent_at=today
    ).batch
    # More payable after that batch, for a new one.
    extra = work(8, 60, settled=True)
    InvoiceFactory(timesheets=[extra], actor=world.treasurer_a, paid=True)
    billed = work(6, 60, settled=True)
    world.proposal_open = proposal_open(
        actor=world.board_a,
        proposal=proposal_create(
            actor=world.board_a,
            cooperative=world.coop_a,
            kind="payout_rules",
            title="Nieuwe regels",
            payload={"spec": {"currency": "EUR", "pots": [{"pot": "coop_fund", "percent": "5"}]}},
        ),
    )
    world.proposal_draft = proposal_create(
        actor=world.auditor_a, cooperative=world.coop_a, kind="motion", title="Concept"
    )
    world.proxy = proxy_grant(
        grantor=world.member_a, holder=world.auditor_a, cooperative=world.coop_a
    )
    world.correctable = work(9, 90, settled=True)
    world.open_invoice = InvoiceFactory(timesheets=[billed], actor=world.treasurer_a)
    # An executed batch with one small paid item, for the returned-payout endpoint.
    world.paid_item = PayoutItemFactory(
        paid=True, booked=True, batch__cooperative=world.coop_a, member=world.board_a
    )
    world.credit_note = credit_note_issue(
        actor=world.treasurer_a, invoice=world.invoice, amount=Decimal("1.00"), reason="korting"
    )
    world.sheet_disputed = TimesheetFactory(
        claim=claim(days_ago=3, slots=2, confirmed=True),
        minutes_worked=150,
        disputed=True,
        dispute_reason="?",
    )
    world.self_billing = SelfBillingInvoiceFactory(cooperative=world.coop_a, member=world.member_a)


def _add_challenges(world):
    """A municipality (client_user is one of its users) with tenders, bids, challenges and a
    running contract in the states the right-to-challenge endpoints act on."""
    from jobs.challenges.services.contracts import contract_from_bid
    from tests.factories import ClientUserFactory, MunicipalityFactory
    from tests.factories.challenges import BidFactory, ChallengeFactory, TenderFactory

    world.municipality = MunicipalityFactory(name="Gemeente", cooperatives=[world.coop_a])
    ClientUserFactory(client=world.municipality, user=world.client_user)
    period = {
        "client": world.municipality,
        "period_start": (world.base + timedelta(days=1)).date(),
        "period_end": (world.base + timedelta(days=60)).date(),
    }
    world.tender_open = TenderFactory(**period)
    world.tender_draft = TenderFactory(draft=True, **period)
    world.tender_closed = TenderFactory(closed=True, **period)
    ours = {"cooperative": world.coop_a}
    world.bid_draft = BidFactory(tender=TenderFactory(**period), capacity_checked=True, **ours)
    world.bid_submitted = BidFactory(tender=world.tender_closed, submitted=True, **ours)
    awarded = BidFactory(tender=TenderFactory(awarded=True, **period), awarded=True, **ours)
    world.contract = contract_from_bid(actor=world.client_user, bid=awarded)
    challenge = {**ours, "client": world.municipality, "decision_deadline": period["period_end"]}
    world.challenge = ChallengeFactory(**challenge)
    world.challenge_modified = ChallengeFactory(modification_proposed=True, **challenge)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX), ids=lambda e: f"{e[1].upper()} {e[0]}")
def test_matrix(db, full_world, endpoint, role):
    from django.urls import reverse

    name, method = endpoint
    user = getattr(full_world, role) if role != "anonymous" else None
    client = api_as(user)
    url = reverse(name, kwargs=_kwargs_for(name, full_world))
    payload = _payload(name, method, full_world, user)
    if name == "payouts_api:bank-statements":
        from django.core.files.uploadedfile import SimpleUploadedFile

        empty = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt/></Document>'
        response = client.post(
            url, {"file": SimpleUploadedFile("s.xml", empty)}, format="multipart"
        )
    else:
        response = getattr(client, method)(url, payload, format="json")
    if role in MATRIX[endpoint]:
        assert response.status_code < 400, (
            role,
            endpoint,
            response.status_code,
            getattr(response, "data", None),
        )
        # What an allowed role gets is what the published schema says it gets.
        assert_matches_schema(response, name, method)
    else:
        assert response.status_code in (401, 403, 404, 409), (
            role,
            endpoint,
            response.status_code,
            getattr(response, "data", None),
        )
        if response.status_code == 409:
            assert name == "members_api:applications", (
                "409 only stands in for 'denied' where membership already exists"
            )
