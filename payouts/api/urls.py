from django.urls import path

from . import views as v

urlpatterns = [
    path("me/earnings/", v.MyEarningsApi.as_view(), name="api-my-earnings"),
    path("me/earnings/<int:split_id>/", v.MyEarningDetailApi.as_view(), name="api-my-earning"),
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
]
