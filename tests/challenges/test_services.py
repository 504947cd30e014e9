from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from jobs.challenges.models import Bid, Challenge, Contract, ContractOccurrence, Tender
from jobs.challenges.services import bids, challenges, contracts, reminders, tenders
from jobs.models import Job, Shift
from tests.factories.jobs import ClaimFactory, TimesheetFactory
from tests.factories.work import ensure_founded
from werkstation.errors import Conflict, PermissionDenied, ValidationFailed
from werkstation.models import AuditEntry

from .conftest import bid_values, close_window, staff_plan, tender_values


def actions(target) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type=target._meta.label_lower, object_id=str(target.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_municipality_publishes_a_tender_and_the_boards_hear_of_it(
    rtc, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tender = tenders.tender_create(actor=rtc.muni_user, publish=True, **tender_values(rtc))
    assert tender.status == Tender.Status.OPEN
    assert tender.weights == {"price": 40, "quality": 30, "social": 30}
    assert actions(tender) == ["tender.created", "tender.published"]
    assert [m.to for m in mail.outbox] == [[rtc.board_a.email]]


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"weight_social": 20}, "weight_social"),
        ({"budget_ceiling": "0"}, "budget_ceiling"),
        ({"period_end": timezone.localdate() - timedelta(days=400)}, "period_end"),
        ({"required_outcomes": []}, "required_outcomes"),
        ({"postcode": "12"}, "postcode"),
    ],
)
def test_a_bad_tender_names_the_field(rtc, override, field):
    with pytest.raises(ValidationFailed) as exc:
        tenders.tender_create(actor=rtc.muni_user, **tender_values(rtc, **override))
    assert exc.value.field == field
    assert Tender.objects.count() == 0


def test_only_municipality_users_publish(rtc):
    with pytest.raises(PermissionDenied):
        tenders.tender_create(actor=rtc.client_user, **tender_values(rtc, client=rtc.client_a))
    with pytest.raises(PermissionDenied):
        tenders.tender_create(actor=rtc.board_a, **tender_values(rtc))


def test_capacity_check_runs_the_dispatcher_over_the_contracts_shifts(open_tender):
    w = open_tender
    bid = bids.bid_create(actor=w.board_a, tender=w.tender, cooperative=w.coop_a, **bid_values())
    bid = bids.bid_capacity_check(actor=w.board_a, bid=bid)
    result = bid.capacity
    # Two shifts a week, two people each, five available gardeners: fully covered.
    assert result["coverage_percent"] == 100.0
    assert result["gaps"] == []
    assert result["checked_weeks"] >= 8
    assert all(week["coverage_percent"] == 100.0 for week in result["weeks"])
    assert result["members_planned"] >= 2


def test_capacity_check_shows_the_gaps_when_members_are_short(open_tender):
    w = open_tender
    # Eight people a shift on Wednesday, but only five members hold the green skill.
    plan = staff_plan(slots=8, weekdays=[2])
    bid = bids.bid_create(
        actor=w.board_a, tender=w.tender, cooperative=w.coop_a, **bid_values(staffing_plan=plan)
    )
    result = bids.bid_capacity_check(actor=w.board_a, bid=bid).capacity
    assert result["gaps"], result
    assert all(gap["missing"] == 3 and gap["covered"] == 5 for gap in result["gaps"])
    assert result["coverage_percent"] == 62.5
    # An evening shift nobody is available for is not covered at all.
    late = [
        {
            "title": "Avondronde",
            "weekdays": [1],
            "start": "19:00",
            "end": "21:00",
            "slots": 1,
            "skill": None,
        }
    ]
    bid = bids.bid_update(actor=w.board_a, bid=bid, staffing_plan=late)
    result = bids.bid_capacity_check(actor=w.board_a, bid=bid).capacity
    assert result["coverage_percent"] == 0.0
    assert len(result["gaps"]) == sum(week["shifts"] for week in result["weeks"])


def test_bid_over_the_ceiling_or_after_the_window_writes_nothing(open_tender):
    w = open_tender
    with pytest.raises(ValidationFailed) as exc:
        bids.bid_create(
            actor=w.board_a, tender=w.tender, cooperative=w.coop_a, **bid_values(price="20000.01")
        )
    assert exc.value.field == "price"
    assert exc.value.code == "over_ceiling"
    close_window(w.tender)
    with pytest.raises(Conflict) as exc:
        bids.bid_create(actor=w.board_a, tender=w.tender, cooperative=w.coop_a, **bid_values())
    assert exc.value.code == "window_closed"
    assert Bid.objects.count() == 0


def test_a_submitted_bid_is_locked(open_tender):
    w = open_tender
    bid = bids.bid_create(actor=w.board_a, tender=w.tender, cooperative=w.coop_a, **bid_values())
    with pytest.raises(Conflict) as exc:
        bids.bid_submit(actor=w.board_a, bid=bid)
    assert exc.value.code == "capacity_unchecked"
    bids.bid_capacity_check(actor=w.board_a, bid=bid)
    bid = bids.bid_submit(actor=w.board_a, bid=bid)
    with pytest.raises(Conflict) as exc:
        bids.bid_update(actor=w.board_a, bid=bid, price="100.00")
    assert exc.value.code == "bid_locked"
    bid.refresh_from_db()
    assert bid.price_cents == 1_500_000
    assert actions(bid) == ["bid.created", "bid.capacity_checked", "bid.submitted"]


def test_beat_closes_the_window_and_lapses_drafts(open_tender):
    w = open_tender
    bid = bids.bid_create(actor=w.board_a, tender=w.tender, cooperative=w.coop_a, **bid_values())
    assert tenders.tenders_close_due() == 0
    close_window(w.tender)
    assert tenders.tenders_close_due() == 1
    w.tender.refresh_from_db()
    bid.refresh_from_db()
    assert w.tender.status == Tender.Status.CLOSED
    assert bid.status == Bid.Status.WITHDRAWN
    assert tenders.tenders_close_due() == 0


def test_award_makes_a_contract_with_jobs_and_shifts_on_the_board(
    awarded, django_capture_on_commit_callbacks
):
    w = awarded
    assert w.bid.status == Bid.Status.AWARDED
    contract = w.contract
    assert contract.budget_cents == 1_500_000
    assert contract.recurrence == w.bid.staffing_plan
    assert {k["name"] for k in contract.kpis} >= {"Gras kort gehouden", "social_member_hours"}
    job = Job.objects.get(contract_link__contract=contract)
    assert job.source == Job.Source.CONTRACT
    assert job.status == Job.Status.OPEN
    shifts = Shift.objects.filter(job=job)
    assert shifts.count() > 0
    assert all(s.local_weekday in (0, 2) and s.slots == 2 for s in shifts)
    assert all(contract.period_start <= s.local_date <= contract.period_end for s in shifts)
    assert "tender.awarded" in actions(w.tender)
    assert "contract.created" in actions(contract)


def test_generation_is_idempotent(awarded):
    contract = awarded.contract
    before = Shift.objects.filter(job__contract_link__contract=contract).count()
    assert contracts.contract_generate(contract_id=contract.pk) == 0
    assert contracts.contracts_generate()["shifts"] == 0
    assert Shift.objects.filter(job__contract_link__contract=contract).count() == before
    later = timezone.localdate() + timedelta(days=7)
    assert contracts.contract_generate(contract_id=contract.pk, today=later) > 0
    assert (
        ContractOccurrence.objects.filter(contract=contract).count()
        == Shift.objects.filter(job__contract_link__contract=contract).count()
    )


def test_award_by_a_non_municipality_user_is_refused(open_tender):
    w = open_tender
    bid = bids.bid_create(actor=w.board_a, tender=w.tender, cooperative=w.coop_a, **bid_values())
    bids.bid_capacity_check(actor=w.board_a, bid=bid)
    bids.bid_submit(actor=w.board_a, bid=bid)
    close_window(w.tender)
    for user in (w.board_a, w.client_user, w.member_a):
        with pytest.raises(PermissionDenied):
            tenders.tender_decide(actor=user, tender=w.tender, bid=bid, reason="ik wil")
    assert Contract.objects.count() == 0


def test_scores_rank_bids_by_the_weighted_criteria(open_tender):
    w = open_tender
    bid = bids.bid_create(actor=w.board_a, tender=w.tender, cooperative=w.coop_a, **bid_values())
    bids.bid_capacity_check(actor=w.board_a, bid=bid)
    bids.bid_submit(actor=w.board_a, bid=bid)
    with pytest.raises(Conflict):  # sealed until the window closes
        tenders.bid_score(actor=w.muni_user, bid=bid, quality=8, social=9)
    close_window(w.tender)
    tenders.tenders_close_due()
    tenders.bid_score(actor=w.muni_user, bid=bid, quality=8, social=9)
    with pytest.raises(ValidationFailed) as exc:
        tenders.bid_score(actor=w.muni_user, bid=bid, quality=11, social=9)
    assert exc.value.field == "quality"
    [row] = tenders.bid_ranking(w.tender)
    # price 10 (the only bid) × 40 + 8 × 30 + 9 × 30, out of 100.
    assert str(row["total"]) == "91.0"


def _budget_contract(awarded, *, budget_cents):
    Contract.objects.filter(pk=awarded.contract.pk).update(budget_cents=budget_cents)
    awarded.contract.refresh_from_db()
    return awarded.contract


def test_budget_warns_at_80_percent_and_stops_new_shifts_past_100(
    awarded, django_capture_on_commit_callbacks
):
    from jobs.services.jobs import shift_create

    contract = awarded.contract
    budget = contracts.contract_budget(contract)
    committed = budget["committed_cents"]
    assert committed > 0
    assert budget["used_cents"] == 0
    # Shrink the budget so the shifts on the board are 97% of it: one more shift passes it.
    contract = _budget_contract(awarded, budget_cents=committed * 100 // 97)
    job = Job.objects.get(contract_link__contract=contract)
    day = contract.generated_through + timedelta(days=1)
    while day.weekday() != 2:
        day += timedelta(days=1)
    start = timezone.make_aware(
        timezone.datetime.combine(day, timezone.datetime.min.time())
    ) + timedelta(hours=9)
    shifts_before = Shift.objects.count()
    with pytest.raises(Conflict) as exc:
        shift_create(
            actor=awarded.muni_user, job=job, start=start, end=start + timedelta(hours=4), slots=2
        )
    assert exc.value.code == "contract_budget_exhausted"
    assert exc.value.field == "budget"
    assert Shift.objects.count() == shifts_before
    # The beat generator stops too, and says so once.
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            contracts.contract_generate(
                contract_id=contract.pk, today=timezone.localdate() + timedelta(days=14)
            )
            == 0
        )
    contract.refresh_from_db()
    assert contract.exhausted_at is not None
    assert any("budget" in m.subject.lower() for m in mail.outbox)
    # An amendment agreed by the municipality lets work continue.
    contracts.contract_amend(
        actor=awarded.muni_user, contract=contract, extra_budget="5000", reason="Extra maaibeurten"
    )
    created = shift_create(
        actor=awarded.muni_user, job=job, start=start, end=start + timedelta(hours=4), slots=2
    )
    assert created.pk
    contract.refresh_from_db()
    assert contract.exhausted_at is None
    assert "contract.amended" in actions(contract)


def test_warning_at_80_percent(awarded, django_capture_on_commit_callbacks):
    from jobs.services.jobs import shift_create

    contract = awarded.contract
    committed = contracts.contract_budget(contract)["committed_cents"]
    # One more four-hour shift for two people (2 × 4 × € 32 = € 256) reaches 80%.
    contract = _budget_contract(awarded, budget_cents=(committed + 25_600) * 100 // 80)
    job = Job.objects.get(contract_link__contract=contract)
    start = timezone.localtime(Shift.objects.filter(job=job).first().start) + timedelta(hours=5)
    with django_capture_on_commit_callbacks(execute=True):
        shift_create(
            actor=awarded.muni_user, job=job, start=start, end=start + timedelta(hours=4), slots=2
        )
    contract.refresh_from_db()
    assert contract.warned_at is not None
    assert contracts.contract_budget(contract)["warning"]
    assert "contract.budget_warning" in actions(contract)
    assert sum("80 procent" in m.subject for m in mail.outbox) == 2  # board and municipality


def test_a_contract_shift_outside_the_period_is_refused(awarded):
    from jobs.services.jobs import shift_create

    contract = awarded.contract
    job = Job.objects.get(contract_link__contract=contract)
    start = timezone.make_aware(
        timezone.datetime.combine(
            contract.period_end + timedelta(days=3), timezone.datetime.min.time()
        )
    ) + timedelta(hours=9)
    before = Shift.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        shift_create(actor=awarded.board_a, job=job, start=start, end=start + timedelta(hours=3))
    assert exc.value.code == "outside_contract_period"
    assert exc.value.field == "start"
    assert Shift.objects.count() == before


def test_pay_for_approved_work_is_never_blocked_by_the_budget(awarded):
    from jobs.services.timesheets import timesheet_approve
    from payouts.models import Split
    from payouts.services.settlement import settlement_run

    ensure_founded(awarded.coop_a)
    contract = awarded.contract
    shift = Shift.objects.filter(job__contract_link__contract=contract).first()
    past = timezone.now() - timedelta(days=1)
    Shift.objects.filter(pk=shift.pk).update(start=past - timedelta(hours=4), end=past)
    shift.refresh_from_db()
    claim = ClaimFactory(shift=shift, user=awarded.gardeners[0], completed=True)
    sheet = TimesheetFactory(claim=claim, minutes_worked=240)
    # The budget is used up entirely.
    _budget_contract(awarded, budget_cents=1)
    timesheet_approve(actor=awarded.muni_user, timesheet_id=sheet.pk)
    settlement_run(timesheet_ids=[sheet.pk])
    sheet.refresh_from_db()
    assert sheet.status == "approved"
    assert Split.objects.filter(timesheet=sheet).count() == 1
    assert contracts.contract_budget(contract)["used_cents"] == 12_800


def test_challenge_accepted_with_changes_needs_the_cooperatives_consent(
    rtc, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        challenge = challenges.challenge_submit(
            actor=rtc.board_a,
            cooperative=rtc.coop_a,
            client=rtc.municipality,
            task="Beheer van de speeltuin Bernadottelaan",
            area="Transwijk",
            plan="Buurtouders beheren samen met de coöperatie.",
            signatures=312,
            partners="Speeltuinvereniging",
        )
    assert challenge.decision_deadline == timezone.localdate() + timedelta(weeks=8)
    assert [m.to for m in mail.outbox] == [[rtc.muni_user.email]]
    with pytest.raises(PermissionDenied):
        challenges.challenge_decide(actor=rtc.board_a, challenge=challenge, decision="accept")
    challenge = challenges.challenge_decide(
        actor=rtc.muni_user,
        challenge=challenge,
        decision="accept_modified",
        modification="Alleen de zomermaanden",
        note="Graag eerst een proef.",
    )
    assert challenge.status == Challenge.Status.MODIFICATION_PROPOSED
    challenge = challenges.challenge_consent(actor=rtc.board_a, challenge=challenge, consent=True)
    assert challenge.status == Challenge.Status.ACCEPTED
    tender = tenders.tender_create(actor=rtc.muni_user, challenge=challenge, **tender_values(rtc))
    assert tender.challenge == challenge
    assert actions(challenge) == [
        "challenge.submitted",
        "challenge.modification_proposed",
        "challenge.consent",
    ]


def test_challenge_rejected_with_a_coded_reason(rtc):
    challenge = challenges.challenge_submit(
        actor=rtc.board_a,
        cooperative=rtc.coop_a,
        client=rtc.municipality,
        task="Parkeerhandhaving",
        area="Kanaleneiland",
        plan="Wij doen het.",
    )
    with pytest.raises(ValidationFailed) as exc:
        challenges.challenge_decide(
            actor=rtc.muni_user, challenge=challenge, decision="reject", note="Nee"
        )
    assert exc.value.field == "reject_reason"
    challenge = challenges.challenge_decide(
        actor=rtc.muni_user,
        challenge=challenge,
        decision="reject",
        reject_reason="legal_obstacle",
        note="Handhaving is een wettelijke taak van de gemeente.",
    )
    assert challenge.status == Challenge.Status.REJECTED
    assert challenge.get_reject_reason_display()


def test_deadlines_remind_once(open_tender, django_capture_on_commit_callbacks):
    w = open_tender
    bids.bid_create(actor=w.board_a, tender=w.tender, cooperative=w.coop_a, **bid_values())
    Tender.objects.filter(pk=w.tender.pk).update(
        submission_deadline=timezone.now() + timedelta(hours=20)
    )
    challenge = challenges.challenge_submit(
        actor=w.board_a,
        cooperative=w.coop_a,
        client=w.municipality,
        task="Buurthuis",
        area="Zuid",
        plan="Plan",
    )
    Challenge.objects.filter(pk=challenge.pk).update(
        decision_deadline=timezone.localdate() + timedelta(days=3)
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = reminders.deadline_reminders()
    assert sent == {"bids": 1, "tender_decisions": 0, "challenge_decisions": 1}
    assert len(mail.outbox) == 2
    assert reminders.deadline_reminders() == {
        "bids": 0,
        "tender_decisions": 0,
        "challenge_decisions": 0,
    }


def test_editing_a_contract_shift_is_held_to_the_budget_and_period_too(awarded):
    from jobs.services.jobs import shift_update

    contract = awarded.contract
    shift = Shift.objects.filter(job__contract_link__contract=contract).order_by("start").first()
    committed = contracts.contract_budget(contract)["committed_cents"]
    _budget_contract(awarded, budget_cents=committed + 12_800)  # room for one more person once
    assert shift_update(actor=awarded.muni_user, shift=shift, slots=3).slots == 3
    with pytest.raises(Conflict) as exc:
        shift_update(actor=awarded.muni_user, shift=shift, slots=5)
    assert exc.value.code == "contract_budget_exhausted"
    later = timezone.localtime(shift.start).replace(year=shift.start.year + 2)
    with pytest.raises(ValidationFailed) as exc:
        shift_update(
            actor=awarded.muni_user, shift=shift, start=later, end=later + timedelta(hours=4)
        )
    assert exc.value.code == "outside_contract_period"
    stored = Shift.objects.get(pk=shift.pk)
    assert stored.slots == 3
    assert stored.start == shift.start
