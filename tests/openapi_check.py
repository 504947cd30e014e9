"""Check an API answer against the OpenAPI schema the API publishes.

The schema is drf-spectacular's (OpenAPI 3.0); it becomes JSON Schema here: a
``nullable`` node also takes null, and an object with listed properties takes no other
key (an answer with a field the schema does not name fails, as does one that lacks a
required field or has a null where none is allowed).

``assert_answer_matches_schema`` checks any answer of the test client by its request's
path and method; the API clients of the tests (``api``, ``api_as``) call it on every
answer below 500 of an operation the schema lists, so every answer the suite sees is one
the schema documents: its status, its media type and its body.
"""

from __future__ import annotations

import json
from functools import cache

import jsonschema

from tests.api_endpoints import api_endpoint_list


@cache
def _openapi() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _json_schema(node):
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _json_schema(v) for k, v in node.items() if k not in ("nullable", "readOnly")}
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/$defs/")
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if node.get("nullable"):
        return {"anyOf": [out, {"type": "null"}]}
    return out


@cache
def _defs() -> dict:
    return _json_schema(_openapi()["components"]["schemas"])


@cache
def _paths() -> dict[str, str]:
    return {e.name: e.schema_path for e in api_endpoint_list()}


def assert_answer_matches_schema(response) -> None:
    """Any answer of the test client to an API operation is what the schema says."""
    from django.urls import Resolver404, resolve

    path, method = response.request["PATH_INFO"], response.request["REQUEST_METHOD"].lower()
    if not path.startswith("/api/v1/") or response.status_code >= 500:
        return
    try:
        match = resolve(path)
    except Resolver404:
        return  # no operation: the JSON 404 of werkstation.views.page_not_found
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    if method not in _openapi()["paths"].get(_paths().get(name, ""), {}):
        return  # a method the operation does not have (405)
    assert_matches_schema(response, name, method)


def assert_matches_schema(response, name: str, method: str) -> None:
    """``response`` (of ``method`` on URL name ``name``) is what the schema says."""
    operation = _openapi()["paths"][_paths()[name]][method]
    documented = operation["responses"].get(str(response.status_code))
    assert documented is not None, (
        f"{method.upper()} {name} answered {response.status_code}, which the schema does not list"
    )
    media_type = response.get("Content-Type", "").split(";")[0].strip()
    if response.status_code == 204 or not media_type:
        return
    assert media_type in documented.get("content", {}), (
        f"{method.upper()} {name} {response.status_code} answered {media_type}, "
        f"the schema lists {sorted(documented.get('content', {}))}"
    )
    if "json" not in media_type:
        return
    content = documented.get("content", {}).get("application/json")
    assert content is not None, f"{method.upper()} {name}: the schema lists no JSON answer"
    body = json.loads(response.content)
    error = jsonschema.exceptions.best_match(
        _validator(name, method, str(response.status_code)).iter_errors(body)
    )
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        raise AssertionError(
            f"{method.upper()} {name} {response.status_code}: at '{where}': {error.message}"
        )


@cache
def _validator(name: str, method: str, status: str):
    """One validator per answer of an operation, built once: ``jsonschema.validate`` would
    check the whole schema (every component) again on each call."""
    operation = _openapi()["paths"][_paths()[name]][method]
    content = operation["responses"][status]["content"]["application/json"]
    schema = {**_json_schema(content["schema"]), "$defs": _defs()}
    cls = jsonschema.validators.validator_for(schema)
    # Formats are checked where jsonschema knows them (an e-mail address has an @): a blank
    # field is then the schema's empty-string branch, not also an address.
    return cls(schema, format_checker=jsonschema.FormatChecker())
