"""The warehouse's write lock: one writer at a time opens (migrates, recovers, loads) a warehouse.

A folder warehouse is locked with ``flock`` on ``<warehouse>/parquet/.lock``, which the kernel
releases when the process dies. An object store has no locks, so a warehouse there is locked in its
database: a PostgreSQL session advisory lock keyed by the warehouse's URL, held on a connection of
its own and released by the server when that connection ends (a killed worker included). Object
store warehouses need PostgreSQL for this reason (SQLite cannot be shared between machines anyway).
"""

from __future__ import annotations

import fcntl
from contextlib import AbstractContextManager
from typing import Any

import sqlalchemy as sa

from etl import ids
from etl.errors import ConfigError, WarehouseBusy
from etl.storage import Location

LOCK_FILE = ".lock"


class FileLock:
    """``flock`` on a file in a local folder."""

    def __init__(self, folder: Location):
        self.folder = folder
        self._fh: Any = None

    def __enter__(self) -> FileLock:
        self.folder.makedirs()
        fh = open(self.folder.path / LOCK_FILE, "w")  # noqa: SIM115 - held while the lock is
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            raise WarehouseBusy(f"another run is writing to {self.folder.path.parent}; wait for it to finish") from None
        self._fh = fh
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


class DatabaseLock:
    """A PostgreSQL session advisory lock named after the warehouse, on its own connection."""

    def __init__(self, db_url: str, name: str):
        self.engine = sa.create_engine(db_url, poolclass=sa.pool.NullPool)
        if self.engine.dialect.name != "postgresql":
            raise ConfigError(f"a warehouse in an object store ({name}) needs a PostgreSQL database (--db) for its lock")
        self.name = name
        # a signed 64-bit key from the URL, so different warehouses on one server never share a lock
        self.key = int(ids.digest("warehouse-lock", name, length=15), 16) - (1 << 59)
        self._conn: sa.Connection | None = None

    def __enter__(self) -> DatabaseLock:
        conn = self.engine.connect()
        got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
        conn.commit()
        if not got:
            conn.close()
            raise WarehouseBusy(f"another run is writing to {self.name}; wait for it to finish")
        self._conn = conn
        return self

    def __exit__(self, *exc: object) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                self._conn.commit()
            except sa.exc.DBAPIError:
                pass  # the connection is gone: the server released the lock with it
            finally:
                self._conn.close()
                self._conn = None
                self.engine.dispose()


def write_lock(parquet_root: Location, db_url: str) -> AbstractContextManager[Any]:
    """The lock a warehouse writer holds: a file lock in a folder, a database lock in an object store."""
    if parquet_root.local:
        return FileLock(parquet_root)
    return DatabaseLock(db_url, parquet_root.url)
