from django.urls import path

from . import views as v

urlpatterns = [
    path("me/earnings/", v.MyEarningsApi.as_view(), name="api-my-earnings"),
    path("me/earnings/<int:split_id>/", v.MyEarningDetailApi.as_view(), name="api-my-earning"),
]
