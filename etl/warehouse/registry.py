"""Which store serves which URL: systems of record by database backend, replicas by format.

The interface they implement is ``etl.warehouse.store``.
"""

from __future__ import annotations

from collections.abc import Callable

from etl.errors import ConfigError
from etl.storage import Location
from etl.warehouse.parquet import ParquetStore
from etl.warehouse.sql import SqlStore
from etl.warehouse.store import Replica, SystemOfRecord

# systems of record by SQLAlchemy backend name
SYSTEMS_OF_RECORD: dict[str, Callable[[str], SystemOfRecord]] = {"sqlite": SqlStore, "postgresql": SqlStore}
# replicas by format; where they live is the warehouse URL
REPLICAS: dict[str, Callable[[Location], Replica]] = {"parquet": ParquetStore}


def system_of_record(url: str) -> SystemOfRecord:
    """The system of record a database URL names."""
    from sqlalchemy.engine import make_url

    backend = make_url(url).get_backend_name()
    if backend not in SYSTEMS_OF_RECORD:
        raise ConfigError(f"no store for {backend!r} databases: use one of {', '.join(sorted(SYSTEMS_OF_RECORD))}")
    return SYSTEMS_OF_RECORD[backend](url)


def replica(root: Location, kind: str = "parquet") -> Replica:
    """The replica of the given format at ``root``."""
    return REPLICAS[kind](root)
