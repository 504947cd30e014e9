"""Werkstation: the project package (settings, urls, Celery app, shared kernel).

The Celery app is created when Django starts (``WerkstationConfig.ready``) and found by
``celery -A werkstation`` in ``werkstation.celery``; it is not imported here, so the pure
modules of this package (``werkstation.money``) load without Django or Celery.
"""

from typing import Any

__all__ = ["celery_app"]


def __getattr__(name: str) -> Any:
    if name == "celery_app":
        from .celery import app

        return app
    msg = f"module 'werkstation' has no attribute {name!r}"
    raise AttributeError(msg)
