"""news_archive_import on the CeleryExecutor: two workers that share no folder, one killed mid-shard.

The module starts PostgreSQL (Airflow's metadata and the SQL warehouse), Redis (the broker), the
object store, the api-server, scheduler and dag-processor, and two Celery workers, each in its own
working folder. The archive's files are in the object store and so is the warehouse. One run over
N_FILES files in N_SHARDS shards is triggered; while a ``process`` shard runs on one worker, that
worker's whole process group is SIGKILLed. The scheduler finds the task without heartbeat and the
retry runs on the other worker. Then news_nightly reads a landing day from the bucket on the
surviving worker. Checked: the runs succeeded, both workers finished shards, the killed shard was
retried elsewhere, nothing is doubled, and the warehouse equals a single CLI run over the same files.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests import pg
from tests.distributed.airflow_stack import BIN, Stack, Worker, celery_stack, wait_for_dag
from tests.distributed.corpus import write_corpus
from tests.distributed.services import redis_server, running
from tests.objectstore import ObjectStore
from tests.warehouse_checks import sql_rows

pytestmark = [pytest.mark.distributed, pytest.mark.airflow, pytest.mark.postgres]
logger = logging.getLogger(__name__)

DAG_ID = "news_archive_import"
NIGHTLY_DAG_ID = "news_nightly"
RUN_ID = "distributed_archive"
N_FILES = 300
SHARD_SIZE = 50
N_SHARDS = N_FILES // SHARD_SIZE
RUN_TIMEOUT = 420
# then news_nightly over a landing day in the bucket, logical date the day after
NIGHTLY_RUN_ID = "distributed_nightly"
LANDING_DAY = "2013-02-26"
N_LANDING = 12
# logged by a process task once its spaCy model is loaded (etl.nlp.model), before the first article
SHARD_STARTED = "loaded spaCy model"
# logged by Airflow when a task returned
TASK_RETURNED = "Done. Returned value was"


@dataclass(frozen=True)
class ArchiveRun:
    state: str
    tis: dict[tuple[str, int], tuple[int, str]]  # (task_id, map_index) -> (try_number, state)
    killed: str  # the worker that was SIGKILLed
    killed_shard: int  # the map index of the process task it was running
    killed_log: str  # that task's log, as the crash left it
    logs: dict[str, set[tuple[str, int, int]]]  # worker -> {(task_id, map_index, try)} of its log files
    warehouse_db: str
    warehouse: str
    inputs: str
    nightly_state: str | None
    landing_day: str  # s3://<bucket>/landing/<LANDING_DAY>: what the nightly read
    cli_warehouse: str  # where the single CLI run over the same inputs writes
    store: ObjectStore
    stack_tails: str


def _tis(stack: Stack) -> dict[tuple[str, int], tuple[int, str]]:
    rows = stack.query(
        "SELECT task_id, map_index, try_number, state FROM task_instance WHERE dag_id = :d AND run_id = :r", d=DAG_ID, r=RUN_ID
    )
    return {(t, m): (n, s) for t, m, n, s in rows}


def _logged(stack: Stack) -> dict[str, set[tuple[str, int, int]]]:
    out: dict[str, set[tuple[str, int, int]]] = {}
    for worker in stack.workers:
        found = set()
        for path in worker.logs.glob(f"dag_id={DAG_ID}/run_id={RUN_ID}/task_id=*/**/attempt=*.log"):
            parts = {p.split("=", 1)[0]: p.split("=", 1)[1] for p in path.relative_to(worker.logs).parts if "=" in p}
            task = parts["task_id"]
            index = int(parts.get("map_index", "-1"))
            attempt = int(path.stem.split("=", 1)[1])
            found.add((task, index, attempt))
        out[worker.name] = found
    return out


def _attempt_log(worker: Worker, index: int, attempt: int) -> Path:
    return worker.logs / f"dag_id={DAG_ID}/run_id={RUN_ID}/task_id=process/map_index={index}/attempt={attempt}.log"


def _kill_target(stack: Stack) -> tuple[Worker, int] | None:
    """A worker to crash now, and its shard: one that already finished a shard and is inside its next one.

    Inside = its process task has loaded the spaCy model (logged) and is reading articles: a second
    after that line it is half-way through its 50 files (a shard takes about 3 s here).
    """
    rows = stack.query(
        "SELECT map_index, try_number, state FROM task_instance WHERE dag_id = :d AND run_id = :r AND task_id = 'process'",
        d=DAG_ID, r=RUN_ID,
    )
    done = {m for m, _, s in rows if s == "success"}
    for index, attempt, state in rows:
        if state != "running" or attempt != 1:
            continue
        for worker in stack.workers:
            log = _attempt_log(worker, index, attempt)
            finished_one = any(_attempt_log(worker, m, 1).exists() for m in done)
            if finished_one and log.exists() and SHARD_STARTED in log.read_text(errors="replace"):
                time.sleep(1.0)
                return worker, index
    return None


def _wait_for_run(stack: Stack, dag_id: str, run_id: str, on_poll: Callable[[], None] | None = None) -> str:
    """Poll the DAG run until it ends; its final state."""
    deadline = time.monotonic() + RUN_TIMEOUT
    state = None
    while state not in ("success", "failed"):
        stack.check_alive()
        if time.monotonic() > deadline:
            raise AssertionError(f"{dag_id} did not finish within {RUN_TIMEOUT}s: {_tis(stack)}\n{stack.tails()}")
        if on_poll:
            on_poll()
        time.sleep(0.5)
        rows = stack.query("SELECT state FROM dag_run WHERE dag_id = :d AND run_id = :r", d=dag_id, r=run_id)
        state = rows[0][0] if rows else None
    return str(state)


def _upload(store: ObjectStore, local: Path, bucket: str, prefix: str) -> str:
    """Copy a folder into the bucket under ``prefix``; its s3:// URL."""
    import pyarrow.fs as pafs

    pafs.copy_files(str(local), f"{bucket}/{prefix}", source_filesystem=pafs.LocalFileSystem(), destination_filesystem=store.filesystem())
    return f"s3://{bucket}/{prefix}"


@pytest.fixture(scope="module")
def archive_run(tmp_path_factory: pytest.TempPathFactory, pg_server: str, object_store: ObjectStore) -> ArchiveRun:
    base = tmp_path_factory.mktemp("distributed")
    corpus = base / "corpus" / "inputs"
    write_corpus(corpus, N_FILES)
    bucket = object_store.new_bucket("news")
    inputs = _upload(object_store, corpus, bucket, "inputs")
    shutil.rmtree(base / "corpus")  # the bucket holds the only copy: no process can read a local one
    warehouse_db = pg.create_database(pg_server, "warehouse")
    meta_db = pg.create_database(pg_server, "airflow")
    warehouse = f"s3://{bucket}/warehouse"
    worker_env = {
        "NEWS_ETL_WAREHOUSE": warehouse,
        "NEWS_ETL_LANDING": f"s3://{bucket}/landing",
        "NEWS_ETL_DATABASE_URL": warehouse_db,
        "NEWS_ETL_PROCESSES": "1",
        **object_store.env,
    }
    redis, broker = redis_server(base / "redis")
    started = time.monotonic()
    with running(redis):
        redis.wait_until(lambda: "Ready to accept connections" in redis.tail(), 30, "Redis ready")
        with celery_stack(base / "airflow", meta_db, broker, worker_env) as stack:
            wait_for_dag(stack, DAG_ID)
            wait_for_dag(stack, NIGHTLY_DAG_ID)
            logger.info("stack up and %s parsed in %.0f s", DAG_ID, time.monotonic() - started)
            triggered = time.monotonic()
            conf = f'{{"source": "{inputs}", "shard_size": {SHARD_SIZE}}}'
            stack.airflow("dags", "trigger", DAG_ID, "--run-id", RUN_ID, "--conf", conf)
            killed = ""
            killed_shard = -1

            def crash_a_worker_mid_shard() -> None:
                nonlocal killed, killed_shard
                target = None if killed else _kill_target(stack)
                if target:
                    worker, index = target
                    worker.service.kill()
                    killed, killed_shard = worker.name, index
                    logger.info("killed %s while it ran process[%d]", killed, index)

            state = _wait_for_run(stack, DAG_ID, RUN_ID, crash_a_worker_mid_shard)
            logger.info("run %s in %.0f s", state, time.monotonic() - triggered)
            victim = next((w for w in stack.workers if w.name == killed), None)
            killed_log = _attempt_log(victim, killed_shard, 1).read_text(errors="replace") if victim else ""
            tis, logs = _tis(stack), _logged(stack)
            # the nightly, on the surviving worker, over a landing day uploaded after the archive run
            nightly_state = None
            if state == "success":
                write_corpus(base / "landing" / LANDING_DAY, N_LANDING, start=N_FILES)
                _upload(object_store, base / "landing" / LANDING_DAY, bucket, f"landing/{LANDING_DAY}")
                shutil.rmtree(base / "landing")
                day_after = (date.fromisoformat(LANDING_DAY) + timedelta(days=1)).isoformat()
                stack.airflow(
                    "dags", "trigger", NIGHTLY_DAG_ID, "--run-id", NIGHTLY_RUN_ID, "--logical-date", f"{day_after}T00:00:00+00:00"
                )
                triggered = time.monotonic()
                nightly_state = _wait_for_run(stack, NIGHTLY_DAG_ID, NIGHTLY_RUN_ID)
                logger.info("nightly %s in %.0f s", nightly_state, time.monotonic() - triggered)
            return ArchiveRun(
                state=state, tis=tis, killed=killed, killed_shard=killed_shard, killed_log=killed_log, logs=logs,
                warehouse_db=warehouse_db, warehouse=warehouse, inputs=inputs, nightly_state=nightly_state,
                landing_day=f"s3://{bucket}/landing/{LANDING_DAY}", cli_warehouse=f"s3://{bucket}/cli-warehouse",
                store=object_store, stack_tails=stack.tails(),
            )


def test_celery_workers_run_every_shard_of_the_archive(archive_run: ArchiveRun) -> None:
    assert archive_run.state == "success", f"{archive_run.tis}\n{archive_run.stack_tails}"
    shards = sorted(m for (t, m) in archive_run.tis if t == "process")
    assert shards == list(range(N_SHARDS))
    assert {s for _, s in archive_run.tis.values()} == {"success"}, archive_run.tis


def test_celery_workers_each_finish_shards_in_their_own_folders(archive_run: ArchiveRun) -> None:
    for worker, logged in archive_run.logs.items():
        finished = [(m, n) for t, m, n in logged if t == "process" and archive_run.tis[("process", m)] == (n, "success")]
        assert finished, f"{worker} finished no shard: {archive_run.logs}"
    a, b = archive_run.logs.values()
    assert a and b and not a & b, "each attempt runs on one worker and logs into that worker's own folder"


def test_celery_workers_retry_the_killed_workers_shard_on_the_other(archive_run: ArchiveRun) -> None:
    assert archive_run.killed, "no process task was caught running to kill its worker"
    index = archive_run.killed_shard
    assert SHARD_STARTED in archive_run.killed_log and TASK_RETURNED not in archive_run.killed_log, "killed mid-shard"
    tries, state = archive_run.tis[("process", index)]
    assert tries >= 2 and state == "success", "the killed shard must have succeeded on a retry"
    survivor = next(w for w in archive_run.logs if w != archive_run.killed)
    assert ("process", index, tries) in archive_run.logs[survivor]
    assert ("process", index, 1) in archive_run.logs[archive_run.killed]
    assert not any(t == "process" and m == index and n == tries for t, m, n in archive_run.logs[archive_run.killed])


def test_celery_workers_run_the_nightly_from_a_landing_bucket(archive_run: ArchiveRun) -> None:
    assert archive_run.nightly_state == "success", archive_run.stack_tails
    rows = sql_rows(archive_run.warehouse_db, "SELECT batch_id, articles FROM batches WHERE batch_id LIKE 'nightly-%'")
    assert [(b.rsplit("-s", 1)[0], n) for b, n in rows] == [(f"nightly-{LANDING_DAY}", N_LANDING)]




def test_celery_workers_leave_nothing_doubled_after_the_retry(archive_run: ArchiveRun) -> None:
    from etl.quality import Report, run_sql_checks

    url = archive_run.warehouse_db
    ((articles, distinct),) = sql_rows(url, "SELECT COUNT(*), COUNT(DISTINCT article_id) FROM articles")
    assert articles == distinct == N_FILES + N_LANDING
    ((files, distinct_files),) = sql_rows(url, "SELECT COUNT(*), COUNT(DISTINCT file_uri) FROM inputs")
    assert files == distinct_files == N_FILES + N_LANDING
    batches = [b for (b,) in sql_rows(url, "SELECT batch_id FROM batches ORDER BY batch_id")]
    assert len(batches) == N_SHARDS + 1  # one per archive shard, one for the nightly
    report = Report()
    run_sql_checks(url, batches, report)
    assert report.failures == []
    # the dead try's half-written package went with the retry's, once loaded; no shard manifest is left
    import pyarrow.fs as pafs

    root = archive_run.warehouse.removeprefix("s3://")
    left = [
        info.path
        for folder in ("packages", "shards")
        for info in archive_run.store.filesystem().get_file_info(pafs.FileSelector(f"{root}/{folder}", allow_not_found=True, recursive=True))
        if info.type == pafs.FileType.File
    ]
    assert left == []


def test_celery_workers_warehouse_equals_a_single_cli_run(
    archive_run: ArchiveRun, pg_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from etl.settings import Settings
    from tests.warehouse_checks import snapshot

    for key, value in archive_run.store.env.items():
        monkeypatch.setenv(key, value)
    cli_db = pg.create_database(pg_server, "cli")
    proc = subprocess.run(
        [str(BIN / "news-etl"), "run", archive_run.inputs, archive_run.landing_day, "--warehouse", archive_run.cli_warehouse, "--db", cli_db, "--processes", "1"],
        env={**os.environ, **archive_run.store.env}, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    single_settings = Settings(warehouse=archive_run.cli_warehouse, database_url=cli_db)
    sharded = snapshot(Settings(warehouse=archive_run.warehouse, database_url=archive_run.warehouse_db))
    single = snapshot(single_settings)
    assert set(sharded) == set(single)
    for table in single:
        assert sharded[table] == single[table], f"{table}: the Celery run and the CLI run differ"
    assert len(single["articles"]) == N_FILES + N_LANDING
