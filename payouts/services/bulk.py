"""Writing many rows at once: COPY on PostgreSQL, ``bulk_create`` elsewhere.

The settlement run and the ledger write hundreds of thousands of rows (splits, ledger
transactions, their legs). On PostgreSQL they go in with ``COPY FROM STDIN``
(psycopg 3 ``cursor.copy``), the fastest way in, through the same tables, constraints and
triggers as any insert. Rows that others reference (splits, transactions) get their ids
up front from the table's own sequence (``nextval`` for a whole block in one statement), so
the rows pointing at them can be written in the same pass. On SQLite (the one-machine
default) the same rows go through ``bulk_create``. Both write identical rows
(``tests/payouts/test_bulk.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models
from psycopg.types.json import Jsonb

COPY = "copy"
ORM = "orm"

_sequences: dict[str, str] = {}


def default_method() -> str:
    return COPY if connection.vendor == "postgresql" else ORM


def _sequence(table: str) -> str:
    name = _sequences.get(table)
    if name is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            name = _sequences[table] = cursor.fetchone()[0]
    return name


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` fresh ids from the model's sequence, in one round trip (PostgreSQL)."""
    if not count:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
            [_sequence(model._meta.db_table), count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    meta = model._meta
    json_columns = [
        i for i, c in enumerate(columns) if isinstance(meta.get_field(c), models.JSONField)
    ]
    names = ", ".join(connection.ops.quote_name(meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(
            f"COPY {connection.ops.quote_name(meta.db_table)} ({names}) FROM STDIN"
        ) as copy:
            write = copy.write_row
            if json_columns:
                for row in rows:
                    row = list(row)
                    for i in json_columns:
                        row[i] = Jsonb(row[i])
                    write(row)
            else:
                for row in rows:
                    write(row)


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence],
    *,
    with_ids: bool = False,
    method: str | None = None,
) -> list[int]:
    """Insert ``rows`` (values in ``columns`` order, by attribute name: ``account_id``).

    Returns the new ids in row order when ``with_ids`` is set (else an empty list).
    """
    if not rows:
        return []
    method = method or default_method()
    if method == COPY:
        ids: list[int] = []
        if with_ids:
            ids = reserve_ids(model, len(rows))
            columns = ["id", *columns]
            rows = [(pk, *row) for pk, row in zip(ids, rows, strict=True)]
        _copy(model, columns, rows)
        return ids
    created = model.objects.bulk_create(
        [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
    )
    return [obj.pk for obj in created] if with_ids else []
