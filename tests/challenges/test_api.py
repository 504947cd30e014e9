from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from jobs.challenges.models import Bid, BidScore, Challenge, Contract, TargetGroupMember, Tender
from jobs.models import Job, Shift
from tests.conftest import api_as, row_counts
from tests.factories.jobs import ClaimFactory, TimesheetFactory

from .conftest import bid_values, close_window, tender_values


def _tender_payload(world, **overrides):
    values = tender_values(world, **overrides)
    values["client"] = values["client"].pk
    for key in ("period_start", "period_end", "decision_deadline", "submission_deadline"):
        values[key] = values[key].isoformat()
    return values


def test_the_whole_path_through_the_api(rtc):
    muni, board = api_as(rtc.muni_user), api_as(rtc.board_a)
    response = muni.post(
        reverse("challenges_api:tenders"), _tender_payload(rtc, publish=True), format="json"
    )
    assert response.status_code == 201, response.data
    tender_id = response.data["id"]
    assert response.data["status"] == "open"
    assert response.data["budget_ceiling"] == "20000.00"
    # The public register needs no login.
    public = api_as(None).get(reverse("challenges_api:tenders"))
    assert public.status_code == 200
    assert [t["id"] for t in public.data["results"]] == [tender_id]
    response = board.post(
        reverse("challenges_api:tender-bids", args=[tender_id]),
        {**bid_values(), "cooperative": "alpha"},
        format="json",
    )
    assert response.status_code == 201, response.data
    bid_id = response.data["id"]
    # Sealed: the municipality does not see the bid while the window is open.
    assert muni.get(reverse("challenges_api:bid", args=[bid_id])).status_code == 404
    response = board.post(reverse("challenges_api:bid-capacity", args=[bid_id]))
    assert response.status_code == 200
    assert response.data["capacity"]["coverage_percent"] == 100.0
    assert board.post(reverse("challenges_api:bid-submit", args=[bid_id])).status_code == 200
    response = board.patch(
        reverse("challenges_api:bid", args=[bid_id]), {"price": "1.00"}, format="json"
    )
    assert response.status_code == 409
    assert response.data["error"]["code"] == "bid_locked"
    response = muni.post(
        reverse("challenges_api:bid-score", args=[bid_id]),
        {"quality": "7.5", "social": "9"},
        format="json",
    )
    assert response.status_code == 404  # sealed while bidding is open
    # Bidding closes by the clock: the bids open at once, no beat run needed.
    close_window(Tender.objects.get(pk=tender_id))
    response = muni.post(
        reverse("challenges_api:bid-score", args=[bid_id]),
        {"quality": "7.5", "social": "9"},
        format="json",
    )
    assert response.status_code == 200, response.data
    listing = muni.get(reverse("challenges_api:tender-bids", args=[tender_id])).data["results"]
    assert listing[0]["points"]["total"] == "89.5"
    response = muni.post(
        reverse("challenges_api:tender-decision", args=[tender_id]),
        {"bid": bid_id, "reason": "Sterk lokaal plan"},
        format="json",
    )
    assert response.status_code == 200
    assert response.data["status"] == "awarded"
    contract = Contract.objects.get()
    detail = board.get(reverse("challenges_api:contract", args=[contract.pk])).data
    assert detail["reference"] == contract.reference
    # Money fields are named for what they hold: euro strings, with their currency.
    budget = detail["budget"]
    assert budget["budget"] == "15000.00"
    assert budget["currency"] == "EUR"
    assert budget["total"] == "15000.00"
    assert not [k for k in budget if k.endswith("_cents")]
    assert Shift.objects.filter(job_id__in=detail["jobs"]).count() > 0
    assert [
        c["id"]
        for c in api_as(rtc.member_a).get(reverse("challenges_api:contracts")).data["results"]
    ] == []


def test_a_bid_after_the_window_writes_nothing(open_tender):
    close_window(open_tender.tender)
    before = row_counts(Bid, Tender)
    response = api_as(open_tender.board_a).post(
        reverse("challenges_api:tender-bids", args=[open_tender.tender.pk]),
        {**bid_values(), "cooperative": "alpha"},
        format="json",
    )
    assert response.status_code == 409
    assert response.data["error"]["code"] == "window_closed"
    assert response.data["error"]["field"] == "tender"
    assert row_counts(Bid, Tender) == before


def test_a_bid_over_the_ceiling_writes_nothing(open_tender):
    before = row_counts(Bid)
    response = api_as(open_tender.board_a).post(
        reverse("challenges_api:tender-bids", args=[open_tender.tender.pk]),
        {**bid_values(price="20000.01"), "cooperative": "alpha"},
        format="json",
    )
    assert response.status_code == 400
    assert response.data["error"]["field"] == "price"
    assert response.data["error"]["code"] == "over_ceiling"
    assert row_counts(Bid) == before


def test_an_award_by_a_non_municipality_user_writes_nothing(open_tender):
    from jobs.challenges.services.bids import bid_capacity_check, bid_create, bid_submit

    w = open_tender
    bid = bid_create(actor=w.board_a, tender=w.tender, cooperative=w.coop_a, **bid_values())
    bid_capacity_check(actor=w.board_a, bid=bid)
    bid_submit(actor=w.board_a, bid=bid)
    close_window(w.tender)
    before = row_counts(Contract, Job, Shift, BidScore)
    for user in (w.board_a, w.client_user, w.treasurer_a):
        response = api_as(user).post(
            reverse("challenges_api:tender-decision", args=[w.tender.pk]),
            {"bid": bid.pk, "reason": "zelf gegund"},
            format="json",
        )
        assert response.status_code == 403, response.data
    assert row_counts(Contract, Job, Shift, BidScore) == before
    w.tender.refresh_from_db()
    bid.refresh_from_db()
    assert w.tender.status == "open"
    assert bid.status == "submitted"


def test_a_contract_shift_outside_the_period_writes_nothing(awarded):
    job = Job.objects.get(contract_link__contract=awarded.contract)
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(
        days=200
    )
    before = row_counts(Shift)
    response = api_as(awarded.muni_user).post(
        reverse("jobs_api:job-shifts", args=[job.pk]),
        {"start": start.isoformat(), "end": (start + timedelta(hours=3)).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response.data["error"]["code"] == "outside_contract_period"
    assert response.data["error"]["field"] == "start"
    assert row_counts(Shift) == before


def test_challenge_through_the_api(rtc):
    board, muni = api_as(rtc.board_a), api_as(rtc.muni_user)
    response = board.post(
        reverse("challenges_api:challenges"),
        {
            "cooperative": "alpha",
            "client": rtc.municipality.pk,
            "task": "Buurthuis De Kanaalbrug beheren",
            "area": "Kanaleneiland-Noord",
            "plan": "Vrijwilligers en leden samen.",
            "signatures": 412,
            "partners": "Huurdersvereniging",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    challenge_id = response.data["id"]
    assert (
        api_as(None)
        .get(reverse("challenges_api:challenge", args=[challenge_id]))
        .data["signatures"]
        == 412
    )
    before = row_counts(Challenge)
    response = muni.post(
        reverse("challenges_api:challenge-decision", args=[challenge_id]),
        {"decision": "reject", "note": "nee"},
        format="json",
    )
    assert response.status_code == 400
    assert response.data["error"]["field"] == "reject_reason"
    response = muni.post(
        reverse("challenges_api:challenge-decision", args=[challenge_id]),
        {"decision": "reject", "reject_reason": "already_contracted", "note": "Loopt tot 2028."},
        format="json",
    )
    assert response.status_code == 200
    assert response.data["status"] == "rejected"
    assert row_counts(Challenge) == before


def _approved_work(awarded, users, *, hours=4):
    """Approved timesheets for one past shift of the contract, one per user."""
    shift = Shift.objects.filter(job__contract_link__contract=awarded.contract).first()
    end = timezone.now() - timedelta(days=1)
    Shift.objects.filter(pk=shift.pk).update(
        start=end - timedelta(hours=hours),
        end=end,
        slots=len(users),
        local_date=end.date(),
    )
    shift.refresh_from_db()
    return [
        TimesheetFactory(
            approved=True,
            claim=ClaimFactory(shift=shift, user=user, completed=True),
            minutes_worked=hours * 60,
        )
        for user in users
    ]


def test_report_suppresses_counts_under_five(awarded):
    w = awarded
    TargetGroupMember.objects.create(cooperative=w.coop_a, user=w.gardeners[0], group="benefits")
    _approved_work(w, w.gardeners[:3])
    url = reverse("challenges_api:contract-report", args=[w.contract.pk])
    report = (
        api_as(w.muni_user).get(url, {"start": w.contract.period_start - timedelta(days=5)}).data
    )
    assert report["hours_worked"] == 12.0
    assert report["members_involved"] is None
    assert report["members_suppressed"]
    assert report["social_return_hours"] is None
    assert report["budget_used_cents"] == 12 * 3200


def test_report_as_page_csv_and_pdf(awarded):
    w = awarded
    for user in w.gardeners:
        TargetGroupMember.objects.create(
            cooperative=w.coop_a, user=user, group="long_term_unemployed"
        )
    _approved_work(w, [*w.gardeners, w.member_a])
    url = reverse("challenges_api:contract-report", args=[w.contract.pk])
    start = (timezone.localdate() - timedelta(days=10)).isoformat()
    report = api_as(w.muni_user).get(url, {"start": start}).data
    assert report["members_involved"] == 6
    assert report["social_return_members"] == 5
    assert report["social_return_hours"] == 20.0
    response = api_as(w.muni_user).get(url, {"start": start, "output": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    values = dict(rows[1:])
    assert any(v == "24.00" for v in values.values())  # hours worked
    assert "6" in values.values()
    assert "24.00 / 400" in values.values()  # hours by members so far, against the bid's commitment
    response = api_as(w.board_a).get(url, {"start": start, "output": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert w.contract.reference in text
    assert "24.00" in text
    assert "20.00" in text
    assert api_as(w.member_a).get(url).status_code == 404
    assert api_as(w.muni_user).get(url, {"start": "gisteren"}).status_code == 400


@pytest.mark.parametrize(("who", "status"), [("member_a", 403), ("client_user", 404)])
def test_target_groups_are_the_boards(rtc, who, status):
    url = reverse("challenges_api:target-groups", args=["alpha"])
    response = api_as(getattr(rtc, who)).post(
        url, {"user": rtc.gardeners[0].pk, "group": "youth"}, format="json"
    )
    assert response.status_code == status  # an outsider does not learn the page exists
    response = api_as(rtc.board_a).post(
        url, {"user": rtc.gardeners[0].pk, "group": "youth"}, format="json"
    )
    assert response.status_code == 201
    assert api_as(rtc.board_a).get(url).data["youth"] == 1


def test_lists_take_a_fixed_number_of_queries(awarded, django_assert_max_num_queries):
    from jobs.challenges.services.challenges import challenge_submit

    for n in range(3):
        challenge_submit(
            actor=awarded.board_a,
            cooperative=awarded.coop_a,
            client=awarded.municipality,
            task=f"Taak {n}",
            area="Zuid",
            plan="Plan",
        )
    anonymous, muni = api_as(None), api_as(awarded.muni_user)
    with django_assert_max_num_queries(3):
        assert len(anonymous.get(reverse("challenges_api:challenges")).data["results"]) == 3
    with django_assert_max_num_queries(3):
        assert len(anonymous.get(reverse("challenges_api:tenders")).data["results"]) == 1
    with django_assert_max_num_queries(6):
        assert len(muni.get(reverse("challenges_api:contracts")).data["results"]) == 1
