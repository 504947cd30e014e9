"""Every API endpoint × every role: allowed or denied.

The list of endpoints comes from the URL resolver, so an endpoint added later without
an entry here fails ``test_every_endpoint_has_a_matrix_entry``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from members.models import Invitation, MemberSkill
from tests.conftest import api_as

ROLES = ["anonymous", "member_a", "board_a", "treasurer_a", "member_b", "client_user", "staff"]
ALL = set(ROLES)
AUTHENTICATED = ALL - {"anonymous"}
A_MEMBERS = {"member_a", "board_a", "treasurer_a"}
CLIENT_MANAGERS = {"client_user", "board_a", "treasurer_a"}
JOB_MANAGERS = {"client_user", "board_a"}


def _set(*names):
    return set(names)


# (url name, method) -> (roles allowed, how to build the request)
def _kwargs_for(name, world):
    m = world.membership
    return {
        "api-cooperative": {"slug": "alpha"},
        "api-cooperative-members": {"slug": "alpha"},
        "api-applications": {"slug": "alpha"},
        "api-cooperative-skills": {"slug": "alpha"},
        "api-membership-admit": {"membership_id": m(world.applicant_a).pk},
        "api-membership-reject": {"membership_id": m(world.applicant_a).pk},
        "api-membership-suspend": {"membership_id": m(world.auditor_a).pk},
        "api-membership-reinstate": {"membership_id": world.suspended_a.pk},
        "api-membership-leave": {"membership_id": m(world.member_a).pk},
        "api-membership-roles": {"membership_id": m(world.member_a).pk},
        "api-membership-sensitive": {"membership_id": m(world.member_a).pk},
        "api-my-skill": {"member_skill_id": world.member_skill_a.pk},
        "api-my-availability-exception": {"exception_id": world.exception_a.pk},
        "api-invitation": {"token": world.invitation.token},
        "api-invitation-accept": {"token": world.invitation.token},
        "api-client": {"client_id": world.client_a.pk},
        "api-client-users": {"client_id": world.client_a.pk},
        "api-client-cooperatives": {"client_id": world.client_a.pk},
        "api-cooperative-client-requests": {"slug": "alpha"},
        "api-cooperative-client-request-decide": {
            "slug": "alpha",
            "request_id": world.link_request.pk,
        },
        "api-client-request-withdraw": {"request_id": world.link_request.pk},
        "api-client-invitation": {"token": world.link_invitation.token},
        "api-client-invitation-decide": {"token": world.link_invitation.token},
        "api-job": {"job_id": world.job.pk},
        "api-job-status": {"job_id": world.job.pk},
        "api-job-shifts": {"job_id": world.job.pk},
        "api-job-shifts-weekly": {"job_id": world.job.pk},
        "api-shift": {"shift_id": world.open_shift.pk},
        "api-shift-cancel": {"shift_id": world.open_shift.pk},
        "api-shift-claims": {"shift_id": world.open_shift.pk},
        "api-claim-withdraw": {"claim_id": world.claim_x.pk},
        "api-claim-confirm": {"claim_id": world.claim_x.pk},
        "api-claim-reject": {"claim_id": world.claim_x.pk},
        "api-claim-respond": {"claim_id": world.claim_offered.pk},
        "api-claim-no-show": {"claim_id": world.claim_past.pk},
        "api-timesheet-approve": {"timesheet_id": world.sheet_submitted.pk},
        "api-timesheet-dispute": {"timesheet_id": world.sheet_submitted.pk},
        "api-timesheet-resolve": {"timesheet_id": world.sheet_disputed.pk},
        "api-cooperative-jobs": {"slug": "alpha"},
        "api-my-earning": {"split_id": world.split_a.pk},
        "api-timesheet-correct": {"timesheet_id": world.correctable.pk},
        "api-offer-respond": {"offer_id": world.offer.pk},
        "api-my-blocked-client": {"client_id": world.client_a.pk},
        "api-proposals": {"slug": "alpha"},
        "api-proxies": {"slug": "alpha"},
        "api-proxy": {"proxy_id": world.proxy.pk},
        "api-proposal": {"proposal_id": world.proposal_draft.pk},
        "api-proposal-open": {"proposal_id": world.proposal_draft.pk},
        "api-proposal-cosign": {"proposal_id": world.proposal_draft.pk},
        "api-proposal-withdraw": {"proposal_id": world.proposal_draft.pk},
        "api-proposal-vote": {"proposal_id": world.proposal_open.pk},
        "api-proposal-simulation": {"proposal_id": world.proposal_open.pk},
        "api-proposal-tally": {"proposal_id": world.proposal_open.pk},
        "api-cooperative-dispatch": {"slug": "alpha"},
        "api-invoices": {"slug": "alpha"},
        "api-invoice-pdf": {"slug": "alpha", "invoice_id": world.invoice.pk},
        "api-payments": {"slug": "alpha"},
        "api-bank-statements": {"slug": "alpha"},
        "api-payout-batches": {"slug": "alpha"},
        "api-payout-batch-approve": {"slug": "alpha", "batch_id": world.batch.pk},
        "api-payout-batch-execute": {"slug": "alpha", "batch_id": world.batch.pk},
        "api-payout-batch-sepa": {"slug": "alpha", "batch_id": world.batch.pk},
        "api-payout-batch-payroll": {"slug": "alpha", "batch_id": world.batch.pk},
        "api-stripe-settings": {"slug": "alpha"},
        "api-stripe-events": {"slug": "alpha"},
        "api-stripe-connect": {"slug": "alpha"},
        "api-invoice-payment-link": {"invoice_id": world.open_invoice.pk},
        "api-payment-refunds": {"slug": "alpha", "payment_id": world.payment.pk},
        "api-payout-item-return": {"slug": "alpha", "item_id": world.paid_item.pk},
        "api-credit-notes": {"slug": "alpha"},
        "api-earnings-caps": {"slug": "alpha"},
        "api-credit-note-pdf": {"slug": "alpha", "note_id": world.credit_note.pk},
        "api-invoice-ubl": {"slug": "alpha", "invoice_id": world.invoice.pk},
        "api-tender": {"tender_id": world.tender_open.pk},
        "api-tender-publish": {"tender_id": world.tender_draft.pk},
        "api-tender-bids": {"tender_id": world.tender_open.pk},
        "api-tender-decision": {"tender_id": world.tender_closed.pk},
        "api-bid": {"bid_id": world.bid_draft.pk},
        "api-bid-capacity": {"bid_id": world.bid_draft.pk},
        "api-bid-submit": {"bid_id": world.bid_draft.pk},
        "api-bid-withdraw": {"bid_id": world.bid_draft.pk},
        "api-bid-score": {"bid_id": world.bid_submitted.pk},
        "api-challenge": {"challenge_id": world.challenge.pk},
        "api-challenge-decision": {"challenge_id": world.challenge.pk},
        "api-challenge-consent": {"challenge_id": world.challenge_modified.pk},
        "api-contract": {"contract_id": world.contract.pk},
        "api-contract-generate": {"contract_id": world.contract.pk},
        "api-contract-amendments": {"contract_id": world.contract.pk},
        "api-contract-report": {"contract_id": world.contract.pk},
        "api-target-groups": {"slug": "alpha"},
        "api-money-settings": {"slug": "alpha"},
        "api-approvals": {"slug": "alpha"},
        "api-approval-approve": {"approval_id": world.approval.pk},
        "api-approval-reject": {"approval_id": world.approval.pk},
        "api-token-detail": {"token_key": world.member_token_key},
    }.get(name, {})


def _payload(name, method, world, role_user):
    email = getattr(role_user, "email", "anonymous@example.org")
    return {
        ("api-register", "post"): {
            "email": f"new-{email}",
            "password": "a-Long-test-password-42",
            "full_name": "Nieuw Lid",
        },
        ("api-token", "post"): {
            "email": "member-a@example.org",
            "password": "a-Long-test-password-42",
        },
        ("api-cooperatives", "post"): {
            "name": "Nieuwe Coop",
            "legal_name": "Nieuwe Coop U.A.",
            "kvk_number": "12345678",
        },
        ("api-cooperative", "patch"): {"voting_days": 10},
        ("api-applications", "post"): {"motivation": "graag"},
        ("api-cooperative-skills", "post"): {"name": "Timmeren"},
        ("api-membership-reject", "post"): {"reason": "past niet"},
        ("api-membership-suspend", "post"): {"reason": "afspraken"},
        ("api-membership-roles", "patch"): {"is_auditor": True},
        ("api-my-profile", "patch"): {"city": "Utrecht"},
        ("api-my-skills", "post"): {"skill": world.skill_a.pk},
        ("api-my-availability", "put"): {
            "slots": [{"weekday": 0, "start": "09:00", "end": "12:00"}]
        },
        ("api-my-availability-exceptions", "post"): {"date": "2030-01-02"},
        ("api-my-erase", "post"): {"confirm_email": email},
        ("api-my-notifications", "patch"): {"shift_digest": "weekly"},
        ("api-invoices", "post"): {
            "client": world.client_a.pk,
            "period_start": "2020-01-01",
            "period_end": "2040-01-01",
            "timesheets": [world.uninvoiced.pk],
        },
        ("api-payments", "post"): {
            "invoice": world.open_invoice.display_number,
            "amount": "1.00",
            "currency": "EUR",
            "received_on": "2026-11-01",
        },
        ("api-clients", "post"): {
            "cooperative": "alpha",
            "kind": "business",
            "name": "Kapper",
            "kvk_number": "87654321",
            "billing_email": "kapper@example.org",
        },
        ("api-client", "patch"): {"billing_city": "Utrecht"},
        ("api-money-settings", "put"): {
            "volunteer_month_max_cents": 21000,
            "volunteer_year_max_cents": 210000,
        },
        ("api-client-users", "post"): {"email": "collega@example.org"},
        ("api-client-cooperatives", "post"): {"cooperative": "beta"},
        ("api-cooperative-client-requests", "post"): {"email": "winkel@example.org"},
        ("api-cooperative-client-request-decide", "post"): {"accept": False},
        ("api-client-invitation-decide", "post"): {"accept": True, "client": world.client_a.pk},
        ("api-jobs", "post"): {
            "cooperative": "alpha",
            "client": world.client_a.pk,
            "title": "Tuin",
            "category": "greening",
            "street": "Marshalllaan 1",
            "postcode": "3526 KL",
            "client_tariff": "30",
            "member_pay": "16",
        },
        ("api-job", "patch"): {"title": "Nieuwe titel"},
        ("api-job-status", "post"): {"status": "completed"},
        ("api-job-shifts", "post"): {
            "start": (world.base + timedelta(days=2, hours=9)).isoformat(),
            "end": (world.base + timedelta(days=2, hours=12)).isoformat(),
        },
        ("api-job-shifts-weekly", "post"): {
            "first_date": (world.base + timedelta(days=1)).date().isoformat(),
            "weekdays": [1],
            "start_time": "09:00",
            "end_time": "12:00",
            "weeks": 2,
        },
        ("api-shift", "patch"): {"slots": 6},
        ("api-shift-cancel", "post"): {"reason": "regen"},
        ("api-claims", "post"): {"shift": world.open_shift.pk},
        ("api-my-plan-claim", "post"): {"shifts": [world.open_shift.pk]},
        ("api-timesheet-correct", "post"): {"minutes_worked": 30, "reason": "fout"},
        ("api-offer-respond", "post"): {"accept": False},
        ("api-my-blocked-clients", "post"): {"client": world.client_a.pk},
        ("api-proposals", "post"): {"kind": "motion", "title": "Meer bankjes"},
        ("api-proxies", "post"): {"holder": world.auditor_a.pk},
        ("api-proposal-vote", "post"): {"choice": "yes"},
        ("api-proposal", "patch"): {"title": "Beter concept", "secret": True},
        ("api-cooperative-dispatch", "post"): {
            "period_start": world.base.date().isoformat(),
            "period_end": world.base.date().isoformat(),
        },
        ("api-claim-reject", "post"): {"reason": "vol"},
        ("api-claim-respond", "post"): {"accept": True},
        ("api-timesheets", "post"): {"claim": world.claim_past.pk, "minutes_worked": 120},
        ("api-timesheet-dispute", "post"): {"reason": "te veel"},
        ("api-timesheet-resolve", "post"): {"approve": True, "reason": "besproken"},
        ("api-stripe-settings", "patch"): {"connect_enabled": True},
        ("api-payment-refunds", "post"): {"amount": "1.00", "reason": "korting"},
        ("api-payout-item-return", "post"): {"reason": "IBAN onbekend"},
        ("api-credit-notes", "post"): {
            "invoice": world.open_invoice.pk,
            "amount": "1.00",
            "reason": "korting",
        },
        ("api-tenders", "post"): {
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
        ("api-tender-bids", "post"): {
            "cooperative": "alpha",
            "price": "5000.00",
            "hourly_tariff": "32.00",
            "member_pay": "17.00",
            "plan": "Met buren",
            "staffing_plan": [
                {"title": "Ronde", "weekdays": [1], "start": "09:00", "end": "12:00", "slots": 1}
            ],
        },
        ("api-tender-decision", "post"): {"bid": world.bid_submitted.pk, "reason": "Beste plan"},
        ("api-bid", "patch"): {"plan": "Nieuw plan"},
        ("api-bid-score", "post"): {"quality": "8", "social": "7"},
        ("api-challenges", "post"): {
            "cooperative": "alpha",
            "client": world.municipality.pk,
            "task": "Speeltuin beheren",
            "area": "Transwijk",
            "plan": "Buurtouders",
            "signatures": 120,
        },
        ("api-challenge-decision", "post"): {"decision": "accept", "note": "Goed plan"},
        ("api-challenge-consent", "post"): {"consent": True},
        ("api-contract-amendments", "post"): {"extra_budget": "1000.00", "reason": "Meer werk"},
        ("api-target-groups", "post"): {"user": world.member_a.pk, "group": "youth"},
        ("api-approval-reject", "post"): {"reason": "Toch niet"},
    }.get((name, method), {})


MATRIX: dict[tuple[str, str], set[str]] = {
    ("api-register", "post"): ALL,
    ("api-token", "post"): ALL,
    ("api-tokens", "get"): AUTHENTICATED,
    # Revoking a token by its key: only its owner; anyone else's key is simply not found.
    ("api-token-detail", "delete"): _set("member_a"),
    ("api-approvals", "get"): _set("board_a", "treasurer_a"),
    # The pending request was made by board_a, the only board member: nobody here may
    # approve it (staff do, in the admin); the requester may only withdraw it.
    ("api-approval-approve", "post"): _set(),
    ("api-approval-reject", "post"): _set("board_a"),
    ("api-cooperatives", "get"): ALL,
    ("api-cooperatives", "post"): _set("staff"),
    ("api-cooperative", "get"): ALL,
    ("api-cooperative", "patch"): _set("board_a"),
    ("api-cooperative-members", "get"): A_MEMBERS,
    ("api-applications", "get"): _set("board_a"),
    # Members of A already belong to A: their application is a 409, not a permission matter.
    ("api-applications", "post"): _set("member_b", "client_user", "staff"),
    ("api-cooperative-skills", "get"): AUTHENTICATED,
    ("api-cooperative-skills", "post"): _set("board_a"),
    ("api-membership-admit", "post"): _set("board_a"),
    ("api-membership-reject", "post"): _set("board_a"),
    ("api-membership-suspend", "post"): _set("board_a"),
    ("api-membership-reinstate", "post"): _set("board_a"),
    ("api-membership-leave", "post"): _set("member_a"),
    ("api-membership-roles", "patch"): _set("board_a"),
    ("api-membership-sensitive", "get"): _set("member_a", "treasurer_a"),
    ("api-me", "get"): AUTHENTICATED,
    ("api-my-profile", "get"): AUTHENTICATED,
    ("api-my-profile", "patch"): AUTHENTICATED,
    ("api-my-skills", "get"): AUTHENTICATED,
    ("api-my-skills", "post"): A_MEMBERS,
    ("api-my-skill", "delete"): _set("member_a"),
    ("api-my-availability", "get"): AUTHENTICATED,
    ("api-my-availability", "put"): AUTHENTICATED,
    ("api-my-availability-exceptions", "get"): AUTHENTICATED,
    ("api-my-availability-exceptions", "post"): AUTHENTICATED,
    ("api-my-availability-exception", "delete"): _set("member_a"),
    ("api-my-export", "get"): AUTHENTICATED,
    ("api-my-notifications", "get"): AUTHENTICATED,
    ("api-my-earnings", "get"): AUTHENTICATED,
    ("api-my-earning", "get"): _set("member_a"),
    ("api-timesheet-correct", "post"): _set("board_a", "treasurer_a"),
    ("api-invoices", "get"): _set("board_a", "treasurer_a"),
    ("api-invoices", "post"): _set("treasurer_a"),
    ("api-invoice-pdf", "get"): _set("board_a", "treasurer_a"),
    ("api-payments", "post"): _set("treasurer_a"),
    ("api-bank-statements", "post"): _set("treasurer_a"),
    ("api-payout-batches", "get"): _set("board_a", "treasurer_a"),
    ("api-payout-batches", "post"): _set("board_a", "treasurer_a"),
    ("api-payout-batch-approve", "post"): _set("board_a", "treasurer_a"),
    ("api-payout-batch-execute", "post"): _set(),  # nobody: it awaits a second approval
    # Payment files carry IBANs: the treasurer's only, every download logged.
    ("api-payout-batch-sepa", "get"): _set("treasurer_a"),
    ("api-payout-batch-payroll", "get"): _set("treasurer_a"),
    ("api-payments", "get"): _set("board_a", "treasurer_a"),
    ("api-payment-refunds", "post"): _set("treasurer_a"),
    ("api-payout-item-return", "post"): _set("board_a", "treasurer_a"),
    ("api-credit-notes", "get"): _set("board_a", "treasurer_a"),
    ("api-credit-notes", "post"): _set("treasurer_a"),
    ("api-credit-note-pdf", "get"): _set("board_a", "treasurer_a"),
    ("api-earnings-caps", "get"): _set("board_a", "treasurer_a"),
    ("api-money-settings", "get"): _set("board_a", "treasurer_a"),
    ("api-money-settings", "put"): _set("board_a"),
    ("api-my-notifications", "patch"): AUTHENTICATED,
    ("api-my-erase", "post"): AUTHENTICATED,
    ("api-invitation", "get"): ALL,
    ("api-invitation-accept", "post"): _set("member_b"),
    ("api-clients", "get"): AUTHENTICATED,
    ("api-clients", "post"): AUTHENTICATED,
    # The board and treasurer see a linked client's details; only its own admins change it.
    ("api-client", "get"): CLIENT_MANAGERS,
    ("api-client", "patch"): _set("client_user"),
    ("api-client-users", "get"): CLIENT_MANAGERS,
    ("api-client-users", "post"): _set("client_user"),
    ("api-client-cooperatives", "get"): _set("client_user"),
    ("api-client-cooperatives", "post"): _set("client_user"),
    ("api-cooperative-client-requests", "get"): _set("board_a"),
    ("api-cooperative-client-requests", "post"): _set("board_a"),
    ("api-cooperative-client-request-decide", "post"): _set("board_a"),
    ("api-client-request-withdraw", "post"): _set("client_user"),
    ("api-client-invitation", "get"): ALL,
    # Sent to the client user's address: they accept it for their own client.
    ("api-client-invitation-decide", "post"): _set("client_user"),
    ("api-jobs", "get"): AUTHENTICATED,
    ("api-jobs", "post"): JOB_MANAGERS,
    ("api-job", "get"): A_MEMBERS | {"client_user"},
    ("api-job", "patch"): JOB_MANAGERS,
    ("api-job-status", "post"): JOB_MANAGERS,
    ("api-job-shifts", "get"): A_MEMBERS | {"client_user"},
    ("api-job-shifts", "post"): JOB_MANAGERS,
    ("api-job-shifts-weekly", "post"): JOB_MANAGERS,
    ("api-shift", "get"): A_MEMBERS | {"client_user"},
    ("api-shift", "patch"): JOB_MANAGERS,
    ("api-shift-cancel", "post"): JOB_MANAGERS,
    ("api-shift-claims", "get"): JOB_MANAGERS,
    ("api-feed", "get"): AUTHENTICATED,
    ("api-claims", "get"): AUTHENTICATED,
    ("api-claims", "post"): A_MEMBERS,
    ("api-claim-withdraw", "post"): _set("member_a"),
    ("api-claim-confirm", "post"): JOB_MANAGERS,
    ("api-claim-reject", "post"): JOB_MANAGERS,
    ("api-claim-respond", "post"): _set("member_a"),
    ("api-claim-no-show", "post"): JOB_MANAGERS,
    ("api-timesheets", "get"): AUTHENTICATED,
    ("api-timesheets", "post"): _set("member_a"),
    ("api-timesheet-approve", "post"): JOB_MANAGERS,
    ("api-timesheet-dispute", "post"): JOB_MANAGERS,
    ("api-timesheet-resolve", "post"): _set("board_a"),
    ("api-cooperative-jobs", "get"): _set("board_a"),
    ("api-my-week", "get"): AUTHENTICATED,
    ("api-my-calendar", "get"): AUTHENTICATED,
    ("api-my-calendar", "post"): AUTHENTICATED,
    ("api-my-calendar", "delete"): AUTHENTICATED,
    ("api-my-plan", "get"): AUTHENTICATED,
    ("api-proposals", "get"): A_MEMBERS,
    ("api-proposals", "post"): A_MEMBERS,
    ("api-proxies", "post"): A_MEMBERS,
    ("api-proxy", "delete"): _set("member_a"),
    ("api-proposal", "get"): A_MEMBERS,
    ("api-proposal", "patch"): _set("board_a"),  # a draft: its proposer (the auditor) or the board
    ("api-proposal-open", "post"): _set("board_a"),
    ("api-proposal-cosign", "post"): A_MEMBERS,
    ("api-proposal-withdraw", "post"): _set("board_a"),
    ("api-proposal-vote", "post"): A_MEMBERS,
    ("api-proposal-simulation", "get"): A_MEMBERS,
    ("api-proposal-tally", "get"): _set(),  # the auditor's (not one of these roles)
    ("api-my-blocked-clients", "get"): AUTHENTICATED,
    ("api-my-blocked-clients", "post"): A_MEMBERS,
    ("api-my-blocked-client", "delete"): AUTHENTICATED,
    ("api-my-offers", "get"): AUTHENTICATED,
    ("api-offer-respond", "post"): _set("member_a"),
    ("api-cooperative-dispatch", "get"): _set("board_a"),
    ("api-cooperative-dispatch", "post"): _set("board_a"),
    ("api-my-plan-claim", "post"): A_MEMBERS,
    # Right to challenge. ``client_user`` is also a user of the municipality in this world.
    ("api-invoice-ubl", "get"): _set("board_a", "treasurer_a"),
    ("api-tenders", "get"): ALL,
    ("api-tenders", "post"): _set("client_user"),
    ("api-tender", "get"): ALL,
    ("api-tender-publish", "post"): _set("client_user"),
    ("api-tender-bids", "get"): AUTHENTICATED,  # each sees only the bids they may see
    ("api-tender-bids", "post"): _set("board_a"),
    ("api-tender-decision", "post"): _set("client_user"),
    ("api-bid", "get"): _set("board_a", "treasurer_a"),
    ("api-bid", "patch"): _set("board_a"),
    ("api-bid-capacity", "post"): _set("board_a"),
    ("api-bid-submit", "post"): _set("board_a"),
    ("api-bid-withdraw", "post"): _set("board_a"),
    ("api-bid-score", "post"): _set("client_user"),
    ("api-challenges", "get"): ALL,
    ("api-challenges", "post"): _set("board_a"),
    ("api-challenge", "get"): ALL,
    ("api-challenge-decision", "post"): _set("client_user"),
    ("api-challenge-consent", "post"): _set("board_a"),
    ("api-contracts", "get"): AUTHENTICATED,  # each sees only their own contracts
    ("api-contract", "get"): _set("board_a", "treasurer_a", "client_user"),
    ("api-contract-generate", "post"): _set("board_a", "client_user"),
    ("api-contract-amendments", "post"): _set("client_user"),
    ("api-contract-report", "get"): _set("board_a", "treasurer_a", "client_user"),
    ("api-target-groups", "get"): _set("board_a"),
    ("api-target-groups", "post"): _set("board_a"),
    ("api-stripe-settings", "get"): _set("board_a", "treasurer_a"),
    ("api-stripe-settings", "patch"): _set("board_a", "treasurer_a"),
    ("api-stripe-settings", "delete"): _set("board_a", "treasurer_a"),
    ("api-stripe-events", "get"): _set("board_a", "treasurer_a"),
    ("api-stripe-connect", "get"): A_MEMBERS,
    ("api-stripe-connect", "post"): A_MEMBERS,
    ("api-invoice-payment-link", "post"): _set("client_user", "board_a", "treasurer_a"),
}


def _api_endpoints() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith(
                "api/v1/"
            ):
                view_class = getattr(pattern.callback, "view_class", None)
                methods = [
                    m
                    for m in ("get", "post", "put", "patch", "delete")
                    if view_class and hasattr(view_class, m)
                ]
                for method in methods:
                    found.add((pattern.name, method))

    walk(get_resolver().url_patterns)
    return found


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

    with django_db_blocker.unblock(), fake_stripe_running():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build_full_world(build_world())
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
    """A job with a future shift and claims and timesheets in every state the endpoints act on."""
    from decimal import Decimal

    from jobs.models import Claim, Job, Timesheet
    from tests.factories.work import make_shift, place_member

    for user in (
        world.member_a,
        world.board_a,
        world.treasurer_a,
        world.member_b,
        world.client_user,
        world.staff,
    ):
        place_member(user)
    world.job = Job.objects.create(
        cooperative=world.coop_a,
        client=world.client_a,
        title="Tuin",
        category="greening",
        street="Marshalllaan 40",
        postcode="3526 GA",
        latitude=Decimal("52.076"),
        longitude=Decimal("5.092"),
        client_tariff=Decimal("30"),
        member_pay=Decimal("16"),
        status="open",
    )
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    world.base = today + timedelta(days=7)
    world.open_shift = make_shift(world.job, world.base + timedelta(days=1, hours=9), slots=5)
    from jobs.models import DispatchRun, Offer

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

    def claim(shift, status, **extra):
        return Claim.objects.create(
            shift=shift,
            user=world.member_a,
            status=status,
            start=shift.start,
            end=shift.end,
            **extra,
        )

    x = make_shift(world.job, world.base + timedelta(hours=9), slots=3)
    world.claim_x = claim(x, "claimed")
    y = make_shift(world.job, world.base + timedelta(hours=14), slots=3)
    world.claim_offered = claim(y, "offered", offer_expires_at=timezone.now() + timedelta(hours=6))
    past = [make_shift(world.job, today - timedelta(days=d, hours=-9), slots=2) for d in (1, 2, 3)]
    world.claim_past = claim(past[0], "confirmed")
    world.sheet_submitted = Timesheet.objects.create(
        claim=claim(past[1], "confirmed"), minutes_worked=150
    )
    approved = Timesheet.objects.create(
        claim=claim(make_shift(world.job, today - timedelta(days=4, hours=-9)), "completed"),
        minutes_worked=120,
        status="approved",
    )
    from payouts.services.rulesets import found_rule_set
    from payouts.services.settlement import settlement_run

    found_rule_set(cooperative=world.coop_a)
    settlement_run(timesheet_ids=[approved.pk])
    world.split_a = approved.splits.get()
    from payouts.services.invoices import invoice_issue

    world.invoice = invoice_issue(
        actor=world.treasurer_a,
        cooperative=world.coop_a,
        client=world.client_a,
        period_start=world.split_a.work_date,
        period_end=world.split_a.work_date,
    )
    world.uninvoiced = Timesheet.objects.create(
        claim=claim(make_shift(world.job, today - timedelta(days=5, hours=-9)), "completed"),
        minutes_worked=60,
        status="approved",
    )
    settlement_run(timesheet_ids=[world.uninvoiced.pk])
    from payouts.services.invoices import payment_record
    from payouts.services.payouts import payout_batch_create

    world.payment = payment_record(
        actor=None,
        cooperative=world.coop_a,
        invoice_number=world.invoice.display_number,
        amount=world.invoice.total_cents / 100,
        currency="EUR",
        received_on=today.date(),
    )
    world.batch = payout_batch_create(actor=world.treasurer_a, cooperative=world.coop_a)
    # More payable after that batch, for a new one.
    extra = Timesheet.objects.create(
        claim=claim(make_shift(world.job, today - timedelta(days=8, hours=-9)), "completed"),
        minutes_worked=60,
        status="approved",
    )
    settlement_run(timesheet_ids=[extra.pk])
    extra_invoice = invoice_issue(
        actor=world.treasurer_a,
        cooperative=world.coop_a,
        client=world.client_a,
        period_start=extra.splits.get().work_date,
        period_end=extra.splits.get().work_date,
        timesheet_ids=[extra.pk],
    )
    payment_record(
        actor=None,
        cooperative=world.coop_a,
        invoice_number=extra_invoice.display_number,
        amount=extra_invoice.total_cents / 100,
        currency="EUR",
        received_on=today.date(),
    )
    billed = Timesheet.objects.create(
        claim=claim(make_shift(world.job, today - timedelta(days=6, hours=-9)), "completed"),
        minutes_worked=60,
        status="approved",
    )
    settlement_run(timesheet_ids=[billed.pk])
    from members.services.governance import proposal_create, proposal_open, proxy_grant

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
    world.correctable = Timesheet.objects.create(
        claim=claim(make_shift(world.job, today - timedelta(days=9, hours=-9)), "completed"),
        minutes_worked=90,
        status="approved",
    )
    settlement_run(timesheet_ids=[world.correctable.pk])
    world.open_invoice = invoice_issue(
        actor=world.treasurer_a,
        cooperative=world.coop_a,
        client=world.client_a,
        period_start=billed.splits.get().work_date,
        period_end=billed.splits.get().work_date,
        timesheet_ids=[billed.pk],
    )

    _add_paid_payout(world)
    from decimal import Decimal as D

    from payouts.services.credit_notes import credit_note_issue

    world.credit_note = credit_note_issue(
        actor=world.treasurer_a, invoice=world.invoice, amount=D("1.00"), reason="korting"
    )
    world.sheet_disputed = Timesheet.objects.create(
        claim=claim(past[2], "confirmed"), minutes_worked=150, status="disputed", dispute_reason="?"
    )


def _add_paid_payout(world):
    """An executed batch with one small paid item, for the returned-payout endpoint."""
    from payouts.models import PayoutBatch, PayoutItem
    from payouts.services.ledger import AccountBook, Leg, post

    batch = PayoutBatch.objects.create(
        cooperative=world.coop_a, status="executed", execution_date=timezone.localdate()
    )
    world.paid_item = PayoutItem.objects.create(
        batch=batch, member=world.board_a, amount_cents=100, method="sepa", status="paid",
        idempotency_key=f"payout-test-{batch.pk}", iban="NL20INGB0001234567", paid_at=timezone.now(),
    )  # fmt: skip
    book = AccountBook(world.coop_a.pk)
    post(world.coop_a.pk, kind="payout", reference=f"payout-item:{world.paid_item.pk}", description="test",
         legs=[Leg(book.get("payable", world.board_a.pk), 100), Leg(book.get("bank"), -100)])  # fmt: skip


def _add_challenges(world):
    """A municipality (client_user is one of its users) with tenders, bids, challenges and a
    running contract in the states the right-to-challenge endpoints act on."""
    from jobs.challenges.models import Bid, Challenge, Tender
    from jobs.challenges.services.contracts import contract_from_bid
    from tests.factories import ClientUserFactory, MunicipalityFactory

    world.municipality = MunicipalityFactory(name="Gemeente", cooperatives=[world.coop_a])
    ClientUserFactory(client=world.municipality, user=world.client_user)
    now = timezone.now()
    start, end = (world.base + timedelta(days=1)).date(), (world.base + timedelta(days=60)).date()

    def tender(reference, status, deadline):
        return Tender.objects.create(
            client=world.municipality, reference=reference, title="Park", description="Park",
            category="green_maintenance", area="Zuid", street="Marshalllaan 40", postcode="3526 GA",
            latitude="52.076000", longitude="5.092000", period_start=start, period_end=end,
            budget_ceiling_cents=1_000_000, required_outcomes=["Schoon park"], weight_price=40,
            weight_quality=30, weight_social=30, submission_opens=now - timedelta(days=5),
            submission_deadline=deadline, decision_deadline=end, status=status,
        )  # fmt: skip

    world.tender_open = tender("T-OPEN", "open", now + timedelta(days=5))
    world.tender_draft = tender("T-DRAFT", "draft", now + timedelta(days=5))
    world.tender_closed = tender("T-CLOSED", "closed", now - timedelta(hours=1))
    tender_b = tender("T-B", "open", now + timedelta(days=5))
    plan = [{"title": "Ronde", "weekdays": [1, 3], "start": "09:00", "end": "12:00", "slots": 1,
             "skill": None}]  # fmt: skip

    def bid(on, status, **extra):
        return Bid.objects.create(
            tender=on, cooperative=world.coop_a, price_cents=500_000, hourly_tariff_cents=3200,
            member_pay_cents=1700, plan="Plan", staffing_plan=plan, status=status, **extra,
        )  # fmt: skip

    world.bid_draft = bid(tender_b, "draft", capacity={"coverage_percent": 100.0},
                          capacity_checked_at=now)  # fmt: skip
    world.bid_submitted = bid(world.tender_closed, "submitted", submitted_at=now)
    awarded_tender = tender("T-AWARDED", "awarded", now - timedelta(days=1))
    world.contract = contract_from_bid(actor=world.client_user, bid=bid(awarded_tender, "awarded"))

    def challenge(status, **extra):
        return Challenge.objects.create(
            cooperative=world.coop_a, client=world.municipality, task="Speeltuin", area="Zuid",
            plan="Plan", status=status, decision_deadline=end, **extra,
        )  # fmt: skip

    world.challenge = challenge("submitted")
    world.challenge_modified = challenge("modification_proposed", modification="Kleiner")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", sorted(MATRIX), ids=lambda e: f"{e[1].upper()} {e[0]}")
def test_matrix(db, full_world, endpoint, role):
    from django.urls import reverse

    name, method = endpoint
    user = getattr(full_world, role) if role != "anonymous" else None
    client = api_as(user)
    url = reverse(name, kwargs=_kwargs_for(name, full_world))
    payload = _payload(name, method, full_world, user)
    if name == "api-bank-statements":
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
    else:
        assert response.status_code in (401, 403, 404, 409), (
            role,
            endpoint,
            response.status_code,
            getattr(response, "data", None),
        )
        if response.status_code == 409:
            assert name == "api-applications", (
                "409 only stands in for 'denied' where membership already exists"
            )
