from __future__ import annotations

from django.db.models import Q, QuerySet

from members.models import User

from .models import Client, ClientUser


def clients_of_user(user: User) -> QuerySet[Client]:
    return Client.objects.filter(client_users__user=user).distinct().order_by("name")


def clients_visible(user: User) -> QuerySet[Client]:
    """Client users see their own clients; board and treasurers see their cooperatives' clients."""
    return (
        Client.objects.filter(
            Q(client_users__user=user)
            | Q(
                links__cooperative__memberships__user=user,
                links__cooperative__memberships__status="active",
            )
            & (
                Q(links__cooperative__memberships__is_board=True)
                | Q(links__cooperative__memberships__is_treasurer=True)
            )
        )
        .distinct()
        .prefetch_related("links__cooperative")
        .order_by("name")
    )


def client_users_of(client: Client) -> QuerySet[ClientUser]:
    return (
        ClientUser.objects.filter(client=client).select_related("user").order_by("user__full_name")
    )
