from django.urls import path

from .stripe import views as stripe_views
from .views import caps, dashboard, earnings, money_settings, rules, self_billing, treasury

app_name = "payouts"

urlpatterns = [
    path("work/earnings/", earnings.earnings, name="earnings"),
    path("work/earnings/<int:split_id>/", earnings.earning_detail, name="earning-detail"),
    path("work/earnings/statement.pdf", earnings.income_statement, name="income-statement"),
    path(
        "work/earnings/self-billing/<int:invoice_id>.pdf",
        earnings.my_self_billing_invoice,
        name="my-self-billing-invoice",
    ),
    path("c/<slug:slug>/treasury/", treasury.treasury, name="treasury"),
    path("c/<slug:slug>/dashboard/", dashboard.dashboard, name="dashboard"),
    path(
        "c/<slug:slug>/dashboard/<slug:figure>.csv",
        dashboard.dashboard_csv,
        name="dashboard-csv",
    ),
    path("c/<slug:slug>/treasury/self-billing/", self_billing.self_billing, name="self-billing"),
    path(
        "c/<slug:slug>/treasury/self-billing/<int:invoice_id>.pdf",
        self_billing.self_billing_document,
        name="self-billing-invoice",
    ),
    path("c/<slug:slug>/rules/", rules.rules_page, name="rules"),
    path("c/<slug:slug>/rules/new/", rules.rules_new, name="rules-new"),
    path("c/<slug:slug>/rules/preview/", rules.rules_preview, name="rules-preview"),
    path(
        "c/<slug:slug>/rules/<int:rule_set_id>/rules.json",
        rules.rules_export,
        name="rules-export",
    ),
    path("c/<slug:slug>/earnings-caps/", caps.earnings_caps, name="earnings-caps"),
    path(
        "c/<slug:slug>/treasury/settings/",
        money_settings.money_settings,
        name="money-settings",
    ),
    path(
        "c/<slug:slug>/treasury/reverse-charge/",
        money_settings.reverse_charge,
        name="reverse-charge",
    ),
    path(
        "c/<slug:slug>/treasury/g-account/",
        money_settings.g_account_agreements,
        name="g-account",
    ),
    path(
        "c/<slug:slug>/treasury/batches/<int:batch_id>/<str:action>/",
        treasury.batch_action,
        name="batch-action",
    ),
    path(
        "c/<slug:slug>/treasury/invoices/<int:invoice_id>/",
        treasury.invoice_document,
        name="invoice",
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
        treasury.credit_note_document,
        name="credit-note",
    ),
    path(
        "c/<slug:slug>/treasury/payout-items/<int:item_id>/returned/",
        treasury.payout_item_returned,
        name="payout-item-returned",
    ),
]
