"""Sharded runs, as the Airflow DAGs call them: one function per task, each returning a small JSON-able dict.

Nothing here imports Airflow: the DAG files resolve Airflow connections themselves (dags/_common.py)
and hand the URL in, so the library does not depend on its orchestrator.

The DAG files stay thin (no heavy imports, no I/O at parse time); everything that touches files,
spaCy or the database lives here and is imported inside the task. XCom only ever carries paths
and counts: file lists and shard manifests are written under the warehouse, which every worker
can reach, and shard results are load packages under ``<warehouse>/packages/``.

Discovery consults the warehouse's input ledger: only new or changed files are listed, so a
re-run of an unchanged interval has nothing to do, and a backfill cleared halfway resumes with the
files its committed shards did not load. Batch ids are ``<prefix>-s<shard>-<fingerprint>``: the
prefix names the interval (``nightly-2013-02-26``) or the archive request (``archive-<hash>``), the
fingerprint hashes the shard's files and their contents. Loading a shard replaces its files'
earlier rows and nothing else (see ``etl.warehouse.sql``). Load packages and shard manifests are
deleted once loaded (``NEWS_ETL_KEEP_PACKAGES=1`` keeps them) and kept on failure for the retry.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from etl import ids
from etl.errors import ConfigError
from etl.settings import Settings

if TYPE_CHECKING:
    from etl.storage import Location, RemoteFile

logger = logging.getLogger(__name__)

CONN_ID = "news_warehouse"
DEFAULT_SHARD_SIZE = 100
_GLOB_CHARS = re.compile(r"[*?\[]")
_PATH_DATE = re.compile(r"(?<!\d)(\d{4})[-/](\d{2})[-/](\d{2})(?!\d)")
_RUN_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


# ---------------------------------------------------------------- settings and connections


def sqlalchemy_url(conn: Any) -> str:
    """A SQLAlchemy URL for an Airflow connection (postgres -> psycopg 3, sqlite -> file)."""
    import sqlalchemy as sa

    extra = conn.extra_dejson if hasattr(conn, "extra_dejson") else {}
    if extra.get("sqlalchemy_url"):
        return str(extra["sqlalchemy_url"])
    kind = (conn.conn_type or "").lower()
    if kind in ("postgres", "postgresql"):
        url = sa.engine.URL.create(
            "postgresql+psycopg",
            username=conn.login or None,
            password=conn.password or None,
            host=conn.host or None,
            port=conn.port or None,
            database=conn.schema or None,
        )
        return url.render_as_string(hide_password=False)
    if kind == "sqlite":
        return f"sqlite:///{conn.host}"
    raise ConfigError(f"connection {conn.conn_id!r} has type {conn.conn_type!r}: use postgres (or sqlite)")


def task_settings(connection_url: str | None = None, processes: int | None = None) -> Settings:
    """Settings for one Airflow task.

    The database is, in order: ``$NEWS_ETL_DATABASE_URL``, ``connection_url`` (the DAGs pass the
    Airflow connection ``news_warehouse``), else the embedded SQLite file in the warehouse. The spaCy
    stage uses one process per task (the executor runs tasks in parallel) unless
    ``$NEWS_ETL_PROCESSES`` says more.
    """
    url = os.environ.get("NEWS_ETL_DATABASE_URL") or connection_url
    if processes is None:
        processes = int(os.environ.get("NEWS_ETL_PROCESSES") or 1)
    if "NEWS_ETL_WAREHOUSE" not in os.environ:
        raise ConfigError("NEWS_ETL_WAREHOUSE is not set: the DAGs need a warehouse every worker can reach")
    return Settings(database_url=url, processes=max(1, processes))


def pipeline_run_id(dag_id: str, run_id: str) -> str:
    """A warehouse run id for an Airflow DAG run (letters, digits, '.', '_' and '-' only)."""
    return _RUN_ID_UNSAFE.sub("_", f"{dag_id}.{run_id}").strip("_")[:120]


def nightly_day(data_interval_start: datetime, logical_date: datetime | None = None, run_type: str | None = None) -> date:
    """The landing date a news_nightly run reads: its data interval's start (UTC).

    Scheduled runs and backfills have real daily intervals. A manual run (``airflow dags trigger
    --logical-date``) gets an interval ending at its trigger time in Airflow 3, whatever its logical
    date says, so it reads the day before the logical date's UTC midnight instead: the interval
    ``airflow dags test news_nightly <date>`` infers from the same date.
    """
    if str(run_type or "").lower().endswith("manual") and logical_date is not None:
        return logical_date.astimezone(UTC).date() - timedelta(days=1)
    return data_interval_start.astimezone(UTC).date()


def nightly_prefix(day: date) -> str:
    return f"nightly-{day.isoformat()}"


def archive_prefix(sources: list[str], date_from: str | None, date_to: str | None) -> str:
    """The batch prefix of an archive request: the same request always gets the same batches."""
    from etl.storage import is_url

    spec = [s if is_url(s) else str(Path(os.path.expanduser(s)).absolute()) for s in sources]
    return f"archive-{ids.digest('archive', *spec, date_from or '', date_to or '', length=10)}"


# ---------------------------------------------------------------- discover


def path_date(path: Path | RemoteFile) -> date | None:
    """The last YYYY-MM-DD (or YYYY/MM/DD) in a path, e.g. a dated landing folder."""
    found = None
    for m in _PATH_DATE.finditer(path.as_posix()):
        try:
            found = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
    return found


def _parse_date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ConfigError(f"{name} must be a date (YYYY-MM-DD), got {value!r}") from None


def discover_files(
    sources: Iterable[str],
    listing: Location,
    date_from: str | None = None,
    date_to: str | None = None,
    missing_ok: bool = False,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """List every new or changed input file once, in a stable order, into ``listing`` (JSON).

    Sources are files, folders (read recursively) or globs. With a date range, only files whose path
    holds a date inside it (inclusive) are kept. ``missing_ok`` makes a missing source an empty one.
    With ``settings``, files the warehouse's ledger holds unchanged are left out (and counted).
    """
    from etl import ledger
    from etl.ingest.discover import discover
    from etl.records import InputFile

    sources = [str(s) for s in sources]
    if not sources:
        raise ConfigError("no input source given")
    lo, hi = _parse_date(date_from, "date_from"), _parse_date(date_to, "date_to")
    if lo and hi and lo > hi:
        raise ConfigError(f"date_from {lo} is after date_to {hi}")
    try:
        found = [f for f in discover(sources, missing_ok=missing_ok) if isinstance(f, InputFile)]
    except FileNotFoundError as exc:
        raise ConfigError(str(exc)) from None
    files: list[InputFile] = []
    out_of_range = undated = 0
    for f in found:
        if lo or hi:
            day = path_date(f.path)
            if day is None:
                undated += 1
                continue
            if (lo and day < lo) or (hi and day > hi):
                out_of_range += 1
                continue
        files.append(f)
    unchanged = 0
    if settings is not None and files:
        from etl.warehouse.sql import SqlStore

        with SqlStore(settings.db_url) as catalog:
            catalog.migrate()
            plan = ledger.plan(files, catalog.known_files(f.uri for f in files))
        files, unchanged = plan.todo, len(plan.unchanged)
    rows = [[str(f.path.absolute()), f.uri, f.size, f.mtime_ns, f.file_hash] for f in files]
    listing.write_json({"sources": sources, "date_from": date_from, "date_to": date_to, "files": rows})
    logger.info("%d input files to read under %s (%d unchanged, %d out of range, %d undated)", len(files), sources, unchanged, out_of_range, undated)
    return {"listing": str(listing), "files": len(files), "unchanged": unchanged, "out_of_range": out_of_range, "undated": undated}


def _input_files(rows: Iterable[list[Any]], settings: Settings) -> list[Any]:
    from etl.records import InputFile
    from etl.storage import input_path

    return [InputFile(input_path(p, settings.storage_options), uri, int(size), int(mtime), digest) for p, uri, size, mtime, digest in rows]


def _listing_path(settings: Settings, prefix: str) -> Location:
    return settings.location / "shards" / prefix / "listing.json"


def discover_nightly(day: date, landing: str | None = None, settings: Settings | None = None) -> dict[str, Any]:
    """The nightly discover task: ``<landing>/<day>/`` listed; a missing or empty folder lists nothing."""
    from etl.storage import is_url

    landing = landing or os.environ.get("NEWS_ETL_LANDING")
    if not landing:
        raise ConfigError("NEWS_ETL_LANDING is not set: the landing root holding <YYYY-MM-DD>/ folders")
    settings = settings or task_settings()
    prefix = nightly_prefix(day)
    folder = f"{landing.rstrip('/')}/{day.isoformat()}" if is_url(landing) else str(Path(landing) / day.isoformat())
    found = discover_files([folder], _listing_path(settings, prefix), missing_ok=True, settings=settings)
    return {**found, "prefix": prefix, "sources": [folder]}


def discover_archive(
    source: str, date_from: str | None = None, date_to: str | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    """The archive discover task: ``source`` (folder, file or glob) listed, optionally by path date."""
    sources = [s.strip() for s in str(source or "").split(",") if s.strip()]
    if not sources:
        raise ConfigError("param 'source' is empty: give an archive folder, file or glob")
    settings = settings or task_settings()
    prefix = archive_prefix(sources, date_from, date_to)
    found = discover_files(sources, _listing_path(settings, prefix), date_from, date_to, settings=settings)
    return {**found, "prefix": prefix, "sources": sources}


# ---------------------------------------------------------------- shards


def plan_shards(
    listing: Location | str | Path, shard_size: int, prefix: str, shard_dir: Location | str | Path
) -> list[dict[str, Any]]:
    """Split a listing into shards of ``shard_size`` files; one manifest per shard under ``shard_dir``.

    Returns one small dict per shard (batch id, manifest path, file count): the map of the process task.
    """
    from etl.storage import location
    from etl.warehouse.package import check_batch_id

    listing, shard_dir = location(listing), location(shard_dir)
    if int(shard_size) < 1:
        raise ConfigError(f"shard_size must be at least 1, got {shard_size}")
    files = listing.read_json()["files"]
    shards: list[dict[str, Any]] = []
    for idx, start in enumerate(range(0, len(files), int(shard_size))):
        chunk = files[start : start + int(shard_size)]
        fingerprint = ids.digest("shard", *(part for f in chunk for part in (f[1], f[4])), length=10)
        batch_id = check_batch_id(f"{prefix}-s{idx:04d}-{fingerprint}")
        manifest = shard_dir / f"{batch_id}.json"
        manifest.write_json({"batch_id": batch_id, "files": chunk})
        shards.append({"batch_id": batch_id, "manifest": str(manifest), "files": len(chunk)})
    keep = {f"{s['batch_id']}.json" for s in shards}
    for old in shard_dir.files(recursive=False):
        if old.endswith(".json") and old not in keep:
            shard_dir.delete(old)
    logger.info("%d files in %d shards of up to %d", len(files), len(shards), shard_size)
    return shards


def _pool_failed(exc: BaseException) -> bool:
    from concurrent.futures.process import BrokenProcessPool

    return isinstance(exc, BrokenProcessPool) or (isinstance(exc, AssertionError) and "daemonic" in str(exc))


def process(shard: dict[str, Any], run_id: str, settings: Settings) -> dict[str, Any]:
    """Process one shard into a load package under the warehouse; its path and counts."""
    from etl.pipeline import process_shard

    manifest = settings.at(shard["manifest"]).read_json()
    files = _input_files(manifest["files"], settings)
    try:
        result = process_shard(files, shard["batch_id"], run_id, settings)
    except Exception as exc:
        if settings.processes <= 1 or not _pool_failed(exc):
            raise
        logger.warning("worker processes unavailable in this task (%s): retrying with one process", exc)
        result = process_shard(files, shard["batch_id"], run_id, settings.with_(processes=1))
    return {**result, "shard_files": shard["files"]}


# ---------------------------------------------------------------- load


def load(
    shards: Iterable[dict[str, Any]], prefix: str, run_id: str, settings: Settings, inputs: list[str] | None = None
) -> dict[str, Any]:
    """Load the shards' packages, each batch in one load, then clear the shards' files.

    A shard whose files were all loaded already (a retry, a resumed backfill) has no package.
    """
    from etl.pipeline import load_packages

    results = sorted((dict(s) for s in shards if s), key=lambda s: s["batch_id"])
    for r in results:
        if not r["batch_id"].startswith(f"{prefix}-"):
            raise ConfigError(f"batch {r['batch_id']} does not belong to {prefix}")
    loadable = [r for r in results if r.get("package")]
    summary = load_packages([settings.at(r["package"]) for r in loadable], settings, run_id, inputs)
    if not settings.keep_packages:
        (settings.location / "shards" / prefix).delete_tree()
    counts = asdict(summary.counts)
    counts.pop("extra", None)
    return {
        "run_id": summary.run_id,
        "prefix": prefix,
        "status": summary.status,
        "batches": summary.batches,
        "counts": counts,
        # articles the loads found stored by another batch (the shards skip most of them before the NLP)
        "skipped_in_load": summary.counts.skipped_existing - sum(int(r.get("skipped_existing", 0)) for r in loadable),
        # what each shard handed over, for the data-quality checks
        "expected": {r["batch_id"]: {**r["rows"], "files": r.get("files", 0)} for r in loadable},
        "seconds": round(summary.seconds, 2),
    }


def updated_tables(loaded: dict[str, Any]) -> list[str]:
    """The warehouse tables a load changed (for the Assets a DAG run publishes)."""
    from etl.warehouse.schema import COUNTED

    if not loaded.get("batches"):
        return []
    counts = loaded.get("counts", {})
    # a load that replaced a changed file's rows may have removed rows from any table
    tables = [t for t in COUNTED if counts.get(t) or counts.get("replaced_files")]
    return [*tables, "batches", "runs"]
