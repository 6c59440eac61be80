"""Parquet store: one hive-partitioned dataset per table, ``<root>/<table>/batch_id=<id>/``.

A batch's partition is replaced whole: each file is written under a hidden name and renamed into
place, so readers never see a half-written file, and a re-run overwrites rather than appends.
Articles and entities already stored by another batch are skipped, so no key is stored twice.
"""

from __future__ import annotations

import fcntl
import logging
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from etl.warehouse.package import Package, stored_counts, without
from etl.warehouse.schema import PARTITION, arrow_schema

logger = logging.getLogger(__name__)

PART_FILE = "part-0.parquet"


def _atomic_write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex}.tmp"
    try:
        pq.write_table(table, tmp, compression="zstd")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_table(root: Path, name: str, columns: list[str] | None = None) -> pa.Table:
    """A whole dataset (the partition column restored), or an empty table when none was written."""
    path = root / name
    schema = arrow_schema(name)
    if not path.exists():
        empty = schema.empty_table()
        return empty.select(columns) if columns else empty
    if name == "runs":
        dataset = ds.dataset(path, format="parquet", schema=schema)
    else:
        partitioning = ds.partitioning(pa.schema([pa.field(PARTITION, pa.string())]), flavor="hive")
        dataset = ds.dataset(path, format="parquet", partitioning=partitioning, schema=schema)
    return dataset.to_table(columns=columns)


class ParquetStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._index: dict[str, dict[str, str]] = {}
        self._lock_fh: object | None = None

    def __enter__(self) -> ParquetStore:
        self.root.mkdir(parents=True, exist_ok=True)
        fh = open(self.root / ".lock", "w")  # noqa: SIM115 - held for the store's lifetime
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise RuntimeError(f"another run is writing to {self.root}; wait for it to finish") from None
        self._lock_fh = fh
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock_fh is not None:
            self._lock_fh.close()  # type: ignore[attr-defined]
            self._lock_fh = None

    def _key_index(self, table: str, key: str) -> dict[str, str]:
        if table not in self._index:
            data = read_table(self.root, table, [key, PARTITION])
            self._index[table] = dict(zip(data[key].to_pylist(), data[PARTITION].to_pylist(), strict=True))
        return self._index[table]

    def _existing(self, table: str, key: str, ids: list[str], batch_id: str) -> set[str]:
        index = self._key_index(table, key)
        return {i for i in ids if index.get(i, batch_id) != batch_id}

    def load(self, package: Package) -> dict[str, int]:
        batch = package.batch_id
        skip_articles = self._existing("articles", "article_id", package.tables["articles"]["article_id"].to_pylist(), batch)
        skip_entities = self._existing("entities", "entity_id", package.tables["entities"]["entity_id"].to_pylist(), batch)
        kept = without(package, skip_articles, skip_entities)
        counts = stored_counts(kept)
        for name, table in kept.tables.items():
            _atomic_write(table, self.root / name / f"{PARTITION}={batch}" / PART_FILE)
        marker = {
            "run_id": [package.run_id],
            "loaded_at": [datetime.now(UTC)],
            **{k: [counts[k]] for k in ("articles", "sentences", "mentions", "entities", "quotes", "rejects")},
        }
        schema = arrow_schema("batches", with_partition=False)
        _atomic_write(pa.Table.from_pydict(marker, schema=schema), self.root / "batches" / f"{PARTITION}={batch}" / PART_FILE)
        for table, key in (("articles", "article_id"), ("entities", "entity_id")):
            index = self._key_index(table, key)
            for k in [k for k, b in index.items() if b == batch]:
                del index[k]
            index.update(dict.fromkeys(kept.tables[table][key].to_pylist(), batch))
        counts["skipped_existing"] = len(skip_articles)
        return counts

    def record_run(self, row: dict[str, object]) -> None:
        schema = arrow_schema("runs")
        table = pa.Table.from_pylist([row], schema=schema)
        _atomic_write(table, self.root / "runs" / f"{row['run_id']}.parquet")
