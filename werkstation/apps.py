from django.apps import AppConfig


class WerkstationConfig(AppConfig):
    name = "werkstation"
    verbose_name = "Werkstation"
    default_auto_field = "django.db.models.BigAutoField"
