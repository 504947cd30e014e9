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

import json
from collections.abc import Sequence

from django.db import connection, models

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


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_INTEGER_FIELDS = (models.IntegerField, models.ForeignKey, models.AutoField)


def _converter(field: models.Field):
    """How one column's values are written in COPY's text format."""
    if isinstance(field, models.BooleanField):
        convert = lambda v: "t" if v else "f"  # noqa: E731
    elif isinstance(field, _INTEGER_FIELDS):
        convert = str
    elif isinstance(field, models.JSONField):
        # Many rows share one object (the split engine's results are memoised): dump each
        # once. Keyed by id, which is safe while the rows hold the objects.
        dumped: dict[int, str] = {}

        def convert(v):
            text = dumped.get(id(v))
            if text is None:
                text = dumped[id(v)] = json.dumps(v).translate(_ESCAPES)
            return text
    elif isinstance(field, models.DateField):  # DateTimeField too
        convert = lambda v: v.isoformat()  # noqa: E731
    else:
        convert = lambda v: str(v).translate(_ESCAPES)  # noqa: E731
    if field.null:
        return lambda v: "\\N" if v is None else convert(v)
    return convert


def _copy(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """COPY in text format, built here in one buffer: one write, no per-row calls."""
    meta = model._meta
    fields = [meta.get_field(c) for c in columns]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    converters = [_converter(f) for f in fields]
    if all(c is str for c in converters):
        lines = ["\t".join(map(str, row)) for row in rows]
    else:
        # Columns whose values repeat (a run's timestamp, kinds) are converted once each.
        columns_text = [
            list(map(convert, column)) if len(set(map(id, column))) > 1 else [convert(column[0])] * len(column)
            for convert, column in zip(converters, zip(*rows, strict=True), strict=True)
        ]  # fmt: skip
        lines = ["\t".join(row) for row in zip(*columns_text, strict=True)]
    lines.append("")
    with connection.cursor() as cursor:
        sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({names}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            copy.write("\n".join(lines).encode())


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
