"""The board's dispatch: asking for a run, the runs, and one run explained."""

from __future__ import annotations

from django import forms as forms_module
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.selectors import dispatch_run_of, dispatch_run_offers
from jobs.services import dispatch_report, dispatching
from members.access import page_cooperative
from werkstation.api.pagination import MAX_PAGE
from werkstation.errors import ApplicationError, NotFound
from werkstation.forms import add_application_error


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
