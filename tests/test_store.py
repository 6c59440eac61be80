"""The store interface: stores chosen by URL, batches listed and dropped through the warehouse."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from etl.cli import app
from etl.errors import ConfigError
from etl.pipeline import new_run_id, run
from etl.settings import Settings
from etl.storage import location
from etl.warehouse.parquet import ParquetStore
from etl.warehouse.registry import replica, system_of_record
from etl.warehouse.sql import SqlStore
from etl.warehouse.warehouse import Warehouse
from tests.warehouse_checks import snapshot, write


def test_store_chosen_by_url(tmp_path: Path) -> None:
    sqlite = system_of_record(f"sqlite:///{tmp_path / 'a.db'}")
    assert isinstance(sqlite, SqlStore) and not sqlite.capabilities.shared and not sqlite.capabilities.bulk_load
    pg = system_of_record("postgresql+psycopg://u@127.0.0.1:1/db")  # not connected until used
    assert isinstance(pg, SqlStore) and pg.capabilities.shared and pg.capabilities.bulk_load
    assert isinstance(replica(location(tmp_path / "parquet")), ParquetStore)
    with pytest.raises(ConfigError, match="no store for 'mssql'"):
        system_of_record("mssql+pyodbc://u@host/db")


def test_store_drop_batch_forgets_its_files_in_both_stores(tmp_path: Path) -> None:
    settings = Settings(warehouse=tmp_path / "wh", processes=1)
    write(tmp_path / "in" / "a", range(3))
    write(tmp_path / "in" / "b", range(3, 5))
    run([tmp_path / "in" / "a"], settings)
    run([tmp_path / "in" / "b"], settings)
    with Warehouse(settings) as wh:
        batches = wh.batches()
        assert len(batches) == 2 and sorted(int(r["articles"]) for r in batches.values()) == [2, 3]  # type: ignore[call-overload]
        first = next(b for b, r in batches.items() if r["articles"] == 3)
        applied = wh.drop_batch(first, new_run_id())
        assert applied.counts["removed_articles"] == 3
        assert set(wh.batches()) == set(batches) - {first}
        with pytest.raises(ConfigError, match="no batch 'nope'"):
            wh.drop_batch("nope", new_run_id())
    assert len(snapshot(settings)["articles"]) == 2  # Parquet = SQL, checked by snapshot
    again = run([tmp_path / "in" / "a", tmp_path / "in" / "b"], settings)
    assert again.counts.files == 3 and again.counts.unchanged == 2  # the dropped files are read anew


def test_store_batches_command_lists_and_drops(tmp_path: Path) -> None:
    write(tmp_path / "in", range(2))
    wh = str(tmp_path / "wh")
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(tmp_path / "in"), "--warehouse", wh, "--processes", "1"]).exit_code == 0
    listed = runner.invoke(app, ["batches", "--warehouse", wh])
    assert listed.exit_code == 0 and "1 batch(es)" in listed.output
    batch_id = next(line.split()[0] for line in listed.output.splitlines() if line.startswith("in-"))
    dropped = runner.invoke(app, ["batches", "--warehouse", wh, "--drop", batch_id])
    assert dropped.exit_code == 0 and f"dropped {batch_id}: 2 article(s) removed" in dropped.output
    assert "0 batch(es)" in runner.invoke(app, ["batches", "--warehouse", wh]).output
    bad = runner.invoke(app, ["batches", "--warehouse", wh, "--drop", "in-missing"])
    assert bad.exit_code != 0 and "no batch 'in-missing'" in bad.output
