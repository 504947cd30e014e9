"""The Content-Security-Policy middleware (django-csp) with the Stripe endpoint the
installation talks to.

Paying online posts a form that redirects to Stripe Checkout, and setting up payouts
redirects to Stripe Connect; ``form-action`` must allow where those redirects go. That
is ``checkout.stripe.com``/``connect.stripe.com`` in production (in the settings), and
the host of ``STRIPE_API_BASE`` when the installation points Stripe elsewhere (a test
double, a proxy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase


class WerkstationCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self,
        request: HttpRequest,
        response: HttpResponseBase,
        report_only: bool = False,  # noqa: FBT001, FBT002 - django-csp's signature
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        base = getattr(settings, "STRIPE_API_BASE", "")
        if base and not report_only:
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
            update = dict(parts.update or {})
            update["form-action"] = [*update.get("form-action", []), origin]
            parts.update = update
        return parts
