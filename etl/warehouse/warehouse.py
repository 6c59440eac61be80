"""The warehouse a run writes to: the SQL store (system of record) and its Parquet copy, as one.

Opening it takes the warehouse's write lock first, then migrates the SQL schema and recovers the
Parquet copy from any interrupted load, so two runs started at the same moment never race on a
migration: the second is refused in one line. A load commits in SQL and is then published to
Parquet; a crash at any point leaves the stores agreeing once the next run has opened them.
"""

from __future__ import annotations

import logging
import socket
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from etl.errors import ConfigError, WarehouseUnavailable
from etl.ledger import Known
from etl.processes import process_alive
from etl.settings import Settings
from etl.warehouse.change import Applied, Change
from etl.warehouse.lock import write_lock
from etl.warehouse.registry import replica, system_of_record
from etl.warehouse.store import Replica, SystemOfRecord

logger = logging.getLogger(__name__)
T = TypeVar("T")


def new_load_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"


class Warehouse:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.sql: SystemOfRecord = system_of_record(settings.db_url)
        self.parquet: Replica = replica(settings.parquet_root)
        self.lock = write_lock(self.parquet.root, settings.db_url)

    def __enter__(self) -> Warehouse:
        self.lock.__enter__()
        try:
            self.parquet.__enter__()
            self.sql.migrate()
            self.parquet.recover(self.sql.committed_loads)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.parquet.__exit__()
        self.lock.__exit__(None, None, None)  # a lock not held (or already released) is left as it is
        self.sql.__exit__()

    # ------------------------------------------------------------ the ledger

    def known_files(self, uris: Iterable[str]) -> dict[str, Known]:
        uris = list(uris)
        return self._retrying(lambda: self.sql.known_files(uris))

    def files_under(self, roots: Iterable[str]) -> set[str]:
        roots = list(roots)
        return self._retrying(lambda: self.sql.files_under(roots))

    def stored_articles(self, article_ids: Iterable[str]) -> set[str]:
        ids = list(article_ids)
        return self._retrying(lambda: self.sql.stored_articles(ids))

    def near_candidates(self, band_keys: list[str]) -> list[tuple[str, bytes, str | None]]:
        return self._retrying(lambda: self.sql.near_candidates(band_keys))

    def _retrying(self, query: Callable[[], T]) -> T:
        """``query()``, retried with exponential backoff while the database connection is lost."""
        delay, waited = 1.0, 0.0
        while True:
            try:
                return query()
            except (OperationalError, InterfaceError, DBAPIError) as exc:
                if not _connection_lost(exc):
                    raise
                if waited >= self.settings.retry_seconds:
                    raise WarehouseUnavailable(
                        f"lost the database connection and could not get it back in {waited:.0f} s: {_first_line(exc)}"
                    ) from exc
                logger.warning("database connection lost (%s); retrying in %.0f s", _first_line(exc), delay)
                time.sleep(delay)
                waited += delay
                delay = min(delay * 2, 30.0)

    # ------------------------------------------------------------ loads

    def load(self, change: Change) -> Applied:
        """Commit ``change`` in SQL (the Parquet files staged just before), then publish it to Parquet.

        A lost database connection is retried like any query (``_retrying``): a load is idempotent,
        so each attempt, under a new load id, replaces the same files' rows again. Past the retry
        time it fails with ``WarehouseUnavailable`` and nothing committed before is lost.
        """
        attempt = [change]

        def once() -> Applied:
            current = attempt[0]
            try:
                applied = self.sql.load(current, stage=self.parquet.stage)
            except BaseException:
                self.parquet.discard(current.load_id)
                attempt[0] = Change(new_load_id(), current.run_id, current.package, current.replaced_files)
                raise
            self.parquet.publish(current.load_id)
            return applied

        return self._retrying(once)

    # ------------------------------------------------------------ batches

    def batches(self) -> dict[str, dict[str, object]]:
        """Every loaded batch with its counts (its ``batches`` row), by batch id."""
        return self._retrying(self.sql.batch_rows)

    def drop_batch(self, batch_id: str, run_id: str) -> Applied:
        """Forget the files of a batch: their ledger rows, rejects and articles go (an article stays
        while a file of another batch still holds it), in both stores. A later run reads them anew."""
        files = self._retrying(lambda: self.sql.files_in_batch(batch_id))
        if not files:
            raise ConfigError(f"no batch {batch_id!r} in this warehouse (see `news-etl batches`)")
        return self.load(Change(new_load_id(), run_id, None, files))

    # ------------------------------------------------------------ runs

    def record_run(self, row: dict[str, object]) -> None:
        self._retrying(lambda: self.sql.record_run(row))
        self.parquet.record_run(row)

    def mark_abandoned(self) -> list[str]:
        """Runs left `running` by a process of this host that is gone are marked `abandoned`."""
        host = socket.gethostname()
        marked: list[str] = []
        for row in self.sql.running_runs():
            if row.get("host") != host or row.get("pid") is None or process_alive(int(row["pid"])):
                continue
            row.update(status="abandoned", error="the run's process ended before it finished (killed?)")
            self.record_run(row)
            marked.append(str(row["run_id"]))
        if marked:
            logger.warning("marked %d killed run(s) abandoned: %s", len(marked), marked)
        return marked


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0][:200] if text else type(orig).__name__


def _connection_lost(exc: DBAPIError) -> bool:
    """True for errors a retry can fix: the server went away, refused us, or is starting up."""
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        text = str(exc.orig or exc).lower()
        return any(s in text for s in (
            "connection", "server closed", "terminating", "shutting down", "starting up", "database is locked",
            "could not receive", "could not send", "the database system is",
        ))
    return False

