"""Django's ``migrate``, which first recognises a database migrated before the project's
migrations were squashed into initial ones (before the first release).

Such a database has applied migrations of the project's apps that no longer exist, and
Django's own ``migrate`` would stop with "table … already exists" on the new initial
migrations. The demo database of ``make run`` (``var/werkstation.sqlite3``) holds demo data
only: it is removed and built again, with one line saying so. Any other database stops with
what to do (docs/operations.md, "Migrations squashed").
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

PROJECT_APPS = ("werkstation", "members", "jobs", "challenges", "payouts")


def squashed_away(connection: BaseDatabaseWrapper) -> list[tuple[str, str]]:
    """The applied migrations of the project's apps that are no longer on disk."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return []
    on_disk = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return sorted(
        key
        for key in recorder.applied_migrations()
        if key[0] in PROJECT_APPS and key not in on_disk
    )


def demo_database(connection: BaseDatabaseWrapper) -> Path | None:
    """The file of ``make run``'s SQLite demo database, if this connection is to it."""
    if connection.vendor != "sqlite":
        return None
    name = Path(str(connection.settings_dict["NAME"])).resolve()
    return name if name == (Path(settings.VAR_DIR) / "werkstation.sqlite3").resolve() else None


class Command(DjangoMigrate):
    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        gone = squashed_away(connection)
        if gone:
            demo = demo_database(connection)
            if demo is None:
                first = ".".join(gone[0])
                msg = (
                    f"This database was migrated before the project's migrations were squashed "
                    f"(it has {first} and {len(gone) - 1} more applied that no longer exist). "
                    "Create a new, empty database, point DATABASE_URL at it and run "
                    '`manage.py migrate` (docs/operations.md, "Migrations squashed").'
                )
                raise CommandError(msg)
            connection.close()
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{demo}{suffix}").unlink(missing_ok=True)
            self.stdout.write(
                f"{demo} was built by migrations from before they were squashed; "
                "it holds demo data only, so it is built again."
            )
        super().handle(*args, **options)
