"""A real scheduler run: `airflow standalone` (api-server, scheduler with LocalExecutor, dag-processor,
triggerer) in a temp AIRFLOW_HOME, news_nightly triggered with a logical date and polled until done.

This is what `airflow dags test` does not cover: the dag-processor parsing the DAG bundle, the
scheduler queueing mapped task instances, LocalExecutor workers running them through the task SDK
and the execution API. Takes about 45 s on two cores.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_dags import BIN, airflow_env, sql_counts, sql_rows

pytestmark = pytest.mark.airflow

START_TIMEOUT = 120
RUN_TIMEOUT = 180


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # not migrated yet, or locked for a moment
        return []


def test_scheduler_smoke_runs_news_nightly_for_a_logical_date(tmp_path: Path, pg_url: str, seeds_dir: Path) -> None:
    home = tmp_path / "airflow_home"
    home.mkdir()
    day = tmp_path / "landing" / "2013-02-26"
    day.mkdir(parents=True)
    for seed in seeds_dir.iterdir():
        (day / seed.name).write_bytes(seed.read_bytes())
    port = _free_port()
    env = airflow_env(home)
    env.update(
        AIRFLOW__CORE__EXECUTOR="LocalExecutor",
        AIRFLOW__API__PORT=str(port),
        AIRFLOW__API__HOST="127.0.0.1",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{port}/execution/",
        AIRFLOW__CORE__PARALLELISM="2",
        AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE="False",  # only the run this test triggers
        AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK="False",
        # free ports for the log servers too, so a concurrent Airflow on this machine cannot collide
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(_free_port()),
        AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(_free_port()),
        AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5",
        NEWS_ETL_LANDING=str(tmp_path / "landing"),
        NEWS_ETL_WAREHOUSE=str(tmp_path / "warehouse"),
        NEWS_ETL_DATABASE_URL=pg_url,
        # two spaCy workers inside a LocalExecutor task: in Airflow 3.3 the forkserver pool breaks there
        # (it re-imports the airflow CLI as __main__) and the shard must fall back to one process
        NEWS_ETL_PROCESSES="2",
    )
    airflow = str(BIN / "airflow")
    migrate = subprocess.run([airflow, "db", "migrate"], env=env, cwd=home, capture_output=True, text=True, timeout=120)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    db = home / "airflow.db"
    log = (home / "standalone.log").open("w")
    proc = subprocess.Popen([airflow, "standalone"], env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def tail() -> str:
        log.flush()
        return (home / "standalone.log").read_text(errors="replace")[-4000:]

    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _query(db, "SELECT dag_id FROM dag WHERE dag_id = 'news_nightly'"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the dag-processor did not register news_nightly within {START_TIMEOUT}s:\n{tail()}")
            time.sleep(2)

        trigger = subprocess.run(
            [airflow, "dags", "trigger", "news_nightly", "--logical-date", "2013-02-27T00:00:00+00:00", "--run-id", "smoke_2013-02-27"],
            env=env, cwd=home, capture_output=True, text=True, timeout=120,
        )
        assert trigger.returncode == 0, trigger.stderr[-3000:]

        deadline = time.monotonic() + RUN_TIMEOUT
        state = None
        while state not in ("success", "failed"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"news_nightly did not finish within {RUN_TIMEOUT}s (state {state}):\n{tail()}")
            time.sleep(2)
            rows = _query(db, "SELECT state FROM dag_run WHERE dag_id = 'news_nightly' AND run_id = 'smoke_2013-02-27'")
            state = rows[0][0] if rows else None
        tis = dict(
            (f"{t}[{m}]" if m >= 0 else t, s)
            for t, m, s in _query(db, "SELECT task_id, map_index, state FROM task_instance WHERE run_id = 'smoke_2013-02-27'")
        )
        assert state == "success", f"run {state}, tasks {tis}:\n{tail()}"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)
        log.close()

    assert set(tis.values()) == {"success"}
    assert {"discover", "shard", "process[0]", "load", "check", "dq_no_orphan_mentions", "publish"} <= set(tis)
    counts = sql_counts(pg_url, "articles", "batches", "runs")
    assert counts == {"articles": 1, "batches": 1, "runs": 1}
    (batch,) = sql_rows(pg_url, "SELECT batch_id FROM batches")
    assert batch[0].startswith("nightly-2013-02-26-"), "a manual run with logical date 2013-02-27 reads landing/2013-02-26"
