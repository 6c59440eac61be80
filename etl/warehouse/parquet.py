"""Parquet store: one hive-partitioned dataset per table, ``<root>/<table>/batch_id=<id>/``.

A batch's partition is replaced whole: each file is written under a hidden name and renamed into
place, so readers never see a half-written file, and a re-run overwrites rather than appends.
Articles and entities already stored by another batch are skipped, so no key is stored twice.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from etl.warehouse.atomic import write_parquet
from etl.warehouse.package import Package, stored_counts, without
from etl.warehouse.schema import BATCH_TABLES, PARTITION, arrow_schema

logger = logging.getLogger(__name__)

PART_FILE = "part-0.parquet"


def partition_dir(root: Path, table: str, batch: str) -> Path:
    """Where one batch's rows of a table live: ``<root>/<table>/batch_id=<batch>/``."""
    return Path(root) / table / f"{PARTITION}={batch}"


def open_dataset(root: Path, name: str) -> ds.Dataset:
    """A table's dataset with the partition column restored (``runs`` is not partitioned)."""
    path = Path(root) / name
    schema = arrow_schema(name)
    if name == "runs":
        return ds.dataset(path, format="parquet", schema=schema)
    partitioning = ds.partitioning(pa.schema([pa.field(PARTITION, pa.string())]), flavor="hive")
    return ds.dataset(path, format="parquet", partitioning=partitioning, schema=schema)


def read_table(root: Path, name: str, columns: list[str] | None = None) -> pa.Table:
    """A whole dataset (the partition column restored), or an empty table when none was written."""
    if not (Path(root) / name).exists():
        empty = arrow_schema(name).empty_table()
        return empty.select(columns) if columns else empty
    return open_dataset(root, name).to_table(columns=columns)


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

    def _partition(self, table: str, batch: str) -> Path:
        return partition_dir(self.root, table, batch)

    def _retained_entities(self, batch: str) -> pa.Table:
        """Entities ``batch`` stored that other batches' mentions still refer to: they must stay."""
        path = self._partition("entities", batch) / PART_FILE
        if not path.exists():
            return arrow_schema("entities", with_partition=False).empty_table()
        old = pq.read_table(path, schema=arrow_schema("entities", with_partition=False))
        if old.num_rows == 0 or not (self.root / "mentions").exists():
            return old.slice(0, 0)
        referenced = open_dataset(self.root, "mentions").to_table(
            columns=["entity_id"],
            filter=(ds.field(PARTITION) != batch) & ds.field("entity_id").isin(old["entity_id"]),
        )["entity_id"]
        return old.filter(pc.is_in(old["entity_id"], value_set=pc.unique(referenced)))

    def _reindex(self, batch: str, tables: dict[str, pa.Table]) -> None:
        for table, key in (("articles", "article_id"), ("entities", "entity_id")):
            index = self._key_index(table, key)
            for k in [k for k, b in index.items() if b == batch]:
                del index[k]
            index.update(dict.fromkeys(tables[table][key].to_pylist(), batch))

    def load(self, package: Package) -> dict[str, int]:
        """Replace the package's batch: write every table's partition, the ``batches`` marker last."""
        batch = package.batch_id
        retained = self._retained_entities(batch)
        skip_articles = self._existing("articles", "article_id", package.tables["articles"]["article_id"].to_pylist(), batch)
        skip_entities = self._existing("entities", "entity_id", package.tables["entities"]["entity_id"].to_pylist(), batch)
        kept = without(package, skip_articles, skip_entities | set(retained["entity_id"].to_pylist()))
        kept.tables["entities"] = pa.concat_tables([kept.tables["entities"], retained])
        counts = stored_counts(kept)
        for name, table in kept.tables.items():
            write_parquet(table, self._partition(name, batch) / PART_FILE)
        marker = {
            "run_id": [package.run_id],
            "loaded_at": [datetime.now(UTC)],
            **{k: [counts[k]] for k in ("articles", "sentences", "mentions", "entities", "quotes", "rejects")},
        }
        schema = arrow_schema("batches", with_partition=False)
        write_parquet(pa.Table.from_pydict(marker, schema=schema), self._partition("batches", batch) / PART_FILE)
        self._reindex(batch, kept.tables)
        counts["skipped_existing"] = len(skip_articles)
        return counts

    def drop(self, batch: str) -> None:
        """Remove a batch (marker first); entities other batches still mention stay in its partition."""
        retained = self._retained_entities(batch)
        for name in reversed(BATCH_TABLES):
            if name == "entities" and retained.num_rows:
                write_parquet(retained, self._partition(name, batch) / PART_FILE)
            else:
                shutil.rmtree(self._partition(name, batch), ignore_errors=True)
        tables = {"articles": arrow_schema("articles", with_partition=False).empty_table(), "entities": retained}
        self._reindex(batch, tables)

    def batch_ids(self) -> set[str]:
        """Every batch with a partition in any table (entities a dropped batch keeps do not count)."""
        return {
            p.name.removeprefix(f"{PARTITION}=")
            for name in BATCH_TABLES
            if name != "entities" and (self.root / name).is_dir()
            for p in (self.root / name).iterdir()
            if p.name.startswith(f"{PARTITION}=")
        }

    def record_run(self, row: dict[str, object]) -> None:
        schema = arrow_schema("runs")
        table = pa.Table.from_pylist([row], schema=schema)
        write_parquet(table, self.root / "runs" / f"{row['run_id']}.parquet")
