from django.urls import path

from . import views, work_views

app_name = "jobs"

urlpatterns = [
    path("clients/new/", views.client_new, name="client-new"),
    path("clients/<int:client_id>/", views.client_detail, name="client"),
    path(
        "clients/<int:client_id>/cooperatives/",
        views.client_cooperatives,
        name="client-cooperatives",
    ),
    path(
        "clients/link-invitations/<str:token>/",
        views.client_link_invitation,
        name="client-link-invitation",
    ),
    path("c/<slug:slug>/clients/", views.board_clients, name="board-clients"),
    path("work/", work_views.feed, name="feed"),
    path("work/week/", work_views.my_week, name="my-week"),
    path("work/plan/", work_views.plan_week_page, name="plan-week"),
    path("work/shifts/<int:shift_id>/", work_views.shift_detail, name="shift-detail"),
    path("work/shifts/<int:shift_id>/claim/", work_views.shift_claim, name="shift-claim"),
    path("work/claims/<int:claim_id>/<str:action>/", work_views.claim_action, name="claim-action"),
    path("work/claims/<int:claim_id>/hours", work_views.timesheet_submit, name="timesheet-submit"),
    path("work/calendar/<str:action>/", work_views.calendar_action, name="calendar-action"),
    path("work/jobs/", work_views.job_list, name="job-list"),
    path("work/jobs/new/", work_views.job_new, name="job-new"),
    path("work/jobs/<int:job_id>/", work_views.job_detail, name="job-detail"),
    path("work/timesheets/", work_views.timesheet_list, name="timesheet-list"),
    path(
        "work/timesheets/<int:timesheet_id>/<str:action>/",
        work_views.timesheet_action,
        name="timesheet-action",
    ),
    path("c/<slug:slug>/jobs/", work_views.board_jobs, name="board-jobs"),
    path("c/<slug:slug>/dispatch/", work_views.board_dispatch, name="board-dispatch"),
    path(
        "c/<slug:slug>/dispatch/<int:run_id>/",
        work_views.board_dispatch_run,
        name="board-dispatch-run",
    ),
    path("work/offers/<int:offer_id>/<str:action>/", work_views.offer_action, name="offer-action"),
    path("calendar/<str:token>.ics", work_views.calendar_feed, name="calendar-feed"),
]
