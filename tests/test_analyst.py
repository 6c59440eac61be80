"""SQL over Parquet (DuckDB) and the quote export, on a warehouse the real pipeline loaded."""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.dataset as ds
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from etl.analyst import export, query
from etl.analyst.export import QuoteFilter, export_quotes, quotes_sql
from etl.analyst.formats import write
from etl.analyst.query import QueryError, Result, connect, run_sql, view_names
from etl.cli import app
from etl.errors import ConfigError
from etl.pipeline import run
from etl.settings import Settings
from etl.warehouse.parquet import read_table
from etl.warehouse.schema import BY_NAME, PARQUET_TABLES, TableDef
from tests.analyst_corpus import write_corpus


def _norm(value: object) -> object:
    """One spelling for a value read from DuckDB, SQLite (timestamps as text) or PostgreSQL."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):  # SQLite returns dates as text
        return value.isoformat()
    return value


def _sql_view(url: str, view: str) -> list[tuple]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(_norm(v) for v in r) for r in conn.execute(sa.text(f"SELECT * FROM {view}"))]
    engine.dispose()
    return sorted(rows, key=repr)


def _duck_view(warehouse: Path, view: str) -> list[tuple]:
    return sorted((tuple(_norm(v) for v in r) for r in run_sql(warehouse / "parquet", f"SELECT * FROM {view}").rows), key=repr)


def test_analyst_views_are_the_sql_views() -> None:
    assert view_names() == ["all_quotes", "article_overview", "entity_mentions", "entity_overview", "who_said_what"]


@pytest.mark.parametrize("view", ["who_said_what", "all_quotes", "article_overview", "entity_mentions", "entity_overview"])
def test_analyst_duckdb_views_match_sqlite(analyst_warehouse: Path, view: str) -> None:
    duck = _duck_view(analyst_warehouse, view)
    assert duck, f"{view} is empty: the test corpus should fill it"
    assert duck == _sql_view(Settings(warehouse=analyst_warehouse, database_url=None).db_url, view)


@pytest.mark.postgres
def test_analyst_duckdb_views_match_postgres(pg_url: str, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path)
    warehouse = tmp_path / "warehouse"
    run([corpus], Settings(warehouse=warehouse, database_url=pg_url, processes=1))
    for view in view_names():
        duck = _duck_view(warehouse, view)
        assert duck and duck == _sql_view(pg_url, view), view


def test_analyst_sql_answers_from_parquet_without_the_sqlite_file(analyst_warehouse: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "copy"
    shutil.copytree(analyst_warehouse, warehouse)
    (warehouse / "news.db").unlink()
    result = CliRunner().invoke(app, ["sql", "select count(*) as n from all_quotes", "--warehouse", str(warehouse), "--format", "json"])
    assert result.exit_code == 0, result.output
    quotes = read_table(warehouse / "parquet", "quotes").num_rows
    assert quotes > 0
    assert json.loads(result.output) == [{"n": quotes}]
    assert not (warehouse / "news.db").exists()


def test_analyst_sql_formats_give_the_same_rows(analyst_warehouse: Path) -> None:
    sql = "select speaker, kind, quote_text, confidence, published_at from who_said_what order by quote_id"
    expected = run_sql(analyst_warehouse / "parquet", sql)
    outputs = {}
    for fmt in ("csv", "json", "jsonl", "table"):
        result = CliRunner().invoke(app, ["sql", sql, "-w", str(analyst_warehouse), "-f", fmt])
        assert result.exit_code == 0, result.output
        outputs[fmt] = result.output
    as_csv = list(csv.reader(io.StringIO(outputs["csv"].removeprefix("\ufeff"))))
    assert as_csv[0] == list(expected.columns)
    assert [r[2] for r in as_csv[1:]] == [r[2] for r in expected.rows]
    as_json = json.loads(outputs["json"])
    assert [r["quote_text"] for r in as_json] == [r[2] for r in expected.rows]
    assert [json.loads(line) for line in outputs["jsonl"].splitlines()] == as_json
    assert as_json[0]["published_at"] is None or datetime.fromisoformat(as_json[0]["published_at"]).tzinfo is not None
    assert f"{len(expected.rows)} rows" in outputs["table"]


def test_analyst_sql_errors_are_one_line(analyst_warehouse: Path) -> None:
    with pytest.raises(QueryError, match=r'Did you mean "articles"'):
        run_sql(analyst_warehouse / "parquet", "select * from article")
    with pytest.raises(ConfigError, match="no Parquet warehouse"):
        connect(analyst_warehouse / "nowhere")


def test_analyst_tables_come_from_the_parquet_store(analyst_warehouse: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The DuckDB tables are whatever etl.warehouse.parquet.open_dataset says a table is."""
    seen: list[str] = []
    real = query.open_dataset

    def only_dated(root: Path, name: str) -> ds.Dataset:
        seen.append(name)
        dataset = real(root, name)
        if name != "articles":
            return dataset
        return ds.dataset(dataset.to_table(filter=ds.field("published_at").is_valid()))

    monkeypatch.setattr(query, "open_dataset", only_dated)
    articles = read_table(analyst_warehouse / "parquet", "articles")
    dated = sum(1 for v in articles["published_at"].to_pylist() if v is not None)
    assert 0 < dated < articles.num_rows
    assert run_sql(analyst_warehouse / "parquet", "select count(*) from article_overview").rows == [(dated,)]
    assert set(seen) == set(PARQUET_TABLES)


def test_analyst_empty_tables_still_answer(tmp_path: Path) -> None:
    (tmp_path / "parquet").mkdir()
    assert run_sql(tmp_path / "parquet", "select count(*) from who_said_what").rows == [(0,)]


# ---------------------------------------------------------------- quotes export


def _quotes(warehouse: Path) -> list[dict]:
    """The quotes the export lists: those with a named speaker (who_said_what)."""
    root = warehouse / "parquet"
    articles = {a["article_id"]: a for a in read_table(root, "articles").to_pylist()}
    quotes = read_table(root, "quotes").to_pylist()
    return [dict(q, article=articles[q["article_id"]]) for q in quotes if q["speaker_status"] == "named"]


def test_analyst_quotes_speaker_filter(analyst_warehouse: Path) -> None:
    con = connect(analyst_warehouse / "parquet")
    got = export_quotes(con, QuoteFilter(speaker="LOPEZ")).records()
    expected = [q for q in _quotes(analyst_warehouse) if "lopez" in (q["speaker_name"] or q["speaker_text"] or "").lower()]
    assert len(expected) >= 2
    assert sorted(r["quote_id"] for r in got) == sorted(q["quote_id"] for q in expected)
    assert {r["speaker"] for r in got} == {"Maria Lopez"}
    assert [r["date"] for r in got] == sorted(r["date"] for r in got)


def test_analyst_quotes_entity_filter_finds_quotes_mentioning_it(analyst_warehouse: Path) -> None:
    con = connect(analyst_warehouse / "parquet")
    got = export_quotes(con, QuoteFilter(entity="westfield")).records()
    assert len(got) == 1 and "Westfield" in got[0]["quote"]
    assert export_quotes(con, QuoteFilter(entity="no such entity")).rows == []


def test_analyst_quotes_date_filters_are_inclusive(analyst_warehouse: Path) -> None:
    con = connect(analyst_warehouse / "parquet")
    day = date(2024, 3, 2)
    got = export_quotes(con, QuoteFilter(since=day, until=day)).records()
    expected = [q for q in _quotes(analyst_warehouse) if q["article"]["published_at"] and q["article"]["published_at"].date() == day]
    assert expected and sorted(r["quote_id"] for r in got) == sorted(q["quote_id"] for q in expected)
    later = export_quotes(con, QuoteFilter(since=date(2024, 3, 3))).records()
    assert later and all(r["date"] >= date(2024, 3, 3) for r in later)


def test_analyst_quotes_csv_opens_in_a_spreadsheet(analyst_warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "quotes.csv"
    result = CliRunner().invoke(app, ["quotes", "-w", str(analyst_warehouse), "--format", "csv", "--out", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark, so spreadsheets read the curly quotes right"
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    quotes = _quotes(analyst_warehouse)
    assert len(rows) == len(quotes)
    assert {"date", "speaker", "quote", "outlet", "title"} <= set(rows[0])
    by_id = {q["quote_id"]: q for q in quotes}
    for row in rows:
        assert row["quote"] == by_id[row["quote_id"]]["quote_text"]
        assert row["date"] == "" or date.fromisoformat(row["date"])


def test_analyst_csv_defuses_formulas() -> None:
    buf = io.StringIO()
    write(Result(("quote", "n"), [("=HYPERLINK(\"http://x\")", 1), ("plain, with comma", -2)]), "csv", buf)
    rows = list(csv.reader(io.StringIO(buf.getvalue().removeprefix("\ufeff"))))
    assert rows == [["quote", "n"], ["'=HYPERLINK(\"http://x\")", "1"], ["plain, with comma", "-2"]]


def test_analyst_quotes_carry_the_statement_day_and_the_speakers_role(monkeypatch: pytest.MonkeyPatch) -> None:
    """The export dates a quote by the day it was said when known, and shows the speaker's role;
    a schema without those columns still exports (each column is used only when the schema has it)."""
    sql, params = quotes_sql(QuoteFilter(since=date(2024, 1, 1)))
    assert "COALESCE(w.said_on, CAST(w.published_at AS DATE)) >= ?" in sql and params == [date(2024, 1, 1)]
    assert "w.speaker_role AS role" in sql
    quotes = BY_NAME["quotes"]
    narrower = replace(quotes, columns=tuple(c for c in quotes.columns if c.name != "said_on"))
    monkeypatch.setattr(export, "BY_NAME", {k: v for k, v in {**BY_NAME, "quotes": narrower}.items() if k != "entity_roles"})
    sql, _ = quotes_sql(QuoteFilter(since=date(2024, 1, 1)))
    assert "said_on" not in sql and "speaker_role" not in sql
    assert isinstance(narrower, TableDef)
