from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import objectstore, pg

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """A real PostgreSQL server. Fails (never skips) when none can be started."""
    try:
        with pg.server_url() as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def object_store() -> Iterator[objectstore.ObjectStore]:
    """A real S3-compatible server (SeaweedFS). Fails (never skips) when it cannot be started."""
    try:
        with objectstore.throwaway_object_store() as store:
            yield store
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def pg_url(pg_server: str) -> str:
    """A fresh, empty database for one test."""
    return pg.create_database(pg_server)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def analyst_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-written analyst corpus (tests/analyst_corpus.py) loaded by the real pipeline, SQLite beside it."""
    from etl.pipeline import run
    from etl.settings import Settings
    from tests.analyst_corpus import write_corpus

    folder = tmp_path_factory.mktemp("analyst")
    corpus = write_corpus(folder)
    summary = run([corpus], Settings(warehouse=folder / "warehouse", database_url=None, processes=1))
    assert summary.status == "succeeded"
    return folder / "warehouse"
