"""Sensitive fields go to a cooperative's treasurer only for its admitted members; payment
files go to the treasurer only, and every read is logged; members see names and roles."""

from __future__ import annotations

import json

import pytest

from members.models import Membership
from members.services.memberships import membership_apply
from tests.factories.api import api_as
from werkstation.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _sensitive(user, membership):
    return api_as(user).get(f"/api/v1/memberships/{membership.pk}/sensitive/")


def test_bs_treasurer_never_reads_the_iban_of_an_a_member_who_applied_to_b(tenancy):
    t = tenancy
    application = membership_apply(user=t.member_a, cooperative=t.coop_b, motivation="Ook hier")
    refused = _sensitive(t.treasurer_b, application)
    assert refused.status_code in (403, 404)
    assert "NL02" not in json.dumps(refused.data)
    # The board of B rejects the application: still nothing.
    rejected = api_as(t.board_b).post(
        f"/api/v1/memberships/{application.pk}/reject/", {"reason": "vol"}
    )
    assert rejected.status_code == 200
    again = _sensitive(t.treasurer_b, application)
    assert again.status_code in (403, 404)
    assert "NL02" not in json.dumps(again.data)
    assert not AuditEntry.objects.filter(
        action="privacy.sensitive_read", actor=t.treasurer_b
    ).exists()
    # A's treasurer reads them (A admitted the member), and the read is logged.
    own = t.member_a.memberships.get(cooperative=t.coop_a)
    assert _sensitive(t.treasurer_a, own).data["iban"] == "NL02ABNA0123456789"
    assert AuditEntry.objects.filter(action="privacy.sensitive_read", actor=t.treasurer_a).exists()


def test_after_a_member_left_their_fields_appear_only_in_payout_files(tenancy):
    t = tenancy
    membership = t.member_a.memberships.get(cooperative=t.coop_a)
    assert api_as(t.member_a).post(f"/api/v1/memberships/{membership.pk}/leave/").status_code == 200
    assert _sensitive(t.treasurer_a, membership).status_code in (403, 404)
    # The payout still owed to them is in the SEPA file, and reading it is logged.
    url = f"/api/v1/cooperatives/alpha/payout-batches/{t.paid_batch_a.pk}/sepa.xml"
    assert api_as(t.treasurer_a).get(url).status_code == 200
    entry = AuditEntry.objects.filter(action="privacy.sensitive_read").latest("id")
    assert entry.actor == t.treasurer_a
    assert entry.data == {
        "file": "sepa",
        "members": [t.member_a.pk],
    }


@pytest.mark.parametrize("who", ["board_a", "auditor_a", "member_a", "treasurer_b", "board_b"])
def test_payment_files_go_to_the_treasurer_only(tenancy, who):
    t = tenancy
    for kind in ("sepa.xml", "payroll.csv"):
        url = f"/api/v1/cooperatives/alpha/payout-batches/{t.paid_batch_a.pk}/{kind}"
        response = api_as(getattr(t, who)).get(url)
        assert response.status_code in (403, 404)
        assert b"NL02ABNA" not in response.content
    assert not AuditEntry.objects.filter(action="privacy.sensitive_read").exists()


def test_members_see_names_and_roles_the_board_contact_details(tenancy):
    t = tenancy
    listed = api_as(t.member_a).get("/api/v1/cooperatives/alpha/members/").data["results"]
    # Names are compared as written (a name with "é" is not escaped to "\u00e9").
    dumped = json.dumps([m for m in listed if m["user"]["id"] != t.member_a.pk], ensure_ascii=False)
    assert t.board_a.full_name in dumped
    assert "board" in dumped
    assert t.board_a.email not in dumped
    assert "motivation" not in dumped
    board = json.dumps(api_as(t.board_a).get("/api/v1/cooperatives/alpha/members/").data["results"])
    assert t.member_a.email in board
    assert t.applicant_a.email in board
    # The board reads an application's motivation while it is open...
    applications = api_as(t.board_a).get("/api/v1/cooperatives/alpha/applications/").data["results"]
    assert applications[0]["motivation"] == "Ik wil graag tuinieren."
    # ...and no longer once it is decided.
    membership = Membership.objects.get(user=t.applicant_a, cooperative=t.coop_a)
    decided = api_as(t.board_a).post(f"/api/v1/memberships/{membership.pk}/admit/")
    assert decided.status_code == 200
    assert "motivation" not in decided.data
    after = json.dumps(api_as(t.board_a).get("/api/v1/cooperatives/alpha/members/").data)
    assert "Ik wil graag tuinieren." not in after
    # The member still sees their own.
    mine = api_as(t.applicant_a).get("/api/v1/me/").data["memberships"][0]
    assert mine["motivation"] == "Ik wil graag tuinieren."
    # Another cooperative's board sees nothing of A's members.
    assert api_as(t.board_b).get("/api/v1/cooperatives/alpha/members/").status_code == 404
