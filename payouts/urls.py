from django.urls import path

from . import views

urlpatterns = [
    path("work/earnings/", views.earnings, name="earnings"),
    path("work/earnings/<int:split_id>/", views.earning_detail, name="earning-detail"),
]
