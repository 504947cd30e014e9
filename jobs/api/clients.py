from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.access import can_view_client_private, is_client_user
from jobs.models import BlockedClient, Client, ClientLinkRequest
from jobs.selectors import (
    client_link_requests_of_client,
    client_link_requests_of_cooperative,
    client_users_of,
    clients_visible,
)
from jobs.services.client_links import (
    client_link_ask,
    client_link_decide,
    client_link_invite,
    client_link_withdraw,
)
from jobs.services.clients import (
    blocked_client_add,
    blocked_client_remove,
    client_create,
    client_g_account_set,
    client_update,
    client_user_invite,
)
from members.access import require_role
from members.models import Cooperative
from werkstation.api.base import get_object_or_error, site_url
from werkstation.api.pagination import list_schema, paginated

from . import serializers as s


def _client(user, client_id: int) -> Client:
    client = get_object_or_error(Client.objects.prefetch_related("cooperatives"), pk=client_id)
    if not can_view_client_private(user, client):
        # Do not reveal that a client exists to those who may not see it.
        get_object_or_error(Client.objects.none(), pk=client_id)
    return client


def _client_output(client, request, **kwargs):
    return s.ClientOutput(client, context={"viewer": request.user}, **kwargs).data


class ClientListApi(APIView):
    @list_schema(s.ClientOutput, summary="Clients I work for or manage")
    def get(self, request):
        clients = clients_visible(request.user).prefetch_related("cooperatives")
        return paginated(request, clients, s.ClientOutput, context={"viewer": request.user})

    @extend_schema(
        request=s.ClientCreateInput,
        responses={201: s.ClientOutput},
        summary="Register a client (you become its administrator; naming a cooperative asks it)",
    )
    def post(self, request):
        data = s.ClientCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        slug = values.pop("cooperative", None)
        cooperative = (
            get_object_or_error(Cooperative.objects.all(), field="cooperative", slug=slug)
            if slug
            else None
        )
        client = client_create(
            actor=request.user, cooperative=cooperative, site_url=site_url(request), **values
        )
        return Response(_client_output(client, request), status=status.HTTP_201_CREATED)


class ClientDetailApi(APIView):
    @extend_schema(responses=s.ClientOutput, summary="A client organisation")
    def get(self, request, client_id: int):
        return Response(_client_output(_client(request.user, client_id), request))

    @extend_schema(
        request=s.ClientUpdateInput, responses=s.ClientOutput, summary="Change a client's details"
    )
    def patch(self, request, client_id: int):
        client = _client(request.user, client_id)
        data = s.ClientUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        client = client_update(actor=request.user, client=client, **data.validated_data)
        return Response(_client_output(client, request))


class ClientUsersApi(APIView):
    @list_schema(s.ClientUserOutput, summary="The client's users")
    def get(self, request, client_id: int):
        client = _client(request.user, client_id)
        return paginated(request, client_users_of(client), s.ClientUserOutput)

    @extend_schema(
        request=s.InviteInput,
        responses={201: s.InvitationSentOutput},
        summary="Invite a colleague by e-mail",
    )
    def post(self, request, client_id: int):
        client = _client(request.user, client_id)
        data = s.InviteInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = client_user_invite(
            actor=request.user,
            client=client,
            email=data.validated_data["email"],
            site_url=site_url(request),
        )
        return Response(s.InvitationSentOutput(invitation).data, status=status.HTTP_201_CREATED)


class ClientCooperativesApi(APIView):
    @list_schema(
        s.LinkRequestOutput,
        summary="The client's requests and invitations to work with cooperatives",
    )
    def get(self, request, client_id: int):
        client = _client(request.user, client_id)
        if not is_client_user(request.user, client):
            get_object_or_error(Client.objects.none(), pk=client_id)
        return paginated(request, client_link_requests_of_client(client), s.LinkRequestOutput)

    @extend_schema(
        request=s.LinkInput,
        responses={201: s.LinkRequestOutput},
        summary="Ask another cooperative to work together (its board decides)",
    )
    def post(self, request, client_id: int):
        client = _client(request.user, client_id)
        data = s.LinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        cooperative = get_object_or_error(
            Cooperative.objects.all(), field="cooperative", slug=data.validated_data["cooperative"]
        )
        link_request = client_link_ask(
            actor=request.user,
            client=client,
            cooperative=cooperative,
            message=data.validated_data.get("message", ""),
            site_url=site_url(request),
        )
        return Response(s.LinkRequestOutput(link_request).data, status=status.HTTP_201_CREATED)


class CooperativeClientRequestsApi(APIView):
    @list_schema(
        s.LinkRequestOutput,
        summary="Requests from clients and the board's invitations (board)",
    )
    def get(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        require_role(request.user, cooperative, "board")
        rows = client_link_requests_of_cooperative(cooperative)
        return paginated(request, rows, s.LinkRequestOutput)

    @extend_schema(
        request=s.LinkInviteInput,
        responses={201: s.LinkRequestOutput},
        summary="Invite an organisation by e-mail to work with the cooperative (board)",
    )
    def post(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        data = s.LinkInviteInput(data=request.data)
        data.is_valid(raise_exception=True)
        link_request = client_link_invite(
            actor=request.user,
            cooperative=cooperative,
            site_url=site_url(request),
            **data.validated_data,
        )
        return Response(s.LinkRequestOutput(link_request).data, status=status.HTTP_201_CREATED)


def _board_request(request, slug: str, request_id: int) -> ClientLinkRequest:
    cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
    require_role(request.user, cooperative, "board")
    return get_object_or_error(
        ClientLinkRequest.objects.filter(cooperative=cooperative), field="request", pk=request_id
    )


class CooperativeClientRequestDecideApi(APIView):
    @extend_schema(
        request=s.LinkDecisionInput,
        responses=s.LinkRequestOutput,
        summary="Accept or decline a client's request to work together (board)",
    )
    def post(self, request, slug: str, request_id: int):
        link_request = _board_request(request, slug, request_id)
        data = s.LinkDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        link_request = client_link_decide(
            actor=request.user,
            request_id=link_request.pk,
            accept=data.validated_data["accept"],
            site_url=site_url(request),
        )
        return Response(s.LinkRequestOutput(link_request).data)


class ClientLinkRequestWithdrawApi(APIView):
    @extend_schema(
        request=None,
        responses=s.LinkRequestOutput,
        summary="Withdraw a request or invitation you made (client admin or board)",
    )
    def post(self, request, request_id: int):
        link_request = client_link_withdraw(
            actor=request.user, request_id=request_id, site_url=site_url(request)
        )
        return Response(s.LinkRequestOutput(link_request).data)


def _invitation(token: str) -> ClientLinkRequest:
    return get_object_or_error(
        ClientLinkRequest.objects.select_related("cooperative", "client").filter(
            direction=ClientLinkRequest.Direction.COOPERATIVE
        ),
        field="token",
        token=token,
    )


class ClientLinkInvitationApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=s.LinkRequestOutput, summary="A cooperative's invitation to your organisation"
    )
    def get(self, request, token: str):
        return Response(s.LinkRequestOutput(_invitation(token)).data)


class ClientLinkInvitationDecideApi(APIView):
    @extend_schema(
        request=s.LinkDecisionInput,
        responses=s.LinkRequestOutput,
        summary="Accept (for one of the clients you administer) or decline an invitation",
    )
    def post(self, request, token: str):
        invitation = _invitation(token)
        data = s.LinkDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        client = None
        if data.validated_data.get("client"):
            client = get_object_or_error(
                Client.objects.filter(client_users__user=request.user).distinct(),
                field="client",
                pk=data.validated_data["client"],
            )
        link_request = client_link_decide(
            actor=request.user,
            request_id=invitation.pk,
            accept=data.validated_data["accept"],
            client=client,
            site_url=site_url(request),
        )
        return Response(s.LinkRequestOutput(link_request).data)


class BlockedClientInput(s.serializers.Serializer):
    client = s.serializers.IntegerField()
    reason = s.serializers.CharField(required=False, allow_blank=True, max_length=200)


class MyBlockedClientsApi(APIView):
    @list_schema(
        s.BlockedClientOutput,
        summary="Clients I do not want to work for (never planned or offered)",
    )
    def get(self, request):
        rows = (
            BlockedClient.objects.filter(user=request.user)
            .select_related("client")
            .order_by("client__name", "pk")
        )
        return paginated(request, rows, s.BlockedClientOutput)

    @extend_schema(
        request=BlockedClientInput,
        responses={201: s.BlockedClientOutput},
        summary="Block a client",
    )
    def post(self, request):
        data = BlockedClientInput(data=request.data)
        data.is_valid(raise_exception=True)
        client = get_object_or_error(
            Client.objects.all(), field="client", pk=data.validated_data["client"]
        )
        blocked = blocked_client_add(
            user=request.user, client=client, reason=data.validated_data.get("reason", "")
        )
        return Response(s.BlockedClientOutput(blocked).data, status=status.HTTP_201_CREATED)


class MyBlockedClientApi(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Unblock a client")
    def delete(self, request, client_id: int):
        blocked_client_remove(user=request.user, client_id=client_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ClientGAccountApi(APIView):
    """Whether a client pays part of each invoice into the cooperative's G-account."""

    def _cooperative(self, request, slug: str) -> Cooperative:
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        require_role(request.user, cooperative, "board", "treasurer")
        return cooperative

    @extend_schema(
        responses=s.ClientGAccountOutput,
        summary="The client's G-account agreement with the cooperative (board, treasurer)",
    )
    def get(self, request, slug: str, client_id: int):
        from jobs.models import ClientCooperative

        cooperative = self._cooperative(request, slug)
        link = get_object_or_error(
            ClientCooperative.objects.select_related("g_account_set_by"),
            field="client",
            cooperative=cooperative,
            client_id=client_id,
        )
        return Response(s.ClientGAccountOutput(link).data)

    @extend_schema(
        request=s.ClientGAccountInput,
        responses=s.ClientGAccountOutput,
        summary="Record the client's G-account agreement (board)",
    )
    def put(self, request, slug: str, client_id: int):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        data = s.ClientGAccountInput(data=request.data)
        data.is_valid(raise_exception=True)
        link = client_g_account_set(
            actor=request.user,
            cooperative=cooperative,
            client_id=client_id,
            agreement=data.validated_data["agreement"],
        )
        return Response(s.ClientGAccountOutput(link).data)
