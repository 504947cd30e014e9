from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import audit_actions, invitation_kinds, navigation, signals, tasks  # noqa: F401  (registrations)
        from .api import schema  # noqa: F401  (OpenAPI extensions)
