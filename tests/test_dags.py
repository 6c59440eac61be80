"""The Airflow DAGs, run by real Airflow (``airflow dags test``) against a real PostgreSQL.

Airflow runs in subprocesses with its home (config, SQLite metadata, logs) in a temp folder, so
nothing is written into the repo and this test process never imports Airflow with a stray config.
Tests fail, never skip, when Airflow or PostgreSQL cannot run.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.warehouse.parquet import read_table
from etl.warehouse.schema import ASSET_TABLES, COUNTED
from tests.warehouse_checks import sql_rows

ROOT = Path(__file__).resolve().parents[1]
DAGS = ROOT / "dags"
BIN = Path(sys.executable).parent
AIRFLOW_TIMEOUT = 240

pytestmark = pytest.mark.airflow

# Small English articles for the archive import: each distinct, each with a quote.
_PEOPLE = [
    ("Maria Lopez", "the city council", "Madrid"),
    ("John Carter", "the transport union", "Leeds"),
    ("Aiko Tanaka", "the health ministry", "Osaka"),
    ("Peter Novak", "the football club", "Prague"),
    ("Grace Obi", "the central bank", "Lagos"),
    ("Lars Berg", "the shipping company", "Oslo"),
    ("Nadia Haddad", "the university", "Beirut"),
]


def article_text(i: int) -> str:
    name, body, city = _PEOPLE[i % len(_PEOPLE)]
    surname = name.split()[-1]
    return (
        f"{city} officials meet over plan number {i}\n\n"
        f"{name}, a spokesperson for {body}, said on Monday that the plan number {i} would be reviewed in {city}.\n\n"
        f"\u201cWe will publish every figure before the vote,\u201d {surname} told reporters. "
        f"The review of plan {i} is expected to take three weeks, according to {body}.\n"
    )


def write_articles(folder: Path, indices: range, prefix: str = "article") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in indices:
        path = folder / f"{prefix}_{i:03d}.txt"
        path.write_text(article_text(i), encoding="utf-8")
        paths.append(path)
    return paths


# ---------------------------------------------------------------- Airflow in a temp home


@dataclass
class Airflow:
    home: Path
    env: dict[str, str]

    def run(self, *args: str, extra_env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {**self.env, **(extra_env or {})}
        proc = subprocess.run(
            [str(BIN / "airflow"), *args], env=env, cwd=self.home, capture_output=True, text=True, timeout=AIRFLOW_TIMEOUT
        )
        if check and proc.returncode != 0:
            pytest.fail(f"airflow {' '.join(args)} exited {proc.returncode}:\n{(proc.stdout + proc.stderr)[-4000:]}")
        return proc

    def python(self, code: str, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        env = {**self.env, **(extra_env or {})}
        return subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)], env=env, cwd=self.home, capture_output=True, text=True, timeout=AIRFLOW_TIMEOUT
        )

    def metadata(self, sql: str, params: tuple = ()) -> list[tuple]:
        with sqlite3.connect(self.home / "airflow.db") as conn:
            return conn.execute(sql, params).fetchall()


def airflow_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWS_ETL_"))}
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
        # a retried task (anything not terminal) waits 1 s, not 5 min, so a broken test fails fast
        AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY="1",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="session")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Airflow]:
    """Airflow with a SQLite metadata database in a temp AIRFLOW_HOME, migrated once per session."""
    home = tmp_path_factory.mktemp("airflow_home")
    af = Airflow(home, airflow_env(home))
    af.run("db", "migrate")
    yield af


@pytest.fixture
def workdir(tmp_path: Path) -> dict[str, Path]:
    return {"landing": tmp_path / "landing", "warehouse": tmp_path / "warehouse", "archive": tmp_path / "archive"}


def etl_env(workdir: dict[str, Path], db_url: str) -> dict[str, str]:
    return {
        "NEWS_ETL_LANDING": str(workdir["landing"]),
        "NEWS_ETL_WAREHOUSE": str(workdir["warehouse"]),
        "NEWS_ETL_DATABASE_URL": db_url,
    }


def sql_counts(url: str, *tables: str) -> dict[str, int]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return {t: int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one()) for t in tables}
    finally:
        engine.dispose()




def parquet_counts(warehouse: Path, *tables: str) -> dict[str, int]:
    return {t: read_table(warehouse / "parquet", t).num_rows for t in tables}


def dag_run_state(output: str) -> str:
    for line in output.splitlines():
        if "DagRun Finished" in line and "state=" in line:
            return line.split("state=", 1)[1].split(",", 1)[0].strip()
    return "unknown"


# the tables a batch counts, and its marker: declared once in the schema
TABLES = (*COUNTED, "batches")


# ---------------------------------------------------------------- DagBag integrity


DAGBAG_SCRIPT = """
import json, sys
from pathlib import Path
from airflow.dag_processing.dagbag import BundleDagBag  # as the dag-processor parses the dags bundle
bag = BundleDagBag(dag_folder=sys.argv[1], bundle_path=Path(sys.argv[1]))
out = {"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": {}}
for dag_id, dag in bag.dags.items():
    out["dags"][dag_id] = {
        "timetable": type(dag.timetable).__name__,
        "timetable_summary": getattr(dag.timetable, "expression", None),
        "timezone": str(getattr(dag.timetable, "timezone", "")),
        "catchup": dag.catchup,
        "params": sorted(dag.params.keys()),
        "tasks": {
            t.task_id: {
                "retries": t.retries,
                "policy": type(t.retry_policy).__name__ if t.retry_policy else None,
                "mapped": "MappedOperator" in type(t).__name__,
                "trigger_rule": getattr(t.trigger_rule, "value", str(t.trigger_rule)),
                "upstream": sorted(t.upstream_task_ids),
                "outlets": [type(o).__name__ for o in t.outlets],
                "type": type(t).__name__,
            }
            for t in dag.tasks
        },
    }
print("JSON" + json.dumps(out))
"""


def _dagbag(airflow: Airflow) -> dict:
    proc = airflow.python(DAGBAG_SCRIPT.replace("sys.argv[1]", repr(str(DAGS))))
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("JSON")][-1]
    return json.loads(line[4:])


def test_dags_dagbag_has_both_dags_without_import_errors(airflow: Airflow) -> None:
    bag = _dagbag(airflow)
    assert bag["errors"] == {}
    assert set(bag["dags"]) == {"news_nightly", "news_archive_import"}
    nightly, archive = bag["dags"]["news_nightly"], bag["dags"]["news_archive_import"]
    assert nightly["timetable"] == "CronDataIntervalTimetable"
    assert nightly["timetable_summary"] == "0 0 * * *"
    assert nightly["timezone"] == "UTC"
    assert nightly["catchup"] is False
    assert archive["timetable"] == "NullTimetable"
    assert {"source", "date_from", "date_to", "shard_size"} <= set(archive["params"])
    dq = {"dq_no_orphan_mentions", "dq_no_mentions_of_unknown_entities", "dq_no_orphan_sentences", "dq_no_orphan_quotes", "dq_no_duplicate_articles"}
    expected = {"discover", "shard", "process", "load", "check", "publish", *dq}
    for dag in (nightly, archive):
        tasks = dag["tasks"]
        assert set(tasks) == expected
        assert tasks["process"]["mapped"] is True
        assert tasks["shard"]["upstream"] == ["discover"]
        assert tasks["process"]["upstream"] == ["shard"]
        assert set(tasks["load"]["upstream"]) == {"discover", "process"}
        assert tasks["load"]["trigger_rule"] == "none_failed"
        assert tasks["check"]["upstream"] == ["load"]
        assert set(tasks["publish"]["upstream"]) == {"check", "load", *dq}
        for name in dq:
            assert tasks[name]["upstream"] == ["load"]
            assert tasks[name]["type"] == "WarehouseCheckOperator"  # common-sql's SQLCheckOperator
        assert tasks["publish"]["outlets"] == ["Asset"] * len(ASSET_TABLES)  # one per analyst table


def test_dags_every_task_retries_transient_faults_only(airflow: Airflow) -> None:
    bag = _dagbag(airflow)
    for dag in bag["dags"].values():
        for task_id, task in dag["tasks"].items():
            assert task["retries"] >= 1, task_id
            assert task["policy"] == "ExceptionRetryPolicy", task_id
    # the policy fails terminal errors at once and retries transient ones
    proc = airflow.python(
        f"""
        import sys; sys.path.insert(0, {str(DAGS)!r})
        from _common import RETRY_POLICY
        from airflow.sdk import RetryAction
        from etl.errors import ConfigError, DataQualityError, WarehouseUnavailable
        d = lambda e: RETRY_POLICY.evaluate(e, 1, 4).action
        assert d(ConfigError("x")) is RetryAction.FAIL
        assert d(DataQualityError("x")) is RetryAction.FAIL
        assert d(ValueError("x")) is RetryAction.FAIL
        assert d(WarehouseUnavailable("x")) is RetryAction.RETRY
        assert d(OSError("x")) is RetryAction.DEFAULT
        print("policy ok")
        """
    )
    assert "policy ok" in proc.stdout, proc.stderr[-3000:]


NO_IO_SCRIPT = """
import importlib.util, json, os, sys
sys.path.insert(0, DAGS)
import airflow.sdk  # Airflow itself may do I/O when it starts: only the DAG modules are audited
from airflow.sdk import dag, task, Asset, AssetAlias, Param, CronDataIntervalTimetable, ExceptionRetryPolicy
events = []
def hook(event, args):
    if event == "open":
        path = str(args[0])
        if path.endswith((".py", ".pyc", ".so")) or "__pycache__" in path or os.path.isdir(path):
            return  # imports
        events.append(f"open {path}")
    elif event in ("os.listdir", "os.scandir"):
        path = str(args[0]) if args and args[0] is not None else "."
        if path in sys.path or os.path.exists(os.path.join(path, "__init__.py")):
            return  # the import system listing a package or a sys.path entry
        events.append(f"{event} {path}")
    elif event in ("socket.connect", "subprocess.Popen", "os.mkdir", "os.remove", "sqlite3.connect"):
        events.append(f"{event} {args[0] if args else ''}")
before = set(sys.modules)
sys.addaudithook(hook)
for name in ("news_nightly", "news_archive_import"):
    spec = importlib.util.spec_from_file_location(name, os.path.join(DAGS, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
new = sorted(set(sys.modules) - before)
print("JSON" + json.dumps({"events": events, "modules": new}))
"""


def test_dags_parse_without_top_level_io_or_heavy_imports(airflow: Airflow) -> None:
    proc = airflow.python(f"DAGS = {str(DAGS)!r}\n" + NO_IO_SCRIPT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads([ln for ln in proc.stdout.splitlines() if ln.startswith("JSON")][-1][4:])
    assert out["events"] == [], f"DAG files do I/O at parse time: {out['events'][:10]}"
    heavy = [m for m in out["modules"] if m.split(".")[0] in ("spacy", "pyarrow", "psycopg", "thinc", "torch") or m in ("etl.pipeline", "etl.nlp", "etl.storage", "etl.warehouse.sql", "etl.warehouse.parquet")]
    assert heavy == [], f"DAG files import heavy modules at parse time: {heavy}"


# ---------------------------------------------------------------- news_nightly


def test_dags_nightly_loads_seed_once_and_rerun_does_not_double(
    airflow: Airflow, workdir: dict[str, Path], pg_url: str, seeds_dir: Path
) -> None:
    day = workdir["landing"] / "2013-02-26"
    day.mkdir(parents=True)
    for seed in seeds_dir.iterdir():
        (day / seed.name).write_bytes(seed.read_bytes())
    env = etl_env(workdir, pg_url)

    first = airflow.run("dags", "test", "news_nightly", "2013-02-27", extra_env=env)
    assert dag_run_state(first.stdout + first.stderr) == "success"
    sql1 = sql_counts(pg_url, *TABLES, "runs")
    pq1 = parquet_counts(workdir["warehouse"], *TABLES)
    assert sql1["articles"] == 1 and pq1["articles"] == 1
    assert sql1["batches"] == 1 and sql1["runs"] == 1
    assert sql1["sentences"] > 0 and sql1["mentions"] > 0
    assert {t: sql1[t] for t in TABLES} == pq1
    (batch,) = sql_rows(pg_url, "SELECT batch_id FROM batches")
    assert batch[0].startswith("nightly-2013-02-26-s0000-")
    assert sql_rows(pg_url, "SELECT status, files, articles FROM runs") == [("succeeded", 1, 1)]

    second = airflow.run("dags", "test", "news_nightly", "2013-02-27", extra_env=env)
    assert dag_run_state(second.stdout + second.stderr) == "success"
    sql2 = sql_counts(pg_url, *TABLES, "runs")
    pq2 = parquet_counts(workdir["warehouse"], *TABLES)
    assert {t: sql2[t] for t in TABLES} == {t: sql1[t] for t in TABLES}, "re-running the interval changed the counts"
    assert pq2 == pq1
    assert sql2["runs"] == 2  # one runs row per DAG run
    assert sql_rows(pg_url, "SELECT batch_id FROM batches") == [batch]
    # the re-run found the interval unchanged in the ledger: nothing read, nothing loaded
    assert sql_rows(pg_url, "SELECT status, files, articles FROM runs ORDER BY started_at") == [("succeeded", 1, 1), ("succeeded", 0, 0)]
    assert sql_rows(pg_url, "SELECT source_uri FROM articles") == [(f"2013-02-26/{next(seeds_dir.iterdir()).name}",)]
    assert not list((workdir["warehouse"] / "packages").glob("*")) and not list((workdir["warehouse"] / "shards").glob("*"))

    # each run published an Asset event per updated table
    events = dict(
        airflow.metadata(
            # (no join on dag_run: `dags test` replaces the run of the same logical date)
            "SELECT a.name, COUNT(*) FROM asset_event e JOIN asset a ON a.id = e.asset_id "
            "WHERE e.source_dag_id = 'news_nightly' AND e.source_run_id IN (?, ?) GROUP BY a.name",
            tuple(sorted({_run_id(first.stdout + first.stderr), _run_id(second.stdout + second.stderr)})),
        )
    )
    assert events == {f"news_warehouse.{t}": 1 for t in ASSET_TABLES}  # the unchanged re-run published nothing


def _run_id(output: str) -> str:
    for line in output.splitlines():
        if "DagRun Finished" in line and "run_id=" in line:
            return line.split("run_id=", 1)[1].split(",", 1)[0].strip()
    return ""


def test_dags_nightly_empty_landing_folder_is_a_successful_empty_run_via_the_connection(
    airflow: Airflow, workdir: dict[str, Path], pg_url: str
) -> None:
    (workdir["landing"] / "2013-03-01").mkdir(parents=True)
    # the warehouse database through the Airflow connection news_warehouse this time
    env = etl_env(workdir, pg_url)
    del env["NEWS_ETL_DATABASE_URL"]
    env["AIRFLOW_CONN_NEWS_WAREHOUSE"] = pg_url.replace("postgresql+psycopg://", "postgresql://", 1)
    proc = airflow.run("dags", "test", "news_nightly", "2013-03-02", extra_env=env)
    assert dag_run_state(proc.stdout + proc.stderr) == "success"
    counts = sql_counts(pg_url, "articles", "batches", "runs")
    assert counts == {"articles": 0, "batches": 0, "runs": 1}
    assert sql_rows(pg_url, "SELECT status, files FROM runs") == [("succeeded", 0)]
    states = dict(
        airflow.metadata(
            "SELECT task_id, state FROM task_instance WHERE dag_id = 'news_nightly' AND run_id = ?",
            (_run_id(proc.stdout + proc.stderr),),
        )
    )
    assert states["process"] == "skipped"  # mapped over zero shards
    assert states["load"] == states["check"] == "success"
    assert states["publish"] == "skipped"  # nothing changed: no Asset event


def test_dags_nightly_warehouse_invariant_broken_fails_the_run_at_its_sql_check(
    airflow: Airflow, workdir: dict[str, Path], pg_url: str
) -> None:
    from etl.warehouse.sql import SqlStore

    with SqlStore(pg_url) as store:
        store.migrate()
    engine = sa.create_engine(pg_url)
    with engine.begin() as conn:  # a mention whose article is gone, left by some other batch
        conn.execute(sa.text(
            "INSERT INTO mentions (article_id, sentence_idx, start_char, end_char, text, label, entity_id, batch_id) "
            "VALUES ('0000000000000000', 0, 0, 5, 'Kerry', 'PERSON', 'e1', 'other-batch')"
        ))
    engine.dispose()
    proc = airflow.run("dags", "test", "news_nightly", "2013-03-05", extra_env=etl_env(workdir, pg_url), check=False)
    output = proc.stdout + proc.stderr
    assert dag_run_state(output) == "failed"
    assert "Test failed" in output and "no_orphan_mentions" in output
    states = {
        t: (state, tries)
        for t, state, tries in airflow.metadata(
            "SELECT task_id, state, try_number FROM task_instance WHERE dag_id = 'news_nightly' AND run_id = ?", (_run_id(output),)
        )
    }
    assert states["dq_no_orphan_mentions"] == ("failed", 1)  # a failed check is not retried
    assert states["dq_no_orphan_quotes"][0] == "success"
    assert states["publish"][0] == "upstream_failed"


# ---------------------------------------------------------------- news_archive_import


def test_dags_archive_import_maps_shards_and_loads_every_article_once(
    airflow: Airflow, workdir: dict[str, Path], pg_url: str
) -> None:
    archive = workdir["archive"]
    write_articles(archive / "politics", range(0, 4))
    write_articles(archive / "business", range(4, 7))
    # an exact copy of one article and a file that is not text: one dedup, one reject
    (archive / "business" / "copy_of_000.txt").write_text(article_text(0), encoding="utf-8")
    (archive / "business" / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    env = etl_env(workdir, pg_url)
    conf = {"source": str(archive / "*" / "*.txt"), "shard_size": 3}

    proc = airflow.run("dags", "test", "news_archive_import", "-c", json.dumps(conf), extra_env=env)
    assert dag_run_state(proc.stdout + proc.stderr) == "success"
    mapped = airflow.metadata(
        "SELECT map_index, state FROM task_instance WHERE dag_id = 'news_archive_import' AND task_id = 'process' AND run_id = ?",
        (_run_id(proc.stdout + proc.stderr),),
    )
    assert sorted(mapped) == [(0, "success"), (1, "success"), (2, "success")]  # 9 files, 3 per shard
    counts = sql_counts(pg_url, *TABLES)
    assert counts["articles"] == 7  # 7 distinct bodies; the copy stored once
    assert counts["batches"] == 3
    assert parquet_counts(workdir["warehouse"], *TABLES) == counts
    assert sql_rows(pg_url, "SELECT COUNT(DISTINCT content_hash) FROM articles") == [(7,)]
    stages = sorted(r[0] for r in sql_rows(pg_url, "SELECT stage FROM rejects"))
    assert "ingest" in stages or "clean" in stages  # the binary file
    uris = {r[0] for r in sql_rows(pg_url, "SELECT source_uri FROM articles")}
    assert "archive/politics/article_000.txt" in uris or "archive/business/copy_of_000.txt" in uris

    # the same request with another shard size: everything is in the ledger, nothing is redone
    conf["shard_size"] = 4
    again = airflow.run("dags", "test", "news_archive_import", "-c", json.dumps(conf), extra_env=env)
    assert dag_run_state(again.stdout + again.stderr) == "success"
    counts2 = sql_counts(pg_url, *TABLES)
    assert counts2 == counts
    assert parquet_counts(workdir["warehouse"], *TABLES) == counts2
    # one file changes: only it is read again, and its new article replaces its old one
    write_articles(archive / "politics", range(100, 101))
    (archive / "politics" / "article_100.txt").rename(archive / "politics" / "article_001.txt")
    third = airflow.run("dags", "test", "news_archive_import", "-c", json.dumps(conf), extra_env=env)
    assert dag_run_state(third.stdout + third.stderr) == "success"
    assert sql_rows(pg_url, "SELECT files FROM runs ORDER BY started_at DESC LIMIT 1") == [(1,)]
    counts3 = sql_counts(pg_url, *TABLES)
    assert counts3["articles"] == 7 and counts3["batches"] == 4
    assert parquet_counts(workdir["warehouse"], *TABLES) == counts3
    assert sql_rows(pg_url, "SELECT COUNT(*) FROM rejects") == sql_rows(pg_url, "SELECT SUM(rejects) FROM batches")


def test_dags_archive_import_bad_source_fails_without_retry(airflow: Airflow, workdir: dict[str, Path], pg_url: str) -> None:
    conf = {"source": str(workdir["archive"] / "does-not-exist"), "shard_size": 3}
    proc = airflow.run("dags", "test", "news_archive_import", "-c", json.dumps(conf), extra_env=etl_env(workdir, pg_url), check=False)
    output = proc.stdout + proc.stderr
    assert dag_run_state(output) == "failed"
    assert "input path does not exist" in output
    rows = airflow.metadata(
        "SELECT state, try_number FROM task_instance WHERE dag_id = 'news_archive_import' AND task_id = 'discover' AND run_id = ?",
        (_run_id(output),),
    )
    assert rows == [("failed", 1)]  # ConfigError is terminal: no retry


# ---------------------------------------------------------------- the etl helpers the tasks call


def test_dags_shards_are_stable_and_a_backfill_cleared_halfway_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from etl import shards as af

    archive = tmp_path / "archive"
    write_articles(archive / "2013-02-26", range(0, 3))
    write_articles(archive / "2013-02-27", range(3, 5))
    write_articles(archive / "undated", range(5, 6))
    monkeypatch.setenv("NEWS_ETL_WAREHOUSE", str(tmp_path / "wh"))
    settings = af.task_settings()
    assert settings.processes == 1

    found = af.discover_archive(str(archive), "2013-02-26", "2013-02-26", settings=settings)
    assert (found["files"], found["out_of_range"], found["undated"]) == (3, 2, 1)
    everything = af.discover_archive(str(archive), settings=settings)
    assert everything["files"] == 6 and everything["prefix"] != found["prefix"]
    shard_dir = tmp_path / "shards"
    shards = af.plan_shards(Path(everything["listing"]), 4, everything["prefix"], shard_dir)
    assert [s["files"] for s in shards] == [4, 2]
    assert af.plan_shards(Path(everything["listing"]), 4, everything["prefix"], shard_dir) == shards  # stable
    resharded = af.plan_shards(Path(everything["listing"]), 2, everything["prefix"], shard_dir)
    assert len(resharded) == 3 and sorted(p.name for p in shard_dir.iterdir()) == sorted(Path(s["manifest"]).name for s in resharded)

    # the backfill stops after two of its three shards are loaded
    results = [af.process(s, "r1", settings) for s in resharded[:2]]
    # shard outputs live in the warehouse, where any worker can load them
    assert all(Path(r["package"]).parent == settings.warehouse / "packages" for r in results)
    loaded = af.load(results, everything["prefix"], "r1", settings)
    assert loaded["counts"]["articles"] == 4
    assert not any(Path(r["package"]).exists() for r in results)  # loaded packages are cleared
    # a retried shard finds its files loaded and has nothing to do
    assert af.process(resharded[0], "r2", settings)["package"] is None
    # re-run from the start: discovery lists only the two files still to load
    resumed = af.discover_archive(str(archive), settings=settings)
    assert (resumed["files"], resumed["unchanged"]) == (2, 4)
    rest = af.plan_shards(Path(resumed["listing"]), 2, resumed["prefix"], shard_dir)
    again = af.load([af.process(s, "r3", settings) for s in rest], resumed["prefix"], "r3", settings)
    assert again["counts"]["articles"] == 2
    assert read_table(settings.parquet_root, "articles").num_rows == 6
    assert sql_counts(settings.db_url, "articles", "batches") == {"articles": 6, "batches": 3}


def test_dags_connection_news_warehouse_resolves_to_a_sqlalchemy_url(airflow: Airflow, monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from etl.shards import sqlalchemy_url

    conn = SimpleNamespace(conn_id="news_warehouse", conn_type="postgres", login="news", password="p@ss", host="db", port=5432, schema="news", extra_dejson={})
    assert sqlalchemy_url(conn) == "postgresql+psycopg://news:p%40ss@db:5432/news"
    # through Airflow itself: the connection from AIRFLOW_CONN_NEWS_WAREHOUSE, read inside a task context
    proc = airflow.python(
        """
        from airflow.sdk import Connection
        from etl.shards import sqlalchemy_url
        print("URL=" + sqlalchemy_url(Connection.from_uri("postgresql://news:secret@warehouse-db:5432/news", conn_id="news_warehouse")))
        """
    )
    assert "URL=postgresql+psycopg://news:secret@warehouse-db:5432/news" in proc.stdout, proc.stderr[-3000:]


def test_dags_database_down_is_a_transient_error(tmp_path: Path) -> None:
    """A load against an unreachable database raises the error the retry policy retries."""
    from etl import shards as af
    from etl.errors import Transient, WarehouseUnavailable
    from etl.settings import Settings

    settings = Settings(warehouse=tmp_path / "wh", database_url="postgresql+psycopg://news@127.0.0.1:1/news", processes=1)
    with pytest.raises(WarehouseUnavailable) as info:
        af.load([], "nightly-2013-02-26", "r1", settings)
    assert isinstance(info.value, Transient)
    assert "cannot reach the database" in str(info.value)


def test_dags_library_never_imports_airflow() -> None:
    """The library stands without its orchestrator: no module under etl/ imports airflow."""
    import ast

    offenders = []
    for path in sorted((ROOT / "etl").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n == "airflow" or n.startswith("airflow.")]
    assert offenders == []
