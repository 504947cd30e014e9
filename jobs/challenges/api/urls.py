from django.urls import path

from . import views as v

urlpatterns = [
    path("tenders/", v.TenderListApi.as_view(), name="api-tenders"),
    path("tenders/<int:tender_id>/", v.TenderDetailApi.as_view(), name="api-tender"),
    path(
        "tenders/<int:tender_id>/publish/", v.TenderPublishApi.as_view(), name="api-tender-publish"
    ),
    path("tenders/<int:tender_id>/bids/", v.TenderBidsApi.as_view(), name="api-tender-bids"),
    path(
        "tenders/<int:tender_id>/decision/",
        v.TenderDecisionApi.as_view(),
        name="api-tender-decision",
    ),
    path("bids/<int:bid_id>/", v.BidDetailApi.as_view(), name="api-bid"),
    path("bids/<int:bid_id>/capacity-check/", v.BidCapacityApi.as_view(), name="api-bid-capacity"),
    path("bids/<int:bid_id>/submit/", v.BidSubmitApi.as_view(), name="api-bid-submit"),
    path("bids/<int:bid_id>/withdraw/", v.BidWithdrawApi.as_view(), name="api-bid-withdraw"),
    path("bids/<int:bid_id>/score/", v.BidScoreApi.as_view(), name="api-bid-score"),
    path("challenges/", v.ChallengeListApi.as_view(), name="api-challenges"),
    path("challenges/<int:challenge_id>/", v.ChallengeDetailApi.as_view(), name="api-challenge"),
    path(
        "challenges/<int:challenge_id>/decision/",
        v.ChallengeDecisionApi.as_view(),
        name="api-challenge-decision",
    ),
    path(
        "challenges/<int:challenge_id>/consent/",
        v.ChallengeConsentApi.as_view(),
        name="api-challenge-consent",
    ),
    path("contracts/", v.ContractListApi.as_view(), name="api-contracts"),
    path("contracts/<int:contract_id>/", v.ContractDetailApi.as_view(), name="api-contract"),
    path(
        "contracts/<int:contract_id>/generate/",
        v.ContractGenerateApi.as_view(),
        name="api-contract-generate",
    ),
    path(
        "contracts/<int:contract_id>/amendments/",
        v.ContractAmendmentsApi.as_view(),
        name="api-contract-amendments",
    ),
    path(
        "contracts/<int:contract_id>/report/",
        v.ContractReportApi.as_view(),
        name="api-contract-report",
    ),
    path(
        "cooperatives/<slug:slug>/target-groups/",
        v.TargetGroupsApi.as_view(),
        name="api-target-groups",
    ),
]
