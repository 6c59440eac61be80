"""The ``news-etl`` command: a thin Typer layer over the same functions the DAGs call."""

from __future__ import annotations

import logging
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from etl.analyst.formats import FORMATS, count_of
from etl.cli_errors import one_line_errors, run_app, writing
from etl.errors import NewsEtlError, short_error
from etl.records import RunCounts
from etl.settings import DEFAULT_BATCH_SIZE, DEFAULT_MODEL, DEFAULT_WAREHOUSE, Settings, redact_url

if TYPE_CHECKING:
    from etl.analyst.query import Result

app = typer.Typer(
    help="Batch ETL for news corpora: articles, sentences, entities and quotes.\n\n"
    "Settings: flags, then NEWS_ETL_* environment variables, then news-etl.toml (or \\[tool.news-etl] in "
    "pyproject.toml) in the working directory.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold a database password
)
eval_app = typer.Typer(help="Measure extraction quality against gold data.", no_args_is_help=True)
train_app = typer.Typer(help="Train the small models shipped with the package (never run by CI).", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")

err = Console(stderr=True)
out = Console()

# Defaults come from the settings (flags > NEWS_ETL_* environment > news-etl.toml > built-in), so each
# option's default is None and --help shows the built-in one.
WarehouseOpt = Annotated[str | None, typer.Option("--warehouse", "-w", help="Warehouse folder or object-store URL (s3://bucket/prefix, gs://..., file://...): Parquet, and the default SQLite file in a folder. Env: NEWS_ETL_WAREHOUSE.", show_default=DEFAULT_WAREHOUSE)]
DbOpt = Annotated[str | None, typer.Option("--db", help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db. Env: NEWS_ETL_DATABASE_URL.", show_default="SQLite file <warehouse>/news.db")]
ModelOpt = Annotated[str | None, typer.Option("--model", help="spaCy model. Env: NEWS_ETL_MODEL.", show_default=DEFAULT_MODEL)]
ProcOpt = Annotated[int | None, typer.Option("--processes", "-p", min=1, help="Worker processes for spaCy. Env: NEWS_ETL_PROCESSES.", show_default="cores, at most 2")]
BatchSizeOpt = Annotated[int | None, typer.Option(min=1, help="Articles per load batch. Env: NEWS_ETL_BATCH_SIZE.", show_default=str(DEFAULT_BATCH_SIZE))]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging; a traceback with any error.")]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            out.print(f"news-etl {version('news-etl')}", highlight=False)
        except PackageNotFoundError:  # running from a source tree that was never installed
            from etl import __version__

            out.print(f"news-etl {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    pass


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code=1)


@app.command()
@one_line_errors
def run(
    inputs: Annotated[list[str], typer.Argument(help="Files, folders (read recursively), globs or object-store prefixes (s3://bucket/inputs) of raw articles.")],
    warehouse: WarehouseOpt = None,
    db: DbOpt = None,
    model: ModelOpt = None,
    processes: ProcOpt = None,
    batch_size: BatchSizeOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Read every file again, even those the ledger holds unchanged.")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="Remove the rows of files under these inputs that no longer exist (kept otherwise).")] = False,
    include: Annotated[list[str] | None, typer.Option("--include", help="Only files whose path under their input matches this glob (repeatable), e.g. '*.txt'.")] = None,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="Skip files whose path under their input matches this glob (repeatable), e.g. 'README*'.")] = None,
    published_on: Annotated[datetime | None, typer.Option("--published-on", formats=["%Y-%m-%d"], help="Publication day of articles nothing else dates (YYYY-MM-DD).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run every stage over INPUTS and load the tables into Parquet and SQL.

    Only new or changed files are read: the warehouse's input ledger remembers every file loaded.
    """
    from etl.pipeline import run as run_pipeline

    _logging(verbose)
    settings = Settings().with_(
        warehouse=warehouse, database_url=db, model=model, processes=processes, batch_size=batch_size,
        published_on=published_on.date() if published_on else None,
    )
    options: dict[str, Any] = {"force": force, "prune": prune, "include": include or (), "exclude": exclude or ()}
    err.print(f"news-etl: {', '.join(map(str, inputs))} -> {settings.warehouse} and {redact_url(settings.db_url)}")
    interactive = err.is_terminal
    try:
        if interactive:
            with Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                TextColumn("{task.fields[detail]}"), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                console=err, transient=True,
            ) as bar:
                task = bar.add_task("files", total=None, detail="")

                def show(c: RunCounts) -> None:
                    bar.update(task, total=c.total_files or None, completed=c.done_files, detail=f"{c.articles} stored, {c.rejects} rejected, {c.unchanged} unchanged")

                summary = run_pipeline(inputs, settings, progress=show, **options)
        else:
            last = [time.monotonic()]

            def log(c: RunCounts) -> None:
                if time.monotonic() - last[0] >= 10:
                    last[0] = time.monotonic()
                    logging.getLogger("etl").info(
                        "%d of %d files read, %d articles stored, %d rejected", c.done_files, c.total_files, c.articles, c.rejects
                    )

            summary = run_pipeline(inputs, settings, progress=log, **options)
    except (NewsEtlError, FileNotFoundError, RuntimeError) as exc:
        raise _fail(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 - any failure reads as one line; -v logs the traceback
        logging.getLogger("etl").debug("run failed", exc_info=True)
        raise _fail(short_error(exc)) from exc
    c = summary.counts
    table = Table(title=f"run {summary.run_id}: {summary.status}", show_header=False)
    for label, value in (
        ("files", c.files),
        ("articles", c.articles),
        ("sentences", c.sentences),
        ("mentions", c.mentions),
        ("entities", c.entities),
        ("quotes", c.quotes),
        ("rejects", c.rejects),
        ("duplicates", c.duplicates),
        ("near duplicates", c.near_duplicates),
        ("non-English", c.non_english),
        ("already stored", c.skipped_existing),
        ("files unchanged", c.unchanged),
        ("files pruned", c.pruned),
        ("words", c.words),
        ("seconds", f"{summary.seconds:.1f}"),
        ("words/second", f"{summary.words_per_second:,.0f}"),
    ):
        table.add_row(label, str(value))
    out.print(table)
    out.print(f"Results: {settings.parquet_root} (Parquet) and {redact_url(settings.db_url)}.")
    out.print(
        f'Try: news-etl sql "select speaker, count(*) as quotes from who_said_what group by 1 order by 2 desc limit 10" '
        f"--warehouse {settings.warehouse}",
        soft_wrap=True, highlight=False, markup=False,
    )


@app.command()
@one_line_errors
def migrate(db: DbOpt = None, warehouse: WarehouseOpt = None, verbose: VerboseOpt = False) -> None:
    """Create or upgrade the SQL schema to the latest migration."""
    from etl.warehouse.sql import SqlStore

    _logging(verbose)
    settings = Settings().with_(warehouse=warehouse, database_url=db)
    try:
        with SqlStore(settings.db_url) as store:
            store.migrate()
    except NewsEtlError as exc:
        raise _fail(str(exc)) from exc
    out.print(f"schema up to date at {redact_url(settings.db_url)}")


@app.command()
@one_line_errors
def batches(
    warehouse: WarehouseOpt = None,
    db: DbOpt = None,
    drop: Annotated[list[str] | None, typer.Option("--drop", help="Forget this batch's files (repeatable): their rows go from both stores, and the next run reads them anew.")] = None,
    verbose: VerboseOpt = False,
) -> None:
    """List the warehouse's batches with their counts, or drop some."""
    from etl.pipeline import new_run_id
    from etl.warehouse.schema import COUNTED
    from etl.warehouse.warehouse import Warehouse

    _logging(verbose)
    settings = Settings().with_(warehouse=warehouse, database_url=db)
    try:
        with Warehouse(settings) as wh:
            if drop:
                run_id = new_run_id()
                for batch_id in drop:
                    applied = wh.drop_batch(batch_id, run_id)
                    out.print(f"dropped {batch_id}: {applied.counts.get('removed_articles', 0)} article(s) removed")
                return
            rows = wh.batches()
    except NewsEtlError as exc:
        raise _fail(str(exc)) from exc
    # one line per batch, oldest first: easy to read, to grep and to paste into --drop
    for batch_id, row in sorted(rows.items(), key=lambda kv: str(kv[1].get("loaded_at"))):
        counts = " ".join(f"{c}={row.get(c, 0)}" for c in COUNTED)
        out.print(f"{batch_id}  {str(row.get('loaded_at', ''))[:19]}  {counts}", soft_wrap=True, highlight=False)
    out.print(f"{len(rows)} batch(es)")


@eval_app.command("ner")
def eval_ner(
    conll: Annotated[Path, typer.Option(help="CoNLL-2003 file (IOB2), e.g. ../shared/data/conll2003/conllpp_dev.txt")],
    model: ModelOpt = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N documents.")] = None,
) -> None:
    """Score entity mentions against CoNLL-2003, the pipeline's and the bare model's."""
    from etl.evaluation.ner import evaluate, format_report

    _logging(False)
    settings = Settings().with_(model=model)
    out.print(format_report(evaluate(conll, settings.model, limit=limit)))


@eval_app.command("quotes")
def eval_quotes(
    gold: Annotated[Path, typer.Option(help="Folder in PolNeAR layout: text/ and attributions/ (brat standoff).")],
    model: ModelOpt = None,
    processes: ProcOpt = None,
    limit: Annotated[int | None, typer.Option(help="Only the first N documents.")] = None,
) -> None:
    """Score quote extraction: content, speaker and direct-quote recall."""
    from etl.evaluation.quotes import evaluate, format_report

    _logging(False)
    settings = Settings().with_(model=model, processes=processes)
    out.print(format_report(evaluate(gold, settings.model, settings.processes, limit)))


@train_app.command("quotes")
def train_quotes(
    gold: Annotated[Path, typer.Option(help="PolNeAR train, e.g. ../shared/data/polnear/train (text/ and attributions/).")],
    model: ModelOpt = None,
    processes: ProcOpt = None,
) -> None:
    """Train the quote models (lexicon, tagger, cue scorer, speaker review, calibration) into the package."""
    from etl.training.quotes import train

    _logging(False)
    settings = Settings().with_(model=model, processes=processes)
    train(gold, model=settings.model, processes=settings.processes)


# ---------------------------------------------------------------- the analyst's commands (DuckDB over Parquet)

FORMAT_NAMES = tuple(FORMATS)


def _check_format(value: str | None) -> str | None:
    if value is not None and value not in FORMAT_NAMES:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(FORMAT_NAMES)}")
    return value


FormatOpt = Annotated[
    str | None,
    typer.Option("--format", "-f", callback=_check_format, help=f"Output format: {', '.join(FORMAT_NAMES)}.", show_default="table on a terminal, else csv"),
]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of standard output.", show_default="standard output", dir_okay=False)]
DayOpt = typer.Option(formats=["%Y-%m-%d"], help="YYYY-MM-DD, inclusive.")


def _emit(result: Result, fmt: str | None, out_file: Path | None) -> None:
    """Print a query's answer, or write it to ``out_file`` whole."""
    import io

    from etl.analyst.formats import write
    from etl.storage import replace_atomically

    if out_file is None:
        write(result, fmt or ("table" if sys.stdout.isatty() else "csv"), sys.stdout)
        return
    buf = io.StringIO()
    write(result, fmt or "csv", buf)
    with writing(out_file):
        replace_atomically(out_file, lambda tmp: tmp.write_text(buf.getvalue(), encoding="utf-8", newline=""))
    err.print(f"{count_of(len(result.rows), 'row')} written to {out_file}", highlight=False)


@app.command()
@one_line_errors
def sql(
    statement: Annotated[str, typer.Argument(help="One SQL statement (DuckDB dialect); tables and the analyst views are all there.")],
    warehouse: WarehouseOpt = None,
    fmt: FormatOpt = None,
    out_file: OutOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Query the Parquet warehouse with SQL, no database server needed (DuckDB).

    Every table and the views who_said_what, article_overview and entity_mentions are there, the
    same views as in SQLite and PostgreSQL. Example: news-etl sql "select speaker, count(*) from
    who_said_what group by 1 order by 2 desc"
    """
    from etl.analyst.query import run_sql

    _logging(verbose)
    settings = Settings().with_(warehouse=warehouse)
    _emit(run_sql(settings.parquet_root, statement), fmt, out_file)


@app.command()
@one_line_errors
def quotes(
    warehouse: WarehouseOpt = None,
    speaker: Annotated[str | None, typer.Option(help="Speakers whose name contains this (any case).")] = None,
    entity: Annotated[str | None, typer.Option(help="Quotes whose content mentions an entity whose name contains this.")] = None,
    since: Annotated[datetime | None, DayOpt] = None,
    until: Annotated[datetime | None, DayOpt] = None,
    fmt: FormatOpt = None,
    out_file: OutOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Who said what: each quote with its speaker, date and article, filtered; CSV opens in a spreadsheet.

    The date is the article's publication day; quotes without one are left out when --since or
    --until is given.
    """
    from etl.analyst.export import QuoteFilter, export_quotes
    from etl.analyst.query import connect

    _logging(verbose)
    settings = Settings().with_(warehouse=warehouse)
    filters = QuoteFilter(speaker, entity, since.date() if since else None, until.date() if until else None)
    con = connect(settings.parquet_root)
    try:
        _emit(export_quotes(con, filters), fmt, out_file)
    finally:
        con.close()


@app.command()
@one_line_errors
def report(
    warehouse: WarehouseOpt = None,
    out_file: Annotated[Path, typer.Option("--out", "-o", dir_okay=False, help="The HTML page to write.")] = Path("report.html"),
    verbose: VerboseOpt = False,
) -> None:
    """Write a run report: one self-contained HTML page (no network needed) with its charts inline.

    Articles and quotes per day, top speakers and entities, languages, rejects by reason, duplicates
    and near-duplicates, run and batch timings.
    """
    from etl.analyst.report import write_report

    _logging(verbose)
    settings = Settings().with_(warehouse=warehouse)
    with writing(out_file):
        written = write_report(settings.parquet_root, out_file)
    totals = f"{count_of(written.totals['articles'], 'article')}, {count_of(written.totals['quotes'], 'quote')}"
    out.print(f"report written to {out_file.resolve().as_uri()} ({totals})", highlight=False)


def main() -> None:
    """The ``news-etl`` program: the app, with usage errors on one line."""
    run_app(app)


if __name__ == "__main__":
    main()
