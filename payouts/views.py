from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from werkstation.errors import NotFound

from .services.earnings import member_earnings, split_explain


@login_required
def earnings(request):
    try:
        year = int(request.GET.get("year", timezone.localdate().year))
    except ValueError:
        year = timezone.localdate().year
    return render(
        request,
        "payouts/earnings.html",
        {"earnings": member_earnings(user=request.user, year=year)},
    )


@login_required
def earning_detail(request, split_id: int):
    try:
        explained = split_explain(user=request.user, split_id=split_id)
    except NotFound as exc:
        raise Http404 from exc
    return render(request, "payouts/earning_detail.html", {"split": explained})
