from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def api_as(user) -> APIClient:
    """An API client authenticated with the user's token (or anonymous for None)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
