"""Who may act in the right-to-challenge flow.

The municipality acts through the users of a client of kind ``municipality``; the
cooperative acts through its board. Tenders and challenges are public once published.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from jobs.models import Client, ClientUser
from members.access import has_role
from werkstation.errors import PermissionDenied


def municipality_clients_of(user) -> list[Client]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Client.objects.filter(kind=Client.Kind.MUNICIPALITY, client_users__user=user).distinct()
    )


def is_municipality_user(user, client: Client | int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    client_id = client if isinstance(client, int) else client.pk
    return ClientUser.objects.filter(
        user=user, client_id=client_id, client__kind=Client.Kind.MUNICIPALITY
    ).exists()


def require_municipality_user(user, client: Client | int) -> None:
    if not is_municipality_user(user, client):
        raise PermissionDenied(
            _("Only the municipality's own users may do this."), code="municipality_required"
        )


def is_board(user, cooperative_id: int) -> bool:
    return has_role(user, cooperative_id, "board")


def can_see_bid(user, bid) -> bool:
    """The bidding cooperative's board and treasurer always; the municipality only once
    the bid is submitted and the window has closed by the clock (sealed until then)."""
    if has_role(user, bid.cooperative_id, "board", "treasurer"):
        return True
    return (
        bid.status not in ("draft", "withdrawn")
        and bid.tender.effective_status != "open"
        and is_municipality_user(user, bid.tender.client_id)
    )


def can_see_contract(user, contract) -> bool:
    return has_role(user, contract.cooperative_id, "board", "treasurer") or is_municipality_user(
        user, contract.client_id
    )
