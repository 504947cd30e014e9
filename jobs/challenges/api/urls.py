from django.urls import path

from . import views as v

app_name = "challenges_api"

urlpatterns = [
    path("tenders/", v.TenderListApi.as_view(), name="tenders"),
    path("tenders/<int:tender_id>/", v.TenderDetailApi.as_view(), name="tender"),
    path("tenders/<int:tender_id>/publish/", v.TenderPublishApi.as_view(), name="tender-publish"),
    path("tenders/<int:tender_id>/bids/", v.TenderBidsApi.as_view(), name="tender-bids"),
    path(
        "tenders/<int:tender_id>/decision/",
        v.TenderDecisionApi.as_view(),
        name="tender-decision",
    ),
    path("bids/<int:bid_id>/", v.BidDetailApi.as_view(), name="bid"),
    path("bids/<int:bid_id>/capacity-check/", v.BidCapacityApi.as_view(), name="bid-capacity"),
    path("bids/<int:bid_id>/submit/", v.BidSubmitApi.as_view(), name="bid-submit"),
    path("bids/<int:bid_id>/withdraw/", v.BidWithdrawApi.as_view(), name="bid-withdraw"),
    path("bids/<int:bid_id>/score/", v.BidScoreApi.as_view(), name="bid-score"),
    path("challenges/", v.ChallengeListApi.as_view(), name="challenges"),
    path("challenges/<int:challenge_id>/", v.ChallengeDetailApi.as_view(), name="challenge"),
    path(
        "challenges/<int:challenge_id>/decision/",
        v.ChallengeDecisionApi.as_view(),
        name="challenge-decision",
    ),
    path(
        "challenges/<int:challenge_id>/consent/",
        v.ChallengeConsentApi.as_view(),
        name="challenge-consent",
    ),
    path("contracts/", v.ContractListApi.as_view(), name="contracts"),
    path("contracts/<int:contract_id>/", v.ContractDetailApi.as_view(), name="contract"),
    path(
        "contracts/<int:contract_id>/generate/",
        v.ContractGenerateApi.as_view(),
        name="contract-generate",
    ),
    path(
        "contracts/<int:contract_id>/amendments/",
        v.ContractAmendmentsApi.as_view(),
        name="contract-amendments",
    ),
    path(
        "contracts/<int:contract_id>/report/",
        v.ContractReportApi.as_view(),
        name="contract-report",
    ),
    path(
        "cooperatives/<slug:slug>/target-groups/",
        v.TargetGroupsApi.as_view(),
        name="target-groups",
    ),
]
