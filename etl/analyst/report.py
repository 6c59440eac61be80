"""The run report: one self-contained HTML page of what the warehouse holds (``news-etl report``).

Every figure is a query over the same DuckDB views the analyst uses (``etl.analyst.query``); each
section is one registered function, in page order. The page has its charts inline as SVG, its
style inline, no script, and a Content-Security-Policy that forbids every fetch, so it opens the
same with or without a network.
"""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from etl.analyst import charts
from etl.analyst.formats import as_text, count_of
from etl.analyst.query import Result, connect, query
from etl.storage import Location, replace_atomically

logger = logging.getLogger(__name__)

TOP = 15  # rows in a "top" chart
RECENT = 30  # runs or batches in a timing chart


@dataclass(frozen=True)
class Section:
    name: str  # the section's id in the page
    title: str
    note: str
    chart: str = ""  # inline SVG, or empty when there is nothing to draw
    table: Result | None = None


SectionBuilder = Callable[[duckdb.DuckDBPyConnection], Section]
SECTIONS: list[SectionBuilder] = []


def section(fn: SectionBuilder) -> SectionBuilder:
    SECTIONS.append(fn)
    return fn


def _colour(n: int) -> str:
    return charts.PALETTE[n % len(charts.PALETTE)]


@section
def per_day(con: duckdb.DuckDBPyConnection) -> Section:
    days = query(
        con,
        """SELECT CAST(published_at AS DATE) AS day, COUNT(*) AS articles, SUM(quote_count) AS quotes
        FROM article_overview WHERE published_at IS NOT NULL GROUP BY 1 ORDER BY 1""",
    )
    undated = query(con, "SELECT COUNT(*), COALESCE(SUM(quote_count), 0) FROM article_overview WHERE published_at IS NULL").rows[0]
    note = "By publication day (UTC)."
    if undated[0]:
        note += f" Not shown: {count_of(undated[0], 'article')} ({count_of(undated[1], 'quote')}) without a publication date."
    if not days.rows:
        return Section("per-day", "Articles and quotes per day", note + " No article has a publication date.")
    svg = charts.daily_bars(
        "per-day",
        [r[0] for r in days.rows],
        {"articles": [r[1] for r in days.rows], "quotes": [r[2] for r in days.rows]},
        (_colour(0), _colour(1)),
        "count",
    )
    return Section("per-day", "Articles and quotes per day", note, svg, days)


@section
def speakers(con: duckdb.DuckDBPyConnection) -> Section:
    top = query(
        con,
        f"""SELECT speaker, COUNT(*) AS quotes, COUNT(DISTINCT article_id) AS articles
        FROM who_said_what WHERE speaker_entity_id IS NOT NULL
        GROUP BY speaker ORDER BY quotes DESC, speaker LIMIT {TOP}""",
    )
    named, total = query(con, "SELECT COUNT(speaker_entity_id), COUNT(*) FROM who_said_what").rows[0]
    note = f"Quotes per speaker resolved to a named entity ({named} of {total} quotes; the rest have no speaker or one such as \u201cofficials\u201d)."
    svg = charts.horizontal_bars("speakers", [r[0] for r in top.rows], [r[1] for r in top.rows], _colour(2), "quotes") if top.rows else ""
    return Section("speakers", "Top speakers", note, svg, top)


@section
def entities(con: duckdb.DuckDBPyConnection) -> Section:
    top = query(
        con,
        f"""SELECT canonical_name || ' (' || label || ')' AS entity, mention_count AS mentions, article_count AS articles
        FROM entity_mentions WHERE mention_count > 0 ORDER BY mentions DESC, entity LIMIT {TOP}""",
    )
    svg = charts.horizontal_bars("entities", [r[0] for r in top.rows], [r[1] for r in top.rows], _colour(3), "mentions") if top.rows else ""
    return Section("entities", "Top entities", "Mentions per entity, with its OntoNotes label.", svg, top)


@section
def languages(con: duckdb.DuckDBPyConnection) -> Section:
    langs = query(con, "SELECT COALESCE(language, 'unknown') AS language, COUNT(*) AS articles FROM articles GROUP BY 1 ORDER BY 2 DESC, 1")
    svg = charts.horizontal_bars("languages", [r[0] for r in langs.rows], [r[1] for r in langs.rows], _colour(4), "articles") if langs.rows else ""
    return Section("languages", "Languages", "Articles per detected language (ISO 639-1); only English gets the NLP stages.", svg, langs)


@section
def rejects(con: duckdb.DuckDBPyConnection) -> Section:
    # reasons name lines, offsets and ids: folded so that like rejects count together
    reasons = query(
        con,
        f"""SELECT stage, regexp_replace(regexp_replace(reason, '[0-9a-f]{{16}}', '<id>', 'g'), '[0-9]+', 'N', 'g') AS reason,
            COUNT(*) AS rejects, MIN(source_uri) AS example
        FROM rejects WHERE stage <> 'dedup' GROUP BY 1, 2 ORDER BY rejects DESC, stage, reason LIMIT {TOP}""",
    )
    svg = charts.horizontal_bars("rejects", [f"{r[0]}: {r[1]}" for r in reasons.rows], [r[2] for r in reasons.rows], _colour(5), "inputs") if reasons.rows else ""
    note = "Inputs that could not be loaded, by stage and reason (numbers folded to N). Duplicates are in the next section."
    return Section("rejects", "Rejects by reason", note if reasons.rows else note + " None.", svg, reasons)


@section
def duplicates(con: duckdb.DuckDBPyConnection) -> Section:
    distinct, near = query(con, "SELECT COUNT(*) - COUNT(near_duplicate_of), COUNT(near_duplicate_of) FROM articles").rows[0]
    exact = query(con, "SELECT COUNT(*) FROM rejects WHERE stage = 'dedup'").rows[0][0]
    labels = ["distinct articles", "near-duplicates (stored)", "exact duplicates (dropped)"]
    svg = charts.horizontal_bars("duplicates", labels, [distinct, near, exact], _colour(6), "articles")
    copies = query(
        con,
        f"""SELECT 'near-duplicate' AS kind, a.source_uri AS copy, 'article ' || a.near_duplicate_of || COALESCE(': ' || o.title, '') AS of
        FROM articles a LEFT JOIN articles o ON o.article_id = a.near_duplicate_of WHERE a.near_duplicate_of IS NOT NULL
        UNION ALL
        SELECT 'exact duplicate', source_uri, reason FROM rejects WHERE stage = 'dedup'
        ORDER BY kind DESC, copy LIMIT {RECENT}""",
    )
    note = "Exact duplicates (same normalised body) are stored once; near-duplicates (MinHash, Jaccard \u2265 0.8) are stored and point at the earliest copy."
    return Section("duplicates", "Duplicates and near-duplicates", note, svg, copies)


@section
def runs(con: duckdb.DuckDBPyConnection) -> Section:
    recent = query(
        con,
        f"""SELECT * FROM (
            SELECT run_id, started_at, status, files, articles, quotes, rejects, seconds,
                ROUND(words / NULLIF(seconds, 0)) AS words_per_second
            FROM runs ORDER BY started_at DESC LIMIT {RECENT}) ORDER BY started_at""",
    )
    timed = [r for r in recent.rows if r[7] is not None]
    svg = charts.horizontal_bars("runs", [r[0] for r in timed], [r[7] for r in timed], _colour(7), "seconds", counts=False) if timed else ""
    return Section("runs", "Run timings", f"Wall time of the last {RECENT} runs at most, oldest first.", svg, recent)


@section
def batches(con: duckdb.DuckDBPyConnection) -> Section:
    # a batch's time: from the previous batch of its run (or the run's start) to its commit
    recent = query(
        con,
        f"""SELECT * FROM (
            SELECT b.batch_id, b.run_id, b.loaded_at, b.articles, b.quotes,
                ROUND(epoch(b.loaded_at) - epoch(COALESCE(
                    LAG(b.loaded_at) OVER (PARTITION BY b.run_id ORDER BY b.loaded_at), r.started_at)), 2) AS seconds
            FROM batches b LEFT JOIN runs r ON r.run_id = b.run_id
            ORDER BY b.loaded_at DESC LIMIT {RECENT}) ORDER BY loaded_at""",
    )
    timed = [r for r in recent.rows if r[5] is not None]
    svg = charts.horizontal_bars("batches", [r[0] for r in timed], [r[5] for r in timed], _colour(8), "seconds", counts=False) if timed else ""
    note = "Seconds from the previous commit of the same run (the first batch: from the run's start, model loading included) to the batch's commit."
    return Section("batches", "Batch timings", note, svg, recent)


@dataclass(frozen=True)
class Report:
    warehouse: str
    generated_at: datetime
    totals: dict[str, int]
    sections: list[Section]


TOTALS = ("articles", "sentences", "mentions", "entities", "quotes", "rejects", "batches", "runs")


def build_report(parquet_root: Location | str | os.PathLike[str]) -> Report:
    con = connect(parquet_root)
    try:
        row = query(con, "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in TOTALS)).rows[0]
        sections = [build(con) for build in SECTIONS]
    finally:
        con.close()
    return Report(str(parquet_root), datetime.now(UTC), dict(zip(TOTALS, row, strict=True)), sections)


CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1000px; color: #222; padding: 0 1em; }
h1 { margin-bottom: .2em; } .meta { color: #666; margin-top: 0; }
.totals { display: flex; flex-wrap: wrap; gap: .6em; padding: 0; list-style: none; }
.totals li { background: #f3f5f8; border-radius: 6px; padding: .4em .8em; } .totals b { font-size: 1.3em; display: block; }
section { border-top: 1px solid #ddd; margin-top: 1.5em; } .note { color: #555; }
figure { margin: .5em 0; } figure svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 12px; margin: .5em 0; }
th, td { border-bottom: 1px solid #eee; padding: 2px 8px; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
"""
# nothing may be fetched: no script, no image, no font, no style sheet from anywhere
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return as_text(value)


def _table(result: Result) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in result.columns)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="num">{_value(v)}</td>' if isinstance(v, int | float) else f"<td>{html.escape(_value(v))}</td>" for v in row)
        + "</tr>"
        for row in result.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: Report) -> str:
    totals = "".join(f"<li><b>{n:,}</b>{html.escape(name)}</li>" for name, n in report.totals.items())
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>news-etl report: {html.escape(report.warehouse)}</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>news-etl run report</h1>",
        f'<p class="meta">Warehouse <code>{html.escape(report.warehouse)}</code>, generated {report.generated_at:%Y-%m-%d %H:%M} UTC.</p>',
        f'<ul class="totals" id="totals">{totals}</ul>',
    ]
    for s in report.sections:
        parts.append(f'<section id="{s.name}"><h2>{html.escape(s.title)}</h2><p class="note">{html.escape(s.note)}</p>')
        if s.chart:
            parts.append(f'<figure id="chart-{s.name}" role="img" aria-label="{html.escape(s.title)}">{s.chart}</figure>')
        if s.table is not None and s.table.rows:
            parts.append(_table(s.table))
        parts.append("</section>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_report(parquet_root: Location | str | os.PathLike[str], out: Path) -> Report:
    """Build the report over ``parquet_root`` and write it to ``out`` whole (never half a page)."""
    report = build_report(parquet_root)
    page = render_html(report)
    replace_atomically(Path(out), lambda tmp: tmp.write_text(page, encoding="utf-8"))
    logger.debug("report with %d sections written to %s", len(report.sections), out)
    return report
