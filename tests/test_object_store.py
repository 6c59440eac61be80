"""A warehouse in an object store (a real S3 server, SeaweedFS, started by the test session).

The same tables as a folder warehouse; readers going through the manifest see whole loads only;
the write lock lives in PostgreSQL; credentials and the endpoint come from the standard variables.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pytest

from etl.errors import ConfigError, WarehouseBusy
from etl.pipeline import run
from etl.settings import Settings
from etl.warehouse.parquet import MANIFEST, ParquetStore, live_files, read_table
from etl.warehouse.warehouse import Warehouse
from tests import pg
from tests.objectstore import ObjectStore
from tests.warehouse_checks import contents, snapshot, write

pytestmark = pytest.mark.postgres


@pytest.fixture
def s3(object_store: ObjectStore, monkeypatch: pytest.MonkeyPatch) -> ObjectStore:
    for key, value in object_store.env.items():
        monkeypatch.setenv(key, value)
    return object_store


def _s3_settings(store: ObjectStore, db: str, prefix: str = "news") -> Settings:
    return Settings(warehouse=f"s3://{store.new_bucket('wh')}/{prefix}", database_url=db, processes=1)


def test_object_store_run_gives_the_same_tables_as_a_local_run(s3: ObjectStore, pg_server: str, tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    write(inputs, range(6))
    local = Settings(warehouse=tmp_path / "wh", database_url=pg.create_database(pg_server), processes=1)
    remote = _s3_settings(s3, pg.create_database(pg_server))
    assert run([inputs], local).status == "succeeded"
    first = run([inputs], remote)
    assert first.status == "succeeded" and first.counts.articles == 6
    assert contents(remote) == contents(local)
    assert snapshot(remote) == snapshot(local)  # and Parquet = SQL in each
    # the same layout as a folder warehouse, in the bucket
    root = remote.parquet_root
    assert root.is_file(MANIFEST) and any(rel.startswith("articles/batch_id=") for rel in root.files("articles"))
    assert not any(rel.startswith("_pending-") for rel in root.files(recursive=False))
    # an unchanged re-run reads nothing; the ledger lives in the database
    again = run([inputs], remote)
    assert again.counts.unchanged == 6 and again.counts.files == 0
    # analysts query the bucket as they query a folder
    from etl.analyst.query import run_sql

    assert run_sql(root, "SELECT count(*) FROM articles").rows == [(6,)]


def test_object_store_readers_see_whole_loads_only(s3: ObjectStore, pg_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _s3_settings(s3, pg.create_database(pg_server))
    write(tmp_path / "in", range(3))
    run([tmp_path / "in"], settings)
    before = contents(settings)

    # the next load is killed after its files are uploaded and its SQL commit, before publication
    def killed(self: ParquetStore, load_id: str) -> None:
        raise KeyboardInterrupt

    write(tmp_path / "in", range(3, 5))
    with monkeypatch.context() as patched, pytest.raises(KeyboardInterrupt):
        patched.setattr(ParquetStore, "publish", killed)
        run([tmp_path / "in"], settings)
    root = settings.parquet_root
    listed = {rel for name in ("articles", "sentences") for rel in live_files(root, name).values()}
    uploaded = {rel for name in ("articles", "sentences") for rel in root.files(name)}
    assert uploaded - listed, "the killed load's files are in the bucket"
    assert contents(settings) == before, "but no reader going through the manifest sees them"
    # a plain Parquet reader given the manifest's files sees whole batches only
    fs = pafs.S3FileSystem(endpoint_override=os.environ["AWS_ENDPOINT_URL"])  # pyarrow alone, no news-etl code
    base = f"{str(settings.warehouse).removeprefix('s3://')}/parquet"
    files = [f"{base}/{rel}" for rel in live_files(root, "articles").values()]
    assert ds.dataset(files, filesystem=fs, format="parquet").count_rows() == 3
    # the next run publishes the committed load and sweeps nothing it needs
    with Warehouse(settings):
        pass
    assert read_table(root, "articles").num_rows == 5
    assert {rel for name in ("articles",) for rel in root.files(name)} == set(live_files(root, "articles").values())


def test_object_store_write_lock_is_held_in_the_database(s3: ObjectStore, pg_server: str) -> None:
    settings = _s3_settings(s3, pg.create_database(pg_server))
    with Warehouse(settings), pytest.raises(WarehouseBusy, match="another run is writing to s3://"):
        Warehouse(settings).__enter__()
    with Warehouse(settings):  # released with the first
        pass


def test_object_store_needs_a_postgresql_database(s3: ObjectStore) -> None:
    with pytest.raises(ConfigError, match="object store.*give a database"):
        _ = Settings(warehouse="s3://bucket/news").db_url


def test_object_store_storage_options_and_bad_urls(s3: ObjectStore, pg_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # endpoint from storage options instead of AWS_ENDPOINT_URL
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    settings = Settings(
        warehouse=f"s3://{s3.new_bucket('opt')}/x", database_url=pg.create_database(pg_server), processes=1,
        storage_options={"endpoint_override": s3.endpoint},
    )
    write(tmp_path / "in", range(1))
    assert run([tmp_path / "in"], settings).counts.articles == 1
    with pytest.raises(ConfigError, match="unsupported warehouse URL"):
        _ = Settings(warehouse="ftp://host/x").location
    with pytest.raises(ConfigError, match="no bucket"):
        _ = Settings(warehouse="s3:///x").location


def _upload(store: ObjectStore, folder: Path, bucket: str, prefix: str) -> str:
    fs = store.filesystem()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            with fs.open_output_stream(f"{bucket}/{prefix}/{path.relative_to(folder).as_posix()}") as out:
                out.write(path.read_bytes())
    return f"s3://{bucket}/{prefix}"


def test_object_store_inputs_and_shards_share_no_folder(s3: ObjectStore, pg_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inputs in a bucket, shards' listings and packages in the warehouse bucket: a sharded run (the
    DAG's tasks, called in turn) equals a CLI run over the same files, and reads nothing local."""
    from etl import shards

    local_in = tmp_path / "in"
    write(local_in, range(7))
    source = _upload(s3, local_in, s3.new_bucket("in"), "landing/in")
    cli = _s3_settings(s3, pg.create_database(pg_server))
    assert run([source], cli).counts.articles == 7  # an s3:// input root, read in place
    assert run([source], cli).counts.unchanged == 7

    sharded = _s3_settings(s3, pg.create_database(pg_server))
    monkeypatch.setenv("NEWS_ETL_WAREHOUSE", str(sharded.warehouse))
    monkeypatch.setenv("NEWS_ETL_DATABASE_URL", str(sharded.database_url))
    monkeypatch.chdir(tmp_path)
    settings = shards.task_settings()
    assert settings.location.url == sharded.location.url and not settings.location.local
    found = shards.discover_archive(source, settings=settings)
    assert found["files"] == 7 and found["listing"].startswith("s3://")
    planned = shards.plan_shards(settings.at(found["listing"]), 3, found["prefix"], settings.location / "shards" / found["prefix"] / "batches")
    assert len(planned) == 3 and all(s["manifest"].startswith("s3://") for s in planned)
    results = [shards.process(s, "run-1", settings) for s in planned]
    assert all(r["package"].startswith("s3://") for r in results)
    loaded = shards.load(results, found["prefix"], "run-1", settings, [source])
    assert loaded["status"] == "succeeded" and loaded["counts"]["articles"] == 7
    assert contents(sharded) == contents(cli)
    assert not settings.location.files("shards") and not settings.location.files("packages")  # cleared once loaded


def test_object_store_nightly_landing_in_a_bucket(s3: ObjectStore, pg_server: str, tmp_path: Path) -> None:
    from datetime import date

    from etl import shards

    write(tmp_path / "day", range(2))
    bucket = s3.new_bucket("land")
    _upload(s3, tmp_path / "day", bucket, "landing/2013-02-27")
    settings = _s3_settings(s3, pg.create_database(pg_server))
    found = shards.discover_nightly(date(2013, 2, 27), landing=f"s3://{bucket}/landing", settings=settings)
    assert found["files"] == 2 and found["sources"] == [f"s3://{bucket}/landing/2013-02-27"]
    rows = settings.at(found["listing"]).read_json()["files"]
    assert [r[1] for r in rows] == ["2013-02-27/story_00.txt", "2013-02-27/story_01.txt"]  # the landing day kept in the name
    empty = shards.discover_nightly(date(2013, 2, 28), landing=f"s3://{bucket}/landing", settings=settings)
    assert empty["files"] == 0  # a day that has not landed lists nothing


def test_object_store_one_object_named_as_an_input(s3: ObjectStore, tmp_path: Path) -> None:
    from etl.ingest.discover import discover

    write(tmp_path / "in", range(2))
    source = _upload(s3, tmp_path / "in", s3.new_bucket("one"), "in")
    (found,) = list(discover([f"{source}/story_01.txt"]))
    assert found.uri == "in/story_01.txt" and found.size == (tmp_path / "in" / "story_01.txt").stat().st_size  # type: ignore[union-attr]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        list(discover([f"{source}/missing.txt"]))
    assert list(discover([f"{source}/missing.txt"], missing_ok=True)) == []
