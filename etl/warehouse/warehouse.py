"""The warehouse a run writes to: the SQL store (system of record) and its Parquet copy, as one.

Opening it takes the warehouse's write lock first, then migrates the SQL schema and recovers the
Parquet copy from any interrupted load, so two runs started at the same moment never race on a
migration: the second is refused in one line. A load commits in SQL and is then published to
Parquet; a crash at any point leaves the stores agreeing once the next run has opened them.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from etl.ledger import Known
from etl.settings import Settings
from etl.warehouse.change import Applied, Change
from etl.warehouse.parquet import ParquetStore
from etl.warehouse.sql import SqlStore

logger = logging.getLogger(__name__)


def new_load_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Warehouse:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.sql = SqlStore(settings.db_url)
        self.parquet = ParquetStore(settings.parquet_root)

    def __enter__(self) -> Warehouse:
        self.parquet.__enter__()
        try:
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
        self.sql.__exit__()

    # ------------------------------------------------------------ the ledger

    def known_files(self, uris: Iterable[str]) -> dict[str, Known]:
        return self.sql.known_files(uris)

    def files_under(self, roots: Iterable[str]) -> set[str]:
        return self.sql.files_under(roots)

    def stored_articles(self, article_ids: Iterable[str]) -> set[str]:
        return self.sql.stored_articles(article_ids)

    def near_candidates(self, band_keys: list[str]) -> list[tuple[str, bytes, str | None]]:
        return self.sql.near_candidates(band_keys)

    # ------------------------------------------------------------ loads

    def load(self, change: Change) -> Applied:
        """Commit ``change`` in SQL (the Parquet files staged just before), then publish it to Parquet."""
        try:
            applied = self.sql.load(change, stage=self.parquet.stage)
        except BaseException:
            self.parquet.discard(change.load_id)
            raise
        self.parquet.publish(change.load_id)
        return applied

    # ------------------------------------------------------------ runs

    def record_run(self, row: dict[str, object]) -> None:
        self.sql.record_run(row)
        self.parquet.record_run(row)

    def mark_abandoned(self) -> list[str]:
        """Runs left `running` by a process of this host that is gone are marked `abandoned`."""
        host = socket.gethostname()
        marked: list[str] = []
        for row in self.sql.running_runs():
            if row.get("host") != host or row.get("pid") is None or _alive(int(row["pid"])):
                continue
            row.update(status="abandoned", error="the run's process ended before it finished (killed?)")
            self.record_run(row)
            marked.append(str(row["run_id"]))
        if marked:
            logger.warning("marked %d killed run(s) abandoned: %s", len(marked), marked)
        return marked


def run_identity() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid()}

