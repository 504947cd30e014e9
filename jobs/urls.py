from django.urls import path

from . import views

urlpatterns = [
    path("clients/new/", views.client_new, name="client-new"),
    path("clients/<int:client_id>/", views.client_detail, name="client"),
]
