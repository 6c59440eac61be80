"""Shared by the news DAGs: task defaults, retry policy and the mapped shard pipeline.

Import-light on purpose: the Airflow Task SDK, the common-sql provider, the SQL strings of
``etl.quality`` and the table declarations of ``etl.warehouse.schema`` at module level. Every
task imports the one ``etl`` function it calls inside its body, so parsing a DAG file never loads spaCy, pyarrow or a database driver, and never touches the
landing folder or the warehouse.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from airflow.providers.common.sql.hooks.sql import DbApiHook
from airflow.providers.common.sql.operators.sql import SQLCheckOperator
from airflow.sdk import (
    Asset,
    ExceptionRetryPolicy,
    RetryAction,
    RetryRule,
    TriggerRule,
    get_current_context,
    task,
)

from etl.quality import GLOBAL_CHECKS, check_query  # light: SQL strings only, no driver, no I/O
from etl.warehouse.schema import ASSET_TABLES  # light: the declarations, no pyarrow or driver

# Assets: one per analyst table (declared in the schema), published by every run that loaded a
# batch (each run rewrites its batches' partition of every table). Downstream DAGs schedule on
# them, e.g. schedule=[Asset("news_warehouse.quotes")]. Declared statically so they show in the
# UI's lineage.
TABLES = ASSET_TABLES


def table_asset(table: str) -> Asset:
    return Asset(name=f"news_warehouse.{table}", uri=f"news-etl://warehouse/{table}", group="news_warehouse")


WAREHOUSE_ASSETS = [table_asset(t) for t in TABLES]


# Retries are for transient faults only (database down, shared storage hiccup). Bad input never
# raises: it is stored in `rejects`. Bad configuration, bad params and failed data-quality checks
# are `etl.errors.Terminal` and fail at once; so do programming errors that a retry cannot fix.
RETRY_POLICY = ExceptionRetryPolicy(
    rules=[
        RetryRule(
            exception="etl.errors.Terminal",
            action=RetryAction.FAIL,
            reason="configuration, params or data quality: retrying cannot help",
        ),
        RetryRule(exception="etl.errors.Transient", action=RetryAction.RETRY, reason="warehouse unavailable"),
        RetryRule(
            exception=["builtins.ValueError", "builtins.TypeError", "builtins.KeyError"],
            action=RetryAction.FAIL,
            reason="a bug or bad argument: retrying cannot help",
        ),
    ],
    default=RetryAction.DEFAULT,
)

# The first retry delay is Airflow's [core] default_task_retry_delay (300 s unless configured),
# doubling up to 30 minutes: long enough for a database restart.
DEFAULT_ARGS: dict[str, Any] = {
    "owner": "news-etl",
    "retries": 3,
    "retry_exponential_backoff": 2.0,
    "max_retry_delay": timedelta(minutes=30),
    "retry_policy": RETRY_POLICY,
}


def connection_url(conn_id: str = "news_warehouse") -> str | None:
    """The database URL of the Airflow connection ``conn_id``, or None when it is not defined."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    from etl.shards import sqlalchemy_url

    try:
        conn = Connection.get(conn_id)
    except AirflowNotFoundException:
        return None
    return sqlalchemy_url(conn)


def settings() -> Any:
    """The etl settings for a task: the warehouse database from the environment or the connection."""
    import os

    from etl.shards import task_settings

    return task_settings(None if os.environ.get("NEWS_ETL_DATABASE_URL") else connection_url())


def _run_id() -> str:
    from etl.shards import pipeline_run_id

    ctx = get_current_context()
    return pipeline_run_id(ctx["dag"].dag_id, ctx["run_id"])


@task
def shard(discovered: dict[str, Any], params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Split the discovered files into shards; XCom: one {batch_id, manifest, files} per shard."""
    from etl.shards import plan_shards

    s = settings()
    prefix = discovered["prefix"]
    size = int((params or {}).get("shard_size") or 100)
    return plan_shards(s.at(discovered["listing"]), size, prefix, s.location / "shards" / prefix / "batches")


@task(map_index_template="{{ batch_id }}")
def process(shard: dict[str, Any]) -> dict[str, Any]:
    """One mapped instance per shard: read, clean, dedup, spaCy -> load package in the warehouse."""
    from etl.shards import process as process_shard

    get_current_context()["batch_id"] = shard["batch_id"]  # type: ignore[typeddict-unknown-key]
    return process_shard(shard, _run_id(), settings())


# Runs after an empty map too (no shards: process is skipped), so an empty or unchanged interval
# still records its run. One load at a time per DAG: loads share the
# warehouse's write lock.
@task(trigger_rule=TriggerRule.NONE_FAILED, max_active_tis_per_dag=1)
def load(discovered: dict[str, Any], processed: list[dict[str, Any]]) -> dict[str, Any]:
    """Load every shard's package, each batch in one transaction; XCom: counts and batch ids."""
    from etl.shards import load as load_shards

    # index by position: iterating the lazy XCom sequence probes one item past its end
    results = [processed[i] for i in range(len(processed))] if processed else []
    return load_shards(results, discovered["prefix"], _run_id(), settings(), discovered["sources"])


@task
def check(loaded: dict[str, Any]) -> dict[str, Any]:
    """Data-quality checks on the run's batches (offsets, row counts, Parquet = SQL); fails with every violation listed."""
    from etl.quality import SCOPED_CHECKS, check_load

    return check_load(settings(), loaded, sql_checks=SCOPED_CHECKS)


class WarehouseHook(DbApiHook):
    """A common-sql DB-API hook on the news warehouse, for any SQLAlchemy URL (PostgreSQL or SQLite).

    The URL is the one the other tasks use ($NEWS_ETL_DATABASE_URL, else the news_warehouse
    connection), so the check operators need no database provider package.
    """

    conn_name_attr = "warehouse_conn_id"
    default_conn_name = "news_warehouse"
    conn_type = "news_warehouse"
    hook_name = "news-etl warehouse"

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = url

    def get_conn(self) -> Any:
        import sqlalchemy as sa

        return sa.create_engine(self.url, poolclass=sa.pool.NullPool).raw_connection()

    def get_uri(self) -> str:
        return self.url


class WarehouseCheckOperator(SQLCheckOperator):
    """common-sql's SQLCheckOperator on the warehouse; a failed check fails the run without retry."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(conn_id="news_warehouse", retry_on_failure=False, **kwargs)

    def get_db_hook(self) -> DbApiHook:
        return WarehouseHook(settings().db_url)


@task(outlets=WAREHOUSE_ASSETS)
def publish(loaded: dict[str, Any], *, outlet_events: Any = None) -> list[str]:
    """Publish the warehouse tables' Assets with this run's counts; skipped when the run changed nothing."""
    from airflow.sdk.exceptions import AirflowSkipException

    from etl.shards import updated_tables

    tables = updated_tables(loaded)
    if not tables:
        raise AirflowSkipException("nothing new loaded: no Asset event")
    for asset in WAREHOUSE_ASSETS:
        table = asset.name.split(".", 1)[1]
        outlet_events[asset].extra = {
            "run_id": loaded["run_id"],
            "prefix": loaded["prefix"],
            "batches": len(loaded["batches"]),
            "rows": loaded["counts"].get(table, len(loaded["batches"]) if table == "batches" else 1),
        }
    return tables


def shard_pipeline(discovered: Any) -> None:
    """discover -> shard -> process (mapped) -> load -> [check, dq_* SQL checks] -> publish."""
    shards = shard(discovered)
    processed = process.expand(shard=shards)
    loaded = load(discovered, processed)
    # invariants of the whole warehouse (one run can orphan another's rows), one SQLCheckOperator each
    sql_checks = [
        WarehouseCheckOperator(task_id=f"dq_{c.name}", sql=check_query(c), doc=f"Fails when there are {c.description}.")
        for c in GLOBAL_CHECKS
    ]
    loaded >> sql_checks
    [check(loaded), *sql_checks] >> publish(loaded)
