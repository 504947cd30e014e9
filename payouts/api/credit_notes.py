from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from payouts.formats.documents import credit_note_pdf
from payouts.models import CreditNote, CreditNoteLine, Invoice
from payouts.services.credit_notes import credit_note_issue
from werkstation.api.base import get_object_or_error
from werkstation.api.pagination import list_schema, paginated

from .invoices import treasury_cooperative


class CreditNoteLineOutput(serializers.ModelSerializer):
    class Meta:
        model = CreditNoteLine
        fields = ["invoice_line", "description", "amount_cents", "vat_cents"]


class CreditNoteOutput(serializers.ModelSerializer):
    number = serializers.CharField(source="display_number")
    invoice = serializers.CharField(source="invoice.display_number")
    lines = CreditNoteLineOutput(many=True, read_only=True)

    class Meta:
        model = CreditNote
        fields = [
            "id",
            "number",
            "invoice",
            "issued_on",
            "reason",
            "currency",
            "vat_rate",
            "subtotal_cents",
            "vat_cents",
            "total_cents",
            "lines",
        ]


class CreditNoteInput(serializers.Serializer):
    invoice = serializers.IntegerField(help_text="the invoice's id")
    lines = serializers.ListField(
        child=serializers.IntegerField(), required=False, help_text="invoice line ids to credit"
    )
    amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="or an amount in euros, without VAT",
    )
    reason = serializers.CharField(max_length=250)


def _notes(cooperative):
    return (
        CreditNote.objects.filter(cooperative=cooperative)
        .select_related("invoice")
        .prefetch_related("lines")
    )


class CreditNoteListApi(APIView):
    @list_schema(
        CreditNoteOutput, summary="Credit notes of the cooperative (treasurer, board, auditor)"
    )
    def get(self, request, slug: str):
        return paginated(request, _notes(treasury_cooperative(request, slug)), CreditNoteOutput)

    @extend_schema(
        request=CreditNoteInput,
        responses={201: CreditNoteOutput},
        summary="Credit lines of an invoice, or an amount (treasurer)",
    )
    def post(self, request, slug: str):
        cooperative = treasury_cooperative(request, slug)
        data = CreditNoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        invoice = get_object_or_error(
            Invoice.objects.filter(cooperative=cooperative), field="invoice", pk=values["invoice"]
        )
        note = credit_note_issue(
            actor=request.user,
            invoice=invoice,
            reason=values["reason"],
            line_ids=values.get("lines"),
            amount=values.get("amount"),
        )
        return Response(
            CreditNoteOutput(_notes(cooperative).get(pk=note.pk)).data,
            status=status.HTTP_201_CREATED,
        )


class CreditNotePdfApi(APIView):
    @extend_schema(responses={(200, "application/pdf"): bytes}, summary="The credit note as PDF")
    def get(self, request, slug: str, note_id: int):
        note = get_object_or_error(
            _notes(treasury_cooperative(request, slug)), field="credit_note", pk=note_id
        )
        response = HttpResponse(credit_note_pdf(note), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="creditnota-{note.display_number}.pdf"'
        return response
