"""Print the current two-factor code of a demo account (``*.demo`` only). DEMO ONLY."""

from django.core.management.base import BaseCommand, CommandError

from members.services.demo_two_factor import demo_code


class Command(BaseCommand):
    help = "Print the current 6-digit code of a demo login's demo authenticator."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email: str, **options) -> None:
        try:
            self.stdout.write(demo_code(email))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
