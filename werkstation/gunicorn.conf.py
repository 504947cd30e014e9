"""gunicorn settings for production and the benchmarks: ``gunicorn -c werkstation/gunicorn.conf.py``.

The app is loaded once before forking and its objects are moved out of the garbage
collector's reach (``gc.freeze``), so collections in the workers scan only what a request
allocates: fewer and shorter pauses, a shorter latency tail.
"""

import gc
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gunicorn.arbiter import Arbiter
    from gunicorn.workers.base import Worker

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
preload_app = True
max_requests = 5000
max_requests_jitter = 500
# A request waits at most a few seconds on the database (werkstation/middleware.py), so a
# worker silent for 30 s is hung: the arbiter kills and replaces it. On a stop, requests
# in flight get 20 s to finish. Keep-alive 5 s: a proxy in front reuses connections.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))


def post_fork(server: "Arbiter", worker: "Worker") -> None:
    gc.freeze()
