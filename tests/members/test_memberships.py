import pytest
from django.core import mail

from members.models import Membership
from tests.conftest import api_as, row_counts
from tests.factories import MembershipFactory
from tests.factories.api import login_verified
from werkstation.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=False)


def test_apply_admit_gives_next_member_number_and_mails(world, django_capture_on_commit_callbacks):
    newcomer = api_as(world.member_b)
    response = newcomer.post(
        "/api/v1/cooperatives/alpha/applications/", {"motivation": "Ik help graag"}
    )
    assert response.status_code == 201, response.data
    assert response.data["status"] == "applied"
    highest = max(m.member_number or 0 for m in Membership.objects.filter(cooperative=world.coop_a))

    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(world.board_a).post(f"/api/v1/memberships/{response.data['id']}/admit/")
    assert response.status_code == 200, response.data
    assert response.data["status"] == "active"
    assert response.data["member_number"] == highest + 1
    assert any("member-b@example.org" in m.to for m in mail.outbox)
    assert AuditEntry.objects.filter(action="membership.admitted").exists()
    # One user, two cooperatives.
    assert set(world.member_b.memberships.values_list("cooperative__slug", flat=True)) == {
        "alpha",
        "beta",
    }


def test_duplicate_application_is_refused_and_writes_nothing(world):
    client = api_as(world.applicant_a)
    before = row_counts(Membership, AuditEntry)
    response = client.post("/api/v1/cooperatives/alpha/applications/", {})
    assert response.status_code == 409
    assert response.data["error"]["code"] == "duplicate_application"
    assert response.data["error"]["field"] == "cooperative"
    assert row_counts(Membership, AuditEntry) == before


def test_admission_by_non_board_member_is_refused_and_writes_nothing(world):
    applicant = world.membership(world.applicant_a)
    before = row_counts(Membership, AuditEntry)
    response = api_as(world.member_a).post(f"/api/v1/memberships/{applicant.pk}/admit/")
    assert response.status_code == 403
    assert response.data["error"]["code"] == "role_required"
    applicant.refresh_from_db()
    assert applicant.status == "applied"
    assert row_counts(Membership, AuditEntry) == before


def test_reject_needs_reason_and_records_it(world):
    applicant = world.membership(world.applicant_a)
    board = api_as(world.board_a)
    response = board.post(f"/api/v1/memberships/{applicant.pk}/reject/", {"reason": ""})
    assert response.status_code == 400
    assert response.data["error"]["field"] == "reason"
    response = board.post(
        f"/api/v1/memberships/{applicant.pk}/reject/", {"reason": "Woont buiten het gebied"}
    )
    assert response.status_code == 200
    applicant.refresh_from_db()
    assert (applicant.status, applicant.status_reason) == ("rejected", "Woont buiten het gebied")
    # A rejected person may apply again later.
    assert (
        api_as(world.applicant_a).post("/api/v1/cooperatives/alpha/applications/", {}).status_code
        == 201
    )


def test_suspend_reinstate_and_leave(world):
    member = world.membership(world.member_a)
    board = api_as(world.board_a)
    assert (
        board.post(
            f"/api/v1/memberships/{member.pk}/suspend/", {"reason": "afspraak niet nagekomen"}
        ).status_code
        == 200
    )
    member.refresh_from_db()
    assert member.status == "suspended"
    # A suspended member no longer sees the member list.
    assert api_as(world.member_a).get("/api/v1/cooperatives/alpha/members/").status_code == 403
    assert board.post(f"/api/v1/memberships/{member.pk}/reinstate/").status_code == 200
    response = api_as(world.member_a).post(f"/api/v1/memberships/{member.pk}/leave/")
    assert response.status_code == 200
    assert response.data["status"] == "left"


def test_board_sets_roles_but_keeps_one_board_member(world):
    member = world.membership(world.member_a)
    board = api_as(world.board_a)
    own = world.membership(world.board_a)
    response = board.patch(f"/api/v1/memberships/{own.pk}/roles/", {"is_board": False})
    assert response.status_code == 409
    assert response.data["error"]["code"] == "last_board"
    response = board.patch(
        f"/api/v1/memberships/{member.pk}/roles/", {"is_treasurer": True, "engagement": "volunteer"}
    )
    # The engagement changes at once; the treasurer role waits for a second board member.
    assert response.status_code == 202
    assert "treasurer" not in response.data["roles"]
    assert response.data["engagement"] == "volunteer"
    assert response.data["pending_roles"] == ["treasurer"]
    second = MembershipFactory(cooperative=world.coop_a, is_board=True).user
    approval = api_as(second).get("/api/v1/cooperatives/alpha/approvals/").data["results"][0]
    assert approval["may_decide"]
    assert approval["status"] == "pending"
    assert api_as(second).post(f"/api/v1/approvals/{approval['id']}/approve/").status_code == 200
    member.refresh_from_db()
    assert member.is_treasurer


def test_member_numbers_are_unique_per_cooperative(world):
    numbers = list(
        Membership.objects.filter(
            cooperative=world.coop_a, member_number__isnull=False
        ).values_list("member_number", flat=True)
    )
    assert len(numbers) == len(set(numbers))


def test_staff_creates_cooperative_and_invites_first_board(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(world.staff).post(
            "/api/v1/cooperatives/",
            {
                "name": "Wijk Zuid",
                "legal_name": "Wijk Zuid U.A.",
                "kvk_number": "12345678",
                "board_emails": ["voorzitter@example.org"],
            },
        )
    assert response.status_code == 201, response.data
    assert any("voorzitter@example.org" in m.to for m in mail.outbox)
    invitation_mail = next(m for m in mail.outbox if "voorzitter@example.org" in m.to)
    token = invitation_mail.body.split("/invitations/")[1].split("/")[0]
    from tests.factories import UserFactory

    chair = UserFactory(email="voorzitter@example.org")
    assert api_as(chair).post(f"/api/v1/invitations/{token}/accept/").status_code == 200
    membership = chair.memberships.get(cooperative__slug="wijk-zuid")
    assert membership.is_board
    assert membership.status == "active"
    assert membership.member_number == 1
    # The invitation works once.
    assert api_as(chair).post(f"/api/v1/invitations/{token}/accept/").status_code == 404


def test_non_staff_cannot_create_cooperative(world):
    from members.models import Cooperative

    before = Cooperative.objects.count()
    response = api_as(world.board_a).post(
        "/api/v1/cooperatives/", {"name": "X", "legal_name": "X", "kvk_number": "12345678"}
    )
    assert response.status_code == 403
    assert Cooperative.objects.count() == before


def test_staff_creates_cooperative_in_the_admin_through_the_service(client, world):
    world.staff.is_superuser = True
    world.staff.save()
    login_verified(client, world.staff)
    response = client.post(
        "/admin/members/cooperative/add/",
        {
            "name": "Wijk Oost",
            "slug": "wijk-oost",
            "legal_name": "Wijk Oost U.A.",
            "kvk_number": "12345670",
            "founded_on": "2026-01-01",
            "currency": "EUR",
            "vat_rate": "21",
            "quorum_percent": 30,
            "voting_days": 14,
            "max_proxies_per_member": 2,
            "cosigners_required": 5,
            "claim_withdrawal_hours": 24,
            "timesheet_auto_approve_days": 7,
            "area_postcodes": '["3584"]',
            "board_emails": "oost@example.org",
            "skills-TOTAL_FORMS": 0,
            "skills-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content[:2000]
    from members.models import Invitation

    assert Invitation.objects.filter(
        kind="board", email="oost@example.org", cooperative__slug="wijk-oost"
    ).exists()
    assert AuditEntry.objects.filter(action="cooperative.created").exists()


def test_member_list_query_count_is_constant(world, django_assert_max_num_queries):
    from tests.factories import MembershipFactory

    for _ in range(10):
        MembershipFactory(cooperative=world.coop_a)
    client = api_as(world.member_a)
    client.get("/api/v1/cooperatives/alpha/members/")  # warm the token lookup path
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/cooperatives/alpha/members/")
    assert len(response.data["results"]) >= 14
