"""Jobs: a client's list, posting a new job, a job's page with its shifts and status changes, and the board's overview."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs import forms
from jobs.access import can_manage_job
from jobs.models import Claim, Client, Job, RateCard, Shift
from jobs.selectors import jobs_managed_by, jobs_with_fill_rates, timesheets_for_manager
from jobs.services import jobs
from members.access import has_role, page_cooperative
from members.models import Cooperative, Skill
from werkstation.confirm import Confirmation, confirmation, is_confirmed
from werkstation.errors import ApplicationError
from werkstation.forms import add_application_error

if TYPE_CHECKING:
    from django.db.models import QuerySet


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


def _upcoming_shifts(job: Job) -> QuerySet[Shift]:
    """The job's open shifts still to come: what cancelling the job cancels."""
    return job.shifts.filter(status=Shift.Status.OPEN, start__gt=timezone.now())


def _job_rows(job: Job) -> list[tuple[str, str]]:
    """The rows both confirmations (cancel, complete) start with."""
    return [
        (_("Job"), job.title),
        (_("Client"), job.client.name),
        (_("Shifts still to come"), str(_upcoming_shifts(job).count())),
    ]


def _cancel_confirmation(job: Job) -> Confirmation:
    people = (
        Claim.objects.filter(
            shift__in=_upcoming_shifts(job), status__in=["claimed", "confirmed", "waitlisted"]
        )
        .values("user_id")
        .distinct()
        .count()
    )
    return Confirmation(
        title=_("Cancel %(job)s?") % {"job": job.title},
        confirm_label=_("Yes, cancel the job"),
        rows=[*_job_rows(job), (_("Members who are told"), str(people))],
        consequence=_("The shifts still to come are cancelled. This cannot be undone."),
        danger=True,
    )


def _complete_confirmation(job: Job) -> Confirmation:
    return Confirmation(
        title=_("Mark %(job)s completed?") % {"job": job.title},
        confirm_label=_("Yes, mark the job completed"),
        rows=_job_rows(job),
        consequence=_(
            "Members can no longer claim its shifts and the job cannot be reopened. "
            "Hours already worked can still be logged and approved."
        ),
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
                if action == "completed" and not is_confirmed(request):
                    return confirmation(request, _complete_confirmation(job))
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


@login_required
def board_jobs(request, slug: str):
    cooperative = page_cooperative(request.user, slug, "board")
    return render(
        request,
        "jobs/board_jobs.html",
        {"cooperative": cooperative, "jobs": jobs_with_fill_rates(cooperative)},
    )
