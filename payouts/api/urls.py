from django.urls import path

from . import views as v

urlpatterns = [
    path("me/earnings/", v.MyEarningsApi.as_view(), name="api-my-earnings"),
    path("me/earnings/<int:split_id>/", v.MyEarningDetailApi.as_view(), name="api-my-earning"),
    path(
        "timesheets/<int:timesheet_id>/correct/",
        v.TimesheetCorrectApi.as_view(),
        name="api-timesheet-correct",
    ),
]

from . import invoice_views as iv  # noqa: E402

urlpatterns += [
    path("cooperatives/<slug:slug>/invoices/", iv.InvoiceListApi.as_view(), name="api-invoices"),
    path(
        "cooperatives/<slug:slug>/invoices/<int:invoice_id>/pdf/",
        iv.InvoicePdfApi.as_view(),
        name="api-invoice-pdf",
    ),
    path("cooperatives/<slug:slug>/payments/", iv.PaymentApi.as_view(), name="api-payments"),
    path(
        "cooperatives/<slug:slug>/bank-statements/",
        iv.BankStatementApi.as_view(),
        name="api-bank-statements",
    ),
]

from . import payout_views as pv  # noqa: E402

urlpatterns += [
    path(
        "cooperatives/<slug:slug>/payout-batches/",
        pv.PayoutBatchListApi.as_view(),
        name="api-payout-batches",
    ),
    path(
        "cooperatives/<slug:slug>/payout-batches/<int:batch_id>/approve/",
        pv.PayoutBatchActionApi.as_view(action="approve"),
        name="api-payout-batch-approve",
    ),
    path(
        "cooperatives/<slug:slug>/payout-batches/<int:batch_id>/execute/",
        pv.PayoutBatchActionApi.as_view(action="execute"),
        name="api-payout-batch-execute",
    ),
    path(
        "cooperatives/<slug:slug>/payout-batches/<int:batch_id>/sepa.xml",
        pv.PayoutBatchFileApi.as_view(kind="sepa"),
        name="api-payout-batch-sepa",
    ),
    path(
        "cooperatives/<slug:slug>/payout-batches/<int:batch_id>/payroll.csv",
        pv.PayoutBatchFileApi.as_view(kind="payroll"),
        name="api-payout-batch-payroll",
    ),
]

from . import settings_views as sv  # noqa: E402

urlpatterns += [
    path(
        "cooperatives/<slug:slug>/money-settings/",
        sv.MoneySettingsApi.as_view(),
        name="api-money-settings",
    ),
]
