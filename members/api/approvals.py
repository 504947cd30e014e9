"""Second approvals: what waits for a second board member, and deciding it."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from members.access import has_role
from members.models import SecondApproval
from members.selectors import second_approvals_of
from members.services.approvals import approval_kind, approvals_decidable, second_approval_decide
from werkstation.api.base import get_object_or_error
from werkstation.api.pagination import list_schema, page_of
from werkstation.errors import NotFound

from . import serializers as s
from .cooperatives import cooperative_or_404


def _approval_rows(approvals: list, user) -> list[dict]:
    decidable = approvals_decidable(user=user, approvals=approvals)
    return [
        {
            "id": approval.pk,
            "kind": approval.kind,
            "status": approval.status,
            "description": approval_kind(approval.kind).describe(approval),
            "requested_by": approval.requested_by,
            "requested_at": approval.requested_at,
            "decided_by": approval.decided_by,
            "decided_at": approval.decided_at,
            "reason": approval.reason,
            "may_decide": approval.pk in decidable,
        }
        for approval in approvals
    ]


def _approval_output(approval, user) -> dict:
    return s.SecondApprovalOutput(_approval_rows([approval], user)[0]).data


class ApprovalListApi(APIView):
    @list_schema(s.SecondApprovalOutput, summary="Requests that need a second person (board)")
    def get(self, request, slug: str):
        cooperative = cooperative_or_404(slug)
        if not has_role(request.user, cooperative, "board", "treasurer"):
            raise NotFound(_("Not found."), field="slug")
        page = page_of(request, second_approvals_of(cooperative=cooperative))
        rows = _approval_rows(page.items, request.user)
        return page.response(s.SecondApprovalOutput(rows, many=True).data)


def _approval_for(user, approval_id: int) -> SecondApproval:
    approval = get_object_or_error(
        SecondApproval.objects.select_related("cooperative", "requested_by", "decided_by"),
        pk=approval_id,
    )
    if not has_role(user, approval.cooperative_id, "board", "treasurer"):
        raise NotFound(_("Not found."), field="id")
    return approval


class _ApprovalDecisionApi(APIView):
    approve: bool

    def post(self, request, approval_id: int):
        approval = _approval_for(request.user, approval_id)
        data = s.ApprovalDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        approval = second_approval_decide(
            actor=request.user,
            approval=approval,
            approve=self.approve,
            reason=data.validated_data.get("reason", ""),
        )
        return Response(_approval_output(approval, request.user))


@extend_schema(
    request=s.ApprovalDecisionInput,
    responses=s.SecondApprovalOutput,
    summary="Approve a request as the second person (board)",
)
class ApprovalApproveApi(_ApprovalDecisionApi):
    approve = True


@extend_schema(
    request=s.ApprovalDecisionInput,
    responses=s.SecondApprovalOutput,
    summary="Reject a request (board), or withdraw your own",
)
class ApprovalRejectApi(_ApprovalDecisionApi):
    approve = False
