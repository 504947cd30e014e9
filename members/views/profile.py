"""A member's profile: skills, weekly availability, exceptions, a benefit arrangement, notification preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members import forms
from members.models import NotificationPreference
from members.selectors import (
    availability_exceptions_of,
    availability_of,
    member_skills_of,
    skills_for_user,
)
from members.services.accounts import profile_of
from members.services.benefits import (
    benefit_arrangement_delete,
    benefit_arrangement_of,
    benefit_arrangement_set,
)
from members.services.profiles import (
    availability_exception_add,
    availability_exception_remove,
    availability_replace,
    member_skill_remove,
    member_skill_set,
    notification_preferences_update,
    profile_update,
)
from werkstation.errors import ApplicationError, NotFound
from werkstation.forms import add_application_error
from werkstation.money import from_minor, to_minor


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
