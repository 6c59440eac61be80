"""Ways to print a query's answer, one registered writer per ``--format`` name.

CSV is written for spreadsheets: UTF-8 with a byte-order mark (so Excel reads accents right),
CRLF line ends, every value that needs it quoted, times as ``YYYY-MM-DD HH:MM:SS`` (UTC), and text
that a spreadsheet would take for a formula (starting with = + - @) prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:  # the writers only read a Result; importing them needs no DuckDB
    from etl.analyst.query import Result

Writer = Callable[["Result", TextIO], None]
FORMATS: dict[str, Writer] = {}
# a terminal table shows at most this many rows; the other formats write them all
TABLE_ROWS = 1000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def writer(name: str) -> Callable[[Writer], Writer]:
    def register(fn: Writer) -> Writer:
        FORMATS[name] = fn
        return fn

    return register


def count_of(n: int, noun: str) -> str:
    """``1 row``, ``2 rows``."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _plain(value: Any) -> Any:
    """A JSON-ready value."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def as_text(value: Any) -> str:
    """A value as people read it: nothing for null, times to the second (UTC), dates as ISO days."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _cell(value: Any) -> str:
    """A spreadsheet-ready cell: text that starts like a formula is quoted so it is never run."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return as_text(value)


@writer("csv")
def write_csv(result: Result, out: TextIO) -> None:
    out.write("\ufeff")
    rows = csv.writer(out, lineterminator="\r\n")
    rows.writerow(result.columns)
    rows.writerows([_cell(v) for v in row] for row in result.rows)


@writer("json")
def write_json(result: Result, out: TextIO) -> None:
    json.dump([{k: _plain(v) for k, v in r.items()} for r in result.records()], out, ensure_ascii=False, indent=1, default=str)
    out.write("\n")


@writer("jsonl")
def write_jsonl(result: Result, out: TextIO) -> None:
    for record in result.records():
        out.write(json.dumps({k: _plain(v) for k, v in record.items()}, ensure_ascii=False, default=str) + "\n")


@writer("table")
def write_table(result: Result, out: TextIO) -> None:
    console = Console(file=out)
    table = Table(*result.columns, show_lines=False)
    for row in result.rows[:TABLE_ROWS]:
        # Text, not str: a value's square brackets are data, not rich markup
        table.add_row(*(Text("" if v is None else _cell(v) if isinstance(v, datetime | date) else str(v)) for v in row))
    console.print(table)
    more = len(result.rows) - TABLE_ROWS
    console.print(count_of(len(result.rows), "row") + (f" ({more:,} not shown: use --format csv)" if more > 0 else ""))


def write(result: Result, fmt: str, out: TextIO) -> None:
    FORMATS[fmt](result, out)
