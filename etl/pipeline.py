"""The pipeline: discover -> ledger -> ingest -> clean -> language -> dedup -> NLP -> load.

The CLI and the Airflow tasks call these functions. A run first asks the warehouse's input ledger
which files are new or changed (``etl.ledger``) and reads only those; with nothing to read it
never loads the spaCy model. Articles the warehouse already stores skip the NLP stages. The files
to read stream through the stages and are cut into batches at file boundaries; a batch is named
after its files and their contents, so adding, removing or reordering inputs leaves every other
batch as it is, and a killed run resumes where it stopped: committed batches are in the ledger.

Each batch is one load (``etl.warehouse.warehouse.Warehouse.load``): one SQL transaction, then
published to Parquet. A changed file's new rows replace its old ones; an article is never dropped
while any input still holds it, so no order, subset or overlap of later runs can lose one.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

from etl import ids, ledger
from etl.clean import clean
from etl.dedup import Deduplicator, Verdict
from etl.errors import short_error
from etl.ingest import read_file
from etl.ingest.discover import discover, root_names
from etl.language import tag_language
from etl.nlp.runner import NlpRunner, needs_nlp
from etl.records import AlreadyStored, AnalysedArticle, CleanArticle, FileDone, InputFile, RawArticle, Reject, RunCounts
from etl.settings import Settings
from etl.storage import Location
from etl.warehouse.aliases import link_entities
from etl.warehouse.change import Applied, Change
from etl.warehouse.package import Package, build_package, check_batch_id
from etl.warehouse.schema import BY_NAME, COUNTED
from etl.warehouse.warehouse import Warehouse, new_load_id
from etl.when import date_article

logger = logging.getLogger(__name__)

Progress = Callable[[RunCounts], None]
Item = RawArticle | CleanArticle | AnalysedArticle | AlreadyStored | Reject | FileDone
# counts a run adds up from what each load stored
STORED = (*(t for t in COUNTED if t not in ("rejects", "inputs")), "skipped_existing")
# a batch also closes after this many files or items, whatever they held (a folder of rejects, say)
FILES_PER_BATCH_FACTOR = 4


RUN_COUNT_COLUMNS = tuple(c.name for c in BY_NAME["runs"].columns if c.name in RunCounts.__dataclass_fields__)


def new_run_id() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


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

    def run_row(self, inputs: Iterable[object]) -> dict[str, object]:
        c = self.counts
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "status": self.status,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "inputs": " ".join(str(p) for p in inputs),
            # the runs table's count columns, as declared in the schema
            **{k: getattr(c, k) for k in RUN_COUNT_COLUMNS},
            "seconds": round(self.seconds, 3),
            "error": self.error,
        }


# ---------------------------------------------------------------- stages before the NLP


def read_inputs(
    files: Iterable[InputFile | Reject], counts: RunCounts, max_bytes: int | None = None
) -> Iterator[RawArticle | Reject | FileDone]:
    """Every record of every file, each file closed by a ``FileDone`` marker.

    A discovery reject (an unreadable folder, a symlink loop) stands for a file of its own, so the
    ledger records it and the next run reports it again only in place of this one.
    """
    for f in files:
        if isinstance(f, Reject):
            yield f
            yield FileDone(InputFile(Path(), f.source_uri, -1, -1))
            continue
        counts.files += 1
        n = 0
        for record in read_file(f.path, f.uri, max_bytes):
            n += 1
            yield record
        if n == 0:
            yield Reject(f.uri, "ingest", "no records in file")
        yield FileDone(f)


def prepare(
    records: Iterable[RawArticle | Reject | FileDone],
    dedup: Deduplicator,
    counts: RunCounts,
    stored: Callable[[str], bool] | None = None,
    published_on: date | None = None,
) -> Iterator[CleanArticle | AlreadyStored | Reject | FileDone]:
    """Clean, tag the language and drop exact duplicates; bad input comes out as rejects, in order.

    ``stored`` says whether the warehouse already holds an article: such an article skips the
    NLP stages (it comes out as ``AlreadyStored``). Every article is dated (``etl.when``), with
    ``published_on`` as the run's fallback day.
    """
    for record in records:
        if isinstance(record, Reject | FileDone):
            yield record
            continue
        cleaned = clean(record)
        if isinstance(cleaned, Reject):
            yield cleaned
            continue
        article = date_article(tag_language(cleaned), published_on=published_on)
        if stored is not None and not dedup.seen(article) and stored(article.article_id):
            dedup.mark_seen(article)
            counts.skipped_existing += 1
            yield AlreadyStored(article.source_uri, article.article_id)
            continue
        verdict, article = dedup.check(article)
        if verdict is Verdict.DUPLICATE:
            counts.duplicates += 1
            yield Reject(article.source_uri, "dedup", f"exact duplicate of article {article.article_id}", article.article_id)
            continue
        if verdict is Verdict.NEAR_DUPLICATE:
            counts.near_duplicates += 1
        if not needs_nlp(article):
            counts.non_english += 1
        yield article


class Catalog(Protocol):
    """What the stages before the NLP ask the warehouse (the SQL store, or the Warehouse around it)."""

    def stored_articles(self, article_ids: Iterable[str]) -> set[str]: ...

    def near_candidates(self, band_keys: list[str]) -> list[tuple[str, bytes, str | None]]: ...


def prepare_inputs(
    files: Iterable[InputFile | Reject], counts: RunCounts, settings: Settings, catalog: Catalog, force: bool = False
) -> tuple[Deduplicator, Iterator[CleanArticle | AlreadyStored | Reject | FileDone]]:
    """The files read and prepared, deduplicated against the run and the warehouse (``catalog``);
    with ``force``, against the run only, and nothing is skipped as already stored."""
    dedup = Deduplicator(lookup=None if force else catalog.near_candidates)
    stored = None if force else (lambda a: bool(catalog.stored_articles([a])))
    records = read_inputs(files, counts, settings.max_input_bytes)
    return dedup, prepare(records, dedup, counts, stored, settings.published_on)


def group_batches(items: Iterable[Item], batch_size: int) -> Iterator[list[Item]]:
    """Consecutive runs of whole files holding at least ``batch_size`` articles (the last may hold fewer)."""
    batch: list[Item] = []
    articles = files = 0
    for item in items:
        batch.append(item)
        if isinstance(item, AnalysedArticle):
            articles += 1
        elif isinstance(item, FileDone):
            files += 1
            if articles >= batch_size or max(files, len(batch)) >= batch_size * FILES_PER_BATCH_FACTOR:
                yield batch
                batch, articles, files = [], 0, 0
    if batch:
        yield batch


def batch_name(prefix: str, files: Sequence[InputFile]) -> str:
    """A batch's id from its files and their contents: the same files always make the same batch."""
    return check_batch_id(f"{prefix}-{ids.digest('batch', *(p for f in files for p in (f.uri, f.file_hash)), length=16)}")


def package_batch(
    items: Sequence[Item], batch_id: str, run_id: str, dedup: Deduplicator, counts: dict[str, int] | None = None
) -> Package:
    """One batch's load package, with a ledger row for every record of its files."""
    analysed: list[AnalysedArticle] = []
    rejects: list[Reject] = []
    ledger_rows: list[dict[str, object]] = []
    records: list[tuple[str, str, str | None]] = []  # (source_uri, outcome, article_id) of the current file
    for item in items:
        if isinstance(item, AnalysedArticle):
            analysed.append(item)
            records.append((item.article.source_uri, "stored", item.article.article_id))
        elif isinstance(item, AlreadyStored):
            records.append((item.source_uri, "already_stored", item.article_id))
        elif isinstance(item, Reject):
            rejects.append(item)
            outcome = "duplicate" if item.stage == "dedup" else "rejected"
            records.append((item.source_uri, outcome, item.article_id))
        elif isinstance(item, FileDone):
            f = item.file
            for uri, outcome, article in records:
                ledger_rows.append({
                    "source_uri": uri, "file_uri": f.uri, "path": os.fsencode(str(f.path)).decode("utf-8", "backslashreplace"),
                    "size": f.size, "mtime_ns": f.mtime_ns, "file_hash": f.file_hash, "outcome": outcome, "article_id": article,
                })
            records = []
    signatures = {a.article.article_id: s for a in analysed if (s := dedup.stored_rows(a.article.article_id))}
    return build_package(batch_id, run_id, analysed, rejects, counts=counts, inputs=ledger_rows, signatures=signatures)


def files_of(package: Package) -> set[str]:
    """The input files a package holds ledger rows for: the files whose earlier rows it replaces."""
    return set(package.tables["inputs"]["file_uri"].to_pylist())


# ---------------------------------------------------------------- runs


def add_stored(counts: RunCounts, applied: Applied, rejects: int) -> None:
    for key in STORED:  # skipped_existing here: articles another batch stored while this one was analysed
        setattr(counts, key, getattr(counts, key) + applied.counts.get(key, 0))
    counts.rejects += rejects


@contextmanager
def recorded(warehouse: Warehouse, summary: RunSummary, inputs: Sequence[object]) -> Iterator[None]:
    """Record the run in ``runs`` as running, then as succeeded or failed (with why) and its counts."""
    t0 = time.perf_counter()
    warehouse.record_run(summary.run_row(inputs))
    try:
        yield
        summary.status = "succeeded"
    except BaseException as exc:
        summary.status = "failed"
        summary.error = short_error(exc)
        raise
    finally:
        summary.seconds = time.perf_counter() - t0
        summary.finished_at = datetime.now(UTC)
        try:
            warehouse.record_run(summary.run_row(inputs))
        except Exception as exc:  # noqa: BLE001 - the original error matters more
            logger.warning("could not record the run's end: %s", str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)


def _tick(items: Iterator[Item], counts: RunCounts, progress: Progress | None) -> Iterator[Item]:
    """Count files as they leave the NLP stage, for the progress display."""
    for item in items:
        if isinstance(item, FileDone):
            counts.done_files += 1
            if progress:
                progress(counts)
        yield item


def _rejects(items: Iterable[Item]) -> int:
    return sum(1 for i in items if isinstance(i, Reject) and i.stage != "dedup")


def _analysed_ids(items: Iterable[Item]) -> list[str]:
    return [i.article.article_id for i in items if isinstance(i, AnalysedArticle)]


def _needs_model(files: Iterable[InputFile | Reject]) -> bool:
    return any(isinstance(f, InputFile) for f in files)


def run(
    inputs: Sequence[Path | str],
    settings: Settings,
    progress: Progress | None = None,
    batch_prefix: str = "in",
    *,
    force: bool = False,
    prune: bool = False,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> RunSummary:
    """Load every new or changed article under ``inputs`` into the warehouse. Re-running is safe and cheap.

    ``force`` reads every file again; ``prune`` removes the rows of files the ledger holds under
    these inputs' roots that no longer exist (without it they are kept).
    """
    found = list(discover(inputs, include, exclude))  # raises FileNotFoundError for a missing root
    counts = RunCounts()
    summary = RunSummary(new_run_id(), "running", counts, 0.0, datetime.now(UTC))
    with Warehouse(settings) as warehouse:
        warehouse.mark_abandoned()
        with recorded(warehouse, summary, inputs), ExitStack() as stack:
            files = [f for f in found if isinstance(f, InputFile)]
            plan = ledger.plan(files, warehouse.known_files(f.uri for f in files), force=force)
            counts.unchanged = len(plan.unchanged)
            todo: list[InputFile | Reject] = [*plan.todo, *(f for f in found if isinstance(f, Reject))]
            counts.total_files = len(todo)
            logger.info("%d input files: %d to read, %d unchanged since they were loaded", len(files), len(plan.todo), len(plan.unchanged))
            if prune:
                gone = warehouse.files_under(root_names(inputs)) - {f.uri for f in files}
                if gone:
                    applied = warehouse.load(Change(new_load_id(), summary.run_id, None, gone))
                    counts.pruned = len(gone)
                    logger.info("pruned %d files that no longer exist (%d articles removed)", len(gone), applied.counts.get("removed_articles", 0))
            if progress:
                progress(counts)
            if not todo:
                if counts.pruned:
                    link_entities(settings)
                return summary
            dedup, prepared = prepare_inputs(todo, counts, settings, warehouse, force)
            stream: Iterator[Item] = prepared  # type: ignore[assignment]
            if _needs_model(todo):
                nlp = stack.enter_context(NlpRunner(settings.model, settings.processes, nlp_batch_size=settings.nlp_batch_size))
                stream = nlp.analyse(stream)  # type: ignore[arg-type,assignment]
            loader = stack.enter_context(ThreadPoolExecutor(1))
            pending: tuple[Future[Applied], list[Item]] | None = None

            def settle() -> None:
                future, items = pending  # type: ignore[misc]
                add_stored(counts, future.result(), _rejects(items))
                dedup.forget(_analysed_ids(items))
                if progress:
                    progress(counts)

            for items in group_batches(_tick(stream, counts, progress), settings.batch_size):
                batch_id = batch_name(batch_prefix, [i.file for i in items if isinstance(i, FileDone)])
                package = package_batch(items, batch_id, summary.run_id, dedup)
                counts.words += sum(i.word_count for i in items if isinstance(i, AnalysedArticle))
                if pending is not None:
                    settle()
                change = Change(new_load_id(), summary.run_id, package, files_of(package))
                pending = (loader.submit(warehouse.load, change), items)
                summary.batches.append(batch_id)
            if pending is not None:
                settle()
            link_entities(settings)
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


def package_dir(settings: Settings, batch_id: str) -> Location:
    """Where a shard's load package lives: inside the warehouse, so any worker can load it."""
    return settings.location / "packages" / batch_id


def process_files(
    files: list[InputFile], batch_id: str, run_id: str, settings: Settings, force: bool = False
) -> Package | None:
    """One shard: the files the ledger does not hold unchanged, read, cleaned, deduplicated and
    analysed into one load package; None when every file is already loaded."""
    from etl.warehouse.sql import SqlStore

    counts = RunCounts()
    with SqlStore(settings.db_url) as catalog:
        catalog.migrate()
        plan = ledger.plan(files, catalog.known_files(f.uri for f in files), force=force)
        if not plan.todo:
            logger.info("shard %s: all %d files are loaded and unchanged", batch_id, len(files))
            return None
        dedup, prepared = prepare_inputs(plan.todo, counts, settings, catalog, force)
        with NlpRunner(settings.model, settings.processes, nlp_batch_size=settings.nlp_batch_size) as nlp:
            items: list[Item] = list(nlp.analyse(prepared))  # type: ignore[arg-type]
    shard_counts = {
        "files": counts.files,
        "unchanged": len(plan.unchanged),
        "duplicates": counts.duplicates,
        "near_duplicates": counts.near_duplicates,
        "non_english": counts.non_english,
        "skipped_existing": counts.skipped_existing,
        "words": sum(i.word_count for i in items if isinstance(i, AnalysedArticle)),
        "rejects": _rejects(items),
    }
    return package_batch(items, batch_id, run_id, dedup, counts=shard_counts)


def process_shard(files: list[InputFile], batch_id: str, run_id: str, settings: Settings) -> dict[str, object]:
    """Process a shard and save its package under the warehouse; returns the path and row counts."""
    from etl.warehouse.package import save_package

    package = process_files(files, batch_id, run_id, settings)
    if package is None:
        return {"package": None, "batch_id": batch_id, "rows": {}, "files": 0, "unchanged": len(files)}
    where = save_package(package, package_dir(settings, batch_id))
    return {"package": str(where), "batch_id": batch_id, "rows": {k: t.num_rows for k, t in package.tables.items()}, **package.counts}


def load_packages(
    paths: Sequence[Location | str | Path], settings: Settings, run_id: str, inputs: list[str] | None = None, keep_packages: bool | None = None
) -> RunSummary:
    """Load saved packages in order (each batch in one load) and record one ``runs`` row.

    Each package is deleted once loaded, unless ``keep_packages`` (or ``settings.keep_packages``);
    a failed load keeps every package not yet loaded, for the retry.
    """
    from etl.warehouse.package import read_package

    keep = settings.keep_packages if keep_packages is None else keep_packages
    counts = RunCounts()
    summary = RunSummary(run_id, "running", counts, 0.0, datetime.now(UTC))
    labels = list(inputs or [])
    with Warehouse(settings) as warehouse:
        warehouse.mark_abandoned()
        with recorded(warehouse, summary, labels):
            for path in paths:
                where = settings.at(path)
                package = read_package(where)
                applied = warehouse.load(Change(new_load_id(), run_id, package, files_of(package)))
                for key in ("files", "unchanged", "duplicates", "near_duplicates", "non_english", "words", "skipped_existing"):
                    setattr(counts, key, getattr(counts, key) + int(package.counts.get(key, 0)))
                add_stored(counts, applied, int(package.counts.get("rejects", 0)))
                summary.batches.append(package.batch_id)
                if not keep:
                    where.delete_tree()
            if paths:
                link_entities(settings)
    return summary
