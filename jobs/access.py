from __future__ import annotations

from django.utils.translation import gettext as _

from members.access import has_role
from werkstation.errors import PermissionDenied

from .models import Client, ClientUser, Job


def is_client_user(user, client: Client | int, *, admin: bool = False) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    client_id = client if isinstance(client, int) else client.pk
    qs = ClientUser.objects.filter(user=user, client_id=client_id)
    if admin:
        qs = qs.filter(role=ClientUser.Role.ADMIN)
    return qs.exists()


def linked_cooperatives_managed(user, client: Client) -> list[int]:
    """The cooperatives the client works with (agreed links) where the user is on the board
    or the treasurer: the relationships this user may see."""
    return [
        coop_id
        for coop_id in client.links.values_list("cooperative_id", flat=True)
        if has_role(user, coop_id, "board", "treasurer")
    ]


def manages_client_as_board(user, client: Client) -> bool:
    """The board or treasurer of a cooperative the client works with: they see the client's
    billing details for their own relationship, and never change the client itself."""
    return bool(linked_cooperatives_managed(user, client))


def can_view_client_private(user, client: Client) -> bool:
    return is_client_user(user, client) or manages_client_as_board(user, client)


def require_client_admin(user, client: Client) -> None:
    """Only the client's own administrators change the client, its users and its links."""
    if not is_client_user(user, client, admin=True):
        raise PermissionDenied(
            _("Only the client's administrators may do this."), code="client_admin_required"
        )


def can_manage_job(user, job: Job) -> bool:
    """The client's own users, or the cooperative's board."""
    return is_client_user(user, job.client_id) or has_role(user, job.cooperative_id, "board")


def require_job_manager(user, job: Job) -> None:
    if not can_manage_job(user, job):
        raise PermissionDenied(
            _("Only the client or the cooperative's board may manage this job."),
            code="job_manager_required",
        )
