"""The API's endpoints, found by walking the URL resolver (shared by the matrices)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Endpoint:
    name: str  # "namespace:name"
    method: str
    route: str  # "api/v1/cooperatives/<slug:slug>/members/"

    @property
    def schema_path(self) -> str:
        """The path as the OpenAPI schema writes it: "/api/v1/cooperatives/{slug}/members/"."""
        return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", self.route)


def api_endpoint_list() -> list[Endpoint]:
    found: list[Endpoint] = []

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                name_space = f"{namespace}:{inner}".strip(":") if inner else namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), name_space)
            elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith(
                "api/v1/"
            ):
                view_class = getattr(pattern.callback, "view_class", None)
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                for method in METHODS:
                    if view_class and hasattr(view_class, method):
                        found.append(Endpoint(name, method, prefix + str(pattern.pattern)))

    walk(get_resolver().url_patterns)
    return found


def api_endpoints() -> set[tuple[str, str]]:
    return {(e.name, e.method) for e in api_endpoint_list()}
