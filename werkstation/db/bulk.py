"""Writing many rows at once: COPY on PostgreSQL, ``bulk_create`` elsewhere.

The settlement run and the ledger write hundreds of thousands of rows (splits, ledger
transactions, their legs). On PostgreSQL they go in with ``COPY FROM STDIN``
(psycopg 3 ``cursor.copy``, binary format), the fastest way in, through the same tables,
constraints and triggers as any insert. Rows that others reference (splits, transactions) get their ids
up front from the table's own sequence (``nextval`` for a whole block in one statement), so
the rows pointing at them can be written in the same pass. On SQLite (the one-machine
default) the same rows go through ``bulk_create``. Both write identical rows
(``tests/payouts/test_bulk.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, cast

from django.db import connection, models
from psycopg.adapt import Dumper
from psycopg.pq import Format

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


# Column types as COPY's binary format needs them: the exact width of each integer, and
# text for every kind of string (varchar and text have the same binary form).
_BINARY_TYPES = {
    "smallint": "int2",
    "integer": "int4",
    "bigint": "int8",
    "boolean": "bool",
    "date": "date",
    "timestamp with time zone": "timestamptz",
    "numeric": "numeric",
    "jsonb": "jsonb",
    "varchar": "text",
    "text": "text",
    "uuid": "uuid",
}


def _binary_type(field: models.Field[Any, Any]) -> str:
    db_type = field.db_type(connection)
    assert db_type is not None  # every column COPY writes has a database type
    return _BINARY_TYPES[db_type.split("(")[0].strip()]


class _JsonText(bytes):
    """A JSON value already serialised (COPY writes it as it is)."""


class _JsonbDumper(Dumper):
    """Binary jsonb from serialised text: the format's version byte, then the text."""

    format = Format.BINARY

    def dump(self, obj: bytes) -> bytes:
        return b"\x01" + obj


def _serialiser(field: models.JSONField[Any, Any]) -> Callable[[object], _JsonText | None]:
    """JSON text of each value, made once per distinct object (by identity; the cache holds
    the object, so its id cannot be reused by another while the cache lives)."""
    dumped: dict[int, tuple[object, _JsonText]] = {}

    def serialised(value: object) -> _JsonText | None:
        if value is None:
            return None
        entry = dumped.get(id(value))
        if entry is None:
            entry = dumped[id(value)] = (
                value,
                _JsonText(json.dumps(value, cls=field.encoder).encode()),
            )
        return entry[1]

    return serialised


def _replace_column(
    rows: Iterable[Sequence[Any]], j: int, convert: Callable[[Any], object]
) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        yield (*row[:j], convert(row[j]), *row[j + 1 :])


def _copy(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY in binary format: psycopg's C dumpers write each row; the server has no text to
    parse. JSON values are serialised once per distinct object (the split engine's results
    are memoised, so 100,000 splits share a handful of ``pots``)."""
    meta = model._meta
    # The columns are concrete fields (never a relation's reverse side or a generic key).
    fields = [cast("models.Field[Any, Any]", meta.get_field(c)) for c in columns]
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    types = [_binary_type(f) for f in fields]
    json_columns = [(i, f) for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    for j, json_field in json_columns:
        rows = _replace_column(rows, j, _serialiser(json_field))
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if json_columns:
            dumper = type("JsonbDumper", (_JsonbDumper,), {"oid": raw.adapters.types["jsonb"].oid})
            raw.adapters.register_dumper(_JsonText, dumper)
        sql = (
            f"COPY {connection.ops.quote_name(meta.db_table)} ({names}) FROM STDIN (FORMAT BINARY)"
        )
        with raw.copy(sql) as copy:
            copy.set_types(types)
            write_row = copy.write_row
            for row in rows:
                write_row(row)


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    with_ids: bool = False,
    count: int | None = None,
    method: str | None = None,
) -> list[int]:
    """Insert ``rows`` (values in ``columns`` order, by attribute name: ``account_id``).

    Returns the new ids in row order when ``with_ids`` is set (else an empty list).
    ``rows`` may be a generator: with COPY each row goes to the server as it is made, so
    the server stores rows while Python computes the next ones (two cores, both busy).
    A generator with ``with_ids`` needs ``count``, the most rows it can yield (ids are
    reserved up front; the unused ones are a gap in the sequence).
    """
    if isinstance(rows, Sequence):
        if not rows:
            return []
        count = len(rows)
    method = method or default_method()
    if method != COPY:
        rows = list(rows)
        created = model._default_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
        )
        return [obj.pk for obj in created] if with_ids else []
    if not with_ids:
        _copy(model, columns, rows)
        return []
    if count is None:
        msg = "insert_rows: a generator with ids needs count"
        raise TypeError(msg)
    ids = reserve_ids(model, count)
    written = 0
    remaining = iter(rows)

    def numbered() -> Iterator[tuple[Any, ...]]:
        nonlocal written
        for pk, row in zip(ids, remaining, strict=False):
            written += 1
            yield (pk, *row)
        if next(remaining, None) is not None:  # more rows than ids: a caller's bug
            msg = "insert_rows: more rows than count"
            raise ValueError(msg)

    _copy(model, ["id", *columns], numbered())
    return ids[:written]
