"""The application's URLs plus the reference endpoint the feed is compared with."""

import json
import os
from functools import cache

from django.http import JsonResponse
from django.urls import path
from rest_framework.exceptions import AuthenticationFailed

from jobs.models import Shift
from members.api.authentication import ApiTokenAuthentication
from werkstation.urls import urlpatterns as app_urlpatterns

REFERENCE_FIELDS = (
    "id",
    "start",
    "end",
    "slots",
    "filled",
    "category",
    "latitude",
    "longitude",
    "local_date",
    "job_id",
    "job__title",
    "job__street",
    "job__postcode",
    "job__member_pay",
    "job__client__name",
    "required_skill__name",
)


@cache
def _feed_ids() -> dict:
    with open(os.environ["BENCH_FEED_IDS"]) as handle:
        return json.load(handle)


def reference_feed(request):
    """The same 50 rows as the member's feed page, fetched by id with .values().

    The ids are the feed's answer for this member, computed once by bench/feed.py; this is
    what serving those rows costs without any of the feed's filtering.
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
    return JsonResponse({"results": rows})


urlpatterns = [path("bench/reference-feed/", reference_feed), *app_urlpatterns]
