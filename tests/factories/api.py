from rest_framework.test import APIClient


def api_as(user, *, second_factor: bool = True) -> APIClient:
    """An API client with a fresh personal token of ``user`` (anonymous for None).

    The token counts as issued after a second factor, as the token endpoint does for
    roles that need one; ``second_factor=False`` gives a password-only token.
    """
    from members.models import ApiToken

    client = APIClient()
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
