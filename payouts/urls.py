from django.urls import path

from . import settings_views, views

urlpatterns = [
    path("work/earnings/", views.earnings, name="earnings"),
    path("work/earnings/<int:split_id>/", views.earning_detail, name="earning-detail"),
    path("work/earnings/statement.pdf", views.income_statement, name="income-statement"),
    path("c/<slug:slug>/treasury/", views.treasury, name="treasury"),
    path(
        "c/<slug:slug>/treasury/settings/",
        settings_views.money_settings,
        name="money-settings",
    ),
    path(
        "c/<slug:slug>/treasury/batches/<int:batch_id>/<str:action>/",
        views.batch_action,
        name="batch-action",
    ),
    path(
        "c/<slug:slug>/treasury/invoices/<int:invoice_id>/", views.invoice_document, name="invoice"
    ),
]
