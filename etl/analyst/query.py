"""SQL over the Parquet warehouse, without a server: DuckDB with the same analyst views as SQL.

Every table of the Parquet copy is registered from the Parquet store's own dataset
(``etl.warehouse.parquet.open_dataset``), so which files make up a table is the store's decision,
never this module's. The views are the very files the SQL migrations create
(``sql/views/<name>.sql``), written in SQL that SQLite, PostgreSQL and DuckDB all accept.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds

from etl.errors import ConfigError, NewsEtlError, Terminal
from etl.storage import Location, location
from etl.warehouse.migrate import sql_dir, view_sql
from etl.warehouse.parquet import open_dataset
from etl.warehouse.schema import PARQUET_TABLES, arrow_schema

logger = logging.getLogger(__name__)


class QueryError(NewsEtlError, Terminal):
    """The analyst's SQL could not run (syntax, unknown table or column, ...)."""


@dataclass(frozen=True)
class Result:
    """A query's answer: column names and rows of Python values."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def view_names() -> list[str]:
    """The analyst views, one ``sql/views/<name>.sql`` file each."""
    return sorted(p.stem for p in (sql_dir() / "views").glob("*.sql"))


def _table(root: Location, name: str) -> ds.Dataset:
    """The store's dataset for ``name``; an empty one of the right schema when nothing was written."""
    try:
        return open_dataset(root, name)
    except (FileNotFoundError, pa.ArrowInvalid):
        return ds.dataset(arrow_schema(name).empty_table())


def connect(parquet_root: Location | str | os.PathLike[str]) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with every warehouse table and analyst view, reading the Parquet in place."""
    root = location(parquet_root)
    if not root.exists():
        raise ConfigError(f"no Parquet warehouse at {root} (expected the folder a run writes, e.g. warehouse/parquet)")
    # never fetch an extension from the network: what the wheel links in is all we use
    con = duckdb.connect(":memory:", config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute("SET TimeZone = 'UTC'")
    for name in PARQUET_TABLES:
        con.register(name, _table(root, name))
    for name in view_names():
        con.execute(view_sql(name))
    return con


def query(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] | None = None) -> Result:
    """Run one statement; DuckDB's own errors become a one-line QueryError."""
    try:
        cursor = con.execute(sql, list(params) if params is not None else None)
        columns = tuple(d[0] for d in cursor.description or ())
        rows = cursor.fetchall() if columns else []
    except duckdb.Error as exc:
        # DuckDB's message, its hint ("Did you mean ...?") kept, without the caret drawing after it
        message = str(exc).strip().split("\n\nLINE ")[0]
        raise QueryError(" ".join(message.split())) from exc
    return Result(columns, rows)


def run_sql(parquet_root: Location | str | os.PathLike[str], sql: str) -> Result:
    """``sql`` over the warehouse at ``parquet_root``."""
    con = connect(parquet_root)
    try:
        return query(con, sql)
    finally:
        con.close()
