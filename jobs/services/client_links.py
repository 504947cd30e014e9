"""Linking a client with a cooperative: both sides agree, or there is no link.

Design overview
---------------
* A client's administrator asks a cooperative (``client_link_ask``); that cooperative's
  board accepts or declines (``client_link_decide``).
* A board invites an organisation by e-mail (``client_link_invite``); the person invited,
  signed in with that address, accepts for one of the clients they administer.
* Only an accepted request creates the ``ClientCooperative`` row, and every query that
  lets a cooperative see or act for a client goes through those rows. Until then the
  cooperative sees only what the request itself shows: the client's name, kind, KvK
  number, whether staff verified it, and the message.
* Each request and decision writes an audit row and is e-mailed to the other side: the
  board of the cooperative, or the client's administrators.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.access import is_client_user, require_client_admin
from jobs.audit_actions import CLIENT_LINK_ANSWERED, JobAction
from jobs.models import Client, ClientCooperative, ClientLinkRequest, ClientUser
from members.access import has_role, require_role
from members.models import Cooperative, Membership, User
from werkstation.audit import audit_record
from werkstation.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from werkstation.locks import lock_one
from werkstation.notify import email_user_on_commit, site_link
from werkstation.validation import clean_email

if TYPE_CHECKING:
    from django.db.models import QuerySet

R = ClientLinkRequest
MESSAGE_MAX = 2000
SUBJECTS = {
    "asked": gettext_lazy("An organisation wants to work with your cooperative"),
    "invited": gettext_lazy("A cooperative invites your organisation to work with it"),
    "accepted": gettext_lazy("Your request to work together was accepted"),
    "declined": gettext_lazy("Your request to work together was declined"),
    "withdrawn": gettext_lazy("A request to work together was withdrawn"),
}


def _message(value: str) -> str:
    value = (value or "").strip()
    if len(value) > MESSAGE_MAX:
        raise ValidationFailed(
            _("At most %(n)s characters.") % {"n": MESSAGE_MAX}, code="too_long", field="message"
        )
    return value


def _board_users(cooperative_id: int) -> QuerySet[User]:
    return User.objects.filter(
        memberships__cooperative_id=cooperative_id,
        memberships__status=Membership.Status.ACTIVE,
        memberships__is_board=True,
    ).distinct()


def _client_admins(client_id: int | None) -> QuerySet[User]:
    # No client yet (an invitation declined): client_id=None reads as IS NULL and finds
    # nobody; the stubs refuse None in a lookup.
    return User.objects.filter(
        client_roles__client_id=client_id,  # type: ignore[misc]
        client_roles__role=ClientUser.Role.ADMIN,
    ).distinct()


def _notify(request: ClientLinkRequest, *, event: str, site_url: str | None) -> None:
    """E-mail the side that has to act or hear: the board, the client's administrators, or
    the invited address."""
    if event == "invited":
        invitee = User.objects.filter(email__iexact=request.email).first()
        recipients = [(request.email, invitee.preferred_language if invitee else "nl")]
        path = reverse("jobs:client-link-invitation", args=[request.token])
    else:
        to_board = (request.direction == R.Direction.CLIENT) == (event in ("asked", "withdrawn"))
        users = (
            _board_users(request.cooperative_id) if to_board else _client_admins(request.client_id)
        )
        recipients = [(user.email, user.preferred_language) for user in users]
        path = (
            reverse("jobs:board-clients", args=[request.cooperative.slug])
            if to_board
            else reverse("jobs:client-cooperatives", args=[request.client_id])
        )
    for email, language in recipients:
        email_user_on_commit(
            to=email,
            language=language,
            subject=SUBJECTS[event],
            template="jobs/email/client_link.txt",
            context={"request": request, "event": event, "url": site_link(path, site_url=site_url)},
        )


def _already_linked(client: Client, cooperative: Cooperative) -> None:
    if ClientCooperative.objects.filter(client=client, cooperative=cooperative).exists():
        raise Conflict(
            _("This client already works with this cooperative."),
            code="already_linked",
            field="cooperative",
        )


@transaction.atomic
def client_link_ask(
    *,
    actor: User,
    client: Client,
    cooperative: Cooperative,
    message: str = "",
    site_url: str | None = None,
) -> ClientLinkRequest:
    """The client's administrator asks to work with ``cooperative``; its board decides."""
    require_client_admin(actor, client)
    lock_one("jobs.Client", client.pk)
    _already_linked(client, cooperative)
    if R.objects.filter(client=client, cooperative=cooperative, status=R.Status.OPEN).exists():
        raise Conflict(
            _("There is already an open request between this client and this cooperative."),
            code="request_open",
            field="cooperative",
        )
    request = R.objects.create(
        direction=R.Direction.CLIENT,
        cooperative=cooperative,
        client=client,
        organisation=client.name,
        message=_message(message),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=JobAction.CLIENT_LINK_ASKED,
        target=request,
        cooperative_id=cooperative.pk,
        data={"client": client.pk},
    )
    _notify(request, event="asked", site_url=site_url)
    return request


@transaction.atomic
def client_link_invite(
    *,
    actor: User,
    cooperative: Cooperative,
    email: str,
    organisation: str = "",
    message: str = "",
    site_url: str | None = None,
) -> ClientLinkRequest:
    """The board invites an organisation by e-mail; the person invited accepts for a client
    they administer. The board learns nothing about that client until it accepts."""
    require_role(actor, cooperative, "board")
    email = clean_email(email)
    organisation = (organisation or "").strip()
    if len(organisation) > 150:
        raise ValidationFailed(
            _("At most %(n)s characters.") % {"n": 150}, code="too_long", field="organisation"
        )
    request = R.objects.create(
        direction=R.Direction.COOPERATIVE,
        cooperative=cooperative,
        email=email,
        organisation=organisation,
        message=_message(message),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=JobAction.CLIENT_LINK_INVITED,
        target=request,
        cooperative_id=cooperative.pk,
        data={"email": email},
    )
    _notify(request, event="invited", site_url=site_url)
    return request


def _lock_open(request_id: int) -> ClientLinkRequest:
    request: ClientLinkRequest | None = lock_one(
        "jobs.ClientLinkRequest", request_id, select_related=("cooperative", "client")
    )
    if request is None:
        raise NotFound(_("Request not found."), field="request")
    if request.status != R.Status.OPEN:
        raise Conflict(
            _("This request was answered already."), code="request_closed", field="request"
        )
    return request


def can_answer(user: User, request: ClientLinkRequest) -> bool:
    """Who decides: the board for a client's request; the invited address for an invitation."""
    if request.direction == R.Direction.CLIENT:
        return has_role(user, request.cooperative_id, "board")
    answers: bool = (
        getattr(user, "is_authenticated", False) and user.email.lower() == request.email.lower()
    )
    return answers


def can_withdraw(user: User, request: ClientLinkRequest) -> bool:
    if request.direction == R.Direction.CLIENT:
        return request.client_id is not None and is_client_user(user, request.client_id, admin=True)
    return has_role(user, request.cooperative_id, "board")


@transaction.atomic
def client_link_decide(
    *,
    actor: User,
    request_id: int,
    accept: bool,
    client: Client | None = None,
    site_url: str | None = None,
) -> ClientLinkRequest:
    """Accept or decline. Accepting an invitation names the client it is accepted for."""
    request = _lock_open(request_id)
    if request.direction == R.Direction.CLIENT:
        require_role(actor, request.cooperative_id, "board")
    elif not can_answer(actor, request):
        raise PermissionDenied(
            _(
                "This invitation was sent to another e-mail address. Sign in as %(email)s to answer it."
            )
            % {"email": request.email},
            code="wrong_account",
        )
    if request.direction == R.Direction.COOPERATIVE and accept:
        if client is None:
            raise ValidationFailed(
                _("Choose the organisation that accepts."), code="required", field="client"
            )
        require_client_admin(actor, client)
        request.client = client
    if accept:
        assert request.client is not None  # the client asked, or accepts (set above)
        _already_linked(request.client, request.cooperative)
        ClientCooperative.objects.create(client=request.client, cooperative=request.cooperative)
    request.status = R.Status.ACCEPTED if accept else R.Status.DECLINED
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save(update_fields=["client", "status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=CLIENT_LINK_ANSWERED[request.status],
        target=request,
        cooperative_id=request.cooperative_id,
        data={"client": request.client_id},
    )
    _notify(request, event=request.status, site_url=site_url)
    return request


@transaction.atomic
def client_link_withdraw(
    *, actor: User, request_id: int, site_url: str | None = None
) -> ClientLinkRequest:
    request = _lock_open(request_id)
    if not can_withdraw(actor, request):
        raise NotFound(_("Request not found."), field="request")
    request.status = R.Status.WITHDRAWN
    request.decided_by, request.decided_at = actor, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=JobAction.CLIENT_LINK_WITHDRAWN,
        target=request,
        cooperative_id=request.cooperative_id,
        data={"client": request.client_id},
    )
    if request.direction == R.Direction.CLIENT:
        _notify(request, event="withdrawn", site_url=site_url)
    return request
