"""Shared by the warehouse tests: hand-written stories, and a snapshot that checks Parquet = SQL."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from etl.settings import Settings
from etl.warehouse.parquet import read_table
from etl.warehouse.schema import BATCH_TABLES, BY_NAME, PARTITION, SQL_TABLES

TOWNS = ["Ashford", "Bexley", "Carlow", "Dover", "Ely", "Frome", "Goole", "Hythe", "Ilkley", "Jarrow", "Kendal", "Leek"]


def story(n: int, variant: str = "") -> str:
    town = TOWNS[n % len(TOWNS)]
    return (
        f"{town} council approves budget {n}{variant}\n\n"
        f"The council of {town} met on Monday and approved budget number {n} for the coming year{variant}.\n\n"
        f"\u201cWe kept every library open,\u201d said Mayor Anna Berg{n}, who has led {town} since {2000 + n}.\n"
    )


def write(folder: Path, numbers: range | list[int], name: str = "story") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n in numbers:
        (folder / f"{name}_{n:02d}.txt").write_text(story(n), encoding="utf-8")


def snapshot(settings: Settings) -> dict[str, list[tuple]]:
    """What the warehouse holds, batch-independent, from Parquet; asserts SQL holds the same rows."""
    out: dict[str, list[tuple]] = {}
    engine = sa.create_engine(settings.db_url)
    try:
        with engine.connect() as conn:
            for name in BATCH_TABLES:
                if name == "batches":
                    continue
                key = [k for k in BY_NAME[name].primary_key if k != PARTITION]
                extra = {"articles": ["source_uri", "near_duplicate_of"], "inputs": ["file_uri", "outcome", "article_id"], "rejects": ["reason"]}.get(name, [])
                cols = key + extra
                pq_rows = sorted(tuple(r[c] for c in cols) for r in read_table(settings.parquet_root, name).to_pylist())
                sql_rows = sorted(tuple(r) for r in conn.execute(sa.select(*(SQL_TABLES[name].c[c] for c in cols))))
                assert pq_rows == sql_rows, f"{name}: Parquet and SQL differ"
                out[name] = pq_rows
            pq_batches = sorted(read_table(settings.parquet_root, "batches")[PARTITION].to_pylist())
            sql_batches = sorted(r[0] for r in conn.execute(sa.select(SQL_TABLES["batches"].c[PARTITION])))
            assert pq_batches == sql_batches
    finally:
        engine.dispose()
    return out


# columns that name the run or the batch, or say when: they differ between two loads of the same files
RUN_COLUMNS = frozenset({"run_id", PARTITION, "loaded_at", "load_id", "path"})


def contents(settings: Settings) -> dict[str, list[tuple]]:
    """Every row of every batch table in the Parquet copy, without run- and batch-specific columns,
    sorted: two warehouses that loaded the same files hold the same contents."""
    out: dict[str, list[tuple]] = {}
    for name in BATCH_TABLES:
        if name == "batches":
            continue
        table = read_table(settings.parquet_root, name)
        cols = [c for c in table.column_names if c not in RUN_COLUMNS]
        out[name] = sorted(tuple(repr(r[c]) for c in cols) for r in table.select(cols).to_pylist())
    return out


def sql_rows(url: str, query: str) -> list[tuple]:
    """Rows of a query on a database URL, as tuples (a fresh engine, disposed after)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(query))]
    finally:
        engine.dispose()
