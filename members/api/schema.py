"""How the API's authentication appears in the OpenAPI schema (drf-spectacular)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "members.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                'A personal token from POST /api/v1/auth/token/, sent as "Token <token>". '
                "Roles that need two-factor sign-in get one only with their code."
            ),
        }


class VerifiedSessionScheme(OpenApiAuthenticationExtension):
    target_class = "members.api.authentication.VerifiedSessionAuthentication"
    name = "cookieAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
