"""HTML pages of clients: registering, their details and users, and working with
cooperatives (a link exists only when both sides agreed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jobs import forms
from jobs.access import can_view_client_private, is_client_user
from jobs.models import Client, ClientLinkRequest
from jobs.selectors import (
    client_cooperatives_for,
    client_link_requests_of_client,
    client_link_requests_of_cooperative,
    client_users_of,
    clients_of_cooperative,
    clients_of_user,
)
from jobs.services.client_links import (
    client_link_ask,
    client_link_decide,
    client_link_invite,
    client_link_withdraw,
)
from jobs.services.clients import client_create, client_update, client_user_invite
from members.access import page_cooperative
from members.models import Cooperative
from members.selectors import cooperatives_public
from werkstation.errors import ApplicationError, NotFound
from werkstation.forms import add_application_error


def _site(request) -> str:
    return request.build_absolute_uri("/")


@login_required
def client_new(request):
    cooperatives = cooperatives_public()
    form = forms.ClientCreateForm(request.POST or None, cooperatives=cooperatives)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        slug = data.pop("cooperative")
        cooperative = get_object_or_404(Cooperative, slug=slug) if slug else None
        try:
            client = client_create(
                actor=request.user, cooperative=cooperative, site_url=_site(request), **data
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            if cooperative is not None:
                messages.success(
                    request,
                    _(
                        "Your organisation is registered. The board of %(name)s decides on your request."
                    )
                    % {"name": cooperative.name},
                )
            else:
                messages.success(request, _("Your organisation is registered."))
            token = request.GET.get("invitation")
            if token and ClientLinkRequest.objects.filter(token=token).exists():
                return redirect("jobs:client-link-invitation", token=token)
            return redirect("jobs:client", client_id=client.pk)
    return render(request, "jobs/client_new.html", {"form": form})


@login_required
def client_detail(request, client_id: int):
    client = get_object_or_404(Client.objects.prefetch_related("cooperatives"), pk=client_id)
    if not can_view_client_private(request.user, client):
        raise Http404
    # Only the client's own administrators change the client and its users.
    can_manage = is_client_user(request.user, client, admin=True)
    fields = {name: getattr(client, name) for name in forms.ClientForm.base_fields}
    form = forms.ClientForm(request.POST or None, initial=fields) if can_manage else None
    invite_form = forms.InviteForm()
    if request.method == "POST" and can_manage:
        if request.POST.get("action") == "invite":
            invite_form = forms.InviteForm(request.POST)
            form = forms.ClientForm(initial=fields)
            if invite_form.is_valid():
                try:
                    client_user_invite(
                        actor=request.user,
                        client=client,
                        email=invite_form.cleaned_data["email"],
                        site_url=_site(request),
                    )
                except ApplicationError as exc:
                    add_application_error(invite_form, exc)
                else:
                    messages.success(request, _("Invitation sent."))
                    return redirect("jobs:client", client_id=client.pk)
        elif form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "kind"}
            try:
                client_update(actor=request.user, client=client, **data)
            except ApplicationError as exc:
                add_application_error(form, exc)
            else:
                messages.success(
                    request, _("The organisation's details are saved; new invoices use them.")
                )
                return redirect("jobs:client", client_id=client.pk)
    return render(
        request,
        "jobs/client_detail.html",
        {
            "client": client,
            "form": form,
            "invite_form": invite_form,
            "client_users": client_users_of(client),
            "can_manage": can_manage,
            "is_client_user": is_client_user(request.user, client),
            "cooperatives": client_cooperatives_for(request.user, client),
        },
    )


@login_required
def client_cooperatives(request, client_id: int):
    """The client's side: the cooperatives it works with, its requests and invitations."""
    client = get_object_or_404(Client, pk=client_id)
    if not is_client_user(request.user, client):
        raise Http404
    is_admin = is_client_user(request.user, client, admin=True)
    requests = list(client_link_requests_of_client(client)[:100])
    linked = list(client.cooperatives.all())
    busy = {c.pk for c in linked} | {r.cooperative_id for r in requests if r.status == "open"}
    available = [c for c in cooperatives_public() if c.pk not in busy]
    form = forms.LinkAskForm(request.POST or None, cooperatives=available) if is_admin else None
    if request.method == "POST":
        if not is_admin:
            raise Http404
        try:
            if request.POST.get("action") == "withdraw":
                client_link_withdraw(
                    actor=request.user,
                    request_id=_int(request.POST.get("request")),
                    site_url=_site(request),
                )
                messages.success(request, _("The request is withdrawn."))
                return redirect("jobs:client-cooperatives", client_id=client.pk)
            if form.is_valid():
                cooperative = get_object_or_404(Cooperative, slug=form.cleaned_data["cooperative"])
                client_link_ask(
                    actor=request.user,
                    client=client,
                    cooperative=cooperative,
                    message=form.cleaned_data["message"],
                    site_url=_site(request),
                )
                messages.success(
                    request,
                    _("Your request is sent. The board of %(name)s decides.")
                    % {"name": cooperative.name},
                )
                return redirect("jobs:client-cooperatives", client_id=client.pk)
        except NotFound as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            if form is not None and exc.field in form.fields:
                add_application_error(form, exc)
            else:
                messages.error(request, exc.message)
    return render(
        request,
        "jobs/client_cooperatives.html",
        {
            "client": client,
            "linked": linked,
            "requests": requests,
            "form": form,
            "is_admin": is_admin,
        },
    )


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


@login_required
def board_clients(request, slug: str):
    """The board's side: clients it works with, requests to decide, invitations sent."""
    cooperative = page_cooperative(request.user, slug, "board")
    form = forms.LinkInviteForm(request.POST if request.POST.get("action") == "invite" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invite" and form.is_valid():
                client_link_invite(
                    actor=request.user,
                    cooperative=cooperative,
                    site_url=_site(request),
                    **form.cleaned_data,
                )
                messages.success(request, _("The invitation is sent."))
                return redirect("jobs:board-clients", slug=slug)
            if action in ("accept", "decline", "withdraw"):
                link_request = get_object_or_404(
                    ClientLinkRequest, pk=_int(request.POST.get("request")), cooperative=cooperative
                )
                if action == "withdraw":
                    client_link_withdraw(
                        actor=request.user, request_id=link_request.pk, site_url=_site(request)
                    )
                    messages.success(request, _("The invitation is withdrawn."))
                else:
                    client_link_decide(
                        actor=request.user,
                        request_id=link_request.pk,
                        accept=action == "accept",
                        site_url=_site(request),
                    )
                    messages.success(
                        request,
                        _("The client can now post work for the cooperative.")
                        if action == "accept"
                        else _("The request is declined; the client is told."),
                    )
                return redirect("jobs:board-clients", slug=slug)
        except ApplicationError as exc:
            if action == "invite":
                add_application_error(form, exc)
            else:
                messages.error(request, exc.message)
    requests = list(client_link_requests_of_cooperative(cooperative)[:200])
    return render(
        request,
        "jobs/board_clients.html",
        {
            "cooperative": cooperative,
            "clients": clients_of_cooperative(cooperative),
            "open_requests": [
                r for r in requests if r.status == "open" and r.direction == "client"
            ],
            "open_invitations": [
                r for r in requests if r.status == "open" and r.direction == "cooperative"
            ],
            "decided": [r for r in requests if r.status != "open"][:50],
            "form": form,
        },
    )


def client_link_invitation(request, token: str):
    """The invited person's side: accept for one of their organisations, or decline."""
    invitation = get_object_or_404(
        ClientLinkRequest.objects.select_related("cooperative", "client"),
        token=token,
        direction=ClientLinkRequest.Direction.COOPERATIVE,
    )
    user = request.user
    right_account = user.is_authenticated and user.email.lower() == invitation.email.lower()
    clients = (
        [c for c in clients_of_user(user) if is_client_user(user, c, admin=True)]
        if right_account
        else []
    )
    form = forms.LinkAcceptForm(
        request.POST if request.POST.get("action") == "accept" else None, clients=clients
    )
    if request.method == "POST":
        if not right_account:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "accept" and form.is_valid():
                client = next(c for c in clients if str(c.pk) == form.cleaned_data["client"])
                client_link_decide(
                    actor=user,
                    request_id=invitation.pk,
                    accept=True,
                    client=client,
                    site_url=_site(request),
                )
                messages.success(
                    request,
                    _("%(client)s now works with %(cooperative)s.")
                    % {"client": client.name, "cooperative": invitation.cooperative.name},
                )
                return redirect("jobs:client-cooperatives", client_id=client.pk)
            if action == "decline":
                client_link_decide(
                    actor=user, request_id=invitation.pk, accept=False, site_url=_site(request)
                )
                messages.success(request, _("You declined the invitation."))
                return redirect("members:home")
        except ApplicationError as exc:
            if action == "accept":
                add_application_error(form, exc)
            else:
                messages.error(request, exc.message)
    return render(
        request,
        "jobs/client_link_invitation.html",
        {
            "invitation": invitation,
            "right_account": right_account,
            "form": form,
            "clients": clients,
        },
    )
