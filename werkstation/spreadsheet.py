"""CSV files that a spreadsheet opens safely.

Spreadsheets treat a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (CSV injection, CWE-1236): a member's or client's name such as
``=HYPERLINK("http://evil", "klik")`` would run when the treasurer opens the payroll file.
``csv_cell`` prefixes such text with an apostrophe, the way spreadsheets themselves mark
"this is text". Numbers stay numbers: only strings are touched, so ``-12`` as an int is a
negative amount, while the text ``"-12"`` from a user is neutralised.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from collections.abc import Iterable

_T = TypeVar("_T")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: _T) -> _T | str:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(rows: Iterable[Iterable[object]]) -> str:
    """The rows as CSV text, every string cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()
