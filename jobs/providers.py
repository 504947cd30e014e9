"""Hooks higher layers fill at app start (imports run one way: payouts → jobs)."""

from __future__ import annotations

from collections.abc import Callable

_earnings_this_year: Callable[..., int] = lambda user, **kwargs: 0  # noqa: E731 (replaced by payouts)


def earnings_this_year_provider_register(provider: Callable[..., int]) -> None:
    """``payouts`` registers how much gross a member earned this calendar year (cents)."""
    global _earnings_this_year
    _earnings_this_year = provider


def earnings_this_year(user) -> int:
    return _earnings_this_year(user)
