"""Never lose a row: re-runs in any order, subset or overlap, changed and deleted files, crashes.

Every case runs the real pipeline (spaCy included) on small hand-written stories, on SQLite and
on PostgreSQL, and compares both stores: Parquet and SQL must always hold the same rows.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.pipeline import run
from etl.settings import Settings
from etl.warehouse import parquet as parquet_mod
from etl.warehouse.parquet import ParquetStore, read_table
from tests import pg
from tests.warehouse_checks import TOWNS, snapshot, story, write

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
@pytest.fixture(autouse=True)
def _one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_ETL_PROCESSES", "1")
    monkeypatch.delenv("NEWS_ETL_DATABASE_URL", raising=False)


def settings_for(tmp_path: Path, backend: str, request: pytest.FixtureRequest, name: str = "w", **kw: object) -> Settings:
    """A warehouse of its own: a folder, and on PostgreSQL a database of its own for each name."""
    url = None
    if backend != "sqlite":
        url = request.getfixturevalue("pg_url") if name == "w" else pg.create_database(request.getfixturevalue("pg_server"))
    return Settings(warehouse=tmp_path / name, database_url=url, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("backend", BACKENDS)
def test_ledger_reordered_inputs_lose_no_article(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    a, b = tmp_path / "A", tmp_path / "B"
    write(a, range(0, 5))
    write(b, range(3, 8))  # 3 and 4 are in both: stored once
    settings = settings_for(tmp_path, backend, request, batch_size=2)
    first = run([a, b], settings)
    assert first.counts.articles == 8
    before = snapshot(settings)
    assert len(before["articles"]) == 8
    for order in ([b, a], [a], [b], [b, a]):
        again = run(order, settings)
        assert again.counts.files == 0 and again.counts.articles == 0  # nothing new: nothing read
        assert snapshot(settings) == before
    forced = run([b, a], settings, force=True)
    assert forced.counts.files == 10
    after = snapshot(settings)
    assert [r[0] for r in after["articles"]] == [r[0] for r in before["articles"]]
    assert len(after["inputs"]) == 10  # every file keeps its ledger rows


@pytest.mark.parametrize("backend", BACKENDS)
def test_ledger_subset_and_deleted_file_keep_rows_unless_pruned(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    a = tmp_path / "A"
    write(a, range(0, 6))
    settings = settings_for(tmp_path, backend, request, batch_size=2)
    run([a], settings)
    before = snapshot(settings)
    (a / "story_02.txt").unlink()
    run([a], settings, force=True)  # a subset, forced: the deleted file's rows are kept
    assert {r[0] for r in snapshot(settings)["articles"]} == {r[0] for r in before["articles"]}
    pruned = run([a], settings, prune=True)
    assert pruned.counts.pruned == 1
    after = snapshot(settings)
    assert len(after["articles"]) == 5
    assert "A/story_02.txt" not in {r[0] for r in after["inputs"]}
    assert all(r[0] != "A/story_02.txt" for r in after["articles"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_ledger_changed_file_replaces_its_rows_and_adding_a_file_reads_only_it(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    a = tmp_path / "A"
    write(a, range(0, 4))
    (a / "copy_of_01.txt").write_text(story(1), encoding="utf-8")  # same article as story_01
    settings = settings_for(tmp_path, backend, request, batch_size=2)
    run([a], settings)
    assert len(snapshot(settings)["articles"]) == 4
    write(a, [9])
    added = run([a], settings)
    assert (added.counts.files, added.counts.unchanged, added.counts.articles) == (1, 5, 1)
    # story_01 changes: its old article stays, because copy_of_01 still holds it
    (a / "story_01.txt").write_text(story(1, " and more"), encoding="utf-8")
    changed = run([a], settings)
    assert (changed.counts.files, changed.counts.articles) == (1, 1)
    snap = snapshot(settings)
    assert len(snap["articles"]) == 6
    # the copy changes too: now nothing holds the old article, and it goes
    (a / "copy_of_01.txt").write_text(story(11), encoding="utf-8")
    run([a], settings)
    snap = snapshot(settings)
    assert len(snap["articles"]) == 6
    bodies = {r[1] for r in snap["articles"]}
    assert "A/copy_of_01.txt" in bodies and "A/story_01.txt" in bodies
    # a touched but unchanged file is hashed, found unchanged and skipped
    os.utime(a / "story_00.txt", ns=(1, 1))
    touched = run([a], settings)
    assert (touched.counts.files, touched.counts.unchanged) == (0, 6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_ledger_same_named_files_under_two_roots_are_two_inputs(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    from typer.testing import CliRunner

    from etl.cli import app

    for root, n in (("a", 1), ("b", 2)):
        (tmp_path / root).mkdir()
        (tmp_path / root / "x.txt").write_text(story(n), encoding="utf-8")
        (tmp_path / root / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    settings = settings_for(tmp_path, backend, request)
    args = ["run", str(tmp_path / "a"), str(tmp_path / "b"), "--warehouse", str(settings.warehouse)]
    if settings.database_url:
        args += ["--db", settings.database_url]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    snap = snapshot(settings)
    assert sorted(r[1] for r in snap["articles"]) == ["a/x.txt", "b/x.txt"]
    assert sorted(r[0] for r in snap["rejects"]) == ["a/bad.txt", "b/bad.txt"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_ledger_syndicated_copy_in_a_later_run_is_a_near_duplicate(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    settings = settings_for(tmp_path, backend, request)
    original = (
        "Floods close the coast road\n\n"
        + " ".join(f"Rain fell for the {w} day in a row across the valley and the river rose past its banks near {w} farm." for w in TOWNS)
        + "\n\nThe police said the road would stay closed until Friday.\n"
    )
    night1, night2 = tmp_path / "2013-02-26", tmp_path / "2013-02-27"
    night1.mkdir()
    (night1 / "wire.txt").write_text(original, encoding="utf-8")
    run([night1], settings)
    night2.mkdir()
    (night2 / "paper.txt").write_text(original.replace("until Friday", "until Friday at the earliest"), encoding="utf-8")
    second = run([night2], settings)
    assert second.counts.near_duplicates == 1
    articles = {r[1]: r for r in snapshot(settings)["articles"]}
    assert articles["2013-02-27/paper.txt"][2] == articles["2013-02-26/wire.txt"][0]


def _clean_snapshot(tmp_path: Path, inputs: Path, backend: str, request: pytest.FixtureRequest) -> dict[str, list[tuple]]:
    settings = settings_for(tmp_path, backend, request, name="clean", batch_size=2)
    run([inputs], settings)
    return snapshot(settings)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("point", ["reading", "parquet_write", "before_publish"])
def test_ledger_crash_at_any_point_then_rerun_equals_a_clean_run(
    tmp_path: Path, backend: str, point: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etl import pipeline
    from etl import storage as atomic  # where the Parquet writes happen

    inputs = tmp_path / "in"
    write(inputs, range(0, 12))
    clean = _clean_snapshot(tmp_path, inputs, backend, request)
    settings = settings_for(tmp_path, backend, request, batch_size=2)
    calls = {"n": 0}

    def third_time() -> bool:
        calls["n"] += 1
        return calls["n"] == 3

    if point == "reading":
        real_read = pipeline.read_file

        def read(path: Path, uri: str, max_bytes: int | None = None):  # type: ignore[no-untyped-def]
            if path.name == "story_11.txt":  # the NLP stage reads ahead: earlier batches are committed
                raise KeyboardInterrupt
            return real_read(path, uri, max_bytes)

        monkeypatch.setattr(pipeline, "read_file", read)
    elif point == "parquet_write":
        real_write = atomic.pq.write_table

        def write_table(table, where, **kw):  # type: ignore[no-untyped-def]
            if "articles" in str(where) and third_time():
                raise KeyboardInterrupt
            real_write(table, where, **kw)

        monkeypatch.setattr(atomic.pq, "write_table", write_table)
    else:
        real_publish = ParquetStore.publish

        def publish(self: ParquetStore, load_id: str) -> None:
            if third_time():
                raise KeyboardInterrupt
            real_publish(self, load_id)

        monkeypatch.setattr(ParquetStore, "publish", publish)
    with pytest.raises(KeyboardInterrupt):
        run([inputs], settings)
    monkeypatch.undo()
    resumed = run([inputs], settings)
    assert resumed.status == "succeeded" and resumed.counts.unchanged >= 2  # committed batches are not redone
    assert snapshot(settings) == clean
    assert not list(settings.parquet_root.path.rglob("*.tmp")) and not list(settings.parquet_root.path.glob("_pending-*"))


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
def test_ledger_kill_9_midway_then_rerun_equals_a_clean_run(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    inputs = tmp_path / "in"
    write(inputs, range(0, 12))
    clean = _clean_snapshot(tmp_path, inputs, backend, request)
    settings = settings_for(tmp_path, backend, request, batch_size=1)
    env = {**os.environ, "NEWS_ETL_PROCESSES": "2", "NEWS_ETL_BATCH_SIZE": "1"}
    cmd = [sys.executable, "-m", "etl.cli", "run", str(inputs), "--warehouse", str(settings.warehouse)]
    if settings.database_url:
        cmd += ["--db", settings.database_url]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    engine = sa.create_engine(settings.db_url)
    deadline = time.monotonic() + 120
    loads = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with engine.connect() as conn:
                loads = int(conn.execute(sa.text("SELECT COUNT(*) FROM loads")).scalar_one())
        except sa.exc.SQLAlchemyError:
            loads = 0
        if loads >= 4:
            break
        time.sleep(0.05)
    engine.dispose()
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    resumed = run([inputs], settings)
    assert resumed.counts.unchanged >= 4
    assert snapshot(settings) == clean
    runs = {r["run_id"]: r["status"] for r in read_table(settings.parquet_root, "runs").to_pylist()}
    assert sorted(runs.values()) == ["abandoned", "succeeded"]
    assert not list(settings.parquet_root.path.rglob("*.tmp"))


def test_ledger_unchanged_rerun_does_not_load_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.nlp import runner

    a = tmp_path / "A"
    write(a, range(0, 2))
    settings = Settings(warehouse=tmp_path / "w")
    run([a], settings)
    entered = {"n": 0}
    real_enter = runner.NlpRunner.__enter__

    def counting_enter(self: runner.NlpRunner) -> runner.NlpRunner:
        entered["n"] += 1
        return real_enter(self)

    monkeypatch.setattr(runner.NlpRunner, "__enter__", counting_enter)
    again = run([a], settings)
    assert entered["n"] == 0 and again.counts.unchanged == 2
    # a folder whose articles are all stored already is read, but none of it is parsed
    b = tmp_path / "B"
    shutil.copytree(a, b)
    copies = run([b], settings)
    assert copies.counts.skipped_existing == 2 and copies.counts.words == 0
    assert parquet_mod.read_table(settings.parquet_root, "articles").num_rows == 2


@pytest.mark.postgres
@pytest.mark.slow
def test_ledger_two_machines_loading_the_same_files_into_one_postgresql_neither_double_nor_fail(
    tmp_path: Path, pg_url: str
) -> None:
    """Two runs at once, each with its own warehouse folder (two machines), one database."""
    inputs = tmp_path / "in"
    write(inputs, range(0, 8))
    env = {**os.environ, "NEWS_ETL_PROCESSES": "1", "NEWS_ETL_BATCH_SIZE": "1"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "etl.cli", "run", str(inputs), "--warehouse", str(tmp_path / f"m{i}"), "--db", pg_url],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for i in range(2)
    ]
    outputs = [p.communicate(timeout=300)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert not any("Traceback" in o for o in outputs)
    engine = sa.create_engine(pg_url)
    with engine.connect() as conn:
        articles = conn.execute(sa.text("SELECT COUNT(*), COUNT(DISTINCT content_hash) FROM articles")).one()
        inputs_rows = conn.execute(sa.text("SELECT COUNT(*) FROM inputs")).scalar_one()
        orphans = conn.execute(sa.text(
            "SELECT COUNT(*) FROM mentions m LEFT JOIN entities e ON e.entity_id = m.entity_id WHERE e.entity_id IS NULL"
        )).scalar_one()
    engine.dispose()
    assert tuple(articles) == (8, 8) and inputs_rows == 8 and orphans == 0


@pytest.mark.postgres
@pytest.mark.slow
def test_ledger_postgresql_restart_midway_is_retried_and_the_tables_equal_a_clean_run(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    write(inputs, range(0, 12))
    with pg.throwaway_server() as cluster:
        clean_settings = Settings(warehouse=tmp_path / "clean", database_url=pg.create_database(cluster.url), batch_size=1)
        run([inputs], clean_settings)
        clean = snapshot(clean_settings)
        settings = Settings(warehouse=tmp_path / "w", database_url=pg.create_database(cluster.url), batch_size=1)
        env = {**os.environ, "NEWS_ETL_PROCESSES": "1", "NEWS_ETL_BATCH_SIZE": "1"}
        cmd = [sys.executable, "-m", "etl.cli", "run", str(inputs), "--warehouse", str(settings.warehouse), "--db", str(settings.database_url)]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        engine = sa.create_engine(str(settings.database_url))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with engine.connect() as conn:
                    if int(conn.execute(sa.text("SELECT COUNT(*) FROM loads")).scalar_one()) >= 3:
                        break
            except sa.exc.ProgrammingError:
                pass  # not migrated yet
            time.sleep(0.05)
        engine.dispose()
        assert proc.poll() is None, "the run ended before the outage"
        cluster.stop()
        time.sleep(10)
        cluster.start()
        output = proc.communicate(timeout=300)[0]
        assert proc.returncode == 0, output
        assert "retrying" in output and "Traceback" not in output
        assert snapshot(settings) == clean
