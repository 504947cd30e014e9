"""Self-billing invoices as an attacker tries them: a treasurer naming another
cooperative's member, a member or board member issuing, ids of another member's invoice
on every route, and two treasurers issuing the same month at once (gapless numbers, each
split on one invoice)."""

import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from payouts.models import SelfBillingInvoice, SelfBillingSequence, Split
from payouts.services.self_billing import self_billing_issue
from tests.conftest import api_as
from tests.factories.api import login_verified
from tests.payouts.test_self_billing import issue, profile, work_last_month

pytestmark = pytest.mark.django_db


def test_a_treasurer_cannot_name_another_cooperatives_member(market):
    month = work_last_month(market, 10)
    profile(market.member_a, kor=True)
    answer = issue(market, month, member=market.member_b.pk)
    assert answer.status_code == 404
    assert answer.data["error"]["field"] == "member"
    assert not SelfBillingInvoice.objects.exists()


@pytest.mark.parametrize("who", ["member_a", "board_a", "auditor_a", "client_user", "board_b"])
def test_only_the_treasurer_issues_through_api_and_page(market, who):
    month = work_last_month(market, 11)
    profile(market.member_a, kor=True)
    user = getattr(market, who)
    answer = api_as(user).post("/api/v1/cooperatives/alpha/self-billing/", {"month": month})
    assert answer.status_code in (403, 404)
    web = Client()
    login_verified(web, user)
    page = web.post("/c/alpha/treasury/self-billing/", {"month": month})
    assert page.status_code in (403, 404)
    assert not SelfBillingInvoice.objects.exists()


def test_another_members_invoice_is_not_found_by_id_on_any_route(market):
    month = work_last_month(market, 12)
    work_last_month(market, 13, user=market.board_a)
    profile(market.member_a, kor=True)
    profile(market.board_a, kor=True)
    issued = {row["member"]: row["id"] for row in issue(market, month).data["issued"]}
    theirs = issued[market.board_a.pk]
    member = api_as(market.member_a)
    assert member.get(f"/api/v1/me/self-billing-invoices/{theirs}/pdf/").status_code == 404
    listed = member.get("/api/v1/me/self-billing-invoices/").data["results"]
    assert [row["id"] for row in listed] == [issued[market.member_a.pk]]
    web = Client()
    login_verified(web, market.member_a)
    assert web.get(f"/work/earnings/self-billing/{theirs}.pdf").status_code == 404
    assert market.board_a.full_name not in web.get("/work/earnings/").content.decode()
    # The other cooperative's treasurer asks for it under their own slug.
    login_verified(web, market.board_b)
    from members.models import Membership

    Membership.objects.filter(user=market.board_b).update(is_treasurer=True)
    assert (
        api_as(market.board_b).get(f"/api/v1/cooperatives/beta/self-billing/{theirs}/pdf/")
    ).status_code == 404
    assert web.get(f"/c/beta/treasury/self-billing/{theirs}.pdf").status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_issuing_one_month_twice_at_once_gives_one_invoice_with_number_one(market):
    month = work_last_month(market, 3, 4)
    profile(market.member_a, kor=True)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait(timeout=30)
            self_billing_issue(actor=market.treasurer_a, cooperative=market.coop_a, month=month)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    close_old_connections()
    assert errors == []
    [invoice] = SelfBillingInvoice.objects.filter(member=market.member_a)
    assert invoice.number.endswith("-0001")
    assert invoice.sequence_number == 1
    assert SelfBillingSequence.objects.get(member=market.member_a).last_number == 1
    assert Split.objects.filter(member=market.member_a, self_billing_line__isnull=True).count() == 0
