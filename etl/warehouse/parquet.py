"""Parquet store: one hive-partitioned dataset per table, published through a manifest.

Layout: ``<root>/<table>/batch_id=<batch>/part-<load id>.parquet``, plus ``<root>/_manifest.json``,
which lists the one live file of every (table, batch). A load writes new files under new names
(nothing a reader trusts points at them yet), then a pending manifest, then the SQL store commits,
then the pending manifest replaces ``_manifest.json`` in one step (a rename in a folder, one
server-side copy in an object store, see ``etl.storage``): readers going through the
manifest (``open_dataset``, ``read_table``, ``news-etl sql``) see a load whole or not at all, and
never trust a data file the manifest does not list. Superseded files are deleted after the switch.

The root is a ``Location``: a local folder or an object-store prefix, the same layout in both.

At start-up, under the warehouse's write lock (``etl.warehouse.lock``), ``recover`` finishes what a crash interrupted: a pending
manifest whose load the SQL store committed is published, any other is discarded, and files that
no manifest lists (and stray temporaries) are swept.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from etl.storage import Location, location
from etl.warehouse.change import Applied, drop_key
from etl.warehouse.schema import BATCH_TABLES, BY_NAME, PARTITION, arrow_schema

logger = logging.getLogger(__name__)

MANIFEST = "_manifest.json"
_PENDING = "_pending-"
# legacy layout (before manifests): one fixed file per partition
LEGACY_PART = "part-0.parquet"

Root = Location | str | os.PathLike[str]


def partition_dir(table: str, batch: str) -> str:
    """Where one batch's rows of a table live, relative to the root: ``<table>/batch_id=<batch>``."""
    return f"{table}/{PARTITION}={batch}"


def _read_manifest(root: Location) -> dict[str, Any]:
    if root.is_file(MANIFEST):
        return dict(root.read_json(MANIFEST))
    return {"version": 0, "load_id": None, "tables": _legacy_tables(root)}


def _legacy_tables(root: Location) -> dict[str, dict[str, str]]:
    """A warehouse written before manifests: every partition's fixed file is live."""
    tables: dict[str, dict[str, str]] = {}
    for name in BATCH_TABLES:
        for rel in root.files(name):
            parts = rel.split("/")
            if len(parts) == 3 and parts[2] == LEGACY_PART and parts[1].startswith(f"{PARTITION}="):
                tables.setdefault(name, {})[parts[1].removeprefix(f"{PARTITION}=")] = rel
    return tables


def live_files(root: Root, name: str) -> dict[str, str]:
    """The committed file of each batch of a table: batch -> name relative to the root."""
    return dict(_read_manifest(location(root))["tables"].get(name, {}))


def open_dataset(root: Root, name: str) -> ds.Dataset:
    """A table's committed rows as a dataset, the partition column restored.

    Tables not split by batch (``runs``, ``entity_aliases``) are read from their folder, each file
    of which is written whole.
    """
    root = location(root)
    schema = arrow_schema(name)
    if not BY_NAME[name].per_batch:
        files = [root.key(rel) for rel in root.files(name) if rel.endswith(".parquet") and not _hidden(rel)]
        if not files:
            return ds.dataset(schema.empty_table())
        return ds.dataset(files, format="parquet", schema=schema, filesystem=root.fs)
    files = sorted(root.key(rel) for rel in live_files(root, name).values())
    partitioning = ds.partitioning(pa.schema([pa.field(PARTITION, pa.string())]), flavor="hive")
    return ds.dataset(files, format="parquet", partitioning=partitioning, partition_base_dir=root.key(name),
                      schema=schema, filesystem=root.fs)


def _hidden(rel: str) -> bool:
    return any(part.startswith((".", "_")) for part in rel.split("/"))


def read_table(root: Root, name: str, columns: list[str] | None = None) -> pa.Table:
    """A whole table (the partition column restored), or an empty table when none was written."""
    return open_dataset(root, name).to_table(columns=columns)


class ParquetStore:
    """The Parquet copy. The caller holds the warehouse's write lock while it is open."""

    def __init__(self, root: Root):
        self.root = location(root)
        self.manifest: dict[str, Any] = {}

    def __enter__(self) -> ParquetStore:
        self.root.makedirs()
        self.manifest = _read_manifest(self.root)
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    # ------------------------------------------------------------ recovery

    def pending_loads(self) -> list[str]:
        return sorted(
            rel.removeprefix(_PENDING).removesuffix(".json")
            for rel in self.root.files(recursive=False)
            if rel.startswith(_PENDING) and rel.endswith(".json")
        )

    def recover(self, committed: Callable[[list[str]], set[str]]) -> dict[str, int]:
        """Finish or discard interrupted loads, then sweep files no manifest lists."""
        pending = self.pending_loads()
        done = committed(pending) if pending else set()
        published = discarded = 0
        for load_id in pending:
            rel = f"{_PENDING}{load_id}.json"
            if load_id in done:
                self._publish(self.root.read_json(rel), rel)
                published += 1
            else:
                self.root.delete(rel)
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
            for rel in self.root.files(name):
                if rel not in live:
                    self.root.delete(rel)
                    removed += 1
        for rel in self.root.files(recursive=False):
            if rel.startswith(".") and rel.endswith(".tmp"):
                self.root.delete(rel)
                removed += 1
        return removed

    # ------------------------------------------------------------ a load

    def stage(self, applied: Applied) -> str:
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
                rel = f"{partition_dir(name, batch)}/part-{load_id}.parquet"
                self.root.write_parquet(data, rel)
                tables.setdefault(name, {})[batch] = rel
        manifest = {"version": int(self.manifest.get("version", 0)) + 1, "load_id": load_id, "tables": tables}
        pending = f"{_PENDING}{load_id}.json"
        self.root.write_json(manifest, pending)
        return pending

    def _updated(self, name: str, current: str | None, removed: set[str], inserted: pa.Table | None) -> pa.Table | None:
        """A partition's rows after the load, or None when the load leaves it as it is."""
        if not removed and (inserted is None or inserted.num_rows == 0) and current is not None:
            return None
        schema = arrow_schema(name, with_partition=False)
        parts: list[pa.Table] = []
        if current is not None:
            old = self.root.read_parquet(current, schema=schema)
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
        rel = f"{_PENDING}{load_id}.json"
        self._publish(self.root.read_json(rel), rel)

    def _publish(self, manifest: dict[str, Any], pending: str) -> None:
        old = {rel for files in self.manifest["tables"].values() for rel in files.values()}
        self.root.replace(pending, MANIFEST)
        self.manifest = manifest
        live = {rel for files in manifest["tables"].values() for rel in files.values()}
        for rel in sorted(old - live):
            self.root.delete(rel)

    def discard(self, load_id: str) -> None:
        """Forget a staged load whose SQL transaction rolled back."""
        self.root.delete(f"{_PENDING}{load_id}.json")
        self.sweep()

    def record_run(self, row: dict[str, object]) -> None:
        schema = arrow_schema("runs")
        table = pa.Table.from_pylist([row], schema=schema)
        self.root.write_parquet(table, f"runs/{row['run_id']}.parquet")


def row_counts(root: Root, batches: Iterable[str], tables: Iterable[str]) -> dict[str, dict[str, int]]:
    """Rows per batch and table in the committed Parquet copy: 0 where the manifest lists no file,
    -1 where it lists a file that is missing (a damaged copy)."""
    root = location(root)
    tables = list(tables)
    listed = _read_manifest(root)["tables"]  # one read, not one per table
    files = {name: dict(listed.get(name, {})) for name in tables}

    def rows(name: str, batch: str) -> int:
        rel = files[name].get(batch)
        if rel is None:
            return 0
        return root.num_rows(rel) if root.is_file(rel) else -1

    return {batch: {name: rows(name, batch) for name in tables} for batch in batches}
