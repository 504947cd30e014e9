"""No promised work is lost when the broker loses its queue or a whole worker is killed.

Real processes: a Redis of the test's own without persistence (``PrivateRedis``, never
the shared one) and real Celery workers (prefork, with the beat that runs the outbox
sweep) on the test database. The promised effects are the outbox's: an e-mail to the
member and the settlement for each approved timesheet, and a dispatch run.

1. Timesheets are approved and a dispatch run requested while no worker runs: the tasks
   wait in Redis. Redis is killed (``kill -9``) and started again, empty.
2. A worker starts: every effect happens, exactly once.
3. More timesheets are approved; while the worker is in the middle of them, the whole
   worker (main process and pool) is killed. Its tasks are neither finished nor back in
   the queue (Redis would hand them out again only after its two-hour visibility
   timeout). A new worker starts: every effect happens, exactly once.
"""

from __future__ import annotations

import email
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from jobs.models import Claim, Shift, Timesheet
from jobs.models.dispatching import DispatchRun, Offer
from jobs.services.dispatching import dispatch_request
from jobs.services.timesheets import timesheet_approve
from payouts.models import Split
from tests.conftest import broker_at
from tests.factories import MembershipFactory
from tests.factories.work import ensure_founded, make_shift
from tests.faults import PrivateRedis
from werkstation.models import OutboxEvent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
REDELIVER_SECONDS = 5
WAIT_SECONDS = 240  # a failure bound, far above what the run needs


def _worker(redis: PrivateRedis, tmp_path: Path, name: str) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL",)}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.worker_settings",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=redis.url,
        WERKSTATION_VAR_DIR=str(tmp_path / name),
        WERKSTATION_TEST_MAIL_DIR=str(tmp_path / "mail"),
        WERKSTATION_TEST_MAIL_DELAY="1.5",
        WERKSTATION_OUTBOX_SWEEP_SECONDS="1",
        WERKSTATION_OUTBOX_REDELIVER_SECONDS=str(REDELIVER_SECONDS),
    )
    (tmp_path / name).mkdir()
    command = [sys.executable, "-m", "celery", "-A", "werkstation", "worker", "-B"]
    command += ["--concurrency=2", "--loglevel=info", f"--hostname={name}@%h"]
    log = (tmp_path / f"{name}.log").open("w")
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _kill_whole_worker(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)  # main process, pool children and beat
    worker.wait(30)


def _approved_subjects() -> set[str]:
    from django.utils.translation import gettext

    subjects = set()
    for language in ("nl", "en"):
        with translation.override(language):
            subjects.add(gettext("Your hours were approved"))
    return subjects


def _approval_mails(mail_dir: Path) -> list[str]:
    """The recipient of every approval e-mail written so far."""
    subjects = _approved_subjects()
    found = []
    for path in mail_dir.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes())
        subject = str(email.header.make_header(email.header.decode_header(message["Subject"])))
        if subject in subjects:
            found.append(message["To"])
    return found


def _submitted_timesheets(market, count: int, offset: int) -> list[Timesheet]:
    from datetime import timedelta

    from django.utils import timezone

    sheets = []
    for index in range(count):
        member = MembershipFactory(cooperative=market.coop_a).user
        start = timezone.now().replace(microsecond=0) - timedelta(
            days=2, hours=4 * (index + offset)
        )
        shift = make_shift(market.job, start + timedelta(days=60), hours=3)
        Shift.objects.filter(pk=shift.pk).update(
            start=start, end=start + timedelta(hours=3), filled=1
        )
        claim = Claim.objects.create(
            shift_id=shift.pk,
            user=member,
            status="confirmed",
            start=start,
            end=start + timedelta(hours=3),
        )
        sheets.append(Timesheet.objects.create(claim=claim, minutes_worked=180))
    return sheets


def _wait_until_done(sheets, mail_dir: Path, run: DispatchRun | None = None) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        unfinished = OutboxEvent.objects.filter(done_at__isnull=True).count()
        settled = Split.objects.filter(timesheet__in=sheets).count()
        mails = len(_approval_mails(mail_dir))
        run_done = run is None or DispatchRun.objects.get(pk=run.pk).status == "done"
        if unfinished == 0 and settled >= len(sheets) and mails >= len(sheets) and run_done:
            return
        assert time.monotonic() < deadline, (unfinished, settled, mails, run_done)
        time.sleep(0.5)


def _assert_exactly_once(sheets, mail_dir: Path) -> None:
    recipients = _approval_mails(mail_dir)
    for sheet in sheets:
        email_address = sheet.claim.user.email
        assert recipients.count(email_address) == 1, (email_address, recipients)
        assert Split.objects.filter(timesheet=sheet).count() == 1
    assert all(
        t.approval_notified_at is not None
        for t in Timesheet.objects.filter(pk__in=[s.pk for s in sheets])
    )


def test_every_promised_effect_happens_once_after_broker_loss_and_worker_death(market, tmp_path):
    ensure_founded(market.coop_a)
    (tmp_path / "mail").mkdir()
    mail_dir = tmp_path / "mail"
    redis = PrivateRedis().start()
    workers: list[subprocess.Popen] = []
    try:
        with broker_at(redis.url):
            # 1. Promised while no worker runs; the broker then loses everything.
            first = _submitted_timesheets(market, 4, offset=0)
            for sheet in first:
                timesheet_approve(actor=market.client_user, timesheet_id=sheet.pk)
            run = dispatch_request(
                actor=market.board_a,
                cooperative=market.coop_a,
                period_start=market.tuesday.date(),
                period_end=market.tuesday.date(),
            )
            import redis as redis_client

            queued = redis_client.Redis.from_url(redis.url).llen("celery")
            assert queued == 2 * len(first) + 1  # each handed out after its commit
            redis.kill()
            redis.start()

            # 2. A worker comes: everything happens, once.
            workers.append(_worker(redis, tmp_path, "first"))
            _wait_until_done(first, mail_dir, run)
            _assert_exactly_once(first, mail_dir)
            assert (
                Offer.objects.filter(run=run).count()
                == DispatchRun.objects.get(pk=run.pk).offers_made
            )
            assert Offer.objects.filter(run=run).count() > 0

            # 3. The whole worker dies in the middle of the work.
            second = _submitted_timesheets(market, 6, offset=10)
            for sheet in second:
                timesheet_approve(actor=market.client_user, timesheet_id=sheet.pk)
            deadline = time.monotonic() + WAIT_SECONDS
            while not OutboxEvent.objects.filter(
                handler="jobs.tasks.timesheet_approved",
                started_at__isnull=False,
                done_at__isnull=True,
            ).exists():
                assert time.monotonic() < deadline
                time.sleep(0.05)
            _kill_whole_worker(workers[0])
            stranded = OutboxEvent.objects.filter(done_at__isnull=True).count()
            assert stranded > 0  # work the dead worker held or had not reached

            workers.append(_worker(redis, tmp_path, "second"))
            _wait_until_done(second, mail_dir)
            _assert_exactly_once(first + second, mail_dir)
    finally:
        for worker in workers:
            if worker.poll() is None:
                _kill_whole_worker(worker)
        redis.stop()
        connection.close()
