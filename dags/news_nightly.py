"""news_nightly: load one day of landed news into the warehouse, scaled out by mapped shards.

Each run reads ``$NEWS_ETL_LANDING/<YYYY-MM-DD>/`` (recursively, every supported format) for its
data interval's start date (a manual run with a logical date: the day before it, as ``dags test``) and writes the warehouse (``$NEWS_ETL_WAREHOUSE`` Parquet, and the SQL
database: ``$NEWS_ETL_DATABASE_URL`` or the ``news_warehouse`` connection). Re-running an interval
replaces its batches (``nightly-<date>-s<shard>-...``), never duplicates them. An empty or missing
landing folder is a successful empty run. See docs/airflow.md.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from _common import DEFAULT_ARGS, settings, shard_pipeline
from airflow.sdk import CronDataIntervalTimetable, Param, dag, task


@dag(
    dag_id="news_nightly",
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=datetime(2013, 1, 1, tzinfo=UTC),
    catchup=False,
    default_args=DEFAULT_ARGS,
    params={"shard_size": Param(100, type="integer", minimum=1, description="Files per mapped process task.")},
    tags=["news-etl"],
    doc_md=__doc__,
)
def news_nightly() -> None:
    @task
    def discover(data_interval_start: Any = None, logical_date: Any = None, dag_run: Any = None) -> dict[str, Any]:
        """List the interval's landing folder; XCom: the listing's path, file count and batch prefix."""
        from etl.shards import discover_nightly, nightly_day

        day = nightly_day(data_interval_start, logical_date, getattr(dag_run, "run_type", None))
        return discover_nightly(day, settings=settings())

    shard_pipeline(discover())


news_nightly()
