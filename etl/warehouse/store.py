"""The store interface: what a warehouse needs from its stores, and which store serves which URL.

A warehouse is two stores behind ``etl.warehouse.warehouse.Warehouse``:

* a **system of record**, chosen by the database URL (``sqlite:///...``, ``postgresql+psycopg://...``).
  It decides what a load changes and commits it in one transaction, holds the input ledger, and
  answers the questions a run asks before it reads anything (known files, stored articles,
  near-duplicate candidates). Both dialects are served by ``SqlStore``, which declares what each can
  do (``Capabilities``): PostgreSQL loads with COPY and can be shared by several machines.
* a **replica**, at the warehouse URL (a folder, ``s3://``, ``gs://``, ``file://``; the filesystem is
  chosen in ``etl.storage``). It applies exactly the change the system of record decided, staged
  before the commit and published whole after it (``ParquetStore``).

The operations a caller has: load a package (``Warehouse.load`` of a ``Change``), drop a batch
(``Warehouse.drop_batch``: a change that forgets the batch's files), list batches
(``Warehouse.batches``) and record a run (``Warehouse.record_run``). Which backend serves which URL
is ``etl.warehouse.registry``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from etl.ledger import Known
from etl.storage import Location
from etl.warehouse.change import Applied, Change


@dataclass(frozen=True)
class Capabilities:
    """What a system of record can do, declared by its backend."""

    # several machines may load into it at once (loads serialise on a server-side lock)
    shared: bool
    # rows arrive through a bulk path (COPY), not statement by statement
    bulk_load: bool


class SystemOfRecord(Protocol):
    """Decides and commits what a load changes; holds the ledger."""

    url: str
    capabilities: Capabilities

    def __enter__(self) -> SystemOfRecord: ...
    def __exit__(self, *exc: object) -> None: ...
    def migrate(self) -> None: ...
    def load(self, change: Change, stage: Callable[[Applied], object] | None = None) -> Applied: ...
    def committed_loads(self, load_ids: Iterable[str]) -> set[str]: ...
    def batch_rows(self) -> dict[str, dict[str, Any]]: ...
    def files_in_batch(self, batch_id: str) -> set[str]: ...
    def known_files(self, uris: Iterable[str]) -> dict[str, Known]: ...
    def files_under(self, roots: Iterable[str]) -> set[str]: ...
    def stored_articles(self, article_ids: Iterable[str]) -> set[str]: ...
    def near_candidates(self, band_keys: list[str]) -> list[tuple[str, bytes, str | None]]: ...
    def record_run(self, row: dict[str, object]) -> None: ...
    def running_runs(self) -> list[dict[str, Any]]: ...


class Replica(Protocol):
    """A copy that applies the system of record's changes and publishes each one whole."""

    root: Location

    def __enter__(self) -> Replica: ...
    def __exit__(self, *exc: object) -> None: ...
    def recover(self, committed: Callable[[list[str]], set[str]]) -> dict[str, int]: ...
    def stage(self, applied: Applied) -> str: ...
    def publish(self, load_id: str) -> None: ...
    def discard(self, load_id: str) -> None: ...
    def record_run(self, row: dict[str, object]) -> None: ...
