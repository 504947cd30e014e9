"""HTML pages of the marketplace: thin, they call services and selectors."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms as forms_module
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from members.access import has_role, page_cooperative
from members.models import Cooperative, Skill
from members.services.accounts import profile_of
from payouts.selectors.quotes import quote_engagements, quote_shift
from werkstation.api.pagination import MAX_PAGE
from werkstation.confirm import Confirmation, confirmation, is_confirmed
from werkstation.engagements import Engagement, ordered
from werkstation.errors import ApplicationError, NotFound
from werkstation.forms import add_application_error

from . import eligibility, forms
from .access import can_manage_job
from .filters import TimesheetFilter
from .models import Claim, Client, Job, RateCard, Shift
from .selectors import (
    FeedFilters,
    dispatch_run_of,
    dispatch_run_offers,
    feed_page,
    feed_row,
    jobs_managed_by,
    jobs_with_fill_rates,
    my_claims,
    timesheets_for_manager,
    week_bounds,
)
from .services import calendar, claims, dispatch_report, dispatching, jobs, planner, timesheets


def _back(request, default: str):
    target = request.POST.get("next") or request.GET.get("next")
    return redirect(
        target if target and target.startswith("/") and not target.startswith("//") else default
    )


@login_required
def feed(request):
    form = forms.FeedFilterForm(request.GET or None)
    filters = FeedFilters()
    if form.is_valid():
        filters = FeedFilters(
            category=form.cleaned_data["category"] or None,
            day=form.cleaned_data["day"],
            max_km=form.cleaned_data["max_km"],
        )
    problem = None
    page = None
    try:
        try:
            number = min(max(1, int(request.GET.get("page", 1))), MAX_PAGE)
        except ValueError:
            number = 1
        page = feed_page(request.user, filters, number=number)
        rows = [
            {**feed_row(r), "q": r["quote"], "day": timezone.localdate(r["start"])}
            for r in page.rows
        ]
    except ApplicationError as exc:
        problem, rows = exc, []
    template = "jobs/_feed_list.html" if request.htmx else "jobs/feed.html"
    return render(
        request,
        template,
        {
            "form": form,
            "rows": rows,
            "page": page,
            "problem": problem,
            "benefit_room": _benefit_room(request.user),
        },
    )


@login_required
def shift_detail(request, shift_id: int):
    shift = get_object_or_404(
        Shift.objects.select_related("job__client", "required_skill", "cooperative"), pk=shift_id
    )
    manager = can_manage_job(request.user, shift.job)
    if not (manager or has_role(request.user, shift.cooperative_id, "member")):
        raise Http404
    own = Claim.objects.filter(shift=shift, user=request.user).first()
    profile = profile_of(request.user)
    distance = None
    if profile.has_location:
        distance = round(
            eligibility.distance_from_home_km(
                (float(profile.latitude), float(profile.longitude)),
                shift.latitude,
                shift.longitude,
            ),
            1,
        )
    context = {
        "shift": shift,
        "job": shift.job,
        "own": own,
        "distance": distance,
        "manager": manager,
        "claims": shift.claims.exclude(status="withdrawn")
        .select_related("user", "timesheet")
        .order_by("status", "waitlist_position")
        if manager
        else [],
        **_engagement_choice(request.user, shift),
        "map_url": f"https://www.openstreetmap.org/?mlat={shift.latitude}&mlon={shift.longitude}#map=17/{shift.latitude}/{shift.longitude}",
    }
    return render(request, "jobs/shift_detail.html", context)


def _benefit_room(user):
    """The member's bijstand room this month (None without an arrangement covering it)."""
    from payouts.selectors.benefit_room import benefit_room

    return benefit_room(user)


def _benefit_effect(user, quote) -> dict | None:
    """Taking this shift beyond the member's bijstand room: the effect in euros (if any)."""
    from payouts.selectors.benefit_room import benefit_room

    room = benefit_room(user, today=quote.work_date)
    return room.effect(quote.member_cents, quote.engagement) if room else None


def _engagement_choice(user, shift) -> dict:
    """The member's price, and where the job allows more than one engagement, the choice of
    how to do the work with each one's price (the default: their usual one, if allowed)."""
    if not has_role(user, shift.cooperative_id, "member"):
        return {"quote": None, "engagement_choices": []}
    quote = quote_shift(user, shift)
    effect = _benefit_effect(user, quote)
    allowed = ordered(shift.job.engagements)
    if len(allowed) < 2 and not quote.choose_engagement:
        return {"quote": quote, "engagement_choices": [], "benefit_effect": effect}
    quotes = quote_engagements(user, shift)
    default = None if quote.choose_engagement else quote.engagement
    return {
        "quote": quote,
        "benefit_effect": effect,
        "engagement_choices": [
            (engagement, Engagement(engagement).label, quotes[engagement], engagement == default)
            for engagement in allowed
        ],
    }


@login_required
@require_POST
def shift_claim(request, shift_id: int):
    shift = get_object_or_404(Shift, pk=shift_id)
    try:
        claim = claims.shift_claim(
            user=request.user, shift=shift, engagement=request.POST.get("engagement") or None
        )
    except NotFound as exc:  # another cooperative's shift: its id tells nothing
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if claim.status == Claim.Status.WAITLISTED:
            messages.info(
                request,
                _("The shift is full; you are number %(n)s on the waitlist.")
                % {"n": claim.waitlist_position},
            )
        else:
            messages.success(request, _("You claimed this shift."))
        for warning in getattr(claim, "warnings", []):
            messages.warning(request, warning)
    return _back(request, f"/work/shifts/{shift_id}/")


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
    return _back(request, "/work/week/")


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
            "benefit_room": _benefit_room(request.user),
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
        return _back(request, "/work/week/")
    try:
        timesheets.timesheet_submit(user=request.user, claim_id=claim_id, **form.service_values())
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your hours were sent to the client."))
    return _back(request, "/work/week/")


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


def _poster_choices(user):
    clients = list(Client.objects.filter(client_users__user=user).distinct())
    board_coops = list(
        Cooperative.objects.filter(
            memberships__user=user, memberships__status="active", memberships__is_board=True
        )
    )
    if board_coops:
        clients += list(
            Client.objects.filter(links__cooperative__in=board_coops)
            .exclude(pk__in=[c.pk for c in clients])
            .distinct()
        )
    coops = list(Cooperative.objects.filter(client_links__client__in=clients).distinct())
    return clients, coops


@login_required
def job_list(request):
    return render(
        request,
        "jobs/job_list.html",
        {
            "jobs": jobs_managed_by(request.user).order_by("-created_at"),
            "timesheets": timesheets_for_manager(request.user).filter(
                status__in=["submitted", "disputed"]
            ),
        },
    )


@login_required
def job_new(request):
    clients, coops = _poster_choices(request.user)
    if not clients:
        messages.info(request, _("Register your organisation first."))
        return redirect("jobs:client-new")
    skills = Skill.objects.filter(cooperative__in=coops)
    board = any(has_role(request.user, c, "board") for c in coops)
    form = forms.JobForm(
        request.POST or None, clients=clients, cooperatives=coops, skills=skills, can_price=board
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        cooperative = get_object_or_404(Cooperative, slug=data.pop("cooperative"))
        client = get_object_or_404(Client, pk=data.pop("client"))
        try:
            job = jobs.job_create(
                actor=request.user, cooperative=cooperative, client=client, **data
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("The job is posted. Now add its shifts."))
            return redirect("jobs:job-detail", job_id=job.pk)
    prices = RateCard.objects.filter(cooperative__in=coops).select_related("cooperative")
    return render(
        request,
        "jobs/job_new.html",
        {"form": form, "prices": prices.order_by("cooperative__name", "category")},
    )


JOB_STATUS_MESSAGES = {
    "open": gettext_lazy("The job is published; members find its shifts under Find work."),
    "completed": gettext_lazy(
        "The job is marked completed. Approve the remaining hours so they can be paid."
    ),
    "cancelled": gettext_lazy(
        "The job is cancelled. Its open shifts are cancelled and the members who claimed "
        "them are told."
    ),
}


def _cancel_confirmation(job: Job) -> Confirmation:
    upcoming = job.shifts.filter(status=Shift.Status.OPEN, start__gt=timezone.now())
    people = (
        Claim.objects.filter(shift__in=upcoming, status__in=["claimed", "confirmed", "waitlisted"])
        .values("user_id")
        .distinct()
        .count()
    )
    return Confirmation(
        title=_("Cancel %(job)s?") % {"job": job.title},
        confirm_label=_("Yes, cancel the job"),
        rows=[
            (_("Job"), job.title),
            (_("Client"), job.client.name),
            (_("Shifts still to come"), str(upcoming.count())),
            (_("Members who are told"), str(people)),
        ],
        consequence=_("The shifts still to come are cancelled. This cannot be undone."),
        danger=True,
    )


@login_required
def job_detail(request, job_id: int):
    job = get_object_or_404(
        Job.objects.select_related("client", "cooperative", "required_skill"), pk=job_id
    )
    if not can_manage_job(request.user, job):
        raise Http404
    shift_form = forms.ShiftForm(prefix="one")
    pattern_form = forms.WeeklyPatternForm(prefix="week")
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "shift":
                shift_form = forms.ShiftForm(request.POST, prefix="one")
                if shift_form.is_valid():
                    jobs.shift_create(actor=request.user, job=job, **shift_form.cleaned_data)
                    messages.success(request, _("Shift added."))
                    return redirect("jobs:job-detail", job_id=job.pk)
            elif action == "pattern":
                pattern_form = forms.WeeklyPatternForm(request.POST, prefix="week")
                if pattern_form.is_valid():
                    created = jobs.shifts_create_weekly(
                        actor=request.user, job=job, **pattern_form.cleaned_data
                    )
                    messages.success(request, _("%(n)s shifts added.") % {"n": len(created)})
                    return redirect("jobs:job-detail", job_id=job.pk)
            elif action in ("open", "completed", "cancelled"):
                if action == "cancelled" and not is_confirmed(request):
                    return confirmation(request, _cancel_confirmation(job))
                jobs.job_transition(actor=request.user, job=job, to=action)
                messages.success(request, JOB_STATUS_MESSAGES[action])
                return redirect("jobs:job-detail", job_id=job.pk)
            elif action == "cancel-shift":
                shift = get_object_or_404(Shift, pk=request.POST.get("shift"), job=job)
                jobs.shift_cancel(
                    actor=request.user, shift=shift, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Shift cancelled; the members were told."))
                return redirect("jobs:job-detail", job_id=job.pk)
        except ApplicationError as exc:
            target = shift_form if action == "shift" else pattern_form
            if action in ("shift", "pattern"):
                add_application_error(target, exc)
            else:
                messages.error(request, exc.message)
    shifts = job.shifts.order_by("start").prefetch_related("claims__user", "claims__timesheet")
    return render(
        request,
        "jobs/job_detail.html",
        {
            "job": job,
            "shifts": shifts,
            "shift_form": shift_form,
            "pattern_form": pattern_form,
            "is_board": has_role(request.user, job.cooperative_id, "board"),
        },
    )


TIMESHEETS_SHOWN = 200


@login_required
def timesheet_list(request):
    sheets = TimesheetFilter(
        request.GET or None,
        queryset=timesheets_for_manager(request.user).select_related("claim__shift"),
    )
    rows = sheets.qs[:TIMESHEETS_SHOWN]
    board_of = set(
        request.user.memberships.filter(status="active", is_board=True).values_list(
            "cooperative_id", flat=True
        )
    )
    return render(
        request,
        "jobs/timesheets.html",
        {
            "timesheets": rows,
            "filter": sheets,
            "resolve_form": forms.ResolveForm(),
            "board_of": board_of,
        },
    )


@login_required
@require_POST
def timesheet_action(request, timesheet_id: int, action: str):
    if not timesheets_for_manager(request.user).filter(pk=timesheet_id).exists():
        raise Http404
    try:
        if action == "approve":
            timesheets.timesheet_approve(actor=request.user, timesheet_id=timesheet_id)
            messages.success(request, _("Hours approved."))
        elif action == "dispute":
            timesheets.timesheet_dispute(
                actor=request.user, timesheet_id=timesheet_id, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Hours disputed; the board will resolve it."))
        elif action == "resolve":
            form = forms.ResolveForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Explain the decision."))
            else:
                timesheets.timesheet_resolve(
                    actor=request.user, timesheet_id=timesheet_id, **form.cleaned_data
                )
                messages.success(
                    request, _("The dispute is resolved; the member and the client are told.")
                )
        else:
            raise Http404
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(request, "/work/timesheets/")


@login_required
def board_jobs(request, slug: str):
    cooperative = page_cooperative(request.user, slug, "board")
    return render(
        request,
        "jobs/board_jobs.html",
        {"cooperative": cooperative, "jobs": jobs_with_fill_rates(cooperative)},
    )


class PlanForm(forms_module.Form):
    week = forms_module.DateField(
        label=gettext_lazy("Week of"),
        required=False,
        widget=forms_module.DateInput(attrs={"type": "date"}),
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
    return render(
        request,
        "jobs/plan.html",
        {
            "form": form,
            "plan": plan,
            "problem": problem,
            "benefit_room": _benefit_room(request.user),
        },
    )


class DispatchForm(forms_module.Form):
    period_start = forms_module.DateField(
        label=gettext_lazy("From"), widget=forms_module.DateInput(attrs={"type": "date"})
    )
    period_end = forms_module.DateField(
        label=gettext_lazy("Until"), widget=forms_module.DateInput(attrs={"type": "date"})
    )


@login_required
def board_dispatch(request, slug: str):
    cooperative = page_cooperative(request.user, slug, "board")
    form = DispatchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            dispatching.dispatch_request(
                actor=request.user, cooperative=cooperative, **form.cleaned_data
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(
                request, _("Dispatch is running; offers go out to the members when it is done.")
            )
            return redirect("jobs:board-dispatch", slug=slug)
    runs = cooperative.dispatch_runs.all()[:20]
    return render(
        request,
        "jobs/board_dispatch.html",
        {
            "cooperative": cooperative,
            "form": form,
            "runs": runs,
            "policy": dispatching.policy_in_force(cooperative.pk, timezone.localdate()),
        },
    )


RUN_OFFERS_PER_PAGE = 50


@login_required
def board_dispatch_run(request, slug: str, run_id: int):
    """One run as the board sees it: who was offered what, coverage per day, the open
    shifts with their reasons, members' hours against their targets (a chart with its
    table) and the objective in euros. Read from the run's summary: nothing is solved."""
    cooperative = page_cooperative(request.user, slug, "board")
    try:
        run = dispatch_run_of(cooperative.pk, run_id)
    except NotFound as exc:
        raise Http404 from exc
    try:
        number = min(max(1, int(request.GET.get("page", 1))), MAX_PAGE)
    except ValueError:
        number = 1
    start = (number - 1) * RUN_OFFERS_PER_PAGE
    offers = list(dispatch_run_offers(run)[start : start + RUN_OFFERS_PER_PAGE + 1])
    view = dispatch_report.run_view(run)
    return render(
        request,
        "jobs/board_dispatch_run.html",
        {
            "cooperative": cooperative,
            "run": run,
            "view": view,
            "chart": dispatch_report.hours_chart(view, cooperative.currency) if view else None,
            "offers": offers[:RUN_OFFERS_PER_PAGE],
            "page": {
                "number": number,
                "has_next": len(offers) > RUN_OFFERS_PER_PAGE,
                "has_previous": number > 1,
            },
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
    return _back(request, "/work/week/")
