from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from members.models import Cooperative
from werkstation.api.base import get_object_or_error, site_url

from ..access import can_view_client_private
from ..models import BlockedClient, Client
from ..selectors import client_users_of, clients_visible
from ..services.clients import (
    blocked_client_add,
    blocked_client_remove,
    client_create,
    client_link_cooperative,
    client_update,
    client_user_invite,
)
from . import serializers as s


def _client(user, client_id: int) -> Client:
    client = get_object_or_error(Client.objects.prefetch_related("cooperatives"), pk=client_id)
    if not can_view_client_private(user, client):
        # Do not reveal that a client exists to those who may not see it.
        get_object_or_error(Client.objects.none(), pk=client_id)
    return client


class ClientListApi(APIView):
    @extend_schema(responses=s.ClientOutput(many=True), summary="Clients I work for or manage")
    def get(self, request):
        return Response(
            s.ClientOutput(
                clients_visible(request.user).prefetch_related("cooperatives"), many=True
            ).data
        )

    @extend_schema(
        request=s.ClientCreateInput, responses={201: s.ClientOutput}, summary="Register a client"
    )
    def post(self, request):
        data = s.ClientCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        cooperative = get_object_or_error(
            Cooperative.objects.all(), field="cooperative", slug=values.pop("cooperative")
        )
        client = client_create(actor=request.user, cooperative=cooperative, **values)
        return Response(s.ClientOutput(client).data, status=status.HTTP_201_CREATED)


class ClientDetailApi(APIView):
    @extend_schema(responses=s.ClientOutput, summary="A client organisation")
    def get(self, request, client_id: int):
        return Response(s.ClientOutput(_client(request.user, client_id)).data)

    @extend_schema(
        request=s.ClientUpdateInput, responses=s.ClientOutput, summary="Change a client's details"
    )
    def patch(self, request, client_id: int):
        client = _client(request.user, client_id)
        data = s.ClientUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        client = client_update(actor=request.user, client=client, **data.validated_data)
        return Response(s.ClientOutput(client).data)


class ClientUsersApi(APIView):
    @extend_schema(responses=s.ClientUserOutput(many=True), summary="The client's users")
    def get(self, request, client_id: int):
        client = _client(request.user, client_id)
        return Response(s.ClientUserOutput(client_users_of(client), many=True).data)

    @extend_schema(
        request=s.InviteInput, responses={201: dict}, summary="Invite a colleague by e-mail"
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
        return Response(
            {"email": invitation.email, "expires_at": invitation.expires_at},
            status=status.HTTP_201_CREATED,
        )


class ClientCooperativesApi(APIView):
    @extend_schema(
        request=s.LinkInput,
        responses={201: s.ClientOutput},
        summary="Work with another cooperative",
    )
    def post(self, request, client_id: int):
        client = _client(request.user, client_id)
        data = s.LinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        cooperative = get_object_or_error(
            Cooperative.objects.all(), field="cooperative", slug=data.validated_data["cooperative"]
        )
        client_link_cooperative(actor=request.user, client=client, cooperative=cooperative)
        client.refresh_from_db()
        return Response(s.ClientOutput(client).data, status=status.HTTP_201_CREATED)


class BlockedClientInput(s.serializers.Serializer):
    client = s.serializers.IntegerField()
    reason = s.serializers.CharField(required=False, allow_blank=True, max_length=200)


class MyBlockedClientsApi(APIView):
    @extend_schema(
        responses=dict, summary="Clients I do not want to work for (never planned or offered)"
    )
    def get(self, request):
        rows = BlockedClient.objects.filter(user=request.user).select_related("client")
        return Response(
            [{"client": b.client_id, "name": b.client.name, "reason": b.reason} for b in rows]
        )

    @extend_schema(request=BlockedClientInput, responses={201: dict}, summary="Block a client")
    def post(self, request):
        data = BlockedClientInput(data=request.data)
        data.is_valid(raise_exception=True)
        client = get_object_or_error(
            Client.objects.all(), field="client", pk=data.validated_data["client"]
        )
        blocked_client_add(
            user=request.user, client=client, reason=data.validated_data.get("reason", "")
        )
        return Response({"client": client.pk, "name": client.name}, status=status.HTTP_201_CREATED)


class MyBlockedClientApi(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Unblock a client")
    def delete(self, request, client_id: int):
        blocked_client_remove(user=request.user, client_id=client_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
