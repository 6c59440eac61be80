"""A load package: one batch's rows for every table, as Arrow tables.

Stages hand each other packages, not live objects: the NLP step can write one to the warehouse
location (an Airflow shard) and a later step load it, or the CLI can load it straight from memory.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from etl.records import AnalysedArticle, Reject
from etl.storage import Location, location
from etl.warehouse.schema import PACKAGE_TABLES, PARTITION, arrow_schema

_SAFE_BATCH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def spelling_key(name: str, written: int = 0) -> tuple[bool, int, str]:
    """How an entity's spellings (its id is made from the case-folded name) rank for its display
    name, the least first: not all in capitals (a headline's "CLINTON", a dateline's
    "WASHINGTON"), then written so by more mentions ("Hillary" before a typo's "HIllary"), then
    code-point order. Counted over the whole warehouse at each load that brings the entity
    (``etl.warehouse.sql`` renames a stored entity), so loading a corpus in several runs names
    every entity as loading it in one does."""
    letters = [c for c in name if c.isalpha()]
    return (len(letters) > 1 and all(c.isupper() for c in letters), -written, name)


def best_spelling(names: Iterable[str], texts: Mapping[str, int]) -> str:
    """The best of an entity's ``names`` and of the mention ``texts`` (text -> mentions) spelling
    the same name, by ``spelling_key``."""
    names = list(names)
    folded = names[0].casefold()
    options = set(names) | {t for t in texts if t.casefold() == folded}
    return min(options, key=lambda n: spelling_key(n, texts.get(n, 0)))


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
    inputs: Iterable[dict[str, object]] = (),
    signatures: dict[str, tuple[bytes, list[str]]] | None = None,
) -> Package:
    """Rows of every table for one batch (without the partition column, which the path carries).

    ``inputs`` are the batch's ledger rows; ``signatures`` the MinHash signature and band keys of
    its articles. A record named twice keeps its first ledger row and reject.
    """
    check_batch_id(batch_id)
    rows: dict[str, list[dict[str, object]]] = {name: [] for name in PACKAGE_TABLES}
    entities: dict[str, dict[str, object]] = {}
    spellings: dict[str, set[str]] = defaultdict(set)
    texts: dict[str, Counter[str]] = defaultdict(Counter)
    signatures = signatures or {}
    for item in analysed:
        a = item.article
        rows["articles"].append(
            _row("articles", a, word_count=item.word_count, paragraph_count=len(a.paragraphs), run_id=run_id)
        )
        rows["sentences"].extend(_row("sentences", s, article_id=a.article_id) for s in item.sentences)
        rows["mentions"].extend(_row("mentions", m, article_id=a.article_id) for m in item.mentions)
        rows["quotes"].extend(_row("quotes", q, article_id=a.article_id) for q in item.quotes)
        rows["quote_pieces"].extend(
            {"quote_id": q.quote_id, "article_id": a.article_id, "piece_idx": k, "start_char": s, "end_char": e}
            for q in item.quotes
            for k, (s, e) in enumerate(q.pieces or ((q.quote_start, q.quote_end),))
        )
        role_on = a.published_at.date() if a.published_at is not None else None
        rows["entity_roles"].extend(_row("entity_roles", r, article_id=a.article_id, role_on=role_on) for r in item.roles)
        rows["quote_entities"].extend(_row("quote_entities", e, article_id=a.article_id) for e in item.quote_entities)
        for m in item.mentions:
            entities.setdefault(m.entity_id, {"entity_id": m.entity_id, "canonical_name": m.canonical_name, "label": m.label})
            spellings[m.entity_id].add(m.canonical_name)
            texts[m.entity_id][m.text] += 1
        if a.article_id in signatures:
            sig, bands = signatures[a.article_id]
            rows["signatures"].append({"article_id": a.article_id, "signature": sig})
            rows["signature_bands"].extend({"band_key": b, "article_id": a.article_id} for b in dict.fromkeys(bands))
    rows["entities"] = [{**e, "canonical_name": best_spelling(spellings[i], texts[i])} for i, e in entities.items()]
    unique_rejects = {(r.source_uri, r.stage): r for r in reversed(list(rejects))}
    rows["rejects"] = [_row("rejects", r, run_id=run_id) for r in reversed(list(unique_rejects.values()))]
    ledger = {str(r["source_uri"]): r for r in reversed(list(inputs))}
    rows["inputs"] = [{**r, "run_id": run_id} for r in reversed(list(ledger.values()))]
    tables = {
        name: pa.Table.from_pylist(table_rows, schema=arrow_schema(name, with_partition=False))
        for name, table_rows in rows.items()
    }
    return Package(batch_id, run_id, tables, dict(counts or {}))


def save_package(package: Package, directory: Location | str | Path) -> Location:
    """Write a package as one Parquet file per table plus a manifest, atomically (manifest last).

    ``directory`` is a folder or an object-store prefix: a package is found whole by its manifest.
    """
    directory = location(directory)
    for name, table in package.tables.items():
        directory.write_parquet(table, f"{name}.parquet")
    manifest = {
        "batch_id": package.batch_id,
        "run_id": package.run_id,
        "counts": package.counts,
        "rows": {name: t.num_rows for name, t in package.tables.items()},
        "written_at": datetime.now(UTC).isoformat(),
    }
    directory.write_json(manifest, "manifest.json")
    return directory


def read_package(directory: Location | str | Path) -> Package:
    directory = location(directory)
    if not directory.is_file("manifest.json"):
        raise FileNotFoundError(f"no complete load package at {directory} (manifest.json missing)")
    manifest = directory.read_json("manifest.json")
    tables = {}
    for name in PACKAGE_TABLES:
        table = directory.read_parquet(f"{name}.parquet")
        tables[name] = table.cast(arrow_schema(name, with_partition=False))
    return Package(manifest["batch_id"], manifest["run_id"], tables, manifest.get("counts", {}))


def with_partition(table: pa.Table, batch_id: str) -> pa.Table:
    return table.append_column(PARTITION, pa.array([batch_id] * table.num_rows, pa.string()))
