"""news_archive_import: backfill an archive (a folder, file or glob) through the nightly's mapped tasks.

Trigger it by hand with params: ``source`` (path or glob, e.g. ``/data/bbc/*/*.txt``), optional
``date_from``/``date_to`` (keep files whose path holds a date in the range, e.g. dated landing
folders) and ``shard_size``. The same request always maps to the same batches
(``archive-<hash of source and dates>-s<shard>-...``), so re-running it replaces, never duplicates.
Articles already stored by other batches (e.g. by news_nightly) are skipped. See docs/airflow.md.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from _common import DEFAULT_ARGS, settings, shard_pipeline
from airflow.sdk import Param, dag, task


@dag(
    dag_id="news_archive_import",
    schedule=None,
    start_date=datetime(2013, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        "source": Param("", type="string", minLength=1, description="Archive folder, file or glob (recursive '**' allowed), or an object-store prefix (s3://bucket/archive); absolute paths, as workers may run elsewhere; several, comma-separated."),
        "date_from": Param(None, type=["null", "string"], format="date", description="First date (YYYY-MM-DD) found in a file's path."),
        "date_to": Param(None, type=["null", "string"], format="date", description="Last date (inclusive)."),
        "shard_size": Param(100, type="integer", minimum=1, description="Files per mapped process task."),
    },
    tags=["news-etl"],
    doc_md=__doc__,
)
def news_archive_import() -> None:
    @task
    def discover(params: dict[str, Any] | None = None) -> dict[str, Any]:
        """List the archive's files; XCom: the listing's path, file count and batch prefix."""
        from etl.shards import discover_archive

        p = params or {}
        return discover_archive(p.get("source") or "", p.get("date_from"), p.get("date_to"), settings=settings())

    shard_pipeline(discover())


news_archive_import()
