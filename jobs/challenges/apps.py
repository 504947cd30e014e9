from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChallengesConfig(AppConfig):
    name = "jobs.challenges"
    label = "challenges"
    verbose_name = _("Right to challenge")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import audit_actions, registrations  # noqa: F401
