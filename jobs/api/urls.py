from django.urls import path

from . import claims, clients, dispatch, jobs, timesheets, week

app_name = "jobs_api"

urlpatterns = [
    path("clients/", clients.ClientListApi.as_view(), name="clients"),
    path("clients/<int:client_id>/", clients.ClientDetailApi.as_view(), name="client"),
    path("clients/<int:client_id>/users/", clients.ClientUsersApi.as_view(), name="client-users"),
    path("me/blocked-clients/", clients.MyBlockedClientsApi.as_view(), name="my-blocked-clients"),
    path(
        "me/blocked-clients/<int:client_id>/",
        clients.MyBlockedClientApi.as_view(),
        name="my-blocked-client",
    ),
    path(
        "clients/<int:client_id>/cooperatives/",
        clients.ClientCooperativesApi.as_view(),
        name="client-cooperatives",
    ),
    path(
        "cooperatives/<slug:slug>/clients/<int:client_id>/g-account/",
        clients.ClientGAccountApi.as_view(),
        name="client-g-account",
    ),
    path(
        "cooperatives/<slug:slug>/client-requests/",
        clients.CooperativeClientRequestsApi.as_view(),
        name="cooperative-client-requests",
    ),
    path(
        "cooperatives/<slug:slug>/client-requests/<int:request_id>/decide/",
        clients.CooperativeClientRequestDecideApi.as_view(),
        name="cooperative-client-request-decide",
    ),
    path(
        "client-requests/<int:request_id>/withdraw/",
        clients.ClientLinkRequestWithdrawApi.as_view(),
        name="client-request-withdraw",
    ),
    path(
        "client-invitations/<str:token>/",
        clients.ClientLinkInvitationApi.as_view(),
        name="client-invitation",
    ),
    path(
        "client-invitations/<str:token>/decide/",
        clients.ClientLinkInvitationDecideApi.as_view(),
        name="client-invitation-decide",
    ),
]


urlpatterns += [
    path("jobs/", jobs.JobListApi.as_view(), name="jobs"),
    path("jobs/<int:job_id>/", jobs.JobDetailApi.as_view(), name="job"),
    path("jobs/<int:job_id>/status/", jobs.JobStatusApi.as_view(), name="job-status"),
    path("jobs/<int:job_id>/shifts/", jobs.JobShiftsApi.as_view(), name="job-shifts"),
    path(
        "jobs/<int:job_id>/shifts/weekly/",
        jobs.JobWeeklyShiftsApi.as_view(),
        name="job-shifts-weekly",
    ),
    path("shifts/<int:shift_id>/", jobs.ShiftDetailApi.as_view(), name="shift"),
    path("shifts/<int:shift_id>/price/", jobs.ShiftPriceApi.as_view(), name="shift-price"),
    path("shifts/<int:shift_id>/cancel/", jobs.ShiftCancelApi.as_view(), name="shift-cancel"),
    path("shifts/<int:shift_id>/claims/", jobs.ShiftClaimsApi.as_view(), name="shift-claims"),
    path("feed/", claims.FeedApi.as_view(), name="feed"),
    path("claims/", claims.ClaimListApi.as_view(), name="claims"),
    path(
        "claims/<int:claim_id>/withdraw/", claims.ClaimWithdrawApi.as_view(), name="claim-withdraw"
    ),
    path("claims/<int:claim_id>/confirm/", claims.ClaimConfirmApi.as_view(), name="claim-confirm"),
    path("claims/<int:claim_id>/reject/", claims.ClaimRejectApi.as_view(), name="claim-reject"),
    path("claims/<int:claim_id>/respond/", claims.ClaimRespondApi.as_view(), name="claim-respond"),
    path("claims/<int:claim_id>/no-show/", claims.ClaimNoShowApi.as_view(), name="claim-no-show"),
    path("timesheets/", timesheets.TimesheetListApi.as_view(), name="timesheets"),
    path(
        "timesheets/<int:timesheet_id>/approve/",
        timesheets.TimesheetApproveApi.as_view(),
        name="timesheet-approve",
    ),
    path(
        "timesheets/<int:timesheet_id>/dispute/",
        timesheets.TimesheetDisputeApi.as_view(),
        name="timesheet-dispute",
    ),
    path(
        "timesheets/<int:timesheet_id>/resolve/",
        timesheets.TimesheetResolveApi.as_view(),
        name="timesheet-resolve",
    ),
    path(
        "cooperatives/<slug:slug>/jobs/",
        jobs.CooperativeJobsApi.as_view(),
        name="cooperative-jobs",
    ),
    path("me/week/", week.MyWeekApi.as_view(), name="my-week"),
    path("me/calendar/", week.MyCalendarApi.as_view(), name="my-calendar"),
    path("me/plan/", week.PlanApi.as_view(), name="my-plan"),
    path("me/offers/", week.MyOffersApi.as_view(), name="my-offers"),
    path("me/todo/", week.MyTodoApi.as_view(), name="my-todo"),
    path("offers/<int:offer_id>/respond/", week.OfferRespondApi.as_view(), name="offer-respond"),
    path(
        "cooperatives/<slug:slug>/dispatch/",
        dispatch.CooperativeDispatchApi.as_view(),
        name="cooperative-dispatch",
    ),
    path(
        "cooperatives/<slug:slug>/dispatch/<int:run_id>/",
        dispatch.CooperativeDispatchRunApi.as_view(),
        name="cooperative-dispatch-run",
    ),
    path(
        "cooperatives/<slug:slug>/dispatch/<int:run_id>/offers/",
        dispatch.CooperativeDispatchOffersApi.as_view(),
        name="cooperative-dispatch-offers",
    ),
    path(
        "cooperatives/<slug:slug>/dispatch/<int:run_id>/open-shifts/",
        dispatch.CooperativeDispatchOpenShiftsApi.as_view(),
        name="cooperative-dispatch-open-shifts",
    ),
    path("me/plan/claim/", week.PlanClaimApi.as_view(), name="my-plan-claim"),
    path(
        "cooperatives/<slug:slug>/working-time/",
        dispatch.WorkingTimeNearLimitsApi.as_view(),
        name="cooperative-working-time",
    ),
]
