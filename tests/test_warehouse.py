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
from etl.settings import Settings
from etl.warehouse import parquet as parquet_mod
from etl.warehouse.change import Change
from etl.warehouse.package import build_package, read_package, save_package
from etl.warehouse.parquet import ParquetStore, read_table
from etl.warehouse.schema import BATCH_TABLES, BY_NAME, PARTITION, SQL_TABLES, TABLES, metadata
from etl.warehouse.sql import SqlStore
from etl.warehouse.warehouse import Warehouse, new_load_id

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


def _ledger(files: dict[str, list[int]], rejected: tuple[str, ...] = ()) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for uri, articles in files.items():
        for n in articles:
            rows.append({"source_uri": f"{uri}#{n}", "file_uri": uri, "path": f"/in/{uri}", "size": 1, "mtime_ns": 1,
                         "file_hash": "h", "outcome": "stored", "article_id": f"{n:016x}"})
    for uri in rejected:
        rows.append({"source_uri": uri, "file_uri": uri, "path": f"/in/{uri}", "size": 1, "mtime_ns": 1,
                     "file_hash": "h", "outcome": "rejected", "article_id": None})
    return rows


def _load(wh: Warehouse, batch: str, files: dict[str, list[int]], rejected: tuple[str, ...] = (), run: str = "r1") -> dict[str, int]:
    articles = [_article(n) for ns in files.values() for n in ns]
    rejects = [Reject(uri, "ingest", "empty file") for uri in rejected]
    package = build_package(batch, run, articles, rejects, inputs=_ledger(files, rejected))
    return wh.load(Change(new_load_id(), run, package, {*files, *rejected})).counts


def _url(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> str:
    return f"sqlite:///{tmp_path / 'w.db'}" if backend == "sqlite" else request.getfixturevalue("pg_url")


def _snapshot(tmp_path: Path, wh: Warehouse) -> dict[str, list[tuple]]:
    """Every batch table's keys (and batch), from Parquet; asserts SQL holds exactly the same."""
    out: dict[str, list[tuple]] = {}
    with wh.sql.engine.connect() as conn:
        for name in BATCH_TABLES:
            key = [k for k in BY_NAME[name].primary_key if k != PARTITION] + [PARTITION]
            pq_rows = sorted(tuple(r[k] for k in key) for r in read_table(tmp_path / "parquet", name).to_pylist())
            sql_rows = sorted(tuple(r) for r in conn.execute(sa.select(*(SQL_TABLES[name].c[k] for k in key))))
            assert pq_rows == sql_rows, name
            out[name] = pq_rows
    return out


def _articles(snapshot: dict[str, list[tuple]]) -> list[int]:
    return sorted(int(r[0], 16) for r in snapshot["articles"])


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_warehouse_changed_file_replaces_its_rows_and_keeps_articles_other_files_hold(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    with Warehouse(Settings(warehouse=tmp_path, database_url=_url(tmp_path, backend, request))) as wh:
        assert _load(wh, "b-1", {"f1": [1, 2]}, rejected=("bad.txt",))["articles"] == 2
        counts = _load(wh, "b-2", {"f2": [2, 3]})
        assert counts["articles"] == 1 and counts["skipped_existing"] == 1  # article 2 stays in b-1
        assert _articles(_snapshot(tmp_path, wh)) == [1, 2, 3]
        # f1 changes: article 2 leaves it, but f2 still holds it, so it stays
        _load(wh, "b-3", {"f1": [1]})
        snap = _snapshot(tmp_path, wh)
        assert _articles(snap) == [1, 2, 3]
        assert [r[0] for r in snap["rejects"]] == ["bad.txt"]
        # f2 changes too: now nothing holds article 2
        _load(wh, "b-4", {"f2": [3]})
        snap = _snapshot(tmp_path, wh)
        assert _articles(snap) == [1, 3]
        assert {r[0] for r in snap["entities"]} == {"e1"}  # e0 was only article 2's
        assert [b[0] for b in snap["batches"]] == sorted({r[-1] for t in ("articles", "rejects", "inputs") for r in snap[t]})
        # the batches rows count what each batch holds now
        rows = wh.sql.batch_rows()
        assert rows["b-1"]["articles"] == 0 and rows["b-1"]["rejects"] == 1 and rows["b-4"]["articles"] == 1
        assert "b-2" not in rows  # emptied: every row it held went with its file


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_warehouse_prune_drops_a_files_rows_but_entities_stay_while_mentioned(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    with Warehouse(Settings(warehouse=tmp_path, database_url=_url(tmp_path, backend, request))) as wh:
        _load(wh, "b-1", {"f1": [1, 2]})  # e1, e0
        _load(wh, "b-2", {"f2": [4]})  # e0 again: stays in b-1
        wh.load(Change(new_load_id(), "r2", None, {"f1"}))  # f1 pruned: e0 stays for article 4
        snap = _snapshot(tmp_path, wh)
        assert _articles(snap) == [4] and [r[0] for r in snap["entities"]] == ["e0"]
        wh.load(Change(new_load_id(), "r3", None, {"f2"}))
        snap = _snapshot(tmp_path, wh)
        assert snap["articles"] == [] and snap["entities"] == [] and snap["batches"] == []


def test_warehouse_crash_before_the_commit_leaves_nothing_and_no_stray_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from etl import storage as location_mod

    settings = Settings(warehouse=tmp_path)
    with Warehouse(settings) as wh:
        _load(wh, "b-1", {"f1": [1]})
        before = _snapshot(tmp_path, wh)
    real_write = location_mod.pq.write_table
    calls = {"n": 0}

    def crash_midway(table: pa.Table, where: object, **kw: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            real_write(table.slice(0, 0), where, **kw)  # a partial file, then the "kill"
            raise KeyboardInterrupt
        real_write(table, where, **kw)

    monkeypatch.setattr(location_mod.pq, "write_table", crash_midway)
    wh = Warehouse(settings).__enter__()
    with pytest.raises(KeyboardInterrupt):
        _load(wh, "b-2", {"f2": [5, 6]})
    wh.close()
    monkeypatch.setattr(location_mod.pq, "write_table", real_write)
    with Warehouse(settings) as wh:
        assert _snapshot(tmp_path, wh) == before
        live = {str(tmp_path / "parquet" / rel) for name in BATCH_TABLES for rel in parquet_mod.live_files(tmp_path / "parquet", name).values()}
        files = {str(p) for p in (tmp_path / "parquet").rglob("*.parquet") if "runs" not in p.parts}
        assert files == live  # nothing but the live files
        assert not list((tmp_path / "parquet").rglob("*.tmp")) and not wh.parquet.pending_loads()
        _load(wh, "b-2", {"f2": [5, 6]})
        assert _articles(_snapshot(tmp_path, wh)) == [1, 5, 6]


def test_warehouse_crash_after_the_sql_commit_is_published_by_the_next_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(warehouse=tmp_path)
    with Warehouse(settings) as wh:
        _load(wh, "b-1", {"f1": [1]})

    def killed(self: ParquetStore, load_id: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(ParquetStore, "publish", killed)
    wh = Warehouse(settings).__enter__()
    with pytest.raises(KeyboardInterrupt):
        _load(wh, "b-2", {"f2": [2]})
    wh.close()
    monkeypatch.undo()
    # Parquet readers still see the last published state only
    assert sorted(read_table(tmp_path / "parquet", "articles")["article_id"].to_pylist()) == [f"{1:016x}"]
    with Warehouse(settings) as wh:  # recovery publishes the committed load
        assert _articles(_snapshot(tmp_path, wh)) == [1, 2]


@pytest.mark.postgres
def test_sql_failed_load_rolls_back_the_whole_batch(tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.warehouse import sql as sql_mod

    with Warehouse(Settings(warehouse=tmp_path, database_url=pg_url)) as wh:
        _load(wh, "b-1", {"f1": [1]})
        before = _snapshot(tmp_path, wh)
        real_insert = sql_mod.insert_arrow

        def fail_on_articles(conn: sa.Connection, name: str, table: pa.Table) -> None:
            if name == "articles":
                raise ConnectionError("server went away")
            real_insert(conn, name, table)

        monkeypatch.setattr(sql_mod, "insert_arrow", fail_on_articles)
        with pytest.raises(ConnectionError):
            _load(wh, "b-1", {"f1": [1, 7]})
        monkeypatch.undo()
        # nothing of the failed load is visible in either store; the earlier load is intact
        assert _snapshot(tmp_path, wh) == before


def test_migrations_missing_scripts_fail_with_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.errors import ConfigError

    monkeypatch.setenv("NEWS_ETL_SQL_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(ConfigError, match="NEWS_ETL_SQL_DIR"):
        SqlStore(f"sqlite:///{tmp_path / 'w.db'}").migrate()
