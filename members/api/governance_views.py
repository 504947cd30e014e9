"""Governance API. Secret ballots stay secret here: others see only turnout and, once the
vote closed, the result. Nobody sees counts of an open vote, not even the auditor."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from werkstation.api.base import get_object_or_error

from ..access import has_role, require_role
from ..models import Cooperative, Proposal, User, Vote
from ..services import governance as g


class ProposalInput(serializers.Serializer):
    kind = serializers.CharField(max_length=30)
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True)
    payload = serializers.JSONField(required=False)
    secret = serializers.BooleanField(required=False, default=False)
    require_simulation = serializers.BooleanField(required=False, default=False)


class ProposalUpdateInput(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    body = serializers.CharField(required=False, allow_blank=True)
    secret = serializers.BooleanField(required=False)
    require_simulation = serializers.BooleanField(required=False)


class VoteInput(serializers.Serializer):
    choice = serializers.ChoiceField(choices=Vote.Choice.choices)
    on_behalf_of = serializers.IntegerField(
        required=False, help_text="user id of the member whose proxy you hold"
    )


class ProxyInput(serializers.Serializer):
    holder = serializers.IntegerField()
    proposal = serializers.IntegerField(required=False)


def proposal_view(proposal: Proposal, user) -> dict:
    tally = g.proposal_tally(proposal)
    own = Vote.objects.filter(proposal=proposal, voter=user).first()
    data = {
        "id": proposal.pk,
        "kind": proposal.kind,
        "title": proposal.title,
        "body": proposal.body,
        "payload": proposal.payload,
        "status": proposal.status,
        "majority": proposal.majority,
        "secret": proposal.secret,
        "require_simulation": proposal.require_simulation,
        "opens_at": proposal.opens_at,
        "closes_at": proposal.closes_at,
        "electorate": proposal.electorate_size,
        "turnout": tally.turnout,
        "quorum_needed": tally.quorum_needed,
        "my_vote": own.choice if own else None,
        "result": proposal.result or None,
    }
    if not proposal.secret and proposal.status != Proposal.Status.DRAFT:
        data["votes"] = [
            {"voter": v.voter.full_name, "choice": v.choice, "by_proxy": v.by_proxy}
            for v in proposal.votes.select_related("voter")
        ]
    return data


def _proposal(user, proposal_id: int) -> Proposal:
    proposal = get_object_or_error(
        Proposal.objects.select_related("cooperative"), field="proposal", pk=proposal_id
    )
    if not has_role(user, proposal.cooperative_id, "member"):
        get_object_or_error(Proposal.objects.none(), field="proposal", pk=proposal_id)
    return proposal


class ProposalListApi(APIView):
    @extend_schema(responses=dict, summary="Proposals of the cooperative (members)")
    def get(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        require_role(request.user, cooperative, "member")
        return Response([proposal_view(p, request.user) for p in cooperative.proposals.all()[:100]])

    @extend_schema(
        request=ProposalInput, responses={201: dict}, summary="Draft a proposal (members)"
    )
    def post(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        data = ProposalInput(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = g.proposal_create(
            actor=request.user, cooperative=cooperative, **data.validated_data
        )
        return Response(proposal_view(proposal, request.user), status=status.HTTP_201_CREATED)


class ProposalDetailApi(APIView):
    @extend_schema(
        responses=dict,
        summary="A proposal: turnout, result, my vote (and the votes, unless secret)",
    )
    def get(self, request, proposal_id: int):
        return Response(proposal_view(_proposal(request.user, proposal_id), request.user))

    @extend_schema(
        request=ProposalUpdateInput,
        responses=dict,
        summary="Change a draft (proposer or board); a vote's secrecy is fixed once it opens",
    )
    def patch(self, request, proposal_id: int):
        proposal = _proposal(request.user, proposal_id)
        data = ProposalUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        proposal = g.proposal_update(actor=request.user, proposal=proposal, **data.validated_data)
        return Response(proposal_view(proposal, request.user))


class ProposalActionApi(APIView):
    action = ""

    @extend_schema(
        request=None, responses=dict, summary="Open (table), co-sign or withdraw a proposal"
    )
    def post(self, request, proposal_id: int):
        proposal = _proposal(request.user, proposal_id)
        service = {
            "open": g.proposal_open,
            "cosign": g.proposal_cosign,
            "withdraw": g.proposal_withdraw,
        }[self.action]
        proposal = service(actor=request.user, proposal=proposal)
        return Response(proposal_view(Proposal.objects.get(pk=proposal.pk), request.user))


class VoteApi(APIView):
    @extend_schema(
        request=VoteInput,
        responses=dict,
        summary="Vote (or change your vote) until the window closes",
    )
    def post(self, request, proposal_id: int):
        proposal = _proposal(request.user, proposal_id)
        data = VoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        on_behalf = None
        if data.validated_data.get("on_behalf_of"):
            on_behalf = get_object_or_error(
                User.objects.all(), field="on_behalf_of", pk=data.validated_data["on_behalf_of"]
            )
        g.vote_cast(
            actor=request.user,
            proposal=proposal,
            choice=data.validated_data["choice"],
            on_behalf_of=on_behalf,
        )
        return Response(proposal_view(Proposal.objects.get(pk=proposal.pk), request.user))


class SimulationApi(APIView):
    @extend_schema(
        responses=dict, summary="What the proposal would have meant for my last 3 months"
    )
    def get(self, request, proposal_id: int):
        return Response(
            g.proposal_simulation(user=request.user, proposal=_proposal(request.user, proposal_id))
        )


class TallyApi(APIView):
    @extend_schema(
        responses=dict, summary="Recount from the stored votes, once the vote closed (auditor)"
    )
    def get(self, request, proposal_id: int):
        proposal = _proposal(request.user, proposal_id)
        tally = g.proposal_recount(actor=request.user, proposal=proposal)
        return Response(
            {
                "electorate": tally.electorate,
                "yes": tally.yes,
                "no": tally.no,
                "abstain": tally.abstain,
                "quorum_needed": tally.quorum_needed,
                "quorum_met": tally.quorum_met,
                "adopted": tally.quorum_met and g.is_adopted(tally, proposal.majority),
                "recorded_result": proposal.result or None,
            }
        )


class ProxyApi(APIView):
    @extend_schema(
        request=ProxyInput, responses={201: dict}, summary="Give another member your vote (proxy)"
    )
    def post(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        data = ProxyInput(data=request.data)
        data.is_valid(raise_exception=True)
        holder = get_object_or_error(
            User.objects.all(), field="holder", pk=data.validated_data["holder"]
        )
        proposal = None
        if data.validated_data.get("proposal"):
            proposal = get_object_or_error(
                Proposal.objects.all(), field="proposal", pk=data.validated_data["proposal"]
            )
        proxy = g.proxy_grant(
            grantor=request.user, holder=holder, cooperative=cooperative, proposal=proposal
        )
        return Response(
            {
                "id": proxy.pk,
                "holder": holder.full_name,
                "proposal": proposal.pk if proposal else None,
            },
            status=status.HTTP_201_CREATED,
        )


class ProxyRevokeApi(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Revoke a proxy you gave")
    def delete(self, request, proxy_id: int):
        g.proxy_revoke(grantor=request.user, proxy_id=proxy_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
