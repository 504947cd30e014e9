"""Addresses to coordinates.

With ``PDOK_LOCATIESERVER_URL`` set (e.g. https://api.pdok.nl/bzk/locatieserver/search/v3_1)
the Dutch PDOK Locatieserver is asked; otherwise only the bundled postcode table of the
demo area answers, so tests and the demo need no network.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.parse
import urllib.request
from decimal import Decimal
from typing import Any

from django.conf import settings

from .geo import postcode_coordinates

logger = logging.getLogger(__name__)
_POINT = re.compile(r"POINT\(([-0-9.]+) ([-0-9.]+)\)")


# ``Any``: the Locatieserver's parsed JSON answer.
def parse_pdok_response(payload: dict[str, Any]) -> tuple[Decimal, Decimal] | None:
    docs = payload.get("response", {}).get("docs", [])
    for doc in docs:
        match = _POINT.match(doc.get("centroide_ll", ""))
        if match:
            lon, lat = match.groups()
            return Decimal(lat).quantize(Decimal("0.000001")), Decimal(lon).quantize(
                Decimal("0.000001")
            )
    return None


def _pdok(postcode: str, street: str) -> tuple[Decimal, Decimal] | None:
    base = settings.PDOK_LOCATIESERVER_URL.rstrip("/")
    number = re.search(r"\d+", street or "")
    query = f"postcode:{postcode.replace(' ', '')}" + (
        f" and huisnummer:{number.group()}" if number else ""
    )
    url = f"{base}/free?{urllib.parse.urlencode({'q': query, 'rows': 1, 'fq': 'type:adres'})}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (configured https URL)
            return parse_pdok_response(json.load(response))
    except (OSError, ValueError):
        logger.warning("PDOK geocoding failed for %s", postcode, exc_info=True)
        return None


def geocode(*, postcode: str, street: str = "") -> tuple[Decimal, Decimal] | None:
    if settings.PDOK_LOCATIESERVER_URL:
        found = _pdok(postcode, street)
        if found is not None:
            return found
    return postcode_coordinates(postcode)
