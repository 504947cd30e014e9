"""The OpenAPI schema's view of our API (drf-spectacular)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema


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
