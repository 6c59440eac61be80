"""The warehouse contract: schema in one place, migrations that match it, atomic idempotent stores."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from etl.records import AnalysedArticle, CleanArticle, Mention, Paragraph, Reject, Sentence
from etl.warehouse import parquet as parquet_mod
from etl.warehouse.package import build_package, read_package, save_package
from etl.warehouse.parquet import ParquetStore, read_table
from etl.warehouse.schema import BY_NAME, TABLES, metadata
from etl.warehouse.sql import SqlStore

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = {
    "articles": "article_id source_uri content_hash title url outlet published_at language body_text word_count near_duplicate_of run_id",
    "sentences": "article_id sentence_idx paragraph_idx start_char end_char text",
    "mentions": "article_id sentence_idx start_char end_char text label entity_id",
    "entities": "entity_id canonical_name label",
    "quotes": "quote_id article_id quote_start quote_end quote_text kind speaker_text speaker_start speaker_end speaker_name speaker_entity_id cue_text",
    "runs": "run_id started_at finished_at status",
    "rejects": "run_id source_uri stage reason",
}


@pytest.mark.parametrize("table", sorted(REQUIRED))
def test_schema_has_the_required_columns(table: str) -> None:
    assert set(REQUIRED[table].split()) <= set(BY_NAME[table].column_names)


def test_schema_every_column_is_in_the_readme_data_dictionary() -> None:
    readme = (ROOT / "README.md").read_text()
    for table in TABLES:
        section = re.search(rf"^### `{table.name}`\n(.*?)(?=^### |\Z)", readme, re.S | re.M)
        assert section, f"README has no data-dictionary section for {table.name}"
        for col in table.columns:
            assert f"| `{col.name}` |" in section.group(1), f"README does not document {table.name}.{col.name}"


def _migrated_diff(url: str) -> list:
    store = SqlStore(url)
    store.migrate()
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), metadata)
        views = set(sa.inspect(conn).get_view_names())
    store.engine.dispose()
    assert {"article_overview", "who_said_what", "entity_mentions"} <= views
    return diff


def test_migrations_match_the_schema_on_sqlite(tmp_path: Path) -> None:
    assert _migrated_diff(f"sqlite:///{tmp_path / 'w.db'}") == []


@pytest.mark.postgres
def test_migrations_match_the_schema_on_postgresql(pg_url: str) -> None:
    assert _migrated_diff(pg_url) == []


def _article(n: int, text: str | None = None) -> AnalysedArticle:
    body = text or f"Article number {n} says hello."
    art = CleanArticle(
        article_id=f"{n:016x}", content_hash=f"{n:064x}", source_uri=f"a{n}.txt", body_text=body,
        paragraphs=(Paragraph(0, 0, len(body)),),
    )
    sent = Sentence(0, 0, 0, len(body), body, len(body.split()))
    mention = Mention(0, 0, 7, body[:7], "ORG", f"e{n % 2}", f"Entity {n % 2}")
    return AnalysedArticle(art, (sent,), (mention,))


def test_package_round_trips_through_files(tmp_path: Path) -> None:
    package = build_package("b-1", "r1", [_article(1), _article(2)], [Reject("bad.txt", "ingest", "empty file")])
    loaded = read_package(save_package(package, tmp_path / "pkg"))
    for name, table in package.tables.items():
        assert loaded.tables[name].equals(table), name


def _stores(tmp_path: Path, url: str) -> tuple[ParquetStore, SqlStore]:
    sql = SqlStore(url)
    sql.migrate()
    return ParquetStore(tmp_path / "parquet").__enter__(), sql


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_stores_replace_a_batch_and_skip_articles_other_batches_hold(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    pq_store, sql_store = _stores(tmp_path, url)
    first = build_package("b-1", "r1", [_article(1), _article(2)], [Reject("bad.txt", "ingest", "empty file")])
    for store in (pq_store, sql_store):
        assert store.load(first)["articles"] == 2
        assert store.load(first)["articles"] == 2  # same batch again: replaced, not added
        # a second batch holding article 2 again and a new article 3
        second = build_package("b-2", "r2", [_article(2), _article(3)])
        counts = store.load(second)
        assert counts["articles"] == 1 and counts["skipped_existing"] == 1
        assert counts["entities"] == 0  # both entities were stored by b-1
    for name, expected in (("articles", 3), ("sentences", 3), ("mentions", 3), ("entities", 2), ("rejects", 1), ("batches", 2)):
        assert read_table(tmp_path / "parquet", name).num_rows == expected, name
        assert sql_store.count(name) == expected, name
    ids = read_table(tmp_path / "parquet", "articles")["article_id"].to_pylist()
    assert len(ids) == len(set(ids))


def test_parquet_failed_write_leaves_the_previous_partition_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = ParquetStore(tmp_path / "parquet").__enter__()
    store.load(build_package("b-1", "r1", [_article(1)]))
    real_write = parquet_mod.pq.write_table
    calls = {"n": 0}

    def crash_midway(table: pa.Table, where: object, **kw: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            real_write(table.slice(0, 0), where, **kw)  # a partial file, then the "kill"
            raise KeyboardInterrupt
        real_write(table, where, **kw)

    monkeypatch.setattr(parquet_mod.pq, "write_table", crash_midway)
    with pytest.raises(KeyboardInterrupt):
        store.load(build_package("b-1", "r2", [_article(1), _article(5)]))
    monkeypatch.setattr(parquet_mod.pq, "write_table", real_write)
    leftovers = [p for p in (tmp_path / "parquet").rglob("*") if p.is_file() and p.name.endswith(".tmp")]
    assert leftovers == []
    # every visible file is complete and readable
    for table in ("entities", "sentences", "mentions", "articles"):
        read_table(tmp_path / "parquet", table)
    # the next run completes the work
    store.load(build_package("b-1", "r3", [_article(1), _article(5)]))
    assert sorted(read_table(tmp_path / "parquet", "articles")["article_id"].to_pylist()) == [f"{1:016x}", f"{5:016x}"]


@pytest.mark.postgres
def test_sql_failed_load_rolls_back_the_whole_batch(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.warehouse import sql as sql_mod

    store = SqlStore(pg_url)
    store.migrate()
    store.load(build_package("b-1", "r1", [_article(1)]))
    real_insert = sql_mod.insert_arrow

    def fail_on_articles(conn: sa.Connection, name: str, table: pa.Table) -> None:
        if name == "articles":
            raise ConnectionError("server went away")
        real_insert(conn, name, table)

    monkeypatch.setattr(sql_mod, "insert_arrow", fail_on_articles)
    with pytest.raises(ConnectionError):
        store.load(build_package("b-1", "r2", [_article(1), _article(7)]))
    # nothing of the failed load is visible; the earlier load is intact
    assert store.count("articles") == 1 and store.count("sentences") == 1 and store.count("batches") == 1


def _orphan_mentions(mentions: list[dict], entities: list[dict]) -> set[str]:
    return {m["entity_id"] for m in mentions} - {e["entity_id"] for e in entities}


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_stores_keep_entities_other_batches_still_mention(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")
    pq_store, sql_store = _stores(tmp_path, url)
    # b-1 stores entities e0 (article 2) and e1 (article 1); b-2's article 4 mentions e0 too
    for store in (pq_store, sql_store):
        store.load(build_package("b-1", "r1", [_article(1), _article(2)]))
        store.load(build_package("b-2", "r1", [_article(4)]))
        # b-1 re-run with input that no longer mentions e0: e0 must stay for b-2's mention
        store.load(build_package("b-1", "r2", [_article(1)]))
    engine = sql_store.engine

    def sql(name: str) -> list[dict]:
        with engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(sa.select(sa.table(name, sa.column("entity_id"))))]

    for mentions, entities in (
        (read_table(tmp_path / "parquet", "mentions").to_pylist(), read_table(tmp_path / "parquet", "entities").to_pylist()),
        (sql("mentions"), sql("entities")),
    ):
        assert _orphan_mentions(mentions, entities) == set()
        assert sorted(e["entity_id"] for e in entities) == ["e0", "e1"]
    # dropping b-2 leaves e0 unreferenced; dropping b-1 then keeps nothing of it
    for store in (pq_store, sql_store):
        store.drop("b-2")
        assert "b-2" not in store.batch_ids()
        store.drop("b-1")
        store.load(build_package("b-3", "r3", [_article(2)]))  # e0 comes back, owned by b-3
    assert read_table(tmp_path / "parquet", "entities")["entity_id"].to_pylist() == ["e0"]
    assert [e["entity_id"] for e in sql("entities")] == ["e0"]


def test_migrations_missing_scripts_fail_with_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.errors import ConfigError

    monkeypatch.setenv("NEWS_ETL_SQL_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match="NEWS_ETL_SQL_DIR"):
        SqlStore(f"sqlite:///{tmp_path / 'w.db'}").migrate()
