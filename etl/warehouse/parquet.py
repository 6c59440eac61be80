"""Parquet store: one hive-partitioned dataset per table, published through a manifest.

Layout: ``<root>/<table>/batch_id=<batch>/part-<load id>.parquet``, plus ``<root>/_manifest.json``,
which lists the one live file of every (table, batch). A load writes new files under new names
(nothing a reader trusts points at them yet), then a pending manifest, then the SQL store commits,
then the pending manifest replaces ``_manifest.json`` in one atomic rename: readers going through
the manifest (``open_dataset``, ``read_table``, ``news-etl sql``) see a load whole or not at all.
Superseded files are deleted after the switch.

At start-up, under the warehouse lock, ``recover`` finishes what a crash interrupted: a pending
manifest whose load the SQL store committed is published, any other is discarded, and files that
no manifest lists (and stray temporaries) are swept.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from etl.errors import WarehouseBusy
from etl.warehouse.atomic import write_json, write_parquet
from etl.warehouse.change import Applied, drop_key
from etl.warehouse.schema import BATCH_TABLES, BY_NAME, PARTITION, arrow_schema

logger = logging.getLogger(__name__)

MANIFEST = "_manifest.json"
_PENDING = "_pending-"
# legacy layout (before manifests): one fixed file per partition
LEGACY_PART = "part-0.parquet"


def partition_dir(root: Path, table: str, batch: str) -> Path:
    """Where one batch's rows of a table live: ``<root>/<table>/batch_id=<batch>/``."""
    return Path(root) / table / f"{PARTITION}={batch}"


def _read_manifest(root: Path) -> dict[str, Any]:
    path = Path(root) / MANIFEST
    if path.exists():
        return json.loads(path.read_text())
    return {"version": 0, "load_id": None, "tables": _legacy_tables(root)}


def _legacy_tables(root: Path) -> dict[str, dict[str, str]]:
    """A warehouse written before manifests: every partition's fixed file is live."""
    tables: dict[str, dict[str, str]] = {}
    for name in BATCH_TABLES:
        folder = Path(root) / name
        if not folder.is_dir():
            continue
        for part in sorted(folder.glob(f"{PARTITION}=*/{LEGACY_PART}")):
            batch = part.parent.name.removeprefix(f"{PARTITION}=")
            tables.setdefault(name, {})[batch] = part.relative_to(root).as_posix()
    return tables


def live_files(root: Path, name: str) -> dict[str, Path]:
    """The committed file of each batch of a table: batch -> path."""
    files = _read_manifest(root)["tables"].get(name, {})
    return {batch: Path(root) / rel for batch, rel in files.items()}


def open_dataset(root: Path, name: str) -> ds.Dataset:
    """A table's committed rows as a dataset, the partition column restored.

    Tables not split by batch (``runs``, ``entity_aliases``) are read from their folder, each file
    of which is written whole.
    """
    schema = arrow_schema(name)
    if not BY_NAME[name].per_batch:
        folder = Path(root) / name
        if not folder.is_dir():
            return ds.dataset(schema.empty_table())
        return ds.dataset(folder, format="parquet", schema=schema)
    files = sorted(str(p) for p in live_files(root, name).values())
    partitioning = ds.partitioning(pa.schema([pa.field(PARTITION, pa.string())]), flavor="hive")
    return ds.dataset(files, format="parquet", partitioning=partitioning, partition_base_dir=str(Path(root) / name), schema=schema)


def read_table(root: Path, name: str, columns: list[str] | None = None) -> pa.Table:
    """A whole table (the partition column restored), or an empty table when none was written."""
    return open_dataset(root, name).to_table(columns=columns)


class ParquetStore:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._lock_fh: Any = None
        self.manifest: dict[str, Any] = {}

    def __enter__(self) -> ParquetStore:
        self.root.mkdir(parents=True, exist_ok=True)
        fh = open(self.root / ".lock", "w")  # noqa: SIM115 - held for the store's lifetime
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise WarehouseBusy(f"another run is writing to {self.root.parent}; wait for it to finish") from None
        self._lock_fh = fh
        self.manifest = _read_manifest(self.root)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock_fh is not None:
            self._lock_fh.close()
            self._lock_fh = None

    # ------------------------------------------------------------ recovery

    def pending_loads(self) -> list[str]:
        return sorted(p.name.removeprefix(_PENDING).removesuffix(".json") for p in self.root.glob(f"{_PENDING}*.json"))

    def recover(self, committed: Callable[[list[str]], set[str]]) -> dict[str, int]:
        """Finish or discard interrupted loads, then sweep files no manifest lists."""
        pending = self.pending_loads()
        done = committed(pending) if pending else set()
        published = discarded = 0
        for load_id in pending:
            path = self.root / f"{_PENDING}{load_id}.json"
            if load_id in done:
                self._publish(json.loads(path.read_text()), path)
                published += 1
            else:
                path.unlink(missing_ok=True)
                discarded += 1
        swept = self.sweep()
        if published or discarded or swept:
            logger.warning("recovered the Parquet copy: %d load(s) published, %d discarded, %d stray file(s) removed", published, discarded, swept)
        return {"published": published, "discarded": discarded, "swept": swept}

    def sweep(self) -> int:
        """Delete data files the manifest does not list, and temporaries a killed writer left."""
        live = {rel for files in self.manifest["tables"].values() for rel in files.values()}
        removed = 0
        for name in BATCH_TABLES:
            folder = self.root / name
            if not folder.is_dir():
                continue
            for path in folder.rglob("*"):
                if path.is_file() and path.relative_to(self.root).as_posix() not in live:
                    path.unlink(missing_ok=True)
                    removed += 1
            for sub in sorted(folder.iterdir()) if folder.exists() else []:
                if sub.is_dir() and not any(sub.iterdir()):
                    sub.rmdir()
        for tmp in self.root.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
            removed += 1
        return removed

    # ------------------------------------------------------------ a load

    def stage(self, applied: Applied) -> Path:
        """Write the load's new files and its pending manifest; nothing is visible yet."""
        tables = {name: dict(files) for name, files in self.manifest["tables"].items()}
        load_id = applied.load_id
        for batch in applied.batches:
            row = applied.batch_rows[batch]
            if row is None:  # the load left the batch empty
                for files in tables.values():
                    files.pop(batch, None)
                continue
            for name in BATCH_TABLES:
                current = tables.get(name, {}).get(batch)
                if name == "batches":
                    data = pa.Table.from_pylist([row], schema=arrow_schema(name, with_partition=False)) if row else None
                else:
                    data = self._updated(name, current, applied.removed.get(batch, {}).get(name, set()),
                                         applied.inserted.get(name) if batch == applied.batch_id else None)
                if data is None:
                    continue  # unchanged
                if data.num_rows == 0:
                    tables.get(name, {}).pop(batch, None)
                    continue
                rel = (partition_dir(Path(""), name, batch) / f"part-{load_id}.parquet").as_posix()
                write_parquet(data, self.root / rel)
                tables.setdefault(name, {})[batch] = rel
        manifest = {"version": int(self.manifest.get("version", 0)) + 1, "load_id": load_id, "tables": tables}
        pending = self.root / f"{_PENDING}{load_id}.json"
        write_json(manifest, pending)
        return pending

    def _updated(self, name: str, current: str | None, removed: set[str], inserted: pa.Table | None) -> pa.Table | None:
        """A partition's rows after the load, or None when the load leaves it as it is."""
        if not removed and (inserted is None or inserted.num_rows == 0) and current is not None:
            return None
        schema = arrow_schema(name, with_partition=False)
        parts: list[pa.Table] = []
        if current is not None:
            old = pq.read_table(self.root / current, schema=schema)
            if removed:
                key = drop_key(name)
                old = old.filter(pc.invert(pc.is_in(old[key], value_set=pa.array(sorted(removed), pa.string()))))
            parts.append(old)
        if inserted is not None:
            parts.append(inserted.cast(schema))
        if not parts:
            return schema.empty_table()
        return pa.concat_tables(parts)

    def publish(self, load_id: str) -> None:
        path = self.root / f"{_PENDING}{load_id}.json"
        self._publish(json.loads(path.read_text()), path)

    def _publish(self, manifest: dict[str, Any], pending: Path) -> None:
        old = {rel for files in self.manifest["tables"].values() for rel in files.values()}
        os.replace(pending, self.root / MANIFEST)
        self.manifest = manifest
        live = {rel for files in manifest["tables"].values() for rel in files.values()}
        for rel in sorted(old - live):
            (self.root / rel).unlink(missing_ok=True)
            parent = (self.root / rel).parent
            if parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()

    def discard(self, load_id: str) -> None:
        """Forget a staged load whose SQL transaction rolled back."""
        (self.root / f"{_PENDING}{load_id}.json").unlink(missing_ok=True)
        self.sweep()

    def record_run(self, row: dict[str, object]) -> None:
        schema = arrow_schema("runs")
        table = pa.Table.from_pylist([row], schema=schema)
        write_parquet(table, self.root / "runs" / f"{row['run_id']}.parquet")


def row_counts(root: Path, batches: Iterable[str], tables: Iterable[str]) -> dict[str, dict[str, int]]:
    """Rows per batch and table in the committed Parquet copy: 0 where the manifest lists no file,
    -1 where it lists a file that is missing (a damaged copy)."""
    tables = list(tables)
    files = {name: live_files(root, name) for name in tables}

    def rows(name: str, batch: str) -> int:
        path = files[name].get(batch)
        if path is None:
            return 0
        return pq.ParquetFile(path).metadata.num_rows if path.exists() else -1

    return {batch: {name: rows(name, batch) for name in tables} for batch in batches}
