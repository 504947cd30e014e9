from django.apps import AppConfig


class WerkstationConfig(AppConfig):
    name = "werkstation"
    verbose_name = "Werkstation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every Django process (web, worker, beat, management commands, tests) has the
        # Celery app, so tasks sent from it use this app's broker and settings.
        from . import audit_actions, celery  # noqa: F401
