"""End to end: seeds/ through every stage into Parquet and SQL, re-runs, bad input, failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from etl.cli import app
from etl.pipeline import run
from etl.settings import Settings
from etl.warehouse import sql as sql_mod
from etl.warehouse.parquet import read_table
from etl.warehouse.schema import BY_NAME, PARQUET_TABLES

GOLDEN = json.loads((Path(__file__).parent / "golden" / "seed.json").read_text())
KEYS = {name: list(t.primary_key) for name, t in BY_NAME.items() if name in PARQUET_TABLES and name != "runs"}


@pytest.fixture(autouse=True)
def _one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_ETL_PROCESSES", "1")
    monkeypatch.delenv("NEWS_ETL_DATABASE_URL", raising=False)


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output + (str(result.exception) if result.exception else "")


def _sql_rows(url: str, table: str) -> list[dict]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.text(f"SELECT * FROM {table}"))]
    engine.dispose()
    return rows


def _counts(warehouse: Path, url: str) -> dict[str, tuple[int, int]]:
    """(Parquet rows, SQL rows) per table."""
    return {
        name: (read_table(warehouse / "parquet", name).num_rows, len(_sql_rows(url, name)))
        for name in (*PARQUET_TABLES,)
    }


def _assert_unique_keys(warehouse: Path, url: str) -> None:
    for name, key in KEYS.items():
        table = read_table(warehouse / "parquet", name).to_pylist()
        keys = [tuple(r[k] for k in key) for r in table]
        assert len(keys) == len(set(keys)), f"duplicate keys in Parquet {name}"
        sql_keys = [tuple(r[k] for k in key) for r in _sql_rows(url, name)]
        assert sorted(sql_keys) == sorted(keys), f"SQL {name} differs from Parquet"


def _check_seed(warehouse: Path, url: str) -> None:
    for source in ("parquet", "sql"):
        if source == "parquet":
            get = lambda name: read_table(warehouse / "parquet", name).to_pylist()  # noqa: E731
        else:
            get = lambda name: _sql_rows(url, name)  # noqa: E731
        articles = get("articles")
        assert len(articles) == 1, source
        article = articles[0]
        assert article["source_uri"] == GOLDEN["source_uri"]
        assert article["word_count"] == GOLDEN["word_count"]
        sentences = sorted(get("sentences"), key=lambda s: s["sentence_idx"])
        assert [[s["paragraph_idx"], s["start_char"], s["end_char"]] for s in sentences] == GOLDEN["sentences"], source
        for s in sentences:
            assert article["body_text"][s["start_char"] : s["end_char"]] == s["text"]
        entities = {e["entity_id"]: e for e in get("entities")}
        persons = {entities[m["entity_id"]]["canonical_name"] for m in get("mentions") if m["label"] == "PERSON"}
        assert set(GOLDEN["persons"]) <= persons, source
        assert len(get("runs")) >= 1


def test_pipeline_seed_matches_golden_in_parquet_and_sqlite(tmp_path: Path, seeds_dir: Path) -> None:
    code, output = _cli("run", str(seeds_dir), "--warehouse", str(tmp_path))
    assert code == 0, output
    assert "articles" in output and "words/second" in output
    assert "Try: news-etl sql" in output and "who_said_what" in output  # where the results are, and a first query
    _check_seed(tmp_path, f"sqlite:///{tmp_path / 'news.db'}")


def test_pipeline_rerun_leaves_the_same_rows(tmp_path: Path, seeds_dir: Path) -> None:
    url = f"sqlite:///{tmp_path / 'news.db'}"
    settings = Settings(warehouse=tmp_path)
    run([seeds_dir], settings)
    first = _counts(tmp_path, url)
    run([seeds_dir], settings)
    second = _counts(tmp_path, url)
    assert {k: v for k, v in second.items() if k != "runs"} == {k: v for k, v in first.items() if k != "runs"}
    assert second["runs"] == (2, 2) and first["runs"] == (1, 1)
    _assert_unique_keys(tmp_path, url)


@pytest.mark.postgres
def test_pipeline_postgresql_twice_matches_parquet(tmp_path: Path, seeds_dir: Path, pg_url: str) -> None:
    for _ in range(2):
        code, output = _cli("run", str(seeds_dir), "--warehouse", str(tmp_path), "--db", pg_url)
        assert code == 0, output
    counts = _counts(tmp_path, pg_url)
    assert all(pq_rows == sql_rows for pq_rows, sql_rows in counts.values()), counts
    assert counts["articles"] == (1, 1) and counts["runs"] == (2, 2)
    _assert_unique_keys(tmp_path, pg_url)
    _check_seed(tmp_path, pg_url)
    runs = _sql_rows(pg_url, "runs")
    assert {r["status"] for r in runs} == {"succeeded"}


def _article(n: int) -> str:
    return f"Story {n}: the council of town {n} met on Monday.\n\nMayor Anna Berg{n} said the budget for year {n} was approved.\n"


def test_cli_bad_input_becomes_rejects_and_the_rest_loads(tmp_path: Path, seeds_dir: Path) -> None:
    inputs = tmp_path / "in"
    shutil.copytree(seeds_dir, inputs)
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "blank.txt").write_bytes(b"  \n\n ")
    (inputs / "picture.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (inputs / "notes.xyz").write_text("what is this")
    (inputs / "copy.txt").write_bytes((seeds_dir / "000_be95c3c66a07356a.txt").read_bytes())
    code, output = _cli("run", str(inputs), "--warehouse", str(tmp_path / "w"))
    assert code == 0, output
    rejects = {r["source_uri"]: r for r in read_table(tmp_path / "w" / "parquet", "rejects").to_pylist()}
    assert rejects["in/empty.txt"]["reason"] == "empty file"
    assert rejects["in/blank.txt"]["reason"].startswith("empty file")
    assert "PNG image" in rejects["in/picture.txt"]["reason"]
    assert "unsupported file type" in rejects["in/notes.xyz"]["reason"]
    duplicate = [r for r in rejects.values() if r["stage"] == "dedup"]
    assert len(duplicate) == 1 and "exact duplicate" in duplicate[0]["reason"]
    assert read_table(tmp_path / "w" / "parquet", "articles").num_rows == 1


def test_cli_unreachable_database_fails_with_a_clear_message(tmp_path: Path, seeds_dir: Path) -> None:
    code, output = _cli("run", str(seeds_dir), "--warehouse", str(tmp_path), "--db", "postgresql+psycopg://etl:secret@127.0.0.1:1/none")
    assert code == 1
    assert "cannot reach the database" in output
    assert "secret" not in output


def test_cli_missing_input_fails_with_a_clear_message(tmp_path: Path) -> None:
    code, output = _cli("run", str(tmp_path / "nope"), "--warehouse", str(tmp_path))
    assert code == 1 and "does not exist" in output


def test_pipeline_killed_run_is_recorded_and_the_next_run_completes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for n in range(4):
        (inputs / f"{n}.txt").write_text(_article(n))
    settings = Settings(warehouse=tmp_path / "w", batch_size=1)
    url = settings.db_url
    real_load = sql_mod.SqlStore.load
    loads = {"n": 0}

    def die_on_third(self: sql_mod.SqlStore, change: object, stage: object = None) -> object:
        loads["n"] += 1
        if loads["n"] == 3:
            raise KeyboardInterrupt  # the process is killed mid-run
        return real_load(self, change, stage)  # type: ignore[arg-type]

    monkeypatch.setattr(sql_mod.SqlStore, "load", die_on_third)
    with pytest.raises(KeyboardInterrupt):
        run([inputs], settings)
    monkeypatch.setattr(sql_mod.SqlStore, "load", real_load)
    runs = _sql_rows(url, "runs")
    assert [r["status"] for r in runs] == ["failed"]
    assert len(_sql_rows(url, "articles")) == 2  # two whole batches, nothing of the third
    summary = run([inputs], settings)
    assert summary.status == "succeeded"
    assert summary.counts.unchanged == 2 and summary.counts.files == 2  # committed batches are not redone
    counts = _counts(tmp_path / "w", url)
    assert counts["articles"] == (4, 4) and counts["batches"] == (4, 4)
    _assert_unique_keys(tmp_path / "w", url)
