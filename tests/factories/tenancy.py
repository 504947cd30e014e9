"""Two cooperatives and a shared client: the world the tenancy tests and the page matrix act on.

Cooperative A ("alpha") and cooperative B ("beta") both work with one client ("shared")
and with one verified municipality. Each has members, a board and a treasurer; A also an
auditor and an applicant. Every object kind a client touches exists on both sides: jobs,
shifts, claims, timesheets, an invoice, a tender with bids, a contract, a challenge, link
requests. ``build_tenancy`` uses the factories below and, where a row only comes out of a
service (settlement, invoices, contracts), the service itself.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from jobs.models import ClientLinkRequest
from members.models import Profile
from tests.factories.work import ensure_founded

from . import (
    ClientFactory,
    ClientUserFactory,
    CooperativeFactory,
    MembershipFactory,
    MunicipalityFactory,
    SkillFactory,
    UserFactory,
)
from .challenges import BidFactory, ChallengeFactory, TenderFactory
from .jobs import ClaimFactory, JobFactory, ShiftFactory, TimesheetFactory
from .payouts import InvoiceFactory, PayoutItemFactory, SelfBillingInvoiceFactory
from .work import place_member


def _member(coop, email, **roles):
    return MembershipFactory(cooperative=coop, user=UserFactory(email=email), **roles).user


def build_tenancy() -> SimpleNamespace:
    """The world; every name below is an attribute of the returned namespace."""
    from jobs.challenges.services.contracts import contract_from_bid

    t = SimpleNamespace()
    t.coop_a = CooperativeFactory(slug="alpha", name="Coop Alpha", iban="NL91ABNA0417164300")
    t.coop_b = CooperativeFactory(slug="beta", name="Coop Beta", iban="NL20INGB0001234567")
    t.member_a = _member(t.coop_a, "member-a@example.org")
    t.board_a = _member(t.coop_a, "board-a@example.org", is_board=True)
    t.treasurer_a = _member(t.coop_a, "treasurer-a@example.org", is_treasurer=True)
    t.auditor_a = _member(t.coop_a, "auditor-a@example.org", is_auditor=True)
    t.member_b = _member(t.coop_b, "member-b@example.org")
    t.board_b = _member(t.coop_b, "board-b@example.org", is_board=True)
    t.treasurer_b = _member(t.coop_b, "treasurer-b@example.org", is_treasurer=True)
    t.applicant_a = MembershipFactory(
        cooperative=t.coop_a,
        status="applied",
        member_number=None,
        user=UserFactory(email="applicant-a@example.org"),
        motivation="Ik wil graag tuinieren.",
    ).user
    t.staff = UserFactory(email="staff@example.org", is_staff=True)
    t.skill_a = SkillFactory(cooperative=t.coop_a, slug="groen", name="Groen")
    for user in (t.member_a, t.board_a, t.treasurer_a, t.member_b, t.board_b):
        place_member(user)
    Profile.objects.filter(user=t.member_a).update(
        iban="NL02ABNA0123456789", account_holder="Lid A", earnings_cap_reason="bijstand"
    )

    # Clients: one of each cooperative, one shared by both, and a verified municipality.
    t.client_a = ClientFactory(name="Alleen Alpha", cooperatives=[t.coop_a])
    t.client_a_user = ClientUserFactory(
        client=t.client_a, user=UserFactory(email="klant-a@example.org")
    ).user
    t.client_b = ClientFactory(name="Alleen Beta", cooperatives=[t.coop_b])
    t.client_b_user = ClientUserFactory(
        client=t.client_b, user=UserFactory(email="klant-b@example.org")
    ).user
    t.shared = ClientFactory(name="Gedeelde Klant", cooperatives=[t.coop_a, t.coop_b])
    t.shared_user = ClientUserFactory(
        client=t.shared, user=UserFactory(email="gedeeld@example.org")
    ).user
    t.municipality = MunicipalityFactory(name="Gemeente Utrecht", cooperatives=[t.coop_a, t.coop_b])
    t.muni_user = ClientUserFactory(
        client=t.municipality, user=UserFactory(email="gemeente@example.org")
    ).user

    # Work of the shared client on both sides.
    t.job_a = JobFactory(cooperative=t.coop_a, client=t.shared, title="Tuin A")
    t.job_b = JobFactory(cooperative=t.coop_b, client=t.shared, title="Tuin B")
    t.job_a_own = JobFactory(cooperative=t.coop_a, client=t.client_a, title="Eigen klus A")
    base = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    t.shift_a = ShiftFactory(job=t.job_a, start=base + timedelta(days=8))
    t.shift_b = ShiftFactory(job=t.job_b, start=base + timedelta(days=8))
    t.claim_a = ClaimFactory(shift=t.shift_a, user=t.member_a)
    t.claim_b = ClaimFactory(shift=t.shift_b, user=t.member_b)
    t.timesheet_a = TimesheetFactory(
        claim__shift__job=t.job_a, claim__shift__days_ago=3, claim__user=t.member_a
    )
    t.timesheet_b = TimesheetFactory(
        claim__shift__job=t.job_b, claim__shift__days_ago=3, claim__user=t.member_b
    )

    # Money on both sides: settled, invoiced work for the shared client.
    for coop, user, job, label in (
        (t.coop_a, t.member_a, t.job_a, "a"),
        (t.coop_b, t.member_b, t.job_b, "b"),
    ):
        setattr(t, f"rule_set_{label}", ensure_founded(coop))
        sheet = TimesheetFactory(
            settled=True, claim__shift__job=job, claim__shift__days_ago=5, claim__user=user
        )
        treasurer = t.treasurer_a if label == "a" else t.treasurer_b
        invoice = InvoiceFactory(timesheets=[sheet], actor=treasurer, client=t.shared)
        setattr(t, f"approved_{label}", sheet)
        setattr(t, f"invoice_{label}", invoice)
    t.split_a = t.approved_a.splits.get()

    # The municipality: an awarded tender with A's contract, an open one with both bids.
    awarded = TenderFactory(client=t.municipality, awarded=True)
    t.bid_a_awarded = BidFactory(tender=awarded, cooperative=t.coop_a, awarded=True)
    t.contract_a = contract_from_bid(actor=t.muni_user, bid=t.bid_a_awarded)
    t.tender_awarded = awarded
    t.tender_open = TenderFactory(client=t.municipality)
    t.bid_a = BidFactory(tender=t.tender_open, cooperative=t.coop_a)
    t.bid_b = BidFactory(tender=t.tender_open, cooperative=t.coop_b)
    t.challenge_a = ChallengeFactory(cooperative=t.coop_a, client=t.municipality)

    _add_member_things(t, base)

    # A request to link, and an invitation, both still open.
    t.asking = ClientFactory(name="Wil Alpha")
    ClientUserFactory(client=t.asking, user=t.client_b_user)
    t.link_request = ClientLinkRequest.objects.create(
        direction="client", cooperative=t.coop_a, client=t.asking, created_by=t.client_b_user
    )
    t.link_invitation = ClientLinkRequest.objects.create(
        direction="cooperative",
        cooperative=t.coop_a,
        email="nieuw@example.org",
        organisation="Nieuwe Winkel",
        created_by=t.board_a,
    )
    return t


def _add_member_things(t, base) -> None:
    """What a member of A holds: a skill, an exception, a calendar link, an offer, a vote;
    and what A's books hold: a credit note, a draft batch, a paid payout item."""
    from jobs.models import CalendarFeed, DispatchRun, Offer
    from members.models import AvailabilityException, Invitation, MemberSkill
    from members.services.governance import proposal_create, proposal_open
    from payouts.models import PayoutBatch
    from payouts.services.credit_notes import credit_note_issue

    t.member_skill_a = MemberSkill.objects.create(user=t.member_a, skill=t.skill_a)
    t.exception_a = AvailabilityException.objects.create(
        user=t.member_a, date=timezone.localdate() + timedelta(days=20)
    )
    t.calendar_a = CalendarFeed.objects.create(user=t.member_a, token="kalender-van-lid-a")
    run = DispatchRun.objects.create(
        cooperative=t.coop_a, period_start=base.date(), period_end=base.date()
    )
    offered = ShiftFactory(job=t.job_a, start=base + timedelta(days=9))
    t.offer_a = Offer.objects.create(
        run=run,
        shift=offered,
        user=t.member_a,
        reason="past bij je week",
        deadline=timezone.now() + timedelta(hours=6),
    )
    t.board_invitation = Invitation.objects.create(
        kind="board",
        email="nieuw-bestuur@example.org",
        cooperative=t.coop_a,
        expires_at=timezone.now() + timedelta(days=3),
    )
    t.proposal_a = proposal_open(
        actor=t.board_a,
        proposal=proposal_create(
            actor=t.board_a, cooperative=t.coop_a, kind="motion", title="Meer bankjes", secret=True
        ),
    )
    t.credit_note_a = credit_note_issue(
        actor=t.treasurer_a, invoice=t.invoice_a, amount=Decimal("1.00"), reason="korting"
    )
    t.batch_a = PayoutBatch.objects.create(
        cooperative=t.coop_a, status="draft", execution_date=timezone.localdate()
    )
    t.self_billing_a = SelfBillingInvoiceFactory(
        cooperative=t.coop_a,
        member=t.member_a,
        issued_on=timezone.localdate(),
        period_start=t.split_a.work_date.replace(day=1),
        period_end=t.split_a.work_date,
        subtotal_cents=t.split_a.member_cents,
        split=t.split_a,
    )
    t.paid_item_a = PayoutItemFactory(
        paid=True,
        booked=True,
        batch__cooperative=t.coop_a,
        batch__sepa_xml="<Document/>",
        member=t.member_a,
        iban="NL02ABNA0123456789",
    )
    t.paid_batch_a = t.paid_item_a.batch
    _add_sign_in(t)


def _add_sign_in(t) -> None:
    """A pending four-eyes request in A (asked by its board) and a set-up link of member A."""
    from members.services.memberships import membership_set_roles
    from members.services.two_factor import two_factor_link_send

    membership_set_roles(
        actor=t.board_a,
        membership=t.member_a.memberships.get(cooperative=t.coop_a),
        is_auditor=True,
    )
    t.approval_a = t.coop_a.second_approvals.get(status="pending")
    link = two_factor_link_send(user=t.member_a, reason="test", actor=t.staff)
    # The plain token is only in the e-mail; the world keeps a fresh one whose digest it sets.
    import hashlib
    import secrets

    t.enrolment_token = secrets.token_urlsafe(16)
    link.digest = hashlib.sha256(t.enrolment_token.encode()).hexdigest()
    link.save(update_fields=["digest"])
