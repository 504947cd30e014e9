from django.urls import path

from payouts.stripe import api as sv

from . import caps
from . import credit_notes as cv
from . import dashboard as dv
from . import earnings as v
from . import invoices as iv
from . import money_settings as msv
from . import payouts as pv
from . import reversals as rv
from . import rulesets as rsv
from . import self_billing as sbv

app_name = "payouts_api"

urlpatterns = [
    path("me/earnings/", v.MyEarningsApi.as_view(), name="my-earnings"),
    path("me/earnings/<int:split_id>/", v.MyEarningDetailApi.as_view(), name="my-earning"),
    path(
        "me/self-billing-invoices/",
        sbv.MySelfBillingListApi.as_view(),
        name="my-self-billing-invoices",
    ),
    path(
        "me/self-billing-invoices/<int:invoice_id>/pdf/",
        sbv.MySelfBillingPdfApi.as_view(),
        name="my-self-billing-invoice-pdf",
    ),
    path(
        "cooperatives/<slug:slug>/self-billing/",
        sbv.SelfBillingListApi.as_view(),
        name="self-billing",
    ),
    path(
        "cooperatives/<slug:slug>/self-billing/<int:invoice_id>/pdf/",
        sbv.SelfBillingPdfApi.as_view(),
        name="self-billing-pdf",
    ),
    path(
        "timesheets/<int:timesheet_id>/correct/",
        v.TimesheetCorrectApi.as_view(),
        name="timesheet-correct",
    ),
    path("cooperatives/<slug:slug>/invoices/", iv.InvoiceListApi.as_view(), name="invoices"),
    path("cooperatives/<slug:slug>/dashboard/", dv.DashboardApi.as_view(), name="dashboard"),
    path(
        "cooperatives/<slug:slug>/dashboard/<slug:figure>.csv",
        dv.DashboardCsvApi.as_view(),
        name="dashboard-csv",
    ),
    path(
        "cooperatives/<slug:slug>/invoices/<int:invoice_id>/pdf/",
        iv.InvoicePdfApi.as_view(),
        name="invoice-pdf",
    ),
    path(
        "cooperatives/<slug:slug>/invoices/<int:invoice_id>/ubl/",
        iv.InvoiceUblApi.as_view(),
        name="invoice-ubl",
    ),
    path("cooperatives/<slug:slug>/payments/", iv.PaymentApi.as_view(), name="payments"),
    path(
        "cooperatives/<slug:slug>/bank-statements/",
        iv.BankStatementApi.as_view(),
        name="bank-statements",
    ),
    path(
        "cooperatives/<slug:slug>/payout-batches/",
        pv.PayoutBatchListApi.as_view(),
        name="payout-batches",
    ),
    path(
        "cooperatives/<slug:slug>/payout-batches/<int:batch_id>/approve/",
        pv.PayoutBatchActionApi.as_view(action="approve"),
        name="payout-batch-approve",
    ),
    path(
        "cooperatives/<slug:slug>/payout-batches/<int:batch_id>/execute/",
        pv.PayoutBatchActionApi.as_view(action="execute"),
        name="payout-batch-execute",
    ),
    path(
        "cooperatives/<slug:slug>/payout-batches/<int:batch_id>/confirm-paid/",
        pv.PayoutBatchActionApi.as_view(action="confirm-paid"),
        name="payout-batch-confirm-paid",
    ),
    path(
        "cooperatives/<slug:slug>/payout-batches/<int:batch_id>/sepa.xml",
        pv.SepaFileApi.as_view(),
        name="payout-batch-sepa",
    ),
    path(
        "cooperatives/<slug:slug>/payout-batches/<int:batch_id>/payroll.csv",
        pv.PayrollFileApi.as_view(),
        name="payout-batch-payroll",
    ),
    path(
        "cooperatives/<slug:slug>/stripe/",
        sv.StripeSettingsApi.as_view(),
        name="stripe-settings",
    ),
    path(
        "cooperatives/<slug:slug>/stripe/events/",
        sv.StripeEventListApi.as_view(),
        name="stripe-events",
    ),
    path(
        "cooperatives/<slug:slug>/stripe/connect/",
        sv.StripeConnectApi.as_view(),
        name="stripe-connect",
    ),
    path(
        "invoices/<int:invoice_id>/payment-link/",
        sv.InvoicePaymentLinkApi.as_view(),
        name="invoice-payment-link",
    ),
    path(
        "cooperatives/<slug:slug>/payments/<int:payment_id>/refunds/",
        rv.PaymentRefundApi.as_view(),
        name="payment-refunds",
    ),
    path(
        "cooperatives/<slug:slug>/payout-items/<int:item_id>/return/",
        rv.PayoutItemReturnApi.as_view(),
        name="payout-item-return",
    ),
    path(
        "cooperatives/<slug:slug>/credit-notes/",
        cv.CreditNoteListApi.as_view(),
        name="credit-notes",
    ),
    path(
        "cooperatives/<slug:slug>/credit-notes/<int:note_id>/pdf/",
        cv.CreditNotePdfApi.as_view(),
        name="credit-note-pdf",
    ),
    path(
        "cooperatives/<slug:slug>/earnings-caps/",
        caps.EarningsCapsApi.as_view(),
        name="earnings-caps",
    ),
    path("cooperatives/<slug:slug>/rule-sets/", rsv.RuleSetListApi.as_view(), name="rule-sets"),
    path(
        "cooperatives/<slug:slug>/rule-sets/in-force/",
        rsv.RuleSetInForceApi.as_view(),
        name="rule-set-in-force",
    ),
    path(
        "cooperatives/<slug:slug>/rule-sets/preview/",
        rsv.RuleSetPreviewApi.as_view(),
        name="rule-set-preview",
    ),
    path(
        "cooperatives/<slug:slug>/rule-sets/proposals/",
        rsv.RuleSetProposeApi.as_view(),
        name="rule-set-propose",
    ),
    path(
        "cooperatives/<slug:slug>/rule-sets/<int:rule_set_id>/",
        rsv.RuleSetDetailApi.as_view(),
        name="rule-set",
    ),
    path(
        "cooperatives/<slug:slug>/rule-sets/<int:rule_set_id>/description/",
        rsv.RuleSetDescriptionApi.as_view(),
        name="rule-set-description",
    ),
    path(
        "cooperatives/<slug:slug>/rule-sets/<int:rule_set_id>/export/",
        rsv.RuleSetExportApi.as_view(),
        name="rule-set-export",
    ),
    path(
        "cooperatives/<slug:slug>/money-settings/",
        msv.MoneySettingsApi.as_view(),
        name="money-settings",
    ),
    path(
        "cooperatives/<slug:slug>/reverse-charge/",
        msv.ReverseChargeApi.as_view(),
        name="reverse-charge",
    ),
]
