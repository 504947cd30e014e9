from django.urls import path

from . import views as v

urlpatterns = [
    path("clients/", v.ClientListApi.as_view(), name="api-clients"),
    path("clients/<int:client_id>/", v.ClientDetailApi.as_view(), name="api-client"),
    path("clients/<int:client_id>/users/", v.ClientUsersApi.as_view(), name="api-client-users"),
    path(
        "clients/<int:client_id>/cooperatives/",
        v.ClientCooperativesApi.as_view(),
        name="api-client-cooperatives",
    ),
]
