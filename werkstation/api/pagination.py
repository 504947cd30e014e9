"""Pages of API lists, with a bound on the page number.

A page number is an offset into a query; past ``MAX_PAGE`` it is refused with a 400
naming ``page`` (a number beyond the database's 64-bit range would otherwise reach it).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

MAX_PAGE = 10_000


class BoundedPageNumberPagination(PageNumberPagination):
    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, 1)
        if raw in self.last_page_strings:
            return raw
        try:
            number = int(raw)
        except (TypeError, ValueError):
            return raw  # Django's paginator answers 404 "invalid page", as before
        if not 1 <= number <= MAX_PAGE:
            raise ValidationError(
                {"page": [_("Choose a page from 1 to %(max)s.") % {"max": MAX_PAGE}]},
                code="out_of_range",
            )
        return number
