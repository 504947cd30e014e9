"""Hooks higher layers fill at app start (imports run one way: payouts → jobs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

_earnings_this_year: Callable[[Collection[int]], dict[int, int]] = lambda user_ids: {}  # noqa: E731 (replaced by payouts)


def earnings_this_year_provider_register(
    provider: Callable[[Collection[int]], dict[int, int]],
) -> None:
    """``payouts`` registers how much gross members earned this calendar year (cents)."""
    global _earnings_this_year  # noqa: PLW0603 - a hook of one, set when payouts loads
    _earnings_this_year = provider


def earnings_this_year(user_ids: Collection[int]) -> dict[int, int]:
    """Gross earned this calendar year in cents, by user id, for many members at once (one
    query); members who earned nothing may be missing."""
    return _earnings_this_year(user_ids)


_max_pay_rooms: Callable[[Collection[int]], dict[int, int]] = lambda user_ids: {}  # noqa: E731 (replaced by payouts)


def max_pay_rooms_provider_register(provider: Callable[[Collection[int]], dict[int, int]]) -> None:
    """``payouts`` registers the members' other earnings limits this month (volunteer
    maximums, bijstand room), the smallest per member, in cents."""
    global _max_pay_rooms  # noqa: PLW0603 - a hook of one, set when payouts loads
    _max_pay_rooms = provider


def max_pay_rooms(user_ids: Collection[int]) -> dict[int, int]:
    """The smallest room left under each member's limits besides the yearly cap (members
    without such limits are missing)."""
    return _max_pay_rooms(user_ids)
