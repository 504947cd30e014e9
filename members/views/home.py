"""The home page, registration, the privacy statement and following an invitation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from members import forms
from members.models import Membership
from members.selectors import cooperatives_public, memberships_of
from members.services.accounts import user_register
from members.services.invitations import invitation_accept, invitation_get_open
from werkstation.errors import ApplicationError
from werkstation.forms import add_application_error


def safe_next(request, default: str = "members:home") -> str:
    """The ``next`` page asked for, if it is on this site; otherwise ``default``."""
    target = request.GET.get("next") or request.POST.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def home(request):
    context = {"cooperatives": cooperatives_public()}
    if request.user.is_authenticated:
        memberships = list(memberships_of(request.user))
        context["memberships"] = memberships
        if any(m.status == Membership.Status.ACTIVE for m in memberships):
            from jobs.selectors import member_todo  # the member's home is their to-do list

            context["todo"] = member_todo(request.user)
    return render(request, "members/home.html", context)


def register(request):
    form = forms.RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("privacy_consent")  # required by the form; the account records the date
        try:
            user = user_register(**data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _(
                    "Welcome! Your account is made. Next: choose a cooperative and apply; "
                    "its board decides."
                ),
            )
            return redirect(safe_next(request))
    return render(request, "members/register.html", {"form": form})


def privacy_statement(request):
    """The public privacy statement that registration links to."""
    return render(request, "members/privacy_statement.html")


def invitation(request, token: str):
    try:
        invite = invitation_get_open(token=token)
    except ApplicationError as exc:
        return render(request, "members/invitation.html", {"error": exc.message}, status=404)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            invitation_accept(token=token, user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Invitation accepted."))
            if invite.cooperative_id:
                return redirect("members:cooperative", slug=invite.cooperative.slug)
            return redirect("members:home")
    return render(request, "members/invitation.html", {"invitation": invite})
