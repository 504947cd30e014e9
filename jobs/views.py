from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from members.models import Cooperative
from members.selectors import cooperatives_public
from werkstation.errors import ApplicationError
from werkstation.forms import add_application_error

from . import forms
from .access import can_view_client_private, is_client_user, manages_client_as_board
from .models import Client
from .selectors import client_users_of
from .services.clients import client_create, client_update, client_user_invite


@login_required
def client_new(request):
    cooperatives = cooperatives_public()
    form = forms.ClientCreateForm(request.POST or None, cooperatives=cooperatives)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        cooperative = get_object_or_404(Cooperative, slug=data.pop("cooperative"))
        try:
            client = client_create(actor=request.user, cooperative=cooperative, **data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Your organisation is registered."))
            return redirect("client", client_id=client.pk)
    return render(request, "jobs/client_new.html", {"form": form})


@login_required
def client_detail(request, client_id: int):
    client = get_object_or_404(Client.objects.prefetch_related("cooperatives"), pk=client_id)
    if not can_view_client_private(request.user, client):
        raise Http404
    can_manage = is_client_user(request.user, client, admin=True) or manages_client_as_board(
        request.user, client
    )
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
                        site_url=request.build_absolute_uri("/"),
                    )
                except ApplicationError as exc:
                    add_application_error(invite_form, exc)
                else:
                    messages.success(request, _("Invitation sent."))
                    return redirect("client", client_id=client.pk)
        elif form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "kind"}
            try:
                client_update(actor=request.user, client=client, **data)
            except ApplicationError as exc:
                add_application_error(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("client", client_id=client.pk)
    return render(
        request,
        "jobs/client_detail.html",
        {
            "client": client,
            "form": form,
            "invite_form": invite_form,
            "client_users": client_users_of(client),
            "can_manage": can_manage,
        },
    )
