from django.urls import path

from . import views

app_name = "challenges"

urlpatterns = [
    path("right-to-challenge/", views.register, name="rtc-register"),
    path("right-to-challenge/tenders/new/", views.tender_new, name="rtc-tender-new"),
    path("right-to-challenge/tenders/<int:tender_id>/", views.tender_detail, name="rtc-tender"),
    path("right-to-challenge/tenders/<int:tender_id>/bid/", views.bid_new, name="rtc-bid-new"),
    path("right-to-challenge/bids/<int:bid_id>/", views.bid_detail, name="rtc-bid"),
    path("right-to-challenge/challenges/new/", views.challenge_new, name="rtc-challenge-new"),
    path(
        "right-to-challenge/challenges/<int:challenge_id>/",
        views.challenge_detail,
        name="rtc-challenge",
    ),
    path(
        "right-to-challenge/contracts/<int:contract_id>/",
        views.contract_detail,
        name="rtc-contract",
    ),
    path(
        "right-to-challenge/contracts/<int:contract_id>/report/",
        views.contract_report,
        name="rtc-contract-report",
    ),
    path(
        "right-to-challenge/c/<slug:slug>/target-groups/",
        views.target_groups,
        name="rtc-target-groups",
    ),
]
