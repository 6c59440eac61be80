"""The ``news-etl`` command: a thin Typer layer over the same functions the DAGs call."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path
from typing import Annotated, Any

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

from etl.errors import NewsEtlError, short_error
from etl.records import RunCounts
from etl.settings import Settings, redact_url

app = typer.Typer(help="Batch ETL for news corpora: articles, sentences, entities and quotes.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure extraction quality against gold data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")

err = Console(stderr=True)
out = Console()

WarehouseOpt = Annotated[Path | None, typer.Option("--warehouse", "-w", help="Warehouse folder (Parquet, default SQLite file). Env: NEWS_ETL_WAREHOUSE.")]
DbOpt = Annotated[str | None, typer.Option("--db", help="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db. Env: NEWS_ETL_DATABASE_URL.")]
ModelOpt = Annotated[str | None, typer.Option("--model", help="spaCy model. Env: NEWS_ETL_MODEL.")]
ProcOpt = Annotated[int | None, typer.Option("--processes", "-p", help="Worker processes for spaCy. Env: NEWS_ETL_PROCESSES.")]


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
def run(
    inputs: Annotated[list[Path], typer.Argument(help="Files or folders of raw articles (read recursively).")],
    warehouse: WarehouseOpt = None,
    db: DbOpt = None,
    model: ModelOpt = None,
    processes: ProcOpt = None,
    batch_size: Annotated[int | None, typer.Option(help="Articles per load batch (batches close at file boundaries).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Read every file again, even those the ledger holds unchanged.")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="Remove the rows of files under these inputs that no longer exist (kept otherwise).")] = False,
    include: Annotated[list[str] | None, typer.Option("--include", help="Only files whose path under their input matches this glob (repeatable), e.g. '*.txt'.")] = None,
    exclude: Annotated[list[str] | None, typer.Option("--exclude", help="Skip files whose path under their input matches this glob (repeatable), e.g. 'README*'.")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run every stage over INPUTS and load the tables into Parquet and SQL.

    Only new or changed files are read: the warehouse's input ledger remembers every file loaded.
    """
    from etl.pipeline import run as run_pipeline

    _logging(verbose)
    settings = Settings().with_(warehouse=warehouse, database_url=db, model=model, processes=processes, batch_size=batch_size)
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


@app.command()
def migrate(db: DbOpt = None, warehouse: WarehouseOpt = None) -> None:
    """Create or upgrade the SQL schema to the latest migration."""
    from etl.warehouse.sql import SqlStore

    _logging(False)
    settings = Settings().with_(warehouse=warehouse, database_url=db)
    try:
        with SqlStore(settings.db_url) as store:
            store.migrate()
    except NewsEtlError as exc:
        raise _fail(str(exc)) from exc
    out.print(f"schema up to date at {redact_url(settings.db_url)}")


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


if __name__ == "__main__":
    app()
