"""Hours: submit, approve or dispute, board resolves, auto-approval, and the outbox."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from jobs.models import Claim, Shift, Timesheet
from jobs.services.timesheets import timesheets_auto_approve
from tests.conftest import api_as, broker_at, row_counts
from tests.factories.jobs import ClaimFactory
from werkstation.models import AuditEntry, OutboxEvent
from werkstation.outbox import outbox_publish_pending

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked(market):
    """A confirmed claim on a shift that ended yesterday."""
    start = timezone.now() - timedelta(days=1, hours=4)
    Shift.objects.filter(pk=market.shift.pk).update(start=start, end=start + timedelta(hours=3))
    market.shift.refresh_from_db()
    market.claim = ClaimFactory(shift=market.shift, user=market.member_a, confirmed=True)
    return market


def _submit(world, **values):
    return api_as(world.member_a).post(
        "/api/v1/timesheets/", {"claim": world.claim.pk, "minutes_worked": 180, **values}
    )


def test_submit_and_approve_emits_an_outbox_event(worked, django_capture_on_commit_callbacks):
    response = _submit(worked, break_minutes=15)
    assert response.status_code == 201, response.data
    with django_capture_on_commit_callbacks(execute=True):
        approved = api_as(worked.client_user).post(
            f"/api/v1/timesheets/{response.data['id']}/approve/"
        )
    assert approved.status_code == 200
    assert approved.data["status"] == "approved"
    assert Claim.objects.get(pk=worked.claim.pk).status == "completed"
    events = OutboxEvent.objects.filter(topic="timesheet.approved")
    assert {e.handler for e in events} == {
        "jobs.tasks.timesheet_approved",
        "payouts.tasks.settle_timesheet",
    }
    assert all(e.payload == {"timesheet_id": response.data["id"]} for e in events)


def test_more_minutes_than_the_shift_plus_an_hour_is_refused(worked):
    before = row_counts(Timesheet, AuditEntry)
    response = _submit(worked, minutes_worked=180 + 61)
    assert response.status_code == 400
    assert response.data["error"]["field"] == "minutes_worked"
    assert response.data["error"]["code"] == "too_many_minutes"
    assert row_counts(Timesheet, AuditEntry) == before
    assert _submit(worked, minutes_worked=240).status_code == 201


def test_timesheet_on_someone_elses_claim_is_refused(worked):
    before = row_counts(Timesheet)
    response = api_as(worked.treasurer_a).post(
        "/api/v1/timesheets/", {"claim": worked.claim.pk, "minutes_worked": 60}
    )
    assert response.status_code == 404
    assert response.data["error"]["field"] == "claim"
    assert row_counts(Timesheet) == before


def test_hours_before_the_shift_ended_are_refused(market):
    claim = ClaimFactory(shift=market.shift, user=market.member_a, confirmed=True)
    response = api_as(market.member_a).post(
        "/api/v1/timesheets/", {"claim": claim.pk, "minutes_worked": 60}
    )
    assert response.status_code == 409
    assert response.data["error"]["code"] == "not_ended"


def test_dispute_then_board_adjusts_and_approves(worked, django_capture_on_commit_callbacks):
    sheet = _submit(worked).data
    with django_capture_on_commit_callbacks(execute=True):
        disputed = api_as(worked.client_user).post(
            f"/api/v1/timesheets/{sheet['id']}/dispute/", {"reason": "Was om 10 uur klaar"}
        )
    assert disputed.data["status"] == "disputed"
    assert any(worked.member_a.email in m.to for m in mail.outbox)
    # The client cannot resolve its own dispute (a board action: outside the cooperative,
    # the answer is "not found").
    assert (
        api_as(worked.client_user)
        .post(f"/api/v1/timesheets/{sheet['id']}/resolve/", {"approve": True, "reason": "ok"})
        .status_code
        == 404
    )
    resolved = api_as(worked.board_a).post(
        f"/api/v1/timesheets/{sheet['id']}/resolve/",
        {"approve": True, "reason": "Samen besproken", "minutes_worked": 60},
    )
    assert resolved.status_code == 200
    assert resolved.data["status"] == "approved"
    assert resolved.data["minutes_worked"] == 60


def test_board_can_reject_a_disputed_timesheet(worked):
    sheet = _submit(worked).data
    api_as(worked.client_user).post(
        f"/api/v1/timesheets/{sheet['id']}/dispute/", {"reason": "Niet geweest"}
    )
    response = api_as(worked.board_a).post(
        f"/api/v1/timesheets/{sheet['id']}/resolve/", {"approve": False, "reason": "Klopt niet"}
    )
    assert response.data["status"] == "rejected"
    assert not OutboxEvent.objects.filter(topic="timesheet.approved").exists()


def test_unanswered_timesheets_are_auto_approved_after_the_cooperatives_days(worked):
    sheet = _submit(worked).data
    Timesheet.objects.filter(pk=sheet["id"]).update(submitted_at=timezone.now() - timedelta(days=6))
    assert timesheets_auto_approve() == 0
    Timesheet.objects.filter(pk=sheet["id"]).update(
        submitted_at=timezone.now() - timedelta(days=7, minutes=1)
    )
    assert timesheets_auto_approve() == 1
    timesheet = Timesheet.objects.get(pk=sheet["id"])
    assert timesheet.status == "approved"
    assert timesheet.auto_approved


def test_no_show_is_marked_by_the_client(worked):
    response = api_as(worked.client_user).post(f"/api/v1/claims/{worked.claim.pk}/no-show/")
    assert response.status_code == 200
    assert response.data["status"] == "no_show"
    assert _submit(worked).status_code == 409


def test_approval_notification_is_sent_once_even_if_published_twice(
    worked, django_capture_on_commit_callbacks
):
    from jobs.services.timesheets import timesheet_approved_notify

    sheet = _submit(worked).data
    api_as(worked.client_user).post(f"/api/v1/timesheets/{sheet['id']}/approve/")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert timesheet_approved_notify(timesheet_id=sheet["id"]) is True
        assert timesheet_approved_notify(timesheet_id=sheet["id"]) is False
    assert len([m for m in mail.outbox if worked.member_a.email in m.to]) == 1


def test_publish_without_a_broker_keeps_the_event(
    worked, settings, django_capture_on_commit_callbacks
):
    """An event is handed out after the commit; with the broker down it stays unpublished
    (the approval itself succeeds) and the sweep keeps trying."""
    sheet = _submit(worked).data
    with broker_at("redis://127.0.0.1:1/0"):
        with django_capture_on_commit_callbacks(execute=True):
            approved = api_as(worked.client_user).post(f"/api/v1/timesheets/{sheet['id']}/approve/")
        assert approved.status_code == 200
        assert outbox_publish_pending() == 0
    events = OutboxEvent.objects.filter(topic="timesheet.approved")
    assert events.count() == 2
    assert all(e.published_at is None and e.done_at is None and e.last_error for e in events)


def test_one_reminder_to_log_hours(worked, django_capture_on_commit_callbacks):
    from jobs.services.timesheets import timesheet_reminders

    with django_capture_on_commit_callbacks(execute=True):
        assert timesheet_reminders(now=worked.claim.end + timedelta(days=2)) == 1
        assert timesheet_reminders(now=worked.claim.end + timedelta(days=3)) == 0
    assert [m.to for m in mail.outbox] == [[worked.member_a.email]]
    assert Claim.objects.get(pk=worked.claim.pk).status_reason == ""
