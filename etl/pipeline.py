"""The pipeline: ingest -> clean -> language -> dedup -> NLP -> load, streamed in batches.

The CLI and the Airflow tasks call these functions. A run is split into batches of
``settings.batch_size`` articles; each batch becomes a load package that is written to Parquet
and loaded into SQL whole, and replaced whole when the same input is run again.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from etl import ids
from etl.clean import clean
from etl.dedup import Deduplicator, Verdict
from etl.ingest import discover, read_file, source_uri_for
from etl.language import tag_language
from etl.nlp.runner import NlpRunner, needs_nlp
from etl.records import AnalysedArticle, CleanArticle, RawArticle, Reject, RunCounts
from etl.settings import Settings
from etl.warehouse.package import Package, build_package
from etl.warehouse.parquet import ParquetStore
from etl.warehouse.sql import SqlStore
from etl.when import date_article

logger = logging.getLogger(__name__)

Progress = Callable[[RunCounts], None]
# counts a run adds up from what the stores report for each batch
STORED = ("articles", "sentences", "mentions", "entities", "quotes", "skipped_existing")


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def input_key(inputs: Iterable[Path]) -> str:
    """A short fingerprint of what a run was asked to read: its batches are named after it."""
    return ids.digest(*sorted(str(Path(p).resolve()) for p in inputs), length=10)


@dataclass
class RunSummary:
    run_id: str
    status: str
    counts: RunCounts
    seconds: float
    started_at: datetime
    finished_at: datetime | None = None
    error: str | None = None
    batches: list[str] = field(default_factory=list)

    @property
    def words_per_second(self) -> float:
        return self.counts.words / self.seconds if self.seconds else 0.0

    def run_row(self, inputs: Iterable[Path]) -> dict[str, object]:
        c = self.counts
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "status": self.status,
            "inputs": " ".join(str(p) for p in inputs),
            "files": c.files,
            "articles": c.articles,
            "sentences": c.sentences,
            "mentions": c.mentions,
            "entities": c.entities,
            "quotes": c.quotes,
            "rejects": c.rejects,
            "duplicates": c.duplicates,
            "near_duplicates": c.near_duplicates,
            "non_english": c.non_english,
            "skipped_existing": c.skipped_existing,
            "words": c.words,
            "seconds": round(self.seconds, 3),
            "error": self.error,
        }


# ---------------------------------------------------------------- stages before the NLP


def read_inputs(files: Iterable[tuple[Path, str]], counts: RunCounts) -> Iterator[RawArticle | Reject]:
    for path, source_uri in files:
        counts.files += 1
        yield from read_file(path, source_uri)


def discover_inputs(inputs: Iterable[Path]) -> Iterator[tuple[Path, str]]:
    for path, root in discover(inputs):
        yield path, source_uri_for(path, root)


def prepare(
    records: Iterable[RawArticle | Reject], dedup: Deduplicator, counts: RunCounts, published_on: date | None = None
) -> Iterator[CleanArticle | Reject]:
    """Clean, tag the language and drop exact duplicates; bad input comes out as rejects, in order."""
    for record in records:
        if isinstance(record, Reject):
            yield record
            continue
        cleaned = clean(record)
        if isinstance(cleaned, Reject):
            yield cleaned
            continue
        article = date_article(tag_language(cleaned), published_on=published_on)
        verdict, article = dedup.check(article)
        if verdict is Verdict.DUPLICATE:
            counts.duplicates += 1
            yield Reject(article.source_uri, "dedup", f"exact duplicate of article {article.article_id}")
            continue
        if verdict is Verdict.NEAR_DUPLICATE:
            counts.near_duplicates += 1
        if not needs_nlp(article):
            counts.non_english += 1
        yield article


def group_batches(
    items: Iterable[AnalysedArticle | Reject], batch_size: int
) -> Iterator[tuple[list[AnalysedArticle], list[Reject]]]:
    """Consecutive batches of ``batch_size`` articles, each with the rejects met on the way."""
    articles: list[AnalysedArticle] = []
    rejects: list[Reject] = []
    for item in items:
        if isinstance(item, Reject):
            rejects.append(item)
        else:
            articles.append(item)
            if len(articles) >= batch_size:
                yield articles, rejects
                articles, rejects = [], []
    if articles or rejects:
        yield articles, rejects


# ---------------------------------------------------------------- warehouse


class Warehouse:
    """The stores a run writes to: Parquet and/or SQL, as the settings say."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._stack = ExitStack()
        self.parquet: ParquetStore | None = None
        self.sql: SqlStore | None = None

    def __enter__(self) -> Warehouse:
        s = self.settings
        if s.write_sql:
            self.sql = self._stack.enter_context(SqlStore(s.db_url))
            self.sql.migrate()
        if s.write_parquet:
            self.parquet = self._stack.enter_context(ParquetStore(s.parquet_root))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def load(self, package: Package) -> dict[str, int]:
        """Write one batch to every store; the counts are what the stores kept."""
        counts: dict[str, int] = {}
        if self.parquet is not None:
            counts = self.parquet.load(package)
        if self.sql is not None:
            sql_counts = self.sql.load(package)
            if counts and counts != sql_counts:
                logger.warning("batch %s: Parquet kept %s, SQL kept %s", package.batch_id, counts, sql_counts)
            counts = sql_counts
        return counts

    def drop_stale(self, prefix: str, keep: Iterable[str]) -> list[str]:
        """Drop every batch named ``<prefix>-...`` except ``keep``: a re-run whose input changed."""
        keep = set(keep)
        dropped: set[str] = set()
        for store in (self.parquet, self.sql):
            if store is None:
                continue
            stale = {b for b in store.batch_ids() if b.startswith(f"{prefix}-")} - keep
            for batch in sorted(stale):
                store.drop(batch)
            dropped |= stale
        if dropped:
            logger.info("dropped %d batches no longer produced: %s", len(dropped), sorted(dropped))
        return sorted(dropped)

    def record_run(self, row: dict[str, object]) -> None:
        if self.sql is not None:
            self.sql.record_run(row)
        if self.parquet is not None:
            self.parquet.record_run(row)


def add_stored(counts: RunCounts, stored: dict[str, int], rejects: int) -> None:
    for key in STORED:
        setattr(counts, key, getattr(counts, key) + stored.get(key, 0))
    counts.rejects += rejects


# ---------------------------------------------------------------- runs


@contextmanager
def recorded(warehouse: Warehouse, summary: RunSummary, inputs: list[Path]) -> Iterator[None]:
    """Record the run in ``runs`` as running, then as succeeded or failed (with why) and its counts."""
    t0 = time.perf_counter()
    warehouse.record_run(summary.run_row(inputs))
    try:
        yield
        summary.status = "succeeded"
    except BaseException as exc:
        summary.status = "failed"
        summary.error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        summary.seconds = time.perf_counter() - t0
        summary.finished_at = datetime.now(UTC)
        try:
            warehouse.record_run(summary.run_row(inputs))
        except Exception:  # noqa: BLE001 - the original error matters more
            logger.exception("could not record the run's end")


def _tick(items: Iterator[AnalysedArticle | Reject], counts: RunCounts, progress: Progress | None) -> Iterator[AnalysedArticle | Reject]:
    """Count items as they leave the NLP stage, for the progress display."""
    for item in items:
        counts.extra["processed"] = counts.extra.get("processed", 0) + 1
        if progress:
            progress(counts)
        yield item


def run(
    inputs: list[Path],
    settings: Settings,
    progress: Progress | None = None,
    batch_prefix: str | None = None,
) -> RunSummary:
    """Load every article under ``inputs`` into the warehouse. Re-running the same input is safe."""
    for path in inputs:
        if not Path(path).exists():
            raise FileNotFoundError(f"input path does not exist: {path}")
    counts = RunCounts()
    summary = RunSummary(new_run_id(), "running", counts, 0.0, datetime.now(UTC))
    prefix = batch_prefix or input_key(inputs)
    nlp = NlpRunner(settings.model, settings.processes, nlp_batch_size=settings.nlp_batch_size)
    with Warehouse(settings) as warehouse, recorded(warehouse, summary, inputs), nlp, ThreadPoolExecutor(1) as loader:
        dedup = Deduplicator()
        prepared = prepare(read_inputs(discover_inputs(inputs), counts), dedup, counts, settings.published_on)
        pending: Future[dict[str, int]] | None = None
        pending_rejects = 0
        stream = _tick(nlp.analyse(prepared), counts, progress)
        for idx, (analysed, rejects) in enumerate(group_batches(stream, settings.batch_size)):
            batch_id = f"{prefix}-{idx:05d}"
            package = build_package(batch_id, summary.run_id, analysed, rejects)
            counts.words += sum(a.word_count for a in analysed)
            if pending is not None:
                add_stored(counts, pending.result(), pending_rejects)
            pending = loader.submit(warehouse.load, package)
            pending_rejects = sum(1 for r in rejects if r.stage != "dedup")
            summary.batches.append(batch_id)
        if pending is not None:
            add_stored(counts, pending.result(), pending_rejects)
    if progress:
        progress(counts)
    return summary


def summary_dict(summary: RunSummary) -> dict[str, object]:
    out = asdict(summary.counts)
    out.pop("extra", None)
    out.update(run_id=summary.run_id, status=summary.status, seconds=round(summary.seconds, 2))
    out["words_per_second"] = round(summary.words_per_second, 1)
    return out


# ---------------------------------------------------------------- shards (Airflow)


def package_dir(settings: Settings, batch_id: str) -> Path:
    """Where a shard's load package lives: inside the warehouse, so any worker can load it."""
    return settings.warehouse / "packages" / batch_id


def process_files(files: list[tuple[Path, str]], batch_id: str, run_id: str, settings: Settings) -> Package:
    """One shard: read, clean, dedup and analyse ``files`` (path, source_uri) into one load package."""
    counts = RunCounts()
    with NlpRunner(settings.model, settings.processes, nlp_batch_size=settings.nlp_batch_size) as nlp:
        items = list(nlp.analyse(prepare(read_inputs(files, counts), Deduplicator(), counts, settings.published_on)))
    analysed = [i for i in items if isinstance(i, AnalysedArticle)]
    rejects = [i for i in items if isinstance(i, Reject)]
    counts.words = sum(a.word_count for a in analysed)
    shard_counts = {
        "files": counts.files,
        "duplicates": counts.duplicates,
        "near_duplicates": counts.near_duplicates,
        "non_english": counts.non_english,
        "words": counts.words,
        "rejects": sum(1 for r in rejects if r.stage != "dedup"),
    }
    return build_package(batch_id, run_id, analysed, rejects, counts=shard_counts)


def process_shard(files: list[tuple[Path, str]], batch_id: str, run_id: str, settings: Settings) -> dict[str, object]:
    """Process a shard and save its package under the warehouse; returns the path and row counts."""
    from etl.warehouse.package import save_package

    package = process_files(files, batch_id, run_id, settings)
    path = save_package(package, package_dir(settings, batch_id))
    return {"package": str(path), "batch_id": batch_id, "rows": {k: t.num_rows for k, t in package.tables.items()}, **package.counts}


def load_packages(paths: list[Path], settings: Settings, run_id: str, inputs: list[str] | None = None) -> RunSummary:
    """Load saved packages in order (each batch in one transaction) and record one ``runs`` row."""
    from etl.warehouse.package import read_package

    counts = RunCounts()
    summary = RunSummary(run_id, "running", counts, 0.0, datetime.now(UTC))
    labels = [Path(p) for p in (inputs or [])]
    with Warehouse(settings) as warehouse, recorded(warehouse, summary, labels):
        for path in paths:
            package = read_package(Path(path))
            stored = warehouse.load(package)
            for key in ("files", "duplicates", "near_duplicates", "non_english", "words"):
                setattr(counts, key, getattr(counts, key) + int(package.counts.get(key, 0)))
            add_stored(counts, stored, int(package.counts.get("rejects", 0)))
            summary.batches.append(package.batch_id)
    return summary
