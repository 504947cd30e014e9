from django.contrib import admin
from django.urls import include, path

from members.views import password_reset

from .api import docs as api_docs
from .views import healthz, web_manifest

api_v1 = [
    path("", include("members.api.urls")),
    path("", include("jobs.api.urls")),
    path("", include("jobs.challenges.api.urls")),
    path("", include("payouts.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("manifest.webmanifest", web_manifest, name="web-manifest"),
    path("admin/", admin.site.urls),
    path(
        "accounts/password_reset/",
        password_reset.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        password_reset.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", api_docs.schema_view, name="api-schema"),
    path("api/docs/", api_docs.swagger_view, name="api-docs"),
    path("api/redoc/", api_docs.redoc_view, name="api-redoc"),
    path("", include("jobs.challenges.urls")),
    path("", include("jobs.urls")),
    path("", include("payouts.urls")),
    path("", include("members.urls")),
]

# Every unhandled error: the JSON error shape (or a small page) with the request id.
handler500 = "werkstation.views.server_error"
# An API URL that names nothing: the JSON error shape, not a page.
handler404 = "werkstation.views.page_not_found"
