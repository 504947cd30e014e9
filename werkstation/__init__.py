"""Werkstation: the project package (settings, urls, Celery app, shared kernel)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
