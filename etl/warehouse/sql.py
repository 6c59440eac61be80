"""SQL store through SQLAlchemy: embedded SQLite by default, PostgreSQL in production.

A batch loads in one transaction: its previous rows are deleted, articles and entities already
stored by other batches are skipped, the rest inserted, the ``batches`` row written last. On
PostgreSQL rows go in with COPY (psycopg 3), an order of magnitude faster than executemany.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError

from etl.errors import WarehouseUnavailable
from etl.settings import redact_url
from etl.warehouse import migrate
from etl.warehouse.package import PACKAGE_TABLES, Package, stored_counts, with_partition, without
from etl.warehouse.schema import BATCH_TABLES, PARTITION, SQL_TABLES

logger = logging.getLogger(__name__)

_IN_CHUNK = 500


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return sa.create_engine(url, pool_pre_ping=True)


def _chunks(items: list[str], size: int = _IN_CHUNK) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _rows(table: pa.Table) -> Iterator[tuple]:
    return zip(*(col.to_pylist() for col in table.columns), strict=True)


def insert_arrow(conn: Connection, name: str, table: pa.Table) -> None:
    if table.num_rows == 0:
        return
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        assert raw is not None
        columns = ", ".join(f'"{c}"' for c in table.column_names)
        with raw.cursor() as cur, cur.copy(f'COPY "{name}" ({columns}) FROM STDIN') as copy:
            for row in _rows(table):
                copy.write_row(row)
    else:
        conn.execute(SQL_TABLES[name].insert(), table.to_pylist())


class SqlStore:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.engine.dispose()

    def check(self) -> None:
        """Fail fast, and clearly, when the database cannot be reached."""
        try:
            with self.engine.connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        except OperationalError as exc:
            raise WarehouseUnavailable(f"cannot reach the database at {redact_url(self.url)}: {exc.orig}") from exc

    def migrate(self) -> None:
        self.check()
        migrate.upgrade(self.engine)

    def _existing(self, conn: Connection, name: str, key: str, ids: list[str], other_than: str | None) -> set[str]:
        """Keys among ``ids`` already stored (by a batch other than ``other_than``, when given)."""
        table = SQL_TABLES[name]
        found: set[str] = set()
        for chunk in _chunks(ids):
            query = sa.select(table.c[key]).where(table.c[key].in_(chunk))
            if other_than is not None:
                query = query.where(table.c[PARTITION] != other_than)
            found.update(conn.execute(query).scalars())
        return found

    def drop(self, batch: str) -> None:
        """Remove a batch in one transaction; entities other batches still mention stay."""
        with self.engine.begin() as conn:
            self._clear(conn, batch)

    def batch_ids(self) -> set[str]:
        """Every batch with rows in any table (entities a dropped batch keeps do not count)."""
        found: set[str] = set()
        with self.engine.connect() as conn:
            for name in BATCH_TABLES:
                if name == "entities":
                    continue
                found.update(conn.execute(sa.select(SQL_TABLES[name].c[PARTITION]).distinct()).scalars())
        return found

    @staticmethod
    def _clear(conn: Connection, batch: str) -> int:
        """Delete a batch's rows (marker first); its entities other batches still mention stay.

        Returns how many entity rows the batch keeps.
        """
        for name in reversed(BATCH_TABLES):
            if name != "entities":
                table = SQL_TABLES[name]
                conn.execute(sa.delete(table).where(table.c[PARTITION] == batch))
        entities, mentions = SQL_TABLES["entities"], SQL_TABLES["mentions"]
        referenced = sa.exists().where(mentions.c.entity_id == entities.c.entity_id)
        conn.execute(sa.delete(entities).where(entities.c[PARTITION] == batch, ~referenced))
        kept = sa.select(sa.func.count()).select_from(entities).where(entities.c[PARTITION] == batch)
        return int(conn.execute(kept).scalar_one())

    def load(self, package: Package) -> dict[str, int]:
        """Replace the package's batch in one transaction; the ``batches`` row is written last."""
        batch = package.batch_id
        with self.engine.begin() as conn:
            retained = self._clear(conn, batch)
            skip_articles = self._existing(conn, "articles", "article_id", package.tables["articles"]["article_id"].to_pylist(), batch)
            # after the clear, any entity row left (this batch's retained ones included) is kept as it is
            skip_entities = self._existing(conn, "entities", "entity_id", package.tables["entities"]["entity_id"].to_pylist(), None)
            kept = without(package, skip_articles, skip_entities)
            for name in PACKAGE_TABLES:
                insert_arrow(conn, name, with_partition(kept.tables[name], batch))
            counts = stored_counts(kept)
            counts["entities"] += retained
            conn.execute(
                SQL_TABLES["batches"].insert(),
                {
                    "batch_id": batch,
                    "run_id": package.run_id,
                    "loaded_at": datetime.now(UTC),
                    **{k: counts[k] for k in ("articles", "sentences", "mentions", "entities", "quotes", "rejects")},
                },
            )
        counts["skipped_existing"] = len(skip_articles)
        return counts

    def record_run(self, row: dict[str, object]) -> None:
        runs = SQL_TABLES["runs"]
        with self.engine.begin() as conn:
            conn.execute(sa.delete(runs).where(runs.c.run_id == row["run_id"]))
            conn.execute(runs.insert(), row)

    def count(self, name: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(SQL_TABLES[name])).scalar_one())
