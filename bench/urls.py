"""The application's URLs plus the reference endpoint the feed is compared with."""

import json
import os
from functools import cache

from django.http import JsonResponse
from django.urls import path
from rest_framework.exceptions import AuthenticationFailed

from jobs.models import Shift
from jobs.selectors import FEED_COLUMNS
from members.api.authentication import ApiTokenAuthentication
from payouts.selectors.quotes import quote_shifts
from werkstation.urls import urlpatterns as app_urlpatterns

# The feed's columns, read through the ORM (the distance is the feed's own).
REFERENCE_FIELDS = tuple(c for c in FEED_COLUMNS if c != "dist2")


@cache
def _feed_ids() -> dict:
    with open(os.environ["BENCH_FEED_IDS"]) as handle:
        return json.load(handle)


def reference_feed(request):
    """The same 50 rows as the member's feed page, fetched by id with .values().

    The ids are the feed's answer for this member, computed once by bench/feed.py; this is
    what serving (and pricing) those rows costs without any of the feed's filtering.
    """
    key = request.headers.get("Authorization", "").removeprefix("Token ")
    try:  # the same token check as the API, so the comparison is fair
        user, _token = ApiTokenAuthentication().authenticate_credentials(key.encode())
    except AuthenticationFailed:
        return JsonResponse({"error": "unauthenticated"}, status=401)
    user_id = user.pk
    ids = _feed_ids().get(str(user_id), [])
    rows = list(
        Shift.objects.filter(pk__in=ids).order_by("start_minute", "id").values(*REFERENCE_FIELDS)
    )
    # Pricing is part of serving a feed row: the reference prices its rows the same way.
    shifts = Shift.objects.filter(pk__in=ids).select_related("job__client")
    quotes = quote_shifts(user, shifts)
    for row in rows:
        row["pay"] = quotes[row["id"]].member_cents
    return JsonResponse({"results": rows})


urlpatterns = [path("bench/reference-feed/", reference_feed), *app_urlpatterns]
