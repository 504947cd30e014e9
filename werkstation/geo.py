"""Geography helpers: a local planar projection and a bundled postcode table.

The table covers the demo areas (Kanaleneiland and Overvecht in Utrecht), so the demo
and the tests need no network. Real installs configure the PDOK Locatieserver
(``jobs.geocoding``).
"""

from __future__ import annotations

import math
from decimal import Decimal

EARTH_RADIUS_KM = 6371.0088

# PC6 → (latitude, longitude), approximate centroids.
POSTCODES: dict[str, tuple[float, float]] = {
    "3526 KL": (52.0735, 5.0965),
    "3526 GA": (52.0760, 5.0920),
    "3526 HB": (52.0712, 5.1002),
    "3526 EH": (52.0698, 5.0931),
    "3526 JN": (52.0748, 5.1041),
    "3526 AG": (52.0791, 5.0966),
    "3526 VE": (52.0668, 5.0990),
    "3526 XB": (52.0652, 5.1045),
    "3527 BK": (52.0804, 5.1051),
    "3527 GA": (52.0823, 5.0996),
    "3527 JS": (52.0843, 5.1090),
    "3525 AB": (52.0746, 5.1132),
    "3525 EC": (52.0709, 5.1185),
    "3531 AA": (52.0871, 5.1020),
    "3523 CD": (52.0694, 5.1243),
    "3521 AZ": (52.0856, 5.1098),
    "3511 LX": (52.0907, 5.1214),
    "3514 EX": (52.0990, 5.1140),
    "3562 AA": (52.1162, 5.1047),
    "3563 AB": (52.1187, 5.1125),
    "3564 BC": (52.1113, 5.1181),
    "3565 AD": (52.1132, 5.1247),
    "3562 EZ": (52.1201, 5.1068),
    "3563 GH": (52.1226, 5.1165),
}


def check_coordinates(
    latitude: Decimal | float | str | None, longitude: Decimal | float | str | None
) -> None:
    """Latitude within ±90, longitude within ±180, both finite: else a ValidationFailed
    naming the field."""
    from django.utils.translation import gettext as _

    from .errors import ValidationFailed

    ranges = (
        ("latitude", latitude, 90, _("A latitude lies between -90 and 90.")),
        ("longitude", longitude, 180, _("A longitude lies between -180 and 180.")),
    )
    for name, value, limit, message in ranges:
        if value is None:
            continue
        number = Decimal(str(value))
        if not number.is_finite() or not -limit <= number <= limit:
            raise ValidationFailed(message, code="out_of_range", field=name)


def postcode_coordinates(postcode: str) -> tuple[Decimal, Decimal] | None:
    point = POSTCODES.get(postcode)
    if point is None:
        return None
    return Decimal(str(point[0])), Decimal(str(point[1]))


# Kilometres per degree of latitude (and of longitude at the equator) on the sphere.
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180


def plane_scale(lat0: float) -> tuple[float, float]:
    """Kilometres per degree of longitude and of latitude on the local plane around
    latitude ``lat0`` (an equirectangular projection)."""
    return KM_PER_DEGREE * math.cos(math.radians(lat0)), KM_PER_DEGREE


def project_km(lat: float, lon: float, origin: tuple[float, float]) -> tuple[float, float]:
    """Equirectangular projection onto a plane in kilometres around ``origin``.

    Over a city the error is far below a metre per kilometre, which is what the
    dispatch file contract (planar kilometres) needs. ``jobs.eligibility`` measures every
    distance of the platform on this plane (around the member's home), in Python and in
    the feed's SQL alike.
    """
    kx, ky = plane_scale(origin[0])
    return (lon - origin[1]) * kx, (lat - origin[0]) * ky
