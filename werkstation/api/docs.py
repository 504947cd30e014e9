"""The OpenAPI schema and its browsable docs, behind a login unless ``API_DOCS_PUBLIC``.

Production keeps them for signed-in users (a setting opens them); local and test
settings open them. The docs pages run Swagger UI and Redoc from local files; their
bundles need inline styles and start-up scripts, so those two pages (which show no user
content) get a looser Content-Security-Policy than the rest of the site.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from .exception_handler import error_body

_View = Callable[..., HttpResponseBase]


def _login_unless_public(view: _View, *, api: bool) -> _View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if settings.API_DOCS_PUBLIC or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if api:
            from django.http import JsonResponse

            response = JsonResponse(
                error_body(
                    code="not_authenticated",
                    message=_("Sign in to read the API schema."),
                    field=None,
                ),
                status=401,
            )
            response["WWW-Authenticate"] = 'Token realm="api"'
            return response
        return redirect_to_login(request.get_full_path())

    return wrapped


_DOCS_CSP = csp_replace(
    {
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "worker-src": [SELF, "blob:"],
    }
)

schema_view = _login_unless_public(SpectacularAPIView.as_view(), api=True)
swagger_view = _login_unless_public(
    _DOCS_CSP(SpectacularSwaggerView.as_view(url_name="api-schema")), api=False
)
redoc_view = _login_unless_public(
    _DOCS_CSP(SpectacularRedocView.as_view(url_name="api-schema")), api=False
)
