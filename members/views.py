"""HTML pages of members: thin, they translate forms into service calls."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from werkstation.errors import ApplicationError, NotFound
from werkstation.forms import add_application_error
from werkstation.money import from_minor, to_minor

from . import forms
from .access import has_role, page_cooperative
from .filters import MemberFilter
from .models import Cooperative, Membership, NotificationPreference
from .selectors import (
    applications_open,
    availability_exceptions_of,
    availability_of,
    cooperatives_public,
    member_skills_of,
    memberships_of,
    memberships_visible,
    skills_for_user,
)
from .services import memberships as membership_services
from .services.accounts import profile_of, user_register
from .services.benefits import (
    benefit_arrangement_delete,
    benefit_arrangement_of,
    benefit_arrangement_set,
)
from .services.cooperatives import cooperative_update
from .services.invitations import invitation_accept, invitation_get_open
from .services.privacy import personal_data_export, user_erase
from .services.profiles import (
    availability_exception_add,
    availability_exception_remove,
    availability_replace,
    member_skill_remove,
    member_skill_set,
    notification_preferences_update,
    profile_update,
)


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
            cooperative_update(actor=request.user, cooperative=cooperative, **fields)
        except ApplicationError as exc:
            add_application_error(form, exc)
            if exc.field == "area_postcodes":
                messages.error(request, exc.message)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("members:cooperative", slug=slug)
    return render(
        request,
        "members/cooperative_settings.html",
        {"form": form, "cooperative": cooperative, "area": area},
    )


@login_required
def profile(request):
    user = request.user
    form = _profile_form(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            profile_update(user=user, **data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(
                request, _("Your profile is saved. Find work shows shifts that fit it.")
            )
            return redirect("members:profile")
    return render(request, "members/profile.html", _profile_context(request, form=form))


def _profile_context(request, **overrides) -> dict:
    user = request.user
    context = {
        "form": None,
        "skill_form": forms.MemberSkillForm(skills=skills_for_user(user)),
        "slot_form": forms.AvailabilitySlotForm(),
        "exception_form": forms.AvailabilityExceptionForm(),
        "member_skills": member_skills_of(user),
        "slots": availability_of(user),
        "exceptions": availability_exceptions_of(user),
        "benefit_arrangement": benefit_arrangement_of(user),
    }
    if "benefit_form" not in overrides:
        context["benefit_form"] = forms.BenefitArrangementForm(
            initial=_benefit_initial(context["benefit_arrangement"])
        )
    context.update(overrides)
    return context


@login_required
@require_POST
def profile_skill_add(request):
    form = forms.MemberSkillForm(request.POST, skills=skills_for_user(request.user))
    if form.is_valid():
        try:
            member_skill_set(
                user=request.user,
                skill_id=int(form.cleaned_data["skill"]),
                certificate_number=form.cleaned_data["certificate_number"],
                certificate_expires_on=form.cleaned_data["certificate_expires_on"],
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Skill saved."))
            return redirect("members:profile")
    return render(
        request,
        "members/profile.html",
        _profile_context(request, skill_form=form, form=_profile_form(request)),
    )


def _profile_form(request, data=None):
    prof = profile_of(request.user)
    initial = {
        name: getattr(prof, name)
        for name in forms.ProfileForm.base_fields
        if name != "yearly_earnings_cap"
    }
    initial["yearly_earnings_cap"] = (
        prof.yearly_earnings_cap.amount if prof.yearly_earnings_cap else None
    )
    return forms.ProfileForm(data, initial=initial)


@login_required
@require_POST
def profile_skill_remove(request, member_skill_id: int):
    try:
        member_skill_remove(user=request.user, member_skill_id=member_skill_id)
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("members:profile")


@login_required
@require_POST
def profile_slot_add(request):
    form = forms.AvailabilitySlotForm(request.POST)
    if form.is_valid():
        slots = [
            {"weekday": s.weekday, "start": s.start, "end": s.end}
            for s in availability_of(request.user)
        ]
        slots.append(form.cleaned_data)
        try:
            availability_replace(user=request.user, slots=slots)
        except ApplicationError as exc:
            add_application_error(form, exc)  # "slots[0].end" lands on the form's "end"
        else:
            messages.success(request, _("Availability saved."))
            return redirect("members:profile")
    return render(
        request,
        "members/profile.html",
        _profile_context(request, slot_form=form, form=_profile_form(request)),
    )


@login_required
@require_POST
def profile_slot_remove(request, index: int):
    slots = [
        {"weekday": s.weekday, "start": s.start, "end": s.end}
        for s in availability_of(request.user)
    ]
    if 0 <= index < len(slots):
        slots.pop(index)
        availability_replace(user=request.user, slots=slots)
    return redirect("members:profile")


@login_required
@require_POST
def profile_exception_add(request):
    form = forms.AvailabilityExceptionForm(request.POST)
    if form.is_valid():
        try:
            availability_exception_add(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Exception saved."))
            return redirect("members:profile")
    return render(
        request,
        "members/profile.html",
        _profile_context(request, exception_form=form, form=_profile_form(request)),
    )


@login_required
@require_POST
def profile_exception_remove(request, exception_id: int):
    try:
        availability_exception_remove(user=request.user, exception_id=exception_id)
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("members:profile")


def _benefit_initial(arrangement) -> dict:
    if arrangement is None:
        return {}
    return {
        "keep_percent": arrangement.keep_percent,
        "monthly_max": from_minor(arrangement.monthly_max_cents),
        "starts_on": arrangement.starts_on,
        "months": arrangement.months,
        "municipality": arrangement.municipality,
    }


@login_required
@require_POST
def profile_benefit_save(request):
    """The member's own bijstand arrangement (only they see it)."""
    form = forms.BenefitArrangementForm(request.POST)
    if form.is_valid():
        values = dict(form.cleaned_data)
        values["monthly_max_cents"] = to_minor(values.pop("monthly_max"))
        try:
            benefit_arrangement_set(user=request.user, fields=values)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Benefit arrangement saved."))
            return redirect(f"{reverse('members:profile')}#benefit")
    return render(
        request,
        "members/profile.html",
        _profile_context(request, benefit_form=form, form=_profile_form(request)),
    )


@login_required
@require_POST
def profile_benefit_remove(request):
    if benefit_arrangement_delete(user=request.user):
        messages.success(request, _("Benefit arrangement removed."))
    return redirect("members:profile")


@login_required
def notifications(request):
    preference, _created = NotificationPreference.objects.get_or_create(user=request.user)
    form = forms.NotificationPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        try:
            notification_preferences_update(
                user=request.user, **{name: form.cleaned_data[name] for name in form.Meta.fields}
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(
                request, _("Your notification choices are saved; they count from the next message.")
            )
            return redirect("members:profile")
    return render(request, "members/notifications.html", {"form": form})


@login_required
def privacy(request):
    form = forms.EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_erase(
                user=request.user,
                actor=request.user,
                confirm_email=form.cleaned_data["confirm_email"],
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            from django.contrib.auth import logout

            logout(request)
            messages.success(request, _("Your account has been erased."))
            return redirect("members:home")
    return render(request, "members/privacy.html", {"form": form})


@login_required
def privacy_export(request):
    data = personal_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="werkstation-my-data.json"'
    return response


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
