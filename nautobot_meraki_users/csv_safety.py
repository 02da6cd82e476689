"""CSV cells that a spreadsheet never runs as a formula (OWASP "CSV injection")."""

from __future__ import annotations

import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: object) -> object:
    """The value for a CSV cell: text starting like a formula gets a leading single quote; others are unchanged.

    Every text beginning with `=`, `+`, `-`, `@`, a tab or a carriage return is quoted, negative numbers
    written as text ("-1") included (OWASP's rule); values that are not text (numbers, booleans) stay as
    they are.

    Example:
        >>> print(formula_safe('=HYPERLINK("http://evil.example","Click")'))
        '=HYPERLINK("http://evil.example","Click")
        >>> formula_safe("-1"), formula_safe("Jane Doe"), formula_safe(-1), formula_safe("")
        ("'-1", 'Jane Doe', -1, '')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(rows: list[dict], columns: tuple[str, ...], header: bool = True) -> str:
    """Rows as CSV text with a header line; cells that a spreadsheet would run as a formula are quoted.

    `header` False: the rows alone, a part of a file that another part begins.
    """
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    if header:
        writer.writeheader()
    writer.writerows({key: formula_safe(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue()
