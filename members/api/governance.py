"""Governance API. Secret ballots stay secret here: others see only turnout and, once the
vote closed, the result. Nobody sees counts of an open vote, not even the auditor."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from members.access import has_role, require_role
from members.models import Cooperative, Membership, Proposal, User, Vote
from members.selectors import proposals_with_votes
from members.services import governance as g
from werkstation.api.base import get_object_or_error
from werkstation.api.fields import CurrencyField
from werkstation.api.outputs import DictOutput
from werkstation.api.pagination import list_schema, page_of


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


class VoteOutput(serializers.Serializer):
    voter = serializers.CharField(source="voter.full_name")
    choice = serializers.ChoiceField(choices=Vote.Choice.choices)
    by_proxy = serializers.BooleanField()


class ProposalOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    payload = serializers.JSONField()
    status = serializers.ChoiceField(choices=Proposal.Status.choices)
    majority = serializers.ChoiceField(choices=Proposal.Majority.choices)
    secret = serializers.BooleanField()
    require_simulation = serializers.BooleanField()
    opens_at = serializers.DateTimeField(allow_null=True)
    closes_at = serializers.DateTimeField(allow_null=True)
    electorate = serializers.IntegerField()
    turnout = serializers.IntegerField()
    quorum_needed = serializers.IntegerField()
    my_vote = serializers.ChoiceField(choices=Vote.Choice.choices, allow_null=True)
    result = serializers.JSONField(allow_null=True, help_text="The counts, once the vote closed.")
    votes = VoteOutput(
        many=True,
        required=False,
        help_text="Who voted what: absent for a secret ballot and for a draft.",
    )


class ProposalTallyOutput(serializers.Serializer):
    electorate = serializers.IntegerField()
    yes = serializers.IntegerField()
    no = serializers.IntegerField()
    abstain = serializers.IntegerField()
    quorum_needed = serializers.IntegerField()
    quorum_met = serializers.BooleanField()
    adopted = serializers.BooleanField()
    recorded_result = serializers.JSONField(allow_null=True)


class SimulatedShiftOutput(DictOutput):
    work_date = serializers.DateField()
    job = serializers.CharField()
    gross_cents = serializers.IntegerField()
    net_now_cents = serializers.IntegerField()
    net_proposed_cents = serializers.IntegerField()


class SimulationOutput(DictOutput):
    """The member's approved work of the last 3 months under the rules now and as proposed."""

    since = serializers.DateField()
    shifts = SimulatedShiftOutput(many=True)
    member_total_now_cents = serializers.IntegerField()
    member_total_proposed_cents = serializers.IntegerField()
    fund_income_now_cents = serializers.IntegerField()
    fund_income_proposed_cents = serializers.IntegerField()
    change_per_month_cents = serializers.IntegerField(
        help_text="What the proposal changes for you per month, on average over the three months "
        "simulated (negative: less)."
    )
    currency = CurrencyField(help_text="The currency of the *_cents amounts (ISO 4217).")
    rules_now = serializers.ListField(child=serializers.CharField())
    rules_proposed = serializers.ListField(child=serializers.CharField())


class ProxyOutput(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    holder = serializers.CharField(source="holder.full_name")
    proposal = serializers.IntegerField(source="proposal_id", allow_null=True)


def proposal_view(proposal: Proposal, user) -> dict:
    """A proposal as ``user`` sees it. Its votes come from the prefetch of
    ``proposals_with_votes``, or are read here (one query) for a proposal loaded without."""
    prefetched = getattr(proposal, "_prefetched_objects_cache", {})
    votes = list(
        proposal.votes.all() if "votes" in prefetched else proposal.votes.select_related("voter")
    )
    g.proposal_as_of_now(proposal, votes=votes)  # closed at closes_at, not at beat's round
    tally = g.proposal_tally(proposal, votes=votes)
    own = next((v for v in votes if v.voter_id == user.pk), None)
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
        data["votes"] = votes
    return ProposalOutput(data).data


def _proposal(user, proposal_id: int, *, suspended_too: bool = False) -> Proposal:
    """A proposal of one of ``user``'s cooperatives; any other answers 404. With
    ``suspended_too`` a suspended member reaches it as well, for the service to refuse
    with the documented 403 (``not_active``): they know the cooperative they belong to."""
    proposal = get_object_or_error(proposals_with_votes(), field="proposal", pk=proposal_id)
    if has_role(user, proposal.cooperative_id, "member"):
        return proposal
    if (
        suspended_too
        and Membership.objects.filter(
            user=user, cooperative_id=proposal.cooperative_id, status=Membership.Status.SUSPENDED
        ).exists()
    ):
        return proposal
    return get_object_or_error(Proposal.objects.none(), field="proposal", pk=proposal_id)


class ProposalListApi(APIView):
    @list_schema(ProposalOutput, summary="Proposals of the cooperative (members), newest first")
    def get(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        require_role(request.user, cooperative, "member")
        rows = proposals_with_votes().filter(cooperative=cooperative).order_by("-created_at", "-pk")
        page = page_of(request, rows)
        return page.response([proposal_view(p, request.user) for p in page.items])

    @extend_schema(
        request=ProposalInput,
        responses={201: ProposalOutput},
        summary="Draft a proposal (members)",
    )
    def post(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        data = ProposalInput(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = g.proposal_create(
            actor=request.user, cooperative=cooperative, **data.validated_data
        )
        return Response(
            proposal_view(proposals_with_votes().get(pk=proposal.pk), request.user),
            status=status.HTTP_201_CREATED,
        )


class ProposalDetailApi(APIView):
    @extend_schema(
        responses=ProposalOutput,
        summary="A proposal: turnout, result, my vote (and the votes, unless secret)",
    )
    def get(self, request, proposal_id: int):
        return Response(proposal_view(_proposal(request.user, proposal_id), request.user))

    @extend_schema(
        request=ProposalUpdateInput,
        responses=ProposalOutput,
        summary="Change a draft (proposer or board); a vote's secrecy is fixed once it opens",
    )
    def patch(self, request, proposal_id: int):
        proposal = _proposal(request.user, proposal_id)
        data = ProposalUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        proposal = g.proposal_update(actor=request.user, proposal=proposal, **data.validated_data)
        return Response(proposal_view(proposals_with_votes().get(pk=proposal.pk), request.user))


class ProposalActionApi(APIView):
    action = ""

    @extend_schema(
        request=None,
        responses=ProposalOutput,
        summary="Open (table), co-sign or withdraw a proposal",
    )
    def post(self, request, proposal_id: int):
        proposal = _proposal(request.user, proposal_id)
        service = {
            "open": g.proposal_open,
            "cosign": g.proposal_cosign,
            "withdraw": g.proposal_withdraw,
        }[self.action]
        proposal = service(actor=request.user, proposal=proposal)
        return Response(proposal_view(proposals_with_votes().get(pk=proposal.pk), request.user))


class VoteApi(APIView):
    @extend_schema(
        request=VoteInput,
        responses=ProposalOutput,
        summary="Vote (or change your vote) until the window closes",
    )
    def post(self, request, proposal_id: int):
        proposal = _proposal(request.user, proposal_id, suspended_too=True)
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
        return Response(proposal_view(proposals_with_votes().get(pk=proposal.pk), request.user))


class SimulationApi(APIView):
    @extend_schema(
        responses=SimulationOutput,
        summary="What the proposal would have meant for my last 3 months",
    )
    def get(self, request, proposal_id: int):
        simulation = g.proposal_simulation(
            user=request.user, proposal=_proposal(request.user, proposal_id)
        )
        return Response(SimulationOutput(simulation).data)


class TallyApi(APIView):
    error_statuses = (409,)  # the vote is still open

    @extend_schema(
        responses=ProposalTallyOutput,
        summary="Recount from the stored votes, once the vote closed (auditor)",
    )
    def get(self, request, proposal_id: int):
        proposal = _proposal(request.user, proposal_id)
        tally = g.proposal_recount(actor=request.user, proposal=proposal)
        return Response(
            ProposalTallyOutput(
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
            ).data
        )


class ProxyApi(APIView):
    @extend_schema(
        request=ProxyInput,
        responses={201: ProxyOutput},
        summary="Give another member your vote (proxy)",
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
        return Response(ProxyOutput(proxy).data, status=status.HTTP_201_CREATED)


class ProxyRevokeApi(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Revoke a proxy you gave")
    def delete(self, request, proxy_id: int):
        g.proxy_revoke(grantor=request.user, proxy_id=proxy_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
