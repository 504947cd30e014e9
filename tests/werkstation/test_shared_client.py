"""A client shared by two cooperatives: each sees and manages only its own relationship.

Cooperative B's board tries, over HTTP, everything an outside review tried: linking a
client without consent, changing the client's billing e-mail, inviting itself as a client
user, reading A's members on claims, rejecting a claim, setting an A job's pay to €1,
cancelling it, and (as the municipality) reading A's contract report, amending A's
contract and reading A's awarded bid. Each object kind the shared client touches is tried.
"""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client

from jobs.models import Claim, ClientCooperative, ClientLinkRequest, ClientUser, Job
from members.models import Invitation
from tests.factories.api import api_as, login_verified
from tests.factories.jobs import JobFactory, ShiftFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _web(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


def test_a_client_links_to_another_cooperative_only_when_its_board_accepts(
    tenancy, django_capture_on_commit_callbacks
):
    t = tenancy
    solo = t.client_a  # works with A only; its admin asks B
    admin = api_as(t.client_a_user)
    with django_capture_on_commit_callbacks(execute=True):
        asked = admin.post(f"/api/v1/clients/{solo.pk}/cooperatives/", {"cooperative": "beta"})
    assert asked.status_code == 201
    assert asked.data["status"] == "open"
    assert not ClientCooperative.objects.filter(client=solo, cooperative=t.coop_b).exists()
    assert any(t.board_b.email in m.to for m in mail.outbox)
    # Until B's board accepts, B sees nothing of the client, and cannot post work for it.
    board_b = api_as(t.board_b)
    assert board_b.get(f"/api/v1/clients/{solo.pk}/").status_code == 404
    assert solo.name not in json.dumps(board_b.get("/api/v1/clients/").data)
    post = board_b.post(
        "/api/v1/jobs/",
        {
            "cooperative": "beta",
            "client": solo.pk,
            "title": "x",
            "category": "greening",
            "street": "Marshalllaan 1",
            "postcode": "3526 KL",
            "client_tariff": "30",
            "latitude": "52.07",
            "longitude": "5.09",
        },
        format="json",
    )
    assert post.status_code == 400
    assert post.data["error"]["field"] == "client"
    # The request shows on B's page, with what the board needs to decide.
    page = _web(t.board_b).get("/c/beta/clients/").content.decode()
    assert solo.name in page
    assert solo.kvk_number in page
    request_id = asked.data["id"]
    # Another board cannot decide B's requests; B's board can.
    assert (
        api_as(t.board_a)
        .post(f"/api/v1/cooperatives/beta/client-requests/{request_id}/decide/", {"accept": True})
        .status_code
        == 404
    )
    accepted = board_b.post(
        f"/api/v1/cooperatives/beta/client-requests/{request_id}/decide/", {"accept": True}
    )
    assert accepted.status_code == 200
    assert accepted.data["status"] == "accepted"
    assert ClientCooperative.objects.filter(client=solo, cooperative=t.coop_b).exists()
    # B now sees the client, but only its own relationship with it.
    seen = board_b.get(f"/api/v1/clients/{solo.pk}/").data
    assert seen["cooperatives"] == ["beta"]
    assert admin.get(f"/api/v1/clients/{solo.pk}/").data["cooperatives"] == ["alpha", "beta"]


def test_a_board_invites_and_the_clients_admin_accepts(tenancy, django_capture_on_commit_callbacks):
    t = tenancy
    board_b = api_as(t.board_b)
    with django_capture_on_commit_callbacks(execute=True):
        sent = board_b.post(
            "/api/v1/cooperatives/beta/client-requests/",
            {"email": t.client_a_user.email, "organisation": "Alleen Alpha", "message": "Welkom!"},
        )
    assert sent.status_code == 201
    invitation = ClientLinkRequest.objects.get(pk=sent.data["id"])
    assert any(invitation.token in m.body for m in mail.outbox)
    # Someone else with the link cannot answer it, nor accept it for a client they run.
    other = api_as(t.shared_user).post(
        f"/api/v1/client-invitations/{invitation.token}/decide/",
        {"accept": True, "client": t.shared.pk},
    )
    assert other.status_code == 403
    # The invited admin accepts for their own client, through the page.
    web = _web(t.client_a_user)
    page = web.get(f"/clients/link-invitations/{invitation.token}/").content.decode()
    assert "Welkom!" in page
    assert t.client_a.name in page
    done = web.post(
        f"/clients/link-invitations/{invitation.token}/",
        {"action": "accept", "client": t.client_a.pk},
    )
    assert done.status_code == 302
    assert ClientCooperative.objects.filter(client=t.client_a, cooperative=t.coop_b).exists()
    assert board_b.get(f"/api/v1/clients/{t.client_a.pk}/").status_code == 200


def test_the_board_of_b_never_edits_the_shared_client_or_its_users(tenancy):
    t = tenancy
    board_b = api_as(t.board_b)
    before = t.shared.billing_email
    patched = board_b.patch(f"/api/v1/clients/{t.shared.pk}/", {"billing_email": "b@evil.org"})
    assert patched.status_code == 403
    invited = board_b.post(f"/api/v1/clients/{t.shared.pk}/users/", {"email": t.board_b.email})
    assert invited.status_code == 403
    linked = board_b.post(f"/api/v1/clients/{t.shared.pk}/cooperatives/", {"cooperative": "beta"})
    assert linked.status_code == 403
    # Nor through the page, which offers no form to it.
    web = _web(t.board_b)
    page = web.get(f"/clients/{t.shared.pk}/").content.decode()
    assert 'name="billing_email"' not in page
    assert 'value="invite"' not in page
    web.post(f"/clients/{t.shared.pk}/", {"billing_email": "b@evil.org", "name": "x"})
    web.post(f"/clients/{t.shared.pk}/", {"action": "invite", "email": t.board_b.email})
    t.shared.refresh_from_db()
    assert t.shared.billing_email == before
    assert not ClientUser.objects.filter(client=t.shared, user=t.board_b).exists()
    assert not Invitation.objects.filter(kind="client_user", email=t.board_b.email).exists()
    # The client's own admin may.
    ok = api_as(t.shared_user).patch(f"/api/v1/clients/{t.shared.pk}/", {"billing_city": "Zeist"})
    assert ok.status_code == 200


@pytest.mark.parametrize("who", ["board_b", "treasurer_b", "member_b"])
def test_b_cannot_reach_as_work_for_the_shared_client(tenancy, who):
    """Jobs, shifts, claims and timesheets of A, through the API and the pages."""
    t = tenancy
    user = getattr(t, who)
    api, web = api_as(user), _web(user)
    job, shift, claim, sheet = t.job_a, t.shift_a, t.claim_a, t.timesheet_a
    assert api.get(f"/api/v1/jobs/{job.pk}/").status_code == 404
    assert api.patch(f"/api/v1/jobs/{job.pk}/", {"client_tariff": "1.00"}).status_code == 404
    assert api.post(f"/api/v1/jobs/{job.pk}/status/", {"status": "cancelled"}).status_code == 404
    assert api.get(f"/api/v1/shifts/{shift.pk}/claims/").status_code == 404
    assert api.post(f"/api/v1/shifts/{shift.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert api.post("/api/v1/claims/", {"shift": shift.pk}).status_code == 404
    assert api.post(f"/api/v1/claims/{claim.pk}/reject/", {"reason": "x"}).status_code == 404
    assert api.post(f"/api/v1/timesheets/{sheet.pk}/approve/").status_code == 404
    listed = json.dumps(
        [api.get(u).data for u in ("/api/v1/jobs/", "/api/v1/timesheets/", "/api/v1/claims/")],
        default=str,
    )
    assert job.title not in listed
    assert t.member_a.full_name not in listed
    for path in (f"/work/jobs/{job.pk}/", f"/work/shifts/{shift.pk}/"):
        assert web.get(path).status_code == 404
    assert web.post(f"/work/shifts/{shift.pk}/claim/").status_code == 404
    assert web.post(f"/work/claims/{claim.pk}/reject/", {"reason": "x"}).status_code == 404
    assert web.post(f"/work/timesheets/{sheet.pk}/approve/").status_code == 404
    job.refresh_from_db()
    claim.refresh_from_db()
    assert job.client_tariff.amount > 1
    assert job.status == Job.Status.OPEN
    assert claim.status == Claim.Status.CLAIMED


def test_b_cannot_reach_as_invoices_of_the_shared_client(tenancy):
    t = tenancy
    for user in (t.board_b, t.treasurer_b):
        api, web = api_as(user), _web(user)
        assert (
            api.get(f"/api/v1/cooperatives/alpha/invoices/{t.invoice_a.pk}/pdf/").status_code == 404
        )
        assert (
            api.get(f"/api/v1/cooperatives/beta/invoices/{t.invoice_a.pk}/pdf/").status_code == 404
        )
        assert api.post(f"/api/v1/invoices/{t.invoice_a.pk}/payment-link/").status_code == 404
        assert web.get(f"/c/alpha/treasury/invoices/{t.invoice_a.pk}/").status_code == 404
        assert web.get(f"/c/beta/treasury/invoices/{t.invoice_a.pk}/").status_code == 404
        assert web.get(f"/invoices/{t.invoice_a.pk}/").status_code == 404
        listed = {
            row["id"] for row in api.get("/api/v1/cooperatives/beta/invoices/").data["results"]
        }
        assert t.invoice_b.pk in listed
        assert t.invoice_a.pk not in listed
    # The shared client sees its invoices of both cooperatives.
    page = _web(t.shared_user).get("/invoices/").content.decode()
    assert "Coop Alpha" in page
    assert "Coop Beta" in page


def test_b_cannot_reach_as_contract_or_bid_even_as_the_municipality(tenancy):
    t = tenancy
    board_b = api_as(t.board_b)
    # B's board cannot make itself a user of the municipality...
    assert (
        board_b.post(
            f"/api/v1/clients/{t.municipality.pk}/users/", {"email": t.board_b.email}
        ).status_code
        == 403
    )
    # ...so A's contract, its report, an amendment and A's awarded bid stay out of reach.
    assert board_b.get(f"/api/v1/contracts/{t.contract_a.pk}/").status_code == 404
    assert board_b.get(f"/api/v1/contracts/{t.contract_a.pk}/report/").status_code == 404
    amend = board_b.post(
        f"/api/v1/contracts/{t.contract_a.pk}/amendments/", {"extra_budget": "1", "reason": "x"}
    )
    assert amend.status_code == 404
    assert board_b.get(f"/api/v1/bids/{t.bid_a_awarded.pk}/").status_code == 404
    assert board_b.get(f"/api/v1/bids/{t.bid_a.pk}/").status_code == 404
    web = _web(t.board_b)
    for path in (
        f"/right-to-challenge/contracts/{t.contract_a.pk}/",
        f"/right-to-challenge/contracts/{t.contract_a.pk}/report/",
        f"/right-to-challenge/bids/{t.bid_a_awarded.pk}/",
    ):
        assert web.get(path).status_code == 404
    # The tender page names the contract but links it only for those who may open it.
    tender = web.get(f"/right-to-challenge/tenders/{t.tender_awarded.pk}/").content.decode()
    assert t.contract_a.reference in tender
    assert f"/right-to-challenge/contracts/{t.contract_a.pk}/" not in tender
    own = (
        _web(t.board_a).get(f"/right-to-challenge/tenders/{t.tender_awarded.pk}/").content.decode()
    )
    assert f"/right-to-challenge/contracts/{t.contract_a.pk}/" in own


def test_the_shared_client_manages_its_work_with_both(tenancy):
    t = tenancy
    api = api_as(t.shared_user)
    titles = {job["title"] for job in api.get("/api/v1/jobs/").data["results"]}
    assert {"Tuin A", "Tuin B"} <= titles
    # A's board sees A's side only.
    board_titles = {job["title"] for job in api_as(t.board_a).get("/api/v1/jobs/").data["results"]}
    assert "Tuin A" in board_titles
    assert "Tuin B" not in board_titles
    extra = JobFactory(cooperative=t.coop_b, client=t.shared, title="Tuin B2")
    ShiftFactory(job=extra)
    assert api_as(t.board_a).get(f"/api/v1/jobs/{extra.pk}/").status_code == 404


def test_municipality_publishes_only_once_verified_and_the_register_says_so(tenancy):
    from jobs.challenges.models import Tender
    from jobs.models import Client as ClientModel
    from tests.factories import UserFactory
    from tests.factories.challenges import TenderFactory

    # Anyone may register an organisation as a municipality...
    fake_user = UserFactory(email="nep@example.org")
    created = api_as(fake_user).post(
        "/api/v1/clients/",
        {
            "kind": "municipality",
            "name": "Gemeente Nep",
            "kvk_number": "12345670",
            "billing_email": "nep@example.org",
        },
    )
    assert created.status_code == 201
    assert created.data["verified"] is False
    fake = ClientModel.objects.get(pk=created.data["id"])
    draft = TenderFactory(client=fake, status=Tender.Status.DRAFT)
    # ...but no tender goes out under its name until platform staff verified it.
    refused = api_as(fake_user).post(f"/api/v1/tenders/{draft.pk}/publish/")
    assert refused.status_code == 403
    assert refused.data["error"]["code"] == "municipality_not_verified"
    draft.refresh_from_db()
    assert draft.status == Tender.Status.DRAFT
    register = Client().get("/right-to-challenge/").content.decode()
    assert "Gemeente Utrecht" in register
    assert "geverifieerd" in register
    # Staff verify it with the admin action (the same service).
    operator = UserFactory(email="beheer@example.org", is_staff=True, is_superuser=True)
    admin = _web(operator)
    response = admin.post(
        "/admin/jobs/client/", {"action": "verify", "_selected_action": [fake.pk]}, follow=True
    )
    assert response.status_code == 200
    fake.refresh_from_db()
    assert fake.verified_at is not None
    assert fake.verified_by == operator
    assert api_as(fake_user).post(f"/api/v1/tenders/{draft.pk}/publish/").status_code == 200


def test_client_lists_take_a_fixed_number_of_queries(tenancy, django_assert_max_num_queries):
    from tests.factories import ClientFactory, ClientUserFactory

    t = tenancy
    for n in range(6):
        extra = ClientFactory(name=f"Extra {n}", cooperatives=[t.coop_a, t.coop_b])
        ClientUserFactory(client=extra, user=t.shared_user)
        ClientLinkRequest.objects.create(
            direction="client", cooperative=t.coop_a, client=ClientFactory(name=f"Vraag {n}")
        )
    for user in (t.board_a, t.shared_user):
        api = api_as(user)
        api.get("/api/v1/clients/")  # warm the session and token lookups
        with django_assert_max_num_queries(7):
            rows = api.get("/api/v1/clients/").data["results"]
        assert len(rows) >= 7
    web = _web(t.board_a)
    web.get("/c/alpha/clients/")
    with django_assert_max_num_queries(9):
        page = web.get("/c/alpha/clients/").content.decode()
    assert "Vraag 5" in page
    assert "Extra 5" in page
