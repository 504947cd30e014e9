"""Request bodies that cannot hurt the server.

``StrictJSONParser`` is DRF's JSON parser with limits. It refuses, with a 4xx:

- a body over ``WERKSTATION_MAX_JSON_BYTES`` (413, ``too_large``);
- nesting deeper than ``MAX_DEPTH`` (a body of 100,000 brackets would otherwise blow
  Python's recursion in the parser or anywhere after it);
- numbers that are not finite (``1e400``, ``NaN``, ``Infinity``), naming the field;
- text with a lone surrogate (``"\\ud800"``), which can never be stored or sent back as
  UTF-8, or with a NUL character (``"\\u0000"``), which PostgreSQL stores in no text or JSON
  column, naming the field.

``SafeJSONRenderer`` never fails on what it is given: output that cannot be UTF-8 is
sent with ASCII escapes instead.
"""

from __future__ import annotations

import codecs
import json
import math
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer

if TYPE_CHECKING:
    from collections.abc import Mapping

MAX_DEPTH = 32


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def max_json_bytes() -> int:
    return int(getattr(settings, "WERKSTATION_MAX_JSON_BYTES", 1024 * 1024))


def _path(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def _has_lone_surrogate(text: str) -> bool:
    """Text that cannot be stored: a lone surrogate, or a NUL character."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_json_value(value: object, *, max_depth: int = MAX_DEPTH) -> None:
    """Walk a parsed JSON value (iteratively) and refuse what the API cannot take."""
    stack: list[tuple[object, str, int]] = [(value, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        if depth > max_depth:
            raise exceptions.ParseError(
                _("The JSON is nested more than %(n)s levels deep.") % {"n": max_depth}
            )
        if isinstance(node, float) and not math.isfinite(node):
            raise exceptions.ValidationError(
                {path or "non_field_errors": [_("Enter a finite number.")]}, code="not_finite"
            )
        if isinstance(node, str) and _has_lone_surrogate(node):
            raise exceptions.ValidationError(
                {path or "non_field_errors": [_("This text contains invalid characters.")]},
                code="invalid_text",
            )
        if isinstance(node, dict):
            for key, item in node.items():
                if _has_lone_surrogate(key):
                    raise exceptions.ValidationError(
                        {"non_field_errors": [_("A field name contains invalid characters.")]},
                        code="invalid_text",
                    )
                stack.append((item, _path(path, key), depth + 1))
        elif isinstance(node, list):
            stack.extend((item, _path(path, i), depth + 1) for i, item in enumerate(node))


class StrictJSONParser(JSONParser):
    # ``Any``: the body is any JSON value (a list too), not only the object the stubs name.
    def parse(
        self,
        stream: IO[Any] | None,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = max_json_bytes()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(_("The request body is larger than %(n)s bytes.") % {"n": limit})
        try:
            text = codecs.decode(raw, encoding)
            # A NaN or Infinity literal parses to a float the walk below refuses.
            data = json.loads(text, parse_constant=float) if text.strip() else {}
        except RecursionError as exc:
            raise exceptions.ParseError(_("The JSON is nested too deeply.")) from exc
        except ValueError as exc:
            raise exceptions.ParseError(_("JSON parse error: %(error)s") % {"error": exc}) from exc
        check_json_value(data)
        return data


class SafeJSONRenderer(JSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        rendered: bytes
        try:
            rendered = super().render(data, accepted_media_type, renderer_context)
        except UnicodeEncodeError:
            # DRF reads ``self.ensure_ascii``, so a value on the instance is what counts; the
            # stubs declare the attribute a ClassVar.
            self.ensure_ascii = True  # type: ignore[misc]
            rendered = super().render(data, accepted_media_type, renderer_context)
        return rendered
