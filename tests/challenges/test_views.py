from __future__ import annotations

import io
from datetime import timedelta

from django.test import Client as WebClient
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from jobs.challenges.models import Bid, Challenge, Contract, Tender
from jobs.models import Shift
from tests.conftest import row_counts
from tests.factories.api import login_verified

from .conftest import bid_values, close_window


def web(user=None, *, verified=False) -> WebClient:
    client = WebClient()
    if user is not None:
        if verified:
            login_verified(client, user)
        else:
            client.force_login(user)
    return client


def _rule_post(prefix="rule", **rule):
    data = {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": "5",
    }
    values = {
        "title": "Maaien",
        "weekdays": ["0", "2"],
        "start": "09:00",
        "end": "13:00",
        "slots": "2",
        "skill": "groen",
    }
    values.update(rule)
    for key, value in values.items():
        data[f"{prefix}-0-{key}"] = value
    return data


def test_the_register_is_public_and_lists_tenders_and_challenges(
    open_tender, django_assert_max_num_queries
):
    from jobs.challenges.services.challenges import challenge_submit

    challenge_submit(
        actor=open_tender.board_a,
        cooperative=open_tender.coop_a,
        client=open_tender.municipality,
        task="Buurthuis beheren",
        area="Zuid",
        plan="Samen",
        signatures=250,
    )
    with django_assert_max_num_queries(8):
        response = web().get(reverse("challenges:rtc-register"))
    body = response.content.decode()
    assert response.status_code == 200
    assert open_tender.tender.title in body
    assert "Buurthuis beheren" in body
    assert (
        web().get(reverse("challenges:rtc-tender", args=[open_tender.tender.pk])).status_code == 200
    )


def test_municipality_publishes_a_tender_from_the_page(rtc):
    client = web(rtc.muni_user)
    deadline = timezone.localtime() + timedelta(days=7)
    data = {
        "client": rtc.municipality.pk,
        "title": "Zwerfvuil Kanaalweg",
        "description": "Elke week ruimen.",
        "category": "green_maintenance",
        "area": "Kanaleneiland",
        "street": "Marshalllaan 40",
        "postcode": "3526 GA",
        "period_start": rtc.period_start.isoformat(),
        "period_end": rtc.period_end.isoformat(),
        "budget_ceiling": "8000",
        "required_outcomes": "Kanaalweg schoon\nBewoners betrokken",
        "weight_price": "40",
        "weight_quality": "30",
        "weight_social": "20",
        "submission_deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
        "decision_deadline": (rtc.period_start + timedelta(days=10)).isoformat(),
        "publish": "on",
    }
    response = client.post(reverse("challenges:rtc-tender-new"), data)
    assert response.status_code == 200
    assert Tender.objects.count() == 0
    assert "100" in response.content.decode()  # the weights error, next to the field
    data["weight_social"] = "30"
    response = client.post(reverse("challenges:rtc-tender-new"), data)
    tender = Tender.objects.get()
    assert response.status_code == 302
    assert tender.status == "open"
    assert tender.required_outcomes == ["Kanaalweg schoon", "Bewoners betrokken"]
    assert web(rtc.member_a).get(reverse("challenges:rtc-tender-new")).status_code == 404


def test_board_drafts_checks_and_submits_a_bid_from_the_page(open_tender):
    w = open_tender
    client = web(w.board_a, verified=True)
    page = client.get(reverse("challenges:rtc-tender", args=[w.tender.pk])).content.decode()
    assert "draft-bid" in page
    url = reverse("challenges:rtc-bid-new", args=[w.tender.pk]) + "?cooperative=alpha"
    data = {
        "action": "save",
        "price": "25000",
        "hourly_tariff": "32",
        "plan": "Buren",
        "social_member_hours": "300",
        "social_target_group_members": "2",
        **_rule_post(),
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert Bid.objects.count() == 0
    assert "plafond" in response.content.decode() or "ceiling" in response.content.decode()
    data["price"] = "15000"
    response = client.post(url, data)
    bid = Bid.objects.get()
    assert response.status_code == 302
    assert bid.staffing_plan[0]["weekdays"] == [0, 2]
    client.post(reverse("challenges:rtc-bid", args=[bid.pk]), {"action": "check"})
    page = client.get(reverse("challenges:rtc-bid", args=[bid.pk])).content.decode()
    assert 'class="week"' in page
    assert "100.0%" in page
    # Submitting asks to confirm a summary first.
    summary = client.post(reverse("challenges:rtc-bid", args=[bid.pk]), {"action": "submit"})
    bid.refresh_from_db()
    assert bid.status == "draft"
    assert 'id="confirm-yes"' in summary.content.decode()
    client.post(
        reverse("challenges:rtc-bid", args=[bid.pk]), {"action": "submit", "confirmed": "1"}
    )
    bid.refresh_from_db()
    assert bid.status == "submitted"
    # Locked: a changed draft posted afterwards changes nothing.
    client.post(reverse("challenges:rtc-bid", args=[bid.pk]), {**data, "price": "100"})
    bid.refresh_from_db()
    assert bid.price_cents == 1_500_000


def test_municipality_scores_and_awards_from_the_page(open_tender):
    from jobs.challenges.services.bids import bid_capacity_check, bid_create, bid_submit

    w = open_tender
    bid = bid_create(actor=w.board_a, tender=w.tender, cooperative=w.coop_a, **bid_values())
    bid_capacity_check(actor=w.board_a, bid=bid)
    bid_submit(actor=w.board_a, bid=bid)
    close_window(w.tender)
    from jobs.challenges.services.tenders import tenders_close_due

    tenders_close_due()
    client = web(w.muni_user)
    url = reverse("challenges:rtc-tender", args=[w.tender.pk])
    client.post(
        url, {"action": "score", "bid": bid.pk, f"s{bid.pk}-quality": "8", f"s{bid.pk}-social": "9"}
    )
    page = client.get(url).content.decode()
    assert "91,0" in page or "91.0" in page  # 10 × 40% + 8 × 30% + 9 × 30%
    before = row_counts(Contract)
    response = web(w.board_a, verified=True).post(
        url, {"action": "decide", "bid": bid.pk, "reason": "zelf"}
    )
    assert row_counts(Contract) == before
    assert response.status_code == 200
    # The first post only shows a summary to confirm; nothing is recorded yet.
    response = client.post(url, {"action": "decide", "bid": bid.pk, "reason": "Beste plan"})
    assert response.status_code == 200
    assert row_counts(Contract) == before
    summary = response.content.decode()
    assert 'id="confirm-yes"' in summary
    assert "Beste plan" in summary
    response = client.post(
        url, {"action": "decide", "bid": bid.pk, "reason": "Beste plan", "confirmed": "1"}
    )
    assert response.status_code == 302
    contract = Contract.objects.get()
    page = client.get(reverse("challenges:rtc-contract", args=[contract.pk])).content.decode()
    job = contract.contract_jobs.get().job
    assert contract.reference in page
    assert reverse("jobs:job-detail", args=[job.pk]) in page
    assert Shift.objects.filter(job__contract_link__contract=contract).exists()


def test_challenge_pages(rtc):
    board = web(rtc.board_a, verified=True)
    response = board.post(
        reverse("challenges:rtc-challenge-new"),
        {
            "client": rtc.municipality.pk,
            "task": "Speeltuin",
            "area": "Transwijk",
            "plan": "Buurtouders",
            "signatures": "80",
        },
    )
    challenge = Challenge.objects.get()
    assert response.status_code == 302
    muni = web(rtc.muni_user)
    url = reverse("challenges:rtc-challenge", args=[challenge.pk])
    response = muni.post(url, {"action": "decide", "decision": "reject", "note": "Nee"})
    assert response.status_code == 200
    challenge.refresh_from_db()
    assert challenge.status == "submitted"
    muni.post(
        url,
        {
            "action": "decide",
            "decision": "accept_modified",
            "modification": "Alleen zomer",
            "note": "Proef",
        },
    )
    board.post(url, {"action": "consent"})
    challenge.refresh_from_db()
    assert challenge.status == "accepted"
    assert "?challenge=" in muni.get(url).content.decode()


def test_report_page_csv_and_pdf(awarded):
    client = web(awarded.muni_user)
    url = reverse("challenges:rtc-contract-report", args=[awarded.contract.pk])
    start = awarded.contract.period_start.isoformat()
    page = client.get(url, {"start": start, "end": start})
    assert page.status_code == 200
    assert 'id="report"' in page.content.decode()
    csv_response = client.get(url, {"start": start, "end": start, "output": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    pdf = client.get(url, {"start": start, "end": start, "output": "pdf"})
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert awarded.contract.reference in text
    assert web(awarded.member_a).get(url).status_code == 404


def test_board_counts_members_for_social_return_with_consent(rtc):
    from jobs.challenges.models import TargetGroupMember

    url = reverse("challenges:rtc-target-groups", args=["alpha"])
    board = web(rtc.board_a, verified=True)
    data = {"user": rtc.gardeners[0].pk, "group": "benefits"}
    assert board.post(url, data).status_code == 200  # no consent given
    assert TargetGroupMember.objects.count() == 0
    assert board.post(url, {**data, "consent": "on"}).status_code == 302
    assert TargetGroupMember.objects.get().group == "benefits"
    assert web(rtc.member_a).get(url).status_code == 403  # a member without the board role
