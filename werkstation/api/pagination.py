"""Pages of API lists: every list answers ``{"page", "has_next", "results"}``.

The envelope is the feed's. There is no total: counting would make the database
evaluate every row of the query, while a page needs only ``page_size + 1`` rows (the
extra row says whether there is a next page). ``?page`` counts from 1 and stops at
``MAX_PAGE`` (a page number is an offset into a query; one beyond the database's
64-bit range would otherwise reach it); ``?page_size`` is 50 unless asked, at most 200.
A bad value of either is a 400 naming the field.

A view hands ``paginated`` an ordered queryset (or a list) and its output serializer;
``paginated_schema`` documents the same envelope in the OpenAPI schema. A view that
must do more with the rows of one page (count votes, attach points) takes the page
with ``page_of`` and answers with ``page.response(data)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

if TYPE_CHECKING:
    from rest_framework.request import Request

_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])

MAX_PAGE = 10_000
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def _choose(text: str, maximum: int) -> str:
    """The message in the reader's language, formatted when it is shown."""
    return lazy(lambda: gettext(text) % {"max": maximum}, str)()


_PAGE = gettext_noop("Choose a page from 1 to %(max)s.")
_PAGE_SIZE = gettext_noop("Choose a page size from 1 to %(max)s.")


class PageQuery(serializers.Serializer[Any]):
    page = serializers.IntegerField(
        required=False,
        default=1,
        min_value=1,
        max_value=MAX_PAGE,
        help_text="Page number, from 1.",
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value", "max_string_length"), _choose(_PAGE, MAX_PAGE)
        ),
    )
    page_size = serializers.IntegerField(
        required=False,
        default=DEFAULT_PAGE_SIZE,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        help_text=f"Rows a page, {DEFAULT_PAGE_SIZE} unless asked, at most {MAX_PAGE_SIZE}.",
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value", "max_string_length"),
            _choose(_PAGE_SIZE, MAX_PAGE_SIZE),
        ),
    )


@dataclass(frozen=True)
class PageRequest:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page_request(request: Request) -> PageRequest:
    """``?page`` and ``?page_size`` of the request, checked (a 400 naming the field)."""
    query = PageQuery(
        data={
            k: request.query_params[k] for k in ("page", "page_size") if k in request.query_params
        }
    )
    query.is_valid(raise_exception=True)
    return PageRequest(number=query.validated_data["page"], size=query.validated_data["page_size"])


@dataclass(frozen=True)
class Page(Generic[_T]):
    number: int
    has_next: bool
    items: list[_T]

    def response(self, results: Any) -> Response:
        return Response({"page": self.number, "has_next": self.has_next, "results": results})


def page_of(request: Request, rows: QuerySet[Any, _T] | Sequence[_T]) -> Page[_T]:
    """The asked page of ``rows``: one query of ``page_size + 1`` rows for a queryset."""
    asked = page_request(request)
    if isinstance(rows, QuerySet):
        rows = _totally_ordered(rows)
    chunk = list(rows[asked.offset : asked.offset + asked.size + 1])
    return Page(number=asked.number, has_next=len(chunk) > asked.size, items=chunk[: asked.size])


def _totally_ordered(rows: QuerySet[Any, _T]) -> QuerySet[Any, _T]:
    """``rows`` in their own order, ties broken by primary key, so that pages neither
    repeat nor skip a row whose sort key it shares with others."""
    if not rows.ordered:
        msg = "order the rows of a paginated list: pages of an unordered query shift"
        raise TypeError(msg)
    query = rows.query
    order = list(query.order_by) or (
        list(query.get_meta().ordering or ()) if query.default_ordering else []
    )
    last = order[-1] if order else None
    if isinstance(last, str) and last.lstrip("-") in ("pk", query.get_meta().pk.name):
        return rows
    descending = isinstance(last, str) and last.startswith("-")
    return rows.order_by(*order, "-pk" if descending else "pk")


def paginated(
    request: Request,
    rows: QuerySet[Any, Any] | Sequence[Any],
    output: type[serializers.BaseSerializer[Any]],
    *,
    context: dict[str, Any] | None = None,
) -> Response:
    page = page_of(request, rows)
    return page.response(output(page.items, many=True, context=context or {}).data)


@cache
def paginated_schema(
    output: type[serializers.BaseSerializer[Any]],
) -> type[serializers.Serializer[Any]]:
    """The envelope around ``output`` rows, for ``extend_schema(responses=...)``."""
    name = output.__name__.removesuffix("Serializer")
    return type(
        f"Paginated{name}List",
        (serializers.Serializer,),
        {
            "page": serializers.IntegerField(help_text="This page's number, from 1."),
            "has_next": serializers.BooleanField(help_text="Whether a next page has rows."),
            "results": output(many=True, read_only=True),
            "is_page_envelope": True,
            "__module__": output.__module__,
            "__doc__": f"One page of {name} rows.",
        },
    )


def list_schema(
    output: type[serializers.BaseSerializer[Any]],
    *,
    summary: str,
    parameters: Sequence[OpenApiParameter | type[serializers.Serializer[Any]]] = (),
) -> Callable[[_F], _F]:
    """``extend_schema`` of a list's GET: the page parameters and the envelope."""
    # A class is hashable; mypy matches ``type[BaseSerializer]`` against ``Hashable`` through
    # the instances' ``__hash__`` and fails.
    envelope = paginated_schema(output)  # type: ignore[arg-type]
    return extend_schema(parameters=[PageQuery, *parameters], responses=envelope, summary=summary)
