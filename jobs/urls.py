from django.urls import path

from .views import clients, dispatch, jobs, shifts, timesheets, week

app_name = "jobs"

urlpatterns = [
    path("clients/new/", clients.client_new, name="client-new"),
    path("clients/<int:client_id>/", clients.client_detail, name="client"),
    path(
        "clients/<int:client_id>/cooperatives/",
        clients.client_cooperatives,
        name="client-cooperatives",
    ),
    path(
        "clients/link-invitations/<str:token>/",
        clients.client_link_invitation,
        name="client-link-invitation",
    ),
    path("c/<slug:slug>/clients/", clients.board_clients, name="board-clients"),
    path("work/", shifts.feed, name="feed"),
    path("work/week/", week.my_week, name="my-week"),
    path("work/plan/", week.plan_week_page, name="plan-week"),
    path("work/shifts/<int:shift_id>/", shifts.shift_detail, name="shift-detail"),
    path("work/shifts/<int:shift_id>/claim/", shifts.shift_claim, name="shift-claim"),
    path("work/claims/<int:claim_id>/<str:action>/", week.claim_action, name="claim-action"),
    path("work/claims/<int:claim_id>/hours", week.timesheet_submit, name="timesheet-submit"),
    path("work/calendar/<str:action>/", week.calendar_action, name="calendar-action"),
    path("work/jobs/", jobs.job_list, name="job-list"),
    path("work/jobs/new/", jobs.job_new, name="job-new"),
    path("work/jobs/<int:job_id>/", jobs.job_detail, name="job-detail"),
    path("work/timesheets/", timesheets.timesheet_list, name="timesheet-list"),
    path(
        "work/timesheets/<int:timesheet_id>/<str:action>/",
        timesheets.timesheet_action,
        name="timesheet-action",
    ),
    path("c/<slug:slug>/jobs/", jobs.board_jobs, name="board-jobs"),
    path("c/<slug:slug>/dispatch/", dispatch.board_dispatch, name="board-dispatch"),
    path(
        "c/<slug:slug>/dispatch/<int:run_id>/",
        dispatch.board_dispatch_run,
        name="board-dispatch-run",
    ),
    path("work/offers/<int:offer_id>/<str:action>/", week.offer_action, name="offer-action"),
    path("calendar/<str:token>.ics", week.calendar_feed, name="calendar-feed"),
]
