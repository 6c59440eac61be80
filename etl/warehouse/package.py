"""A load package: one batch's rows for every table, as Arrow tables.

Stages hand each other packages, not live objects: the NLP step can write one to the warehouse
location (an Airflow shard) and a later step load it, or the CLI can load it straight from memory.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from etl.records import AnalysedArticle, Reject
from etl.warehouse.schema import BATCH_TABLES, PARTITION, arrow_schema

_SAFE_BATCH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
# Tables a package carries; `batches` is written by the loader from what it actually stored.
PACKAGE_TABLES = tuple(t for t in BATCH_TABLES if t != "batches")


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


def _table(name: str, rows: dict[str, list]) -> pa.Table:
    schema = arrow_schema(name, with_partition=False)
    return pa.Table.from_pydict({f.name: rows.get(f.name, []) for f in schema}, schema=schema)


def build_package(
    batch_id: str,
    run_id: str,
    analysed: Iterable[AnalysedArticle],
    rejects: Iterable[Reject] = (),
    counts: dict[str, int] | None = None,
) -> Package:
    """Rows of every table for one batch (without the partition column, which the path carries)."""
    check_batch_id(batch_id)
    art: dict[str, list] = {k: [] for k in arrow_schema("articles", False).names}
    sen: dict[str, list] = {k: [] for k in arrow_schema("sentences", False).names}
    men: dict[str, list] = {k: [] for k in arrow_schema("mentions", False).names}
    quo: dict[str, list] = {k: [] for k in arrow_schema("quotes", False).names}
    entities: dict[str, tuple[str, str]] = {}
    for item in analysed:
        a = item.article
        for key, value in (
            ("article_id", a.article_id),
            ("source_uri", a.source_uri),
            ("content_hash", a.content_hash),
            ("title", a.title),
            ("url", a.url),
            ("outlet", a.outlet),
            ("published_at", a.published_at),
            ("language", a.language),
            ("body_text", a.body_text),
            ("word_count", item.word_count),
            ("paragraph_count", len(a.paragraphs)),
            ("near_duplicate_of", a.near_duplicate_of),
            ("run_id", run_id),
        ):
            art[key].append(value)
        for s in item.sentences:
            for key, value in (
                ("article_id", a.article_id),
                ("sentence_idx", s.sentence_idx),
                ("paragraph_idx", s.paragraph_idx),
                ("start_char", s.start_char),
                ("end_char", s.end_char),
                ("text", s.text),
                ("word_count", s.word_count),
            ):
                sen[key].append(value)
        for m in item.mentions:
            for key, value in (
                ("article_id", a.article_id),
                ("sentence_idx", m.sentence_idx),
                ("start_char", m.start_char),
                ("end_char", m.end_char),
                ("text", m.text),
                ("label", m.label),
                ("entity_id", m.entity_id),
            ):
                men[key].append(value)
            entities.setdefault(m.entity_id, (m.canonical_name, m.label))
        for q in item.quotes:
            quo["article_id"].append(a.article_id)
            for key in quo:
                if key != "article_id":
                    quo[key].append(getattr(q, key))
    ent = {
        "entity_id": list(entities),
        "canonical_name": [v[0] for v in entities.values()],
        "label": [v[1] for v in entities.values()],
    }
    rej_list = list(rejects)
    rej = {
        "run_id": [run_id] * len(rej_list),
        "source_uri": [r.source_uri for r in rej_list],
        "stage": [r.stage for r in rej_list],
        "reason": [r.reason for r in rej_list],
    }
    tables = {
        "articles": _table("articles", art),
        "sentences": _table("sentences", sen),
        "mentions": _table("mentions", men),
        "entities": _table("entities", ent),
        "quotes": _table("quotes", quo),
        "rejects": _table("rejects", rej),
    }
    return Package(batch_id, run_id, tables, dict(counts or {}))


def save_package(package: Package, directory: Path) -> Path:
    """Write a package as one Parquet file per table plus a manifest, atomically (manifest last)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, table in package.tables.items():
        tmp = directory / f".{name}.parquet.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, directory / f"{name}.parquet")
    manifest = {
        "batch_id": package.batch_id,
        "run_id": package.run_id,
        "counts": package.counts,
        "rows": {name: t.num_rows for name, t in package.tables.items()},
        "written_at": datetime.now(UTC).isoformat(),
    }
    tmp = directory / ".manifest.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=2))
    os.replace(tmp, directory / "manifest.json")
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
    for name in ("articles", "sentences", "mentions", "quotes"):
        tables[name] = _drop(tables[name], "article_id", articles)
    tables["entities"] = _drop(tables["entities"], "entity_id", entities)
    return Package(package.batch_id, package.run_id, tables, package.counts)


def stored_counts(package: Package) -> dict[str, int]:
    return {name: package.tables[name].num_rows for name in PACKAGE_TABLES}
