"""Hours to approve: the client's (and board's) list of timesheets and their approval, dispute and resolution."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobs import forms
from jobs.filters import TimesheetFilter
from jobs.selectors import timesheets_for_manager
from jobs.services import timesheets
from werkstation.errors import ApplicationError

from .shifts import redirect_back

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
    return redirect_back(request, "/work/timesheets/")
