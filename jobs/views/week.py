"""A member's week: claims and offers to act on, hours to submit, the calendar feed and plan my week."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms as forms_module
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jobs import forms
from jobs.models import Claim
from jobs.selectors import my_claims, week_bounds
from jobs.services import calendar, claims, dispatching, planner, timesheets
from werkstation.errors import ApplicationError, NotFound

from .shifts import benefit_room_for, redirect_back


@login_required
@require_POST
def claim_action(request, claim_id: int, action: str):
    try:
        if action in ("confirm", "reject", "no-show"):
            claims.claim_for_manager(actor=request.user, claim_id=claim_id)
        if action == "withdraw":
            claims.claim_withdraw(user=request.user, claim_id=claim_id)
            messages.success(request, _("Your claim was withdrawn."))
        elif action in ("accept", "decline"):
            claims.offer_respond(user=request.user, claim_id=claim_id, accept=action == "accept")
            messages.success(
                request,
                _("You took the shift; it is on your week page.")
                if action == "accept"
                else _("You declined the offer; the place goes to someone else."),
            )
        elif action == "confirm":
            claims.claim_confirm(actor=request.user, claim_id=claim_id)
            messages.success(request, _("Claim confirmed."))
        elif action == "reject":
            claims.claim_reject(
                actor=request.user, claim_id=claim_id, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Claim rejected."))
        elif action == "no-show":
            claims.claim_mark_no_show(actor=request.user, claim_id=claim_id)
            messages.success(request, _("Marked as no-show."))
        else:
            raise Http404
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect_back(request, "/work/week/")


@login_required
def my_week(request):
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    start, end = week_bounds(day)
    claimed = list(my_claims(request.user, start=start, end=end))
    now = timezone.now()
    for claim in claimed:
        claim.sheet = getattr(claim, "timesheet", None)  # reverse one-to-one: None when absent
        claim.can_log = (
            claim.end <= now and claim.status in ("claimed", "confirmed") and claim.sheet is None
        )
        claim.planned_hours, claim.planned_minutes = divmod(claim.shift.duration_minutes, 60)
    feed_obj = getattr(request.user, "calendar_feed", None)
    calendar_url = (
        request.build_absolute_uri(f"/calendar/{feed_obj.token}.ics") if feed_obj else None
    )
    return render(
        request,
        "jobs/my_week.html",
        {
            "benefit_room": benefit_room_for(request.user),
            "claims": claimed,
            "week_start": start.date(),
            "prev": (start - timedelta(days=7)).date().isoformat(),
            "next": (start + timedelta(days=7)).date().isoformat(),
            "timesheet_form": forms.TimesheetForm(),
            "calendar_url": calendar_url,
            # Phones open webcal:// in their calendar app, which subscribes over https.
            "webcal_url": "webcal://" + calendar_url.split("://", 1)[1] if calendar_url else None,
            "total_minutes": sum(c.shift.duration_minutes for c in claimed),
            "offers": dispatching.offers_of(request.user).filter(
                status="open", deadline__gte=timezone.now()
            ),
        },
    )


@login_required
@require_POST
def timesheet_submit(request, claim_id: int):
    if not Claim.objects.filter(pk=claim_id, user=request.user).exists():
        raise Http404
    form = forms.TimesheetForm(request.POST)
    if not form.is_valid():
        for sentence in form.error_sentences():
            messages.error(request, sentence)
        return redirect_back(request, "/work/week/")
    try:
        timesheets.timesheet_submit(user=request.user, claim_id=claim_id, **form.service_values())
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your hours were sent to the client."))
    return redirect_back(request, "/work/week/")


@login_required
@require_POST
def calendar_action(request, action: str):
    if action == "rotate":
        calendar.calendar_feed_rotate(user=request.user)
        messages.success(request, _("Your calendar link is ready. Add it to your calendar app."))
    else:
        calendar.calendar_feed_revoke(user=request.user)
        messages.success(request, _("Your calendar link no longer works."))
    return redirect("jobs:my-week")


def calendar_feed(request, token: str):
    body = calendar.calendar_render(token=token, host=request.get_host())
    if body is None:
        raise Http404
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


class PlanForm(forms_module.Form):
    week = forms_module.DateField(
        label=gettext_lazy("Week of"),
        required=False,
        # ISO, the only value a date input reads whatever the page's language.
        widget=forms_module.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    target_hours = forms_module.IntegerField(
        label=gettext_lazy("Target hours"), required=False, min_value=1, max_value=60
    )
    target_income = forms_module.DecimalField(
        label=gettext_lazy("Target income (€)"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
    )


@login_required
def plan_week_page(request):
    form = PlanForm(request.GET or None)
    plan = problem = None
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("shift") if v.isdigit()]
        try:
            claimed = planner.bundle_claim(user=request.user, shift_ids=ids)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("You claimed the whole plan (%(n)s shifts).") % {"n": len(ids)}
            )
            # Back to the plan of the week just claimed, now showing the shifts as theirs.
            first = min(timezone.localdate(c.start) for c in claimed)
            query = request.GET.copy()
            query["week"] = (first - timedelta(days=first.weekday())).isoformat()
            return redirect(f"{reverse('jobs:plan-week')}?{query.urlencode()}")
        return redirect(request.get_full_path())
    if form.is_valid() or not request.GET:
        values = form.cleaned_data if form.is_bound else {}
        try:
            plan = planner.plan_from_values(request.user, values)
        except ApplicationError as exc:
            problem = exc
    if plan is not None and not form.is_bound:
        # The field shows the week planned (the first with work), not an empty date.
        form = PlanForm(initial={"week": plan.week_start})
    return render(
        request,
        "jobs/plan.html",
        {
            "form": form,
            "plan": plan,
            "problem": problem,
            "benefit_room": benefit_room_for(request.user),
        },
    )


@login_required
@require_POST
def offer_action(request, offer_id: int, action: str):
    if action not in ("accept", "decline"):
        raise Http404
    try:
        dispatching.offer_respond(user=request.user, offer_id=offer_id, accept=action == "accept")
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you, saved."))
    return redirect_back(request, "/work/week/")
