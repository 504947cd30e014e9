"""Reads of the right-to-challenge flow, with what the pages and the API need joined in."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.db.models import Q, QuerySet

from jobs.challenges.access import municipality_clients_of
from jobs.challenges.models import Bid, Challenge, Contract, Tender
from members.models import Membership, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

PUBLIC_TENDER_STATUSES = ["open", "closed", "awarded", "not_awarded"]


def tenders_public() -> QuerySet[Tender]:
    return Tender.objects.filter(status__in=PUBLIC_TENDER_STATUSES).select_related("client")


def tenders_visible(user: User | AnonymousUser) -> QuerySet[Tender]:
    """Published tenders for everyone; drafts too for the municipality's own users."""
    clients = [c.pk for c in municipality_clients_of(user)]
    return (
        Tender.objects.filter(Q(status__in=PUBLIC_TENDER_STATUSES) | Q(client_id__in=clients))
        .select_related("client")
        .distinct()
    )


def challenges_public() -> QuerySet[Challenge]:
    return Challenge.objects.select_related("cooperative", "client")


def _board_cooperatives(user: User | AnonymousUser, *roles: str) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    member = cast("User", user)  # authenticated: not the anonymous user
    memberships = Membership.objects.filter(user=member, status="active")
    query = Q()
    for role in roles:
        query |= Q(**{f"is_{role}": True})
    return list(memberships.filter(query).values_list("cooperative_id", flat=True))


def bids_visible(user: User | AnonymousUser, tender: Tender) -> QuerySet[Bid]:
    """The own cooperative's bids to its board; submitted bids to the municipality once
    the window has closed by the clock (bids stay sealed until then; no beat run needed)."""
    own = _board_cooperatives(user, "board", "treasurer")
    query = Q(cooperative_id__in=own)
    if tender.effective_status != Tender.Status.OPEN and tender.client_id in {
        c.pk for c in municipality_clients_of(user)
    }:
        query |= ~Q(status__in=[Bid.Status.DRAFT, Bid.Status.WITHDRAWN])
    return (
        Bid.objects.filter(query, tender=tender)
        .select_related("cooperative", "tender")
        .order_by("id")
    )


def contracts_visible(user: User | AnonymousUser) -> QuerySet[Contract]:
    clients = [c.pk for c in municipality_clients_of(user)]
    own = _board_cooperatives(user, "board", "treasurer")
    return Contract.objects.filter(
        Q(client_id__in=clients) | Q(cooperative_id__in=own)
    ).select_related("client", "cooperative")


def board_cooperative_ids(user: User | AnonymousUser) -> list[int]:
    return _board_cooperatives(user, "board")
