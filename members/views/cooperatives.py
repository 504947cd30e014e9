"""A cooperative's public page, applying to it, the board's applications and membership actions, and its settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import forms
from members.access import has_role, page_cooperative
from members.filters import MemberFilter
from members.models import Cooperative, Membership
from members.selectors import applications_open, memberships_visible
from members.services import memberships as membership_services
from members.services.cooperatives import cooperative_update
from werkstation.errors import ApplicationError
from werkstation.forms import add_application_error


def cooperative_detail(request, slug: str):
    cooperative = get_object_or_404(Cooperative, slug=slug)
    own = (
        Membership.objects.filter(user=request.user, cooperative=cooperative).first()
        if request.user.is_authenticated
        else None
    )
    is_member = has_role(request.user, cooperative, "member")
    context = {
        "cooperative": cooperative,
        "own_membership": own,
        "is_member": is_member,
        "is_board": has_role(request.user, cooperative, "board"),
        "reads_dashboard": has_role(request.user, cooperative, "board", "treasurer", "auditor"),
        "members": memberships_visible(user=request.user, cooperative=cooperative).filter(
            status="active"
        )
        if is_member
        else [],
    }
    return render(request, "members/cooperative_detail.html", context)


@login_required
def cooperative_apply(request, slug: str):
    cooperative = get_object_or_404(Cooperative, slug=slug)
    form = forms.ApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership_services.membership_apply(
                user=request.user,
                cooperative=cooperative,
                motivation=form.cleaned_data["motivation"],
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Your application was sent. The board will decide soon."))
            return redirect("members:cooperative", slug=slug)
    return render(request, "members/apply.html", {"form": form, "cooperative": cooperative})


@login_required
def board_applications(request, slug: str):
    cooperative = page_cooperative(request.user, slug, "board")
    members = MemberFilter(
        request.GET or None,
        queryset=memberships_visible(user=request.user, cooperative=cooperative).exclude(
            status="applied"
        ),
    )
    return render(
        request,
        "members/board_applications.html",
        {
            "cooperative": cooperative,
            "applications": applications_open(cooperative=cooperative),
            "members": members.qs.order_by("member_number", "user__full_name"),
            "filter": members,
            "reason_form": forms.ReasonForm(),
        },
    )


@login_required
@require_POST
def board_membership_action(request, slug: str, membership_id: int, action: str):
    cooperative = page_cooperative(request.user, slug, "board")
    membership = get_object_or_404(Membership, pk=membership_id, cooperative=cooperative)
    try:
        if action == "admit":
            membership_services.membership_admit(actor=request.user, membership=membership)
            messages.success(
                request, _("%(name)s is now a member.") % {"name": membership.user.full_name}
            )
        elif action in ("reject", "suspend"):
            form = forms.ReasonForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Give a reason."))
                return redirect("members:board-applications", slug=slug)
            service = (
                membership_services.membership_reject
                if action == "reject"
                else membership_services.membership_suspend
            )
            service(actor=request.user, membership=membership, reason=form.cleaned_data["reason"])
            messages.success(
                request,
                (
                    _("The application is rejected; %(name)s gets your reason by e-mail.")
                    if action == "reject"
                    else _("%(name)s is suspended and gets your reason by e-mail.")
                )
                % {"name": membership.user.full_name},
            )
        elif action == "reinstate":
            membership_services.membership_reinstate(actor=request.user, membership=membership)
            messages.success(
                request,
                _("%(name)s is an active member again.") % {"name": membership.user.full_name},
            )
        elif action == "roles":
            form = forms.RolesForm(request.POST)
            if form.is_valid():
                membership_services.membership_set_roles(
                    actor=request.user, membership=membership, **form.cleaned_data
                )
                messages.success(
                    request,
                    _(
                        "The roles of %(name)s are saved. A new board or treasurer role may "
                        "wait for a second board member's approval."
                    )
                    % {"name": membership.user.full_name},
                )
        else:
            return HttpResponse(status=404)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("members:board-applications", slug=slug)


@login_required
def cooperative_settings(request, slug: str):
    cooperative = page_cooperative(request.user, slug, "board")
    form = forms.CooperativeSettingsForm(
        request.POST or None, instance=Cooperative.objects.get(pk=cooperative.pk)
    )
    area = request.POST.get("area_postcodes", ", ".join(cooperative.area_postcodes))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        fields["area_postcodes"] = [
            part.strip() for part in area.replace(";", ",").split(",") if part.strip()
        ]
        try:
            saved = cooperative_update(actor=request.user, cooperative=cooperative, **fields)
        except ApplicationError as exc:
            add_application_error(form, exc)
            if exc.field == "area_postcodes":
                messages.error(request, exc.message)
        else:
            messages.success(request, _("Settings saved."))
            # A new account is only asked for: say so, or the board thinks it is in use.
            if saved.pending_bank:
                messages.info(
                    request,
                    _(
                        "The new bank account waits for a second board member's approval; "
                        "until then the current account stays in use."
                    ),
                )
            if saved.pending_g_account:
                messages.info(
                    request,
                    _(
                        "The new G-account waits for a second board member's approval; "
                        "until then invoices go on as before."
                    ),
                )
            return redirect("members:cooperative", slug=slug)
    return render(
        request,
        "members/cooperative_settings.html",
        {"form": form, "cooperative": cooperative, "area": area},
    )
