"""Keeping the time limit as a promise: process start, a last-resort alarm, answers that
survive a killed worker.

Design overview
---------------
``python -m jobs.dispatch solve --time-limit T`` promises to have written its answer
within ``1.02 T + 1 s`` of the process's start (``PROMISE_FACTOR``, ``PROMISE_SECONDS``),
whatever the instance and the machine's load. Three layers keep it:

1. *Every phase watches the clock* (``solve.py``): the deadline is counted from the
   process's start (``process_started``, from ``/proc``), not from when ``solve`` was
   called, so interpreter start-up and reading the file are paid for; the greedy stops
   where it is at the deadline (what it took is feasible); a phase whose cost is known
   in advance (HiGHS's model on a large component, another seed) does not start when
   it cannot finish.
2. *Workers are processes the caller can kill.* The improvement runs in forked
   children (``run_forked``), one per bin of components, also with one worker. Whenever
   a child finds a better answer for a component it writes it into shared memory
   (``SharedAnswers``: two buffers per job, the older one overwritten, its objective
   set to -inf while it is written, so a child killed mid-write leaves the previous
   answer intact). At the kill time the parent stops waiting, kills what still runs
   and takes the best published answer per component, at worst the greedy's.
3. *An alarm in the parent* (``alarm``) interrupts whatever the parent itself still
   does at the kill time (building the candidates of a huge instance, say); ``solve``
   then answers with what it has: the greedy if it finished, else the commitments alone
   (feasible by the contract).

The kill time leaves room for writing the answer (``output_seconds``: building the
assignment and its JSON, measured at about 5 µs per shift; kept tenfold for a
loaded machine) and for the process's exit.
"""

from __future__ import annotations

import contextlib
import math
import mmap
import os
import signal
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

PROMISE_FACTOR = 1.02
PROMISE_SECONDS = 1.0
EXIT_SECONDS = 0.5  # the interpreter's exit, on a loaded machine
COLLECT_SECONDS = 0.1  # + 1 % of the limit: workers stop on their own this much earlier
POLL_SECONDS = 0.005


class OutOfTime(Exception):
    """Raised in the parent by ``alarm`` at the kill time."""


def process_started() -> float:
    """``time.monotonic()`` at which this process started (its exec), or now where the
    system does not tell (then start-up is not counted)."""
    now = time.monotonic()
    try:
        with Path("/proc/self/stat").open("rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        start_ticks = int(fields[19])  # field 22: starttime, in clock ticks since boot
        with Path("/proc/uptime").open("rb") as fh:
            uptime = float(fh.read().split()[0])
        age = uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return now
    return now - min(max(0.0, age), 3600.0)


def promise_end(started: float, time_limit: float) -> float:
    return started + PROMISE_FACTOR * time_limit + PROMISE_SECONDS


def output_seconds(n_shifts: int, n_members: int) -> float:
    """Time kept for building and writing the answer (generous: the machine may be
    loaded)."""
    return 0.3 + 5e-5 * n_shifts + 2e-5 * n_members


@contextlib.contextmanager
def alarm(at: float) -> Iterator[None]:
    """Raise ``OutOfTime`` in this (main) thread at monotonic time ``at``; a no-op where
    signals cannot be used (another thread, no SIGALRM) or ``at`` is infinite."""
    usable = (
        math.isfinite(at)
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def ring(signum: int, frame: object) -> None:
        raise OutOfTime

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, max(1e-3, at - time.monotonic()))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class SharedAnswers:
    """Per job (a component's run in some worker): the best answer published so far, a
    mask over the component's pairs, in memory shared with forked children."""

    def __init__(self, sizes: list[int]):
        self.sizes = sizes
        n = len(sizes)
        self.offsets = np.r_[0, np.cumsum(sizes)].astype(np.int64)
        header = 8 * (3 * n + 1)
        total = header + 2 * int(self.offsets[-1]) + 1
        self._map = mmap.mmap(-1, total)  # anonymous, shared with forked children
        floats = np.frombuffer(self._map, dtype=np.float64, count=3 * n, offset=0)
        self.objective = floats[: 2 * n].reshape(n, 2)  # -inf: nothing (valid) there
        self.bound = floats[2 * n :]  # +inf: none
        self.objective[:] = -np.inf
        self.bound[:] = np.inf
        self.masks = np.frombuffer(
            self._map, dtype=np.uint8, count=2 * int(self.offsets[-1]), offset=header
        )
        self._last = [1] * n  # which buffer was written last (per process)

    def _buffer(self, job: int, k: int) -> np.ndarray:
        a, b = int(self.offsets[job]), int(self.offsets[job + 1])
        base = 2 * a + k * (b - a)
        return self.masks[base : base + b - a]

    def put(self, job: int, mask: np.ndarray, objective: float) -> None:
        """Publish ``mask`` (feasible) if it beats what the job published before."""
        if objective <= self.objective[job].max():
            return
        k = 1 - self._last[job]
        self.objective[job, k] = -np.inf  # invalid while written
        self._buffer(job, k)[:] = mask
        self.objective[job, k] = objective
        self._last[job] = k

    def put_bound(self, job: int, bound: float | None) -> None:
        if bound is not None and math.isfinite(bound):
            self.bound[job] = min(self.bound[job], bound)

    def best(self, job: int) -> tuple[np.ndarray | None, float]:
        """The job's best published mask and its objective (None, -inf if none)."""
        k = int(np.argmax(self.objective[job]))
        objective = float(self.objective[job, k])
        if not math.isfinite(objective):
            return None, objective
        return self._buffer(job, k).astype(bool), objective


def run_forked(tasks: list[Callable[[], None]], kill_at: float) -> int:
    """Run each task in a forked child; wait until all have ended or ``kill_at``, then
    kill those still running. Returns how many were killed. (``os.fork`` rather than
    ``multiprocessing``: it works in daemonic processes too, such as Celery's.)"""
    pids = []
    try:
        for task in tasks:
            pid = os.fork()
            if pid == 0:  # the child
                code = 1
                try:
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    task()
                    code = 0
                finally:
                    os._exit(code)
            pids.append(pid)
        running = set(pids)
        while running and time.monotonic() < kill_at:
            for pid in list(running):
                done, _ = os.waitpid(pid, os.WNOHANG)
                if done:
                    running.discard(pid)
            if running:
                time.sleep(POLL_SECONDS)
    finally:
        killed = 0
        for pid in pids:
            with contextlib.suppress(ChildProcessError):
                done, _ = os.waitpid(pid, os.WNOHANG)
                if not done:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                    killed += 1
                    # Not reaped here: a killed worker's memory (a gigabyte at 10k)
                    # takes the kernel a while to free, and the answer must not wait.
                    _UNREAPED.append(pid)
    return killed


_UNREAPED: list[int] = []


def reap() -> None:
    """Reap killed workers that have ended since (``solve`` calls it once its answer is
    built; those still ending are reaped by init when the command line exits)."""
    for pid in list(_UNREAPED):
        with contextlib.suppress(ChildProcessError):
            done, _ = os.waitpid(pid, os.WNOHANG)
            if not done:
                continue
        _UNREAPED.remove(pid)
