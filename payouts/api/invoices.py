from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.models import Client
from members.access import require_role
from members.models import Cooperative
from payouts.formats.documents import invoice_pdf
from payouts.models import Invoice, InvoiceLine, Payment
from payouts.selectors import payments_of
from payouts.services.invoices import invoice_issue, payment_record
from payouts.services.reversals import refundable_cents
from werkstation.api.base import get_object_or_error
from werkstation.api.pagination import list_schema, paginated


class InvoiceLineOutput(serializers.ModelSerializer):
    credited = serializers.SerializerMethodField()

    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "work_date",
            "description",
            "minutes",
            "amount_cents",
            "vat_cents",
            "vat_reverse_charged",
            "credited",
        ]

    def get_credited(self, line) -> bool:
        return hasattr(line, "credit_line")


class InvoiceOutput(serializers.ModelSerializer):
    number = serializers.CharField(source="display_number")
    client = serializers.CharField(source="client.name")
    lines = InvoiceLineOutput(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "client",
            "issued_on",
            "due_on",
            "period_start",
            "period_end",
            "currency",
            "subtotal_cents",
            "reverse_charged_cents",
            "vat_cents",
            "total_cents",
            "g_account_percent",
            "g_account_cents",
            "g_account_paid_cents",
            "paid_cents",
            "credited_cents",
            "open_cents",
            "status",
            "lines",
        ]


class PaymentOutput(serializers.ModelSerializer):
    invoice = serializers.CharField(
        source="invoice.display_number",
        default=None,
        allow_null=True,
        help_text="The invoice's number; null for a payment that named none.",
    )
    refundable_cents = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = [
            "id",
            "invoice",
            "amount_cents",
            "currency",
            "method",
            "to_g_account",
            "received_on",
            "reference",
            "refundable_cents",
        ]

    def get_refundable_cents(self, payment) -> int:
        annotated = getattr(payment, "refundable", None)
        return refundable_cents(payment) if annotated is None else annotated


class MatchedCreditOutput(serializers.Serializer):
    invoice = serializers.CharField(help_text="The invoice number the credit paid.")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class UnmatchedCreditOutput(serializers.Serializer):
    reference = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    why = serializers.CharField(help_text="Why no invoice was paid from it.")


class ConfirmedPayoutOutput(serializers.Serializer):
    item = serializers.IntegerField()
    batch = serializers.IntegerField()
    amount_cents = serializers.IntegerField()


class BankStatementImportOutput(serializers.Serializer):
    matched = MatchedCreditOutput(many=True, help_text="Credits recorded as payments.")
    unmatched = UnmatchedCreditOutput(many=True, help_text="Credits left for the treasurer.")
    skipped = serializers.IntegerField(help_text="Entries that were not credits, or seen before.")
    payouts_confirmed = ConfirmedPayoutOutput(
        many=True, help_text="Payout items the bank's debits confirm as paid."
    )


class InvoiceIssueInput(serializers.Serializer):
    client = serializers.IntegerField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    timesheets = serializers.ListField(child=serializers.IntegerField(), required=False)


class PaymentInput(serializers.Serializer):
    invoice = serializers.CharField(help_text="invoice number, e.g. 2026-00001")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField(max_length=3)
    received_on = serializers.DateField()
    reference = serializers.CharField(required=False, allow_blank=True, max_length=140)
    to_g_account = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The transfer came into the cooperative's G-account (chain liability).",
    )


def _with_lines(invoice_id: int) -> Invoice:
    return (
        Invoice.objects.select_related("client")
        .prefetch_related("lines__credit_line")
        .get(pk=invoice_id)
    )


def treasury_cooperative(request, slug: str) -> Cooperative:
    """The cooperative of the URL, for its treasurer, board or auditor (else 403)."""
    cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
    require_role(request.user, cooperative, "treasurer", "board", "auditor")
    return cooperative


class InvoiceListApi(APIView):
    @list_schema(InvoiceOutput, summary="Invoices of the cooperative (treasurer, board, auditor)")
    def get(self, request, slug: str):
        cooperative = treasury_cooperative(request, slug)
        rows = (
            Invoice.objects.filter(cooperative=cooperative)
            .select_related("client")
            .prefetch_related("lines__credit_line")
        )
        return paginated(request, rows, InvoiceOutput)

    @extend_schema(
        request=InvoiceIssueInput,
        responses={201: InvoiceOutput},
        summary="Issue an invoice (treasurer)",
    )
    def post(self, request, slug: str):
        cooperative = treasury_cooperative(request, slug)
        data = InvoiceIssueInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        client = get_object_or_error(
            Client.objects.filter(links__cooperative=cooperative),
            field="client",
            pk=values["client"],
        )
        invoice = invoice_issue(
            actor=request.user,
            cooperative=cooperative,
            client=client,
            period_start=values["period_start"],
            period_end=values["period_end"],
            timesheet_ids=values.get("timesheets"),
        )
        return Response(InvoiceOutput(_with_lines(invoice.pk)).data, status=status.HTTP_201_CREATED)


class InvoicePdfApi(APIView):
    @extend_schema(responses={(200, "application/pdf"): bytes}, summary="The invoice as PDF")
    def get(self, request, slug: str, invoice_id: int):
        cooperative = treasury_cooperative(request, slug)
        invoice = get_object_or_error(
            Invoice.objects.filter(cooperative=cooperative), field="invoice", pk=invoice_id
        )
        response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="factuur-{invoice.display_number}.pdf"'
        return response


class InvoiceUblApi(APIView):
    @extend_schema(
        responses={(200, "application/xml"): bytes},
        summary="The invoice as a UBL 2.1 e-invoice (SI-UBL 2.0 / NLCIUS)",
    )
    def get(self, request, slug: str, invoice_id: int):
        from payouts.formats.ubl import invoice_ubl

        cooperative = treasury_cooperative(request, slug)
        invoice = get_object_or_error(
            Invoice.objects.filter(cooperative=cooperative), field="invoice", pk=invoice_id
        )
        response = HttpResponse(invoice_ubl(invoice), content_type="application/xml")
        response["Content-Disposition"] = (
            f'attachment; filename="factuur-{invoice.display_number}.xml"'
        )
        return response


class PaymentApi(APIView):
    @list_schema(
        PaymentOutput, summary="Payments received, with what can still be refunded (treasury)"
    )
    def get(self, request, slug: str):
        cooperative = treasury_cooperative(request, slug)
        return paginated(request, payments_of(cooperative.pk), PaymentOutput)

    @extend_schema(
        request=PaymentInput,
        responses={201: InvoiceOutput},
        summary="Record a bank transfer (treasurer)",
    )
    def post(self, request, slug: str):
        cooperative = treasury_cooperative(request, slug)
        data = PaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        payment = payment_record(
            actor=request.user,
            cooperative=cooperative,
            invoice_number=values["invoice"],
            amount=values["amount"],
            currency=values["currency"],
            received_on=values["received_on"],
            reference=values.get("reference", ""),
            to_g_account=values.get("to_g_account", False),
        )
        return Response(
            InvoiceOutput(_with_lines(payment.invoice_id)).data, status=status.HTTP_201_CREATED
        )


class BankStatementApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        },
        responses={201: BankStatementImportOutput},
        summary="Import a CAMT.053 bank statement; credits naming an invoice become payments (treasurer)",
    )
    def post(self, request, slug: str):
        from payouts.services.statements import camt053_import
        from werkstation.errors import ValidationFailed

        cooperative = treasury_cooperative(request, slug)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationFailed(
                _("Upload the bank statement as 'file'."), code="required", field="file"
            )
        from payouts.formats.camt import MAX_STATEMENT_BYTES

        # Never more than one byte past the limit is read: the import refuses the rest.
        data = upload.read(MAX_STATEMENT_BYTES + 1)
        result = camt053_import(actor=request.user, cooperative=cooperative, data=data)
        return Response(BankStatementImportOutput(result).data, status=status.HTTP_201_CREATED)
