from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.access import require_client_admin
from jobs.audit_actions import JobAction
from jobs.models import BlockedClient, Client, ClientCooperative, ClientUser
from members.services.invitations import invitation_create
from members.validators import normalize_postcode
from werkstation.audit import audit_record
from werkstation.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from werkstation.locks import lock_first, lock_get
from werkstation.validation import full_clean_or_raise

if TYPE_CHECKING:
    from members.models import Cooperative, Invitation, User

CLIENT_FIELDS = {
    "kind",
    "name",
    "kvk_number",
    "vat_number",
    "oin",
    "billing_email",
    "billing_street",
    "billing_postcode",
    "billing_city",
}
CLIENT_INVITATION_SUBJECT = gettext_lazy("You are invited to post work on Werkstation")


def _normalize(fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("billing_postcode"):
        fields["billing_postcode"] = normalize_postcode(fields["billing_postcode"])
    if fields.get("vat_number"):
        fields["vat_number"] = fields["vat_number"].replace(" ", "").upper()
    if fields.get("oin"):
        fields["oin"] = fields["oin"].replace(" ", "")
    if fields.get("billing_email"):
        fields["billing_email"] = fields["billing_email"].strip().lower()
    return fields


@transaction.atomic
def client_create(
    *,
    actor: User,
    cooperative: Cooperative | None = None,
    message: str = "",
    site_url: str | None = None,
    **fields: Any,
) -> Client:
    """Register a client organisation; whoever registers it becomes its administrator.

    Naming a cooperative asks it to work together (its board decides): registering links
    nothing by itself. A municipality publishes tenders only once platform staff verified
    it, so registering one gives nobody the right to speak for the gemeente.
    """
    unknown = set(fields) - CLIENT_FIELDS
    if unknown:
        raise ValidationFailed(_("Unknown field."), field=sorted(unknown)[0])
    client = Client(created_by=actor, **_normalize(dict(fields)))
    full_clean_or_raise(client)
    client.save()
    ClientUser.objects.create(client=client, user=actor, role=ClientUser.Role.ADMIN)
    audit_record(actor=actor, action=JobAction.CLIENT_CREATED, target=client)
    if cooperative is not None:
        from .client_links import client_link_ask

        client_link_ask(
            actor=actor, client=client, cooperative=cooperative, message=message, site_url=site_url
        )
    return client


@transaction.atomic
def client_verify(*, actor: User, client: Client) -> Client:
    """Platform staff confirm the organisation is who it says it is (a municipality must be
    before it publishes tenders). Called from the admin action."""
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only platform staff verify organisations."), code="staff_only")
    client = lock_get("jobs.Client", client.pk)
    if client.verified_at is None:
        client.verified_at, client.verified_by = timezone.now(), actor
        client.save(update_fields=["verified_at", "verified_by"])
        audit_record(actor=actor, action=JobAction.CLIENT_VERIFIED, target=client)
    return client


@transaction.atomic
def client_update(*, actor: User, client: Client, **fields: Any) -> Client:
    require_client_admin(actor, client)
    unknown = set(fields) - (CLIENT_FIELDS - {"kind"})
    if unknown:
        raise ValidationFailed(_("This field cannot be changed here."), field=sorted(unknown)[0])
    client = lock_get("jobs.Client", client.pk)
    for name, value in _normalize(dict(fields)).items():
        setattr(client, name, value)
    full_clean_or_raise(client)
    client.save()
    audit_record(
        actor=actor, action=JobAction.CLIENT_UPDATED, target=client, data={"fields": sorted(fields)}
    )
    return client


@transaction.atomic
def client_user_invite(
    *, actor: User, client: Client, email: str, site_url: str | None = None
) -> Invitation:
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


def accept_client_invitation(invitation: Invitation, user: User) -> ClientUser:
    # A client-user invitation names its client; pk=None (the stubs refuse it) finds no row.
    client = Client.objects.get(pk=invitation.target_id)  # type: ignore[misc]
    client_user, _created = ClientUser.objects.get_or_create(client=client, user=user)
    audit_record(actor=user, action=JobAction.CLIENT_USER_JOINED, target=client)
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
    audit_record(actor=user, action=JobAction.CLIENT_BLOCKED_BY_MEMBER, target=client)
    return blocked


@transaction.atomic
def blocked_client_remove(*, user: User, client_id: int) -> None:
    BlockedClient.objects.filter(user=user, client_id=client_id).delete()


@transaction.atomic
def client_g_account_set(
    *, actor: User, cooperative: Cooperative, client_id: int, agreement: bool
) -> ClientCooperative:
    """The board records whether a client pays part of each invoice into the cooperative's
    G-account (chain liability). Invoices issued from now on follow it."""
    from members.access import require_role

    require_role(actor, cooperative, "board")
    link: ClientCooperative | None = lock_first(
        ClientCooperative.objects.filter(cooperative=cooperative, client_id=client_id)
    )
    if link is None:
        raise NotFound(
            _("This client does not work with the cooperative."),
            code="unknown_client",
            field="client",
        )
    before = link.g_account_agreement
    link.g_account_agreement = bool(agreement)
    link.g_account_set_by, link.g_account_set_at = actor, timezone.now()
    link.save(update_fields=["g_account_agreement", "g_account_set_by", "g_account_set_at"])
    audit_record(
        actor=actor,
        action=JobAction.CLIENT_G_ACCOUNT_SET,
        target=link.client,
        cooperative_id=cooperative.pk,
        data={"before": before, "after": link.g_account_agreement},
    )
    return link
