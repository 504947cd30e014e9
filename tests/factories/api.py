from rest_framework.test import APIClient


class SchemaCheckedClient(APIClient):
    """An API client that checks every answer against the published OpenAPI schema.

    ``check_schema = False`` on a client lets a test see an answer the schema need not
    describe (a broken request made on purpose below what a client can send)."""

    check_schema = True

    def request(self, **kwargs):
        response = super().request(**kwargs)
        if self.check_schema:
            from tests.openapi_check import assert_answer_matches_schema

            assert_answer_matches_schema(response)
        return response


def api_as(user, *, second_factor: bool = True) -> APIClient:
    """An API client with a fresh personal token of ``user`` (anonymous for None).

    The token counts as issued after a second factor, as the token endpoint does for
    roles that need one; ``second_factor=False`` gives a password-only token.
    """
    from members.models import ApiToken

    client = SchemaCheckedClient()
    if user is not None:
        token, plain = ApiToken.objects.create(user=user)
        if second_factor:
            ApiToken.objects.filter(digest=token.digest).update(second_factor=True)
        client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    return client


def login_verified(client, user) -> None:
    """Sign a web client in as someone who passed the code check (board, treasurer, staff)."""
    from members.models import TotpDevice

    client.force_login(user)
    device, _ = TotpDevice.objects.get_or_create(
        user=user, name="default", defaults={"confirmed": True}
    )
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
