from django.urls import path

from . import views as v

app_name = "jobs_api"

urlpatterns = [
    path("clients/", v.ClientListApi.as_view(), name="clients"),
    path("clients/<int:client_id>/", v.ClientDetailApi.as_view(), name="client"),
    path("clients/<int:client_id>/users/", v.ClientUsersApi.as_view(), name="client-users"),
    path("me/blocked-clients/", v.MyBlockedClientsApi.as_view(), name="my-blocked-clients"),
    path(
        "me/blocked-clients/<int:client_id>/",
        v.MyBlockedClientApi.as_view(),
        name="my-blocked-client",
    ),
    path(
        "clients/<int:client_id>/cooperatives/",
        v.ClientCooperativesApi.as_view(),
        name="client-cooperatives",
    ),
    path(
        "cooperatives/<slug:slug>/clients/<int:client_id>/g-account/",
        v.ClientGAccountApi.as_view(),
        name="client-g-account",
    ),
    path(
        "cooperatives/<slug:slug>/client-requests/",
        v.CooperativeClientRequestsApi.as_view(),
        name="cooperative-client-requests",
    ),
    path(
        "cooperatives/<slug:slug>/client-requests/<int:request_id>/decide/",
        v.CooperativeClientRequestDecideApi.as_view(),
        name="cooperative-client-request-decide",
    ),
    path(
        "client-requests/<int:request_id>/withdraw/",
        v.ClientLinkRequestWithdrawApi.as_view(),
        name="client-request-withdraw",
    ),
    path(
        "client-invitations/<str:token>/",
        v.ClientLinkInvitationApi.as_view(),
        name="client-invitation",
    ),
    path(
        "client-invitations/<str:token>/decide/",
        v.ClientLinkInvitationDecideApi.as_view(),
        name="client-invitation-decide",
    ),
]

from . import work_views as w  # noqa: E402

urlpatterns += [
    path("jobs/", w.JobListApi.as_view(), name="jobs"),
    path("jobs/<int:job_id>/", w.JobDetailApi.as_view(), name="job"),
    path("jobs/<int:job_id>/status/", w.JobStatusApi.as_view(), name="job-status"),
    path("jobs/<int:job_id>/shifts/", w.JobShiftsApi.as_view(), name="job-shifts"),
    path(
        "jobs/<int:job_id>/shifts/weekly/",
        w.JobWeeklyShiftsApi.as_view(),
        name="job-shifts-weekly",
    ),
    path("shifts/<int:shift_id>/", w.ShiftDetailApi.as_view(), name="shift"),
    path("shifts/<int:shift_id>/price/", w.ShiftPriceApi.as_view(), name="shift-price"),
    path("shifts/<int:shift_id>/cancel/", w.ShiftCancelApi.as_view(), name="shift-cancel"),
    path("shifts/<int:shift_id>/claims/", w.ShiftClaimsApi.as_view(), name="shift-claims"),
    path("feed/", w.FeedApi.as_view(), name="feed"),
    path("claims/", w.ClaimListApi.as_view(), name="claims"),
    path("claims/<int:claim_id>/withdraw/", w.ClaimWithdrawApi.as_view(), name="claim-withdraw"),
    path("claims/<int:claim_id>/confirm/", w.ClaimConfirmApi.as_view(), name="claim-confirm"),
    path("claims/<int:claim_id>/reject/", w.ClaimRejectApi.as_view(), name="claim-reject"),
    path("claims/<int:claim_id>/respond/", w.ClaimRespondApi.as_view(), name="claim-respond"),
    path("claims/<int:claim_id>/no-show/", w.ClaimNoShowApi.as_view(), name="claim-no-show"),
    path("timesheets/", w.TimesheetListApi.as_view(), name="timesheets"),
    path(
        "timesheets/<int:timesheet_id>/approve/",
        w.TimesheetApproveApi.as_view(),
        name="timesheet-approve",
    ),
    path(
        "timesheets/<int:timesheet_id>/dispute/",
        w.TimesheetDisputeApi.as_view(),
        name="timesheet-dispute",
    ),
    path(
        "timesheets/<int:timesheet_id>/resolve/",
        w.TimesheetResolveApi.as_view(),
        name="timesheet-resolve",
    ),
    path(
        "cooperatives/<slug:slug>/jobs/",
        w.CooperativeJobsApi.as_view(),
        name="cooperative-jobs",
    ),
    path("me/week/", w.MyWeekApi.as_view(), name="my-week"),
    path("me/calendar/", w.MyCalendarApi.as_view(), name="my-calendar"),
    path("me/plan/", w.PlanApi.as_view(), name="my-plan"),
    path("me/offers/", w.MyOffersApi.as_view(), name="my-offers"),
    path("me/todo/", w.MyTodoApi.as_view(), name="my-todo"),
    path("offers/<int:offer_id>/respond/", w.OfferRespondApi.as_view(), name="offer-respond"),
    path(
        "cooperatives/<slug:slug>/dispatch/",
        w.CooperativeDispatchApi.as_view(),
        name="cooperative-dispatch",
    ),
    path(
        "cooperatives/<slug:slug>/dispatch/<int:run_id>/",
        w.CooperativeDispatchRunApi.as_view(),
        name="cooperative-dispatch-run",
    ),
    path(
        "cooperatives/<slug:slug>/dispatch/<int:run_id>/offers/",
        w.CooperativeDispatchOffersApi.as_view(),
        name="cooperative-dispatch-offers",
    ),
    path(
        "cooperatives/<slug:slug>/dispatch/<int:run_id>/open-shifts/",
        w.CooperativeDispatchOpenShiftsApi.as_view(),
        name="cooperative-dispatch-open-shifts",
    ),
    path("me/plan/claim/", w.PlanClaimApi.as_view(), name="my-plan-claim"),
    path(
        "cooperatives/<slug:slug>/working-time/",
        w.WorkingTimeNearLimitsApi.as_view(),
        name="cooperative-working-time",
    ),
]
