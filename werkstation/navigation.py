"""The menu's data: each app registers what it adds to the navigation.

The layout (``templates/base.html``) shows the menu on every page; the ``nav_*`` values it
reads (the signed-in user's memberships and roles, the clients they work for, how many
hours wait for their approval, warnings for their board) belong to the apps. Each app
registers one reader here at start-up (``<app>/registrations.py`` or its
``AppConfig.ready``); the context processor ``navigation`` merges their answers, in
registration order. So the kernel imports no app, and an app adds an entry to the menu
without touching another app.

A reader takes the signed-in user and returns ``nav_*`` keys; ``anonymous`` holds what
it gives everyone else. Keys are the app's own: two readers never answer the same key.
Readers run on every page, so each asks the database as little as it can (page tests
count the queries).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

Reader = Callable[[Any], Mapping[str, Any]]


@dataclass(frozen=True)
class NavSource:
    name: str
    read: Reader  # the signed-in user -> nav_* keys
    anonymous: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


_SOURCES: dict[str, NavSource] = {}


def navigation_register(
    *, name: str, read: Reader, anonymous: Mapping[str, Any] | None = None
) -> None:
    """Add ``read`` (by ``name``; registering a name again replaces it) to the menu's data."""
    _SOURCES[name] = NavSource(name=name, read=read, anonymous=MappingProxyType(anonymous or {}))


def navigation_sources() -> tuple[NavSource, ...]:
    return tuple(_SOURCES.values())


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor (``TEMPLATES``): every registered reader's ``nav_*`` values."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    context: dict[str, Any] = {}
    for source in _SOURCES.values():
        context.update(source.read(user) if signed_in else source.anonymous)
    return context
