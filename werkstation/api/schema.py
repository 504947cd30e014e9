"""The OpenAPI schema's view of our API (drf-spectacular).

Besides what each view declares, every operation lists the errors it can answer, once
and centrally (``WerkstationAutoSchema._get_response_bodies``), each in the one error
shape of ``werkstation.api.exception_handler`` (the ``Error`` component):

- 400 for every write and where the operation takes query parameters (validation);
- 401 where it authenticates (no, a wrong or an expired token);
- 403 everywhere (a role, a second factor, a suspended membership, a CSRF check);
- 404 where the path names an object or the body refers to one;
- 409 for every write (a state that does not allow it, a duplicate, a stale change);
- 413 where the operation takes a body (over the size the API reads);
- what a view adds in ``error_statuses`` (429 for sign-in throttles, 502 where Stripe
  is called).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import Direction, OpenApiResponse
from rest_framework import serializers

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# What each status means and the stable codes a client can expect in ``error.code``
# (docs/api.md lists them too). Codes of a field's validation are the field's own.
ERROR_DESCRIPTIONS = {
    400: "The request is not valid: `error.field` names the first wrong field and "
    "`error.details` lists every one. Codes: `invalid`, `required`, `null`, `blank`, "
    "`max_length`, `min_value`, `max_value`, `invalid_choice`, `parse_error` and the "
    "domain's own (e.g. `end_before_start`, `invalid_iban`).",
    401: "No valid credentials: the token is missing, wrong or expired. Codes: "
    "`not_authenticated`, `authentication_failed`.",
    403: "Signed in, but not allowed: the role, a missing second factor or a suspended "
    "membership. Codes: `permission_denied` and the domain's own (e.g. "
    "`second_factor_required`).",
    404: "The object does not exist or is not visible to you. Code: `not_found`.",
    409: "The object's state does not allow this now (e.g. a shift already full, a "
    "proposal no longer open, a duplicate). Codes: `conflict` and the domain's own.",
    413: "The body is larger than the API reads (1 MiB of JSON, 10 MiB in all). Code: `too_large`.",
    429: "Too many attempts; `error.retry_after_seconds` says how long to wait. Codes: "
    "`locked_out`, `otp_throttled`, `rate_limited`.",
    502: "A payment provider (Stripe) did not answer; try again. Code: `stripe_unavailable`.",
}


class ErrorDetail(serializers.Serializer[Any]):
    field = serializers.CharField(allow_null=True, help_text="The field, or null.")
    code = serializers.CharField(help_text="A stable code.")
    message = serializers.CharField(help_text="A message a person can act on.")


class ErrorBody(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="A stable, machine-readable code.")
    message = serializers.CharField(help_text="In the reader's language.")
    field = serializers.CharField(
        allow_null=True, help_text="The (first) field that was wrong, or null."
    )
    details = ErrorDetail(many=True, help_text="Every problem found, at least one.")
    request_id = serializers.CharField(
        allow_null=True, help_text="The request's id, also in the X-Request-ID header."
    )
    retry_after_seconds = serializers.IntegerField(
        required=False, help_text="On a 429: the seconds to wait before trying again."
    )
    shift = serializers.IntegerField(
        required=False, help_text="On a 409 of a bundle claim: the shift that was taken."
    )


class Error(serializers.Serializer[Any]):
    """Every 4xx and 5xx of the API."""

    error = ErrorBody()


class WerkstationAutoSchema(AutoSchema):
    def get_operation_id(self) -> str:
        """A paged list is a list ("…_list"), though its answer is one envelope object."""
        operation_id = super().get_operation_id()
        response = self.get_response_serializers()
        if isinstance(response, dict):
            response = response.get(200)
        if self.method == "GET" and getattr(response, "is_page_envelope", False):
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id

    def error_statuses(self) -> set[int]:
        """The error statuses this operation can answer (see the module's doc)."""
        statuses = {403}
        parameters = self._get_parameters()
        has_body = self._get_request_body() is not None
        writes = self.method in WRITE_METHODS
        if has_body or writes or any(p.get("in") == "query" for p in parameters):
            statuses.add(400)
        if self.view.get_authenticators():
            statuses.add(401)
        # The path names an object, or the body refers to one by its id.
        if has_body or any(p.get("in") == "path" for p in parameters):
            statuses.add(404)
        if writes:
            statuses.add(409)
        if has_body:
            statuses.add(413)
        statuses.update(getattr(self.view, "error_statuses", ()))
        return statuses

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for status in sorted(self.error_statuses()):
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    OpenApiResponse(Error, description=ERROR_DESCRIPTIONS[status]),
                    str(status),
                    media_types=["application/json"],
                )
        return responses
