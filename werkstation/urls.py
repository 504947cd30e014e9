from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from .views import healthz

api_v1 = [
    path("", include("members.api.urls")),
    path("", include("jobs.api.urls")),
    path("", include("jobs.challenges.api.urls")),
    path("", include("payouts.api.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("jobs.challenges.urls")),
    path("", include("jobs.urls")),
    path("", include("payouts.urls")),
    path("", include("members.urls")),
]

# Every unhandled error: the JSON error shape (or a small page) with the request id.
handler500 = "werkstation.views.server_error"
