"""Airflow 3 with the CeleryExecutor, as on real machines: a control plane and two workers sharing no folder.

The control plane (api-server, scheduler, dag-processor) has one AIRFLOW_HOME; each Celery worker
has its own working folder holding its AIRFLOW_HOME, its log folder and its own copy of the DAG
files, and its own log-server port. What they share goes over the network only: the metadata
database (PostgreSQL), the broker (Redis), the execution API (the api-server) and, for news-etl,
the warehouse (object store + PostgreSQL). Every setting is an environment variable, as in
docker-compose.yml.
"""

from __future__ import annotations

import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from tests.distributed.services import Service, free_port, port_open

ROOT = Path(__file__).resolve().parents[2]
DAGS = ROOT / "dags"
BIN = Path(sys.executable).parent
START_TIMEOUT = 180

# Lowered for the test; production keeps Airflow's defaults (docs/airflow.md).
FAST = {
    # a retried task waits 1 s (doubling), not 5 min
    "AIRFLOW__CORE__DEFAULT_TASK_RETRY_DELAY": "1",
    # a task whose worker died is failed (and retried) after 20 s without heartbeat, not 5 min
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
    "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "2",
    "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
    # a task whose message is lost (never started by any worker) is re-queued after 180 s, not 10 min;
    # with one slot per worker and late acks a worker holds no message it has not started, so this is
    # a safety net, longer than any wait for the surviving worker's slot here
    "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "180",
    # the dag-processor lists the bundle every 5 s and reparses a changed file at once
    "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
    "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "5",
}


def pg_sqlalchemy(url: str) -> str:
    """The psycopg 3 SQLAlchemy URL Airflow's metadata database and Celery's result backend use."""
    return sa.engine.make_url(url).set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


@dataclass(frozen=True)
class Worker:
    name: str
    folder: Path
    service: Service

    @property
    def logs(self) -> Path:
        return self.folder / "logs"

    def task_logs(self, dag_id: str, run_id: str, task_id: str) -> list[Path]:
        """This worker's log files of a task in a run (one per map index and try)."""
        return sorted(self.logs.glob(f"dag_id={dag_id}/run_id={run_id}/task_id={task_id}/**/*.log"))


@dataclass
class Stack:
    meta_url: str
    control: Path
    env: dict[str, str]
    services: dict[str, Service] = field(default_factory=dict)
    workers: list[Worker] = field(default_factory=list)

    def airflow(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(BIN / "airflow"), *args], env=self.env, cwd=self.control, capture_output=True, text=True, timeout=timeout
        )
        if proc.returncode != 0:
            raise RuntimeError(f"airflow {' '.join(args)} exited {proc.returncode}:\n{(proc.stdout + proc.stderr)[-4000:]}")
        return proc

    def query(self, sql: str, **params: object) -> list[tuple]:
        engine = sa.create_engine(self.meta_url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                return [tuple(r) for r in conn.execute(sa.text(sql), params)]
        except sa.exc.ProgrammingError:  # not migrated yet
            return []
        finally:
            engine.dispose()

    def tails(self) -> str:
        return "\n".join(s.tail() for s in [*self.services.values(), *(w.service for w in self.workers)])

    def check_alive(self) -> None:
        for service in self.services.values():
            if not service.alive():
                raise RuntimeError(f"{service.name} exited\n{service.tail()}")


def base_env(meta_url: str, broker_url: str, api_port: int) -> dict[str, str]:
    """What every Airflow process of the deployment gets (the shared part of docker-compose's environment)."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "NEWS_ETL_", "AWS_"))}
    meta = pg_sqlalchemy(meta_url)
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
        AIRFLOW__CORE__EXECUTOR="CeleryExecutor",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=meta,
        # psycopg 3 for the async engine too (Airflow would derive asyncpg, which this project does not install)
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC=meta,
        AIRFLOW__CELERY__BROKER_URL=broker_url,
        AIRFLOW__CELERY__RESULT_BACKEND=f"db+{meta}",
        AIRFLOW__CELERY__WORKER_CONCURRENCY="1",
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
        AIRFLOW__CORE__PARALLELISM="4",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{api_port}/execution/",
        AIRFLOW__API__HOST="127.0.0.1",
        AIRFLOW__API__PORT=str(api_port),
        AIRFLOW__API__WORKERS="1",
        AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_urlsafe(32),
        AIRFLOW__CORE__AUTH_MANAGER="airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="True",
        AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE="False",  # only the runs the test triggers
        AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK="False",
        **FAST,
    )
    return env


@contextmanager
def celery_stack(
    base: Path, meta_url: str, broker_url: str, worker_env: dict[str, str], workers: int = 2
) -> Iterator[Stack]:
    """Migrate the metadata database, start the control plane and ``workers`` Celery workers; stop all after."""
    api_port = free_port()
    env = base_env(meta_url, broker_url, api_port)
    control = base / "control"
    control.mkdir(parents=True)
    env.update(
        AIRFLOW_HOME=str(control),
        AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
        AIRFLOW__LOGGING__BASE_LOG_FOLDER=str(control / "logs"),
        AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(free_port()),
        AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(free_port()),
    )
    stack = Stack(pg_sqlalchemy(meta_url), control, env)
    stack.airflow("db", "migrate", timeout=300)
    airflow = str(BIN / "airflow")
    with ExitStack() as stop:
        for component in ("api-server", "scheduler", "dag-processor"):
            service = Service(component, [airflow, component], cwd=control, env=env, log=control / f"{component}.log")
            stack.services[component] = service.start()
            stop.callback(service.stop)
        for i in range(workers):
            name = f"worker-{chr(ord('a') + i)}"
            folder = base / name
            dags = folder / "dags"
            shutil.copytree(DAGS, dags, ignore=shutil.ignore_patterns("__pycache__"))
            wenv = {
                **env,
                **worker_env,
                "AIRFLOW_HOME": str(folder / "home"),
                "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
                "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(folder / "logs"),
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
                "TMPDIR": str(folder / "tmp"),
            }
            (folder / "tmp").mkdir(parents=True)
            argv = [airflow, "celery", "worker", "--celery-hostname", f"{name}@%h", "--concurrency", "1"]
            worker = Worker(name, folder, Service(name, argv, cwd=folder, env=wenv, log=folder / "worker.log"))
            stack.workers.append(worker)
            worker.service.start()
            stop.callback(worker.service.stop)
        stack.services["api-server"].wait_until(lambda: port_open(api_port), START_TIMEOUT, "api-server listening")
        for worker in stack.workers:
            worker.service.wait_until(lambda w=worker: "ready." in w.service.tail(20000), START_TIMEOUT, "Celery worker ready")
        yield stack


def wait_for_dag(stack: Stack, dag_id: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not stack.query("SELECT dag_id FROM dag WHERE dag_id = :d AND NOT is_stale", d=dag_id):
        stack.check_alive()
        if time.monotonic() > deadline:
            raise RuntimeError(f"the dag-processor did not register {dag_id} within {timeout:.0f}s\n{stack.tails()}")
        time.sleep(1)
