from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.access import has_role
from members.models import Cooperative, User
from members.services.invitations import invitation_create
from members.validators import normalize_postcode
from werkstation.audit import audit_record
from werkstation.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from werkstation.validation import full_clean_or_raise

from ..access import require_client_admin
from ..models import BlockedClient, Client, ClientCooperative, ClientUser

CLIENT_FIELDS = {
    "kind", "name", "kvk_number", "vat_number", "billing_email", "billing_street", "billing_postcode", "billing_city",
}  # fmt: skip
CLIENT_INVITATION_SUBJECT = gettext_lazy("You are invited to post work on Werkstation")


def _normalize(fields: dict) -> dict:
    if fields.get("billing_postcode"):
        fields["billing_postcode"] = normalize_postcode(fields["billing_postcode"])
    if fields.get("vat_number"):
        fields["vat_number"] = fields["vat_number"].replace(" ", "").upper()
    if fields.get("billing_email"):
        fields["billing_email"] = fields["billing_email"].strip().lower()
    return fields


@transaction.atomic
def client_create(*, actor: User, cooperative: Cooperative, **fields) -> Client:
    """Register a client organisation working with ``cooperative``.

    Anyone signed in may register their organisation and becomes its administrator.
    A municipality is registered by the cooperative's board (or staff), so nobody can
    pose as the gemeente.
    """
    unknown = set(fields) - CLIENT_FIELDS
    if unknown:
        raise ValidationFailed(_("Unknown field."), field=sorted(unknown)[0])
    is_board = has_role(actor, cooperative, "board")
    if fields.get("kind") == Client.Kind.MUNICIPALITY and not (is_board or actor.is_staff):
        raise PermissionDenied(
            _("A municipality is registered by the cooperative's board."),
            code="municipality_by_board",
        )
    client = Client(created_by=actor, **_normalize(dict(fields)))
    full_clean_or_raise(client)
    client.save()
    ClientCooperative.objects.create(client=client, cooperative=cooperative)
    if not is_board:
        ClientUser.objects.create(client=client, user=actor, role=ClientUser.Role.ADMIN)
    audit_record(actor=actor, action="client.created", target=client, cooperative_id=cooperative.pk)
    return client


@transaction.atomic
def client_update(*, actor: User, client: Client, **fields) -> Client:
    require_client_admin(actor, client)
    unknown = set(fields) - (CLIENT_FIELDS - {"kind"})
    if unknown:
        raise ValidationFailed(_("This field cannot be changed here."), field=sorted(unknown)[0])
    client = Client.objects.select_for_update().get(pk=client.pk)
    for name, value in _normalize(dict(fields)).items():
        setattr(client, name, value)
    full_clean_or_raise(client)
    client.save()
    audit_record(
        actor=actor, action="client.updated", target=client, data={"fields": sorted(fields)}
    )
    return client


@transaction.atomic
def client_user_invite(
    *, actor: User, client: Client, email: str, site_url: str = "http://127.0.0.1:8000"
):
    require_client_admin(actor, client)
    if ClientUser.objects.filter(client=client, user__email__iexact=(email or "").strip()).exists():
        raise Conflict(
            _("This person already works for this client."),
            code="duplicate_client_user",
            field="email",
        )
    return invitation_create(
        kind="client_user", email=email, invited_by=actor, target_id=client.pk, site_url=site_url
    )


@transaction.atomic
def client_link_cooperative(
    *, actor: User, client: Client, cooperative: Cooperative
) -> ClientCooperative:
    require_client_admin(actor, client)
    link, created = ClientCooperative.objects.get_or_create(client=client, cooperative=cooperative)
    if created:
        audit_record(
            actor=actor, action="client.linked", target=client, cooperative_id=cooperative.pk
        )
    return link


def accept_client_invitation(invitation, user: User) -> ClientUser:
    client = Client.objects.get(pk=invitation.target_id)
    client_user, _created = ClientUser.objects.get_or_create(client=client, user=user)
    audit_record(actor=user, action="client_user.joined", target=client)
    return client_user


@transaction.atomic
def blocked_client_add(*, user: User, client: Client, reason: str = "") -> BlockedClient:
    if not client.links.filter(
        cooperative__memberships__user=user, cooperative__memberships__status="active"
    ).exists():
        raise NotFound(_("This client does not work with your cooperative."), field="client")
    blocked, _created = BlockedClient.objects.get_or_create(
        user=user, client=client, defaults={"reason": reason[:200]}
    )
    audit_record(actor=user, action="client.blocked_by_member", target=client)
    return blocked


@transaction.atomic
def blocked_client_remove(*, user: User, client_id: int) -> None:
    BlockedClient.objects.filter(user=user, client_id=client_id).delete()
