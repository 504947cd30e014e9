"""Output serializers of a service's plain dicts.

A service that answers with a dict (earnings, a report, a status) is described by a
``DictOutput``, which names every key. A key that the service adds and the serializer
does not name fails loudly (every endpoint is called by the authorization matrix), rather
than vanishing from the answer and from the schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers


class DictOutput(serializers.Serializer[Any]):
    # ``Any``: a service's dict, or an object whose attributes the fields read.
    def to_representation(self, instance: Any) -> dict[str, Any]:
        if isinstance(instance, Mapping):
            unnamed = set(instance) - set(self.fields)
            if unnamed:
                msg = (
                    f"{type(self).__name__} does not describe {sorted(unnamed)}: "
                    "name them in the output serializer"
                )
                raise ImproperlyConfigured(msg)
        return super().to_representation(instance)
