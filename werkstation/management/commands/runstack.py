"""``make run``: the web server, a Celery worker and beat together, stopped together.

Each part runs in its own session, so the terminal's Ctrl-C reaches only this
supervisor, which then stops the parts: SIGTERM to each (the worker finishes or hands
back what it holds), at most ``GRACE_SECONDS`` for them to exit, SIGKILL for whatever is
still there. No part is
left running and nothing is lost: a task cut short is handed out again by the outbox.

On the embedded default (SQLite, kombu's SQLAlchemy broker) the worker uses a thread
pool: no forked children holding SQLite or solver state, which is what crashed on a
stop before.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

if TYPE_CHECKING:
    from types import FrameType

# An idle worker on the embedded broker needs about six seconds to finish its polling
# loop and exit by itself; anything still running after this is killed.
GRACE_SECONDS = 8.0


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and beat; Ctrl-C stops all three."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--noreload", action="store_true")
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument(
            "--banner",
            action="store_true",
            help="Once the web server answers, print its address and the demo logins.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        python = sys.executable
        celery = str(Path(python).with_name("celery"))
        embedded = not getattr(settings, "REDIS_URL", "")
        web = [python, "manage.py", "runserver", f"{options['host']}:{options['port']}"]
        if options["noreload"]:
            web.append("--noreload")
        worker = [celery, "-A", "werkstation", "worker", "--loglevel=warning"]
        worker += [f"--concurrency={options['concurrency']}"]
        if embedded:
            worker.append("--pool=threads")
        beat = [celery, "-A", "werkstation", "beat", "--loglevel=warning"]
        beat.append(f"--schedule={settings.CELERY_BEAT_SCHEDULE_FILENAME}")
        parts = {"web": web, "worker": worker, "beat": beat}
        processes = {
            name: subprocess.Popen(command, start_new_session=True)  # noqa: S603 (our own argv)
            for name, command in parts.items()
        }
        stopping: dict[str, int | None] = {"signal": None}
        if options["banner"]:
            self._banner(options["host"], options["port"])

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stopping["signal"] = signum

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        exit_code = 0
        while stopping["signal"] is None:
            died = [name for name, p in processes.items() if p.poll() is not None]
            if died:
                self.stderr.write(f"{', '.join(died)} stopped on its own; stopping the rest")
                exit_code = 1
                break
            time.sleep(0.2)
        self.stdout.write("Stopping web, worker and beat …")
        stop(processes, grace=GRACE_SECONDS)
        self.stdout.write("Stopped.")
        sys.exit(exit_code)

    def _banner(self, host: str, port: str) -> None:
        """The address and the demo logins, printed once, last, when the site answers."""
        from members.management.commands.seed_demo import demo_login_lines

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection((host, int(port)), 1):
                break
            time.sleep(0.3)
        lines = [
            "",
            f"  Werkstation runs at http://{host}:{port}   (Ctrl-C stops web, worker and beat)",
            *demo_login_lines(),
        ]
        if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
            lines.append(f"  E-mails are written to {settings.EMAIL_FILE_PATH}/, not shown here.")
        self.stdout.write("\n".join([*lines, ""]))


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def stop(processes: dict[str, subprocess.Popen[bytes]], *, grace: float) -> None:
    """SIGTERM to every part (and its children), then SIGKILL after ``grace`` seconds."""
    for process in processes.values():
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(max(0.0, deadline - time.monotonic()))
    for process in processes.values():
        _signal_group(process, signal.SIGKILL)  # the group: reloader and pool children too
        if process.poll() is None:
            process.wait(5)
