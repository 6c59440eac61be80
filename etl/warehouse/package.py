"""A load package: one batch's rows for every table, as Arrow tables.

Stages hand each other packages, not live objects: the NLP step can write one to the warehouse
location (an Airflow shard) and a later step load it, or the CLI can load it straight from memory.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from etl.records import AnalysedArticle, Reject
from etl.warehouse.atomic import write_json, write_parquet
from etl.warehouse.schema import BATCH_TABLES, BY_NAME, PARTITION, arrow_schema

_SAFE_BATCH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
# Tables a package carries; `batches` is written by the loader from what it actually stored.
PACKAGE_TABLES = tuple(t for t in BATCH_TABLES if t != "batches")
# Tables whose rows belong to one article: they go with it when another batch already stored it.
ARTICLE_TABLES = tuple(t for t in PACKAGE_TABLES if "article_id" in BY_NAME[t].column_names)


def check_batch_id(batch_id: str) -> str:
    if not _SAFE_BATCH.match(batch_id):
        raise ValueError(f"invalid batch id {batch_id!r}: use letters, digits, '.', '_' and '-' only")
    return batch_id


@dataclass
class Package:
    batch_id: str
    run_id: str
    tables: dict[str, pa.Table]
    counts: dict[str, int] = field(default_factory=dict)

    def num_rows(self, table: str) -> int:
        return self.tables[table].num_rows


@functools.cache
def _columns(table: str) -> tuple[str, ...]:
    return tuple(arrow_schema(table, with_partition=False).names)


def _row(table: str, record: object, **extra: object) -> dict[str, object]:
    """A table row from a record: its attributes named like the columns, plus ``extra``."""
    return {c: extra[c] if c in extra else getattr(record, c) for c in _columns(table)}


def build_package(
    batch_id: str,
    run_id: str,
    analysed: Iterable[AnalysedArticle],
    rejects: Iterable[Reject] = (),
    counts: dict[str, int] | None = None,
) -> Package:
    """Rows of every table for one batch (without the partition column, which the path carries)."""
    check_batch_id(batch_id)
    rows: dict[str, list[dict[str, object]]] = {name: [] for name in PACKAGE_TABLES}
    entities: dict[str, dict[str, object]] = {}
    for item in analysed:
        a = item.article
        rows["articles"].append(
            _row("articles", a, word_count=item.word_count, paragraph_count=len(a.paragraphs), run_id=run_id)
        )
        rows["sentences"].extend(_row("sentences", s, article_id=a.article_id) for s in item.sentences)
        rows["mentions"].extend(_row("mentions", m, article_id=a.article_id) for m in item.mentions)
        rows["quotes"].extend(_row("quotes", q, article_id=a.article_id) for q in item.quotes)
        role_on = a.published_at.date() if a.published_at is not None else None
        rows["entity_roles"].extend(_row("entity_roles", r, article_id=a.article_id, role_on=role_on) for r in item.roles)
        rows["quote_entities"].extend(_row("quote_entities", e, article_id=a.article_id) for e in item.quote_entities)
        for m in item.mentions:
            entities.setdefault(m.entity_id, {"entity_id": m.entity_id, "canonical_name": m.canonical_name, "label": m.label})
    rows["entities"] = list(entities.values())
    rows["rejects"] = [_row("rejects", r, run_id=run_id) for r in rejects]
    tables = {
        name: pa.Table.from_pylist(table_rows, schema=arrow_schema(name, with_partition=False))
        for name, table_rows in rows.items()
    }
    return Package(batch_id, run_id, tables, dict(counts or {}))


def save_package(package: Package, directory: Path) -> Path:
    """Write a package as one Parquet file per table plus a manifest, atomically (manifest last)."""
    for name, table in package.tables.items():
        write_parquet(table, directory / f"{name}.parquet")
    manifest = {
        "batch_id": package.batch_id,
        "run_id": package.run_id,
        "counts": package.counts,
        "rows": {name: t.num_rows for name, t in package.tables.items()},
        "written_at": datetime.now(UTC).isoformat(),
    }
    write_json(manifest, directory / "manifest.json")
    return directory


def read_package(directory: Path) -> Package:
    manifest_path = directory / "manifest.json"
    if not manifest_path.exists():
        raise FileNotFoundError(f"no complete load package at {directory} (manifest.json missing)")
    manifest = json.loads(manifest_path.read_text())
    tables = {}
    for name in PACKAGE_TABLES:
        table = pq.read_table(directory / f"{name}.parquet")
        tables[name] = table.cast(arrow_schema(name, with_partition=False))
    return Package(manifest["batch_id"], manifest["run_id"], tables, manifest.get("counts", {}))


def with_partition(table: pa.Table, batch_id: str) -> pa.Table:
    return table.append_column(PARTITION, pa.array([batch_id] * table.num_rows, pa.string()))


def _drop(table: pa.Table, column: str, values: set[str]) -> pa.Table:
    if not values or table.num_rows == 0:
        return table
    import pyarrow.compute as pc

    mask = pc.invert(pc.is_in(table[column], value_set=pa.array(sorted(values), pa.string())))
    return table.filter(mask)


def without(package: Package, articles: set[str], entities: set[str]) -> Package:
    """The package less articles (and their rows) and entities already stored by other batches."""
    tables = dict(package.tables)
    for name in ARTICLE_TABLES:
        tables[name] = _drop(tables[name], "article_id", articles)
    tables["entities"] = _drop(tables["entities"], "entity_id", entities)
    return Package(package.batch_id, package.run_id, tables, package.counts)


def stored_counts(package: Package) -> dict[str, int]:
    return {name: package.tables[name].num_rows for name in PACKAGE_TABLES}
