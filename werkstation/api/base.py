from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from werkstation.errors import NotFound

if TYPE_CHECKING:
    from rest_framework.request import Request

M = TypeVar("M", bound=Model)


def get_object_or_error(queryset: QuerySet[M], *, field: str = "id", **lookup: Any) -> M:
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise NotFound(_("Not found."), field=field)
    return obj


def site_url(request: Request) -> str:
    return request.build_absolute_uri("/").rstrip("/")
