from django.urls import path

from . import dashboard_views, rules_views, settings_views, views
from .stripe import views as stripe_views

app_name = "payouts"

urlpatterns = [
    path("work/earnings/", views.earnings, name="earnings"),
    path("work/earnings/<int:split_id>/", views.earning_detail, name="earning-detail"),
    path("work/earnings/statement.pdf", views.income_statement, name="income-statement"),
    path(
        "work/earnings/self-billing/<int:invoice_id>.pdf",
        views.my_self_billing_invoice,
        name="my-self-billing-invoice",
    ),
    path("c/<slug:slug>/treasury/", views.treasury, name="treasury"),
    path("c/<slug:slug>/dashboard/", dashboard_views.dashboard, name="dashboard"),
    path(
        "c/<slug:slug>/dashboard/<slug:figure>.csv",
        dashboard_views.dashboard_csv,
        name="dashboard-csv",
    ),
    path("c/<slug:slug>/treasury/self-billing/", views.self_billing, name="self-billing"),
    path(
        "c/<slug:slug>/treasury/self-billing/<int:invoice_id>.pdf",
        views.self_billing_document,
        name="self-billing-invoice",
    ),
    path("c/<slug:slug>/rules/", rules_views.rules_page, name="rules"),
    path("c/<slug:slug>/rules/new/", rules_views.rules_new, name="rules-new"),
    path("c/<slug:slug>/rules/preview/", rules_views.rules_preview, name="rules-preview"),
    path(
        "c/<slug:slug>/rules/<int:rule_set_id>/rules.json",
        rules_views.rules_export,
        name="rules-export",
    ),
    path("c/<slug:slug>/earnings-caps/", views.earnings_caps, name="earnings-caps"),
    path(
        "c/<slug:slug>/treasury/settings/",
        settings_views.money_settings,
        name="money-settings",
    ),
    path(
        "c/<slug:slug>/treasury/reverse-charge/",
        settings_views.reverse_charge,
        name="reverse-charge",
    ),
    path(
        "c/<slug:slug>/treasury/g-account/",
        settings_views.g_account_agreements,
        name="g-account",
    ),
    path(
        "c/<slug:slug>/treasury/batches/<int:batch_id>/<str:action>/",
        views.batch_action,
        name="batch-action",
    ),
    path(
        "c/<slug:slug>/treasury/invoices/<int:invoice_id>/", views.invoice_document, name="invoice"
    ),
    path(
        "c/<slug:slug>/treasury/stripe/", stripe_views.stripe_settings_page, name="stripe-settings"
    ),
    path("c/<slug:slug>/payouts/stripe/", stripe_views.stripe_connect_page, name="stripe-connect"),
    path("invoices/", stripe_views.client_invoices, name="client-invoices"),
    path("invoices/<int:invoice_id>/", stripe_views.client_invoice, name="client-invoice"),
    path("stripe/webhook/", stripe_views.stripe_webhook, name="stripe-webhook-single"),
    path("stripe/webhook/<slug:slug>/", stripe_views.stripe_webhook, name="stripe-webhook"),
    path(
        "c/<slug:slug>/treasury/credit-notes/<int:note_id>/",
        views.credit_note_document,
        name="credit-note",
    ),
    path(
        "c/<slug:slug>/treasury/payout-items/<int:item_id>/returned/",
        views.payout_item_returned,
        name="payout-item-returned",
    ),
]
