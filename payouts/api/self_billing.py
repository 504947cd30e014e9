"""Self-billing invoices: the treasurer issues a month's (and with the auditor sees all of
the cooperative's); each member sees their own."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from members.access import require_role
from members.models import Cooperative, User
from payouts.formats.documents import self_billing_pdf
from payouts.models import SelfBillingInvoice, SelfBillingLine
from payouts.selectors import self_billing_invoices_of_cooperative, self_billing_invoices_of_member
from payouts.services.self_billing import self_billing_issue
from werkstation.api.base import get_object_or_error
from werkstation.api.pagination import list_schema, paginated


class SelfBillingLineOutput(serializers.ModelSerializer):
    class Meta:
        model = SelfBillingLine
        fields = ["id", "work_date", "description", "minutes", "amount_cents"]


class SelfBillingInvoiceOutput(serializers.ModelSerializer):
    cooperative = serializers.CharField(source="cooperative.slug")
    member = serializers.IntegerField(source="member_id", help_text="The member's user id.")
    member_name = serializers.CharField(source="member.full_name")
    lines = SelfBillingLineOutput(many=True, read_only=True)

    class Meta:
        model = SelfBillingInvoice
        fields = [
            "id",
            "number",
            "cooperative",
            "member",
            "member_name",
            "issued_on",
            "period_start",
            "period_end",
            "currency",
            "kor",
            "vat_rate",
            "subtotal_cents",
            "vat_cents",
            "total_cents",
            "lines",
        ]


class SelfBillingRefusalOutput(serializers.Serializer):
    member = serializers.IntegerField(help_text="The member's user id.")
    member_name = serializers.CharField()
    code = serializers.CharField()
    field = serializers.CharField(help_text="What the member's profile lacks, e.g. vat_number.")
    message = serializers.CharField()


class SelfBillingRunOutput(serializers.Serializer):
    issued = SelfBillingInvoiceOutput(many=True)
    refused = SelfBillingRefusalOutput(
        many=True, help_text="Members with work that month who could not be invoiced, and why."
    )


class SelfBillingIssueInput(serializers.Serializer):
    month = serializers.CharField(max_length=7, help_text="The month, e.g. 2026-11.")
    member = serializers.IntegerField(
        required=False,
        help_text="Only this member (user id); a refusal is then an error naming the field.",
    )


def _cooperative(request, slug: str, *roles: str) -> Cooperative:
    cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
    require_role(request.user, cooperative, *roles)
    return cooperative


def _pdf_response(invoice: SelfBillingInvoice) -> HttpResponse:
    response = HttpResponse(self_billing_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="factuur-{invoice.number}.pdf"'
    return response


class SelfBillingListApi(APIView):
    @list_schema(
        SelfBillingInvoiceOutput,
        summary="Self-billing invoices of the cooperative (treasurer, auditor)",
    )
    def get(self, request, slug: str):
        cooperative = _cooperative(request, slug, "treasurer", "auditor")
        return paginated(
            request, self_billing_invoices_of_cooperative(cooperative.pk), SelfBillingInvoiceOutput
        )

    @extend_schema(
        request=SelfBillingIssueInput,
        responses={201: SelfBillingRunOutput},
        summary="Issue the self-billing invoices of a month (treasurer)",
    )
    def post(self, request, slug: str):
        cooperative = _cooperative(request, slug, "treasurer")
        data = SelfBillingIssueInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        member = None
        if "member" in values:
            member = get_object_or_error(
                User.objects.filter(memberships__cooperative=cooperative),
                field="member",
                pk=values["member"],
            )
        run = self_billing_issue(
            actor=request.user, cooperative=cooperative, month=values["month"], member=member
        )
        issued = list(
            self_billing_invoices_of_cooperative(cooperative.pk).filter(
                pk__in=[invoice.pk for invoice in run.issued]
            )
        )
        body = {
            "issued": SelfBillingInvoiceOutput(issued, many=True).data,
            "refused": [
                {
                    "member": person.pk,
                    "member_name": person.full_name,
                    "code": exc.code,
                    "field": exc.field or "",
                    "message": exc.message,
                }
                for person, exc in run.refused
            ],
        }
        return Response(body, status=status.HTTP_201_CREATED)


class SelfBillingPdfApi(APIView):
    @extend_schema(
        responses={(200, "application/pdf"): bytes},
        summary="A self-billing invoice as PDF (treasurer, auditor)",
    )
    def get(self, request, slug: str, invoice_id: int):
        cooperative = _cooperative(request, slug, "treasurer", "auditor")
        invoice = get_object_or_error(
            self_billing_invoices_of_cooperative(cooperative.pk), field="invoice", pk=invoice_id
        )
        return _pdf_response(invoice)


class MySelfBillingListApi(APIView):
    @list_schema(SelfBillingInvoiceOutput, summary="My self-billing invoices")
    def get(self, request):
        return paginated(
            request, self_billing_invoices_of_member(request.user), SelfBillingInvoiceOutput
        )


class MySelfBillingPdfApi(APIView):
    @extend_schema(
        responses={(200, "application/pdf"): bytes},
        summary="One of my self-billing invoices as PDF",
    )
    def get(self, request, invoice_id: int):
        invoice = get_object_or_error(
            self_billing_invoices_of_member(request.user), field="invoice", pk=invoice_id
        )
        return _pdf_response(invoice)
