import pytest
from django.core import mail

from jobs.services.digest import shift_digest_send
from members.models import NotificationPreference

pytestmark = pytest.mark.django_db


def test_daily_digest_is_one_mail_per_member_not_one_per_shift(
    market, django_capture_on_commit_callbacks
):
    from tests.factories.work import make_shift

    make_shift(market.job, market.shift.start.replace(hour=14))
    NotificationPreference.objects.filter(
        user__in=[market.board_a, market.treasurer_a, market.auditor_a]
    ).update(shift_digest="never")
    with django_capture_on_commit_callbacks(execute=True):
        sent = shift_digest_send()
    to_member = [m for m in mail.outbox if market.member_a.email in m.to]
    assert sent == 1
    assert len(to_member) == 1
    assert "Geveltuinen" in to_member[0].body
    assert to_member[0].body.count("Geveltuinen") == 2


def test_digest_respects_never(market, django_capture_on_commit_callbacks):
    NotificationPreference.objects.update(shift_digest="never")
    with django_capture_on_commit_callbacks(execute=True):
        assert shift_digest_send() == 0
    assert mail.outbox == []
