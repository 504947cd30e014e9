"""A member finding work: the feed, a shift's page and claiming it (with the engagement and the benefit room shown first)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobs import eligibility, forms
from jobs.access import can_manage_job
from jobs.models import Claim, Shift
from jobs.selectors import FeedFilters, feed_page, feed_row
from jobs.services import claims
from members.access import has_role
from members.services.accounts import profile_of
from payouts.selectors.quotes import quote_engagements, quote_shift
from werkstation.api.pagination import MAX_PAGE
from werkstation.engagements import Engagement, ordered
from werkstation.errors import ApplicationError, NotFound


def redirect_back(request, default: str):
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
            "benefit_room": benefit_room_for(request.user),
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


def benefit_room_for(user):
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
    return redirect_back(request, f"/work/shifts/{shift_id}/")
