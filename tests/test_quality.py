"""Data-quality checks after a load: pass on a clean load, fail with a clear message on each broken invariant."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from etl import shards as af
from etl.errors import DataQualityError
from etl.quality import GLOBAL_CHECKS, SQL_CHECKS, check_load, check_query
from etl.settings import Settings

PREFIX = "nightly-2013-02-26"


@pytest.fixture(scope="module")
def shard_result(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> dict[str, Any]:
    """One shard (the seed plus a second article) processed once into a load package."""
    root = tmp_path_factory.mktemp("quality")
    landing = root / "landing" / "2013-02-26"
    landing.mkdir(parents=True)
    for seed in seeds_dir.iterdir():
        shutil.copy(seed, landing / seed.name)
    (landing / "second.txt").write_text(
        "Port strike ends\n\nDock workers in Hamburg returned to work on Friday, the union said.\n\n"
        "\u201cWe have a fair deal now,\u201d said Jana Weber, who leads the union.\n",
        encoding="utf-8",
    )
    settings = Settings(warehouse=root / "wh", database_url=None, processes=1)
    found = af.discover_nightly(date(2013, 2, 26), str(root / "landing"), settings)
    (shard,) = af.plan_shards(Path(found["listing"]), 10, found["prefix"], root / "shards")
    return af.process(shard, "quality-test", settings)


def load_fresh(shard_result: dict[str, Any], warehouse: Path, db_url: str | None) -> tuple[Settings, dict[str, Any]]:
    """The shard's package copied into a new warehouse and loaded there."""
    settings = Settings(warehouse=warehouse, database_url=db_url, processes=1)
    package = warehouse / "packages" / shard_result["batch_id"]
    shutil.copytree(shard_result["package"], package)
    loaded = af.load([{**shard_result, "package": str(package)}], PREFIX, "quality-run", settings)
    return settings, loaded


def execute(settings: Settings, sql: str) -> None:
    engine = sa.create_engine(settings.db_url)
    with engine.begin() as conn:
        conn.execute(sa.text(sql))
    engine.dispose()


def failure(settings: Settings, loaded: dict[str, Any]) -> str:
    with pytest.raises(DataQualityError) as info:
        check_load(settings, loaded)
    return str(info.value)


def test_quality_clean_load_passes_every_check_on_postgres(shard_result: dict[str, Any], tmp_path: Path, pg_url: str) -> None:
    settings, loaded = load_fresh(shard_result, tmp_path / "wh", pg_url)
    assert loaded["counts"]["articles"] == 2
    result = check_load(settings, loaded)
    assert result["articles"] == 2
    assert set(result["checks"]) >= {c.name for c in SQL_CHECKS} | {
        "every_shard_loaded",
        "sql_rows_match_batch_records",
        "parquet_matches_sql",
        "row_counts_match_shard_summaries",
    }
    assert set(result["checks"].values()) == {"ok"}


def test_quality_quote_outside_its_article_fails_the_check(shard_result: dict[str, Any], tmp_path: Path, pg_url: str) -> None:
    settings, loaded = load_fresh(shard_result, tmp_path / "wh", pg_url)
    execute(settings, "UPDATE quotes SET quote_end = quote_end + 100000 WHERE quote_id = (SELECT MIN(quote_id) FROM quotes)")
    message = failure(settings, loaded)
    assert "quote_offsets_inside_article: 1 quotes with offsets outside their article" in message
    assert shard_result["batch_id"] in message
    assert "row_counts" not in message  # only the broken invariant is reported


def scalar(settings: Settings, sql: str) -> int:
    engine = sa.create_engine(settings.db_url)
    with engine.connect() as conn:
        value = conn.execute(sa.text(sql)).scalar_one()
    engine.dispose()
    return int(value)


def test_quality_orphan_mentions_fail_the_check(shard_result: dict[str, Any], tmp_path: Path, pg_url: str) -> None:
    settings, loaded = load_fresh(shard_result, tmp_path / "wh", pg_url)
    # the SQLCheckOperator form of every global check: 1 while it holds
    assert {c.name: scalar(settings, check_query(c)) for c in GLOBAL_CHECKS} == {c.name: 1 for c in GLOBAL_CHECKS}
    execute(settings, "DELETE FROM articles WHERE article_id = (SELECT MIN(article_id) FROM articles)")
    orphan = next(c for c in GLOBAL_CHECKS if c.name == "no_orphan_mentions")
    assert scalar(settings, check_query(orphan)) == 0
    message = failure(settings, loaded)
    assert "no_orphan_mentions:" in message and "mentions whose article is not in articles" in message
    assert "sql_rows_match_batch_records:" in message  # the batch now holds fewer articles than it recorded


def test_quality_mention_of_unknown_entity_fails_the_check(shard_result: dict[str, Any], tmp_path: Path) -> None:
    settings, loaded = load_fresh(shard_result, tmp_path / "wh", None)  # the embedded SQLite warehouse
    execute(settings, "UPDATE mentions SET entity_id = 'no-such-entity' WHERE start_char = (SELECT MIN(start_char) FROM mentions)")
    assert "no_mentions_of_unknown_entities:" in failure(settings, loaded)


def test_quality_duplicate_article_body_fails_the_check(shard_result: dict[str, Any], tmp_path: Path) -> None:
    settings, loaded = load_fresh(shard_result, tmp_path / "wh", None)
    execute(
        settings,
        "INSERT INTO articles SELECT 'copy' || article_id, source_uri, content_hash, title, url, outlet, published_at, language, "
        "body_text, word_count, paragraph_count, near_duplicate_of, run_id, 'other-batch', published_at_source FROM articles LIMIT 1",
    )
    assert "no_duplicate_articles: 1 article bodies stored more than once" in failure(settings, loaded)


def test_quality_row_counts_must_equal_the_shard_summaries(shard_result: dict[str, Any], tmp_path: Path) -> None:
    settings, loaded = load_fresh(shard_result, tmp_path / "wh", None)
    batch = shard_result["batch_id"]
    inflated = {**loaded, "expected": {batch: {**loaded["expected"][batch], "articles": 5}}}
    message = failure(settings, inflated)
    assert "row_counts_match_shard_summaries: shards produced 5 articles but 2 were stored" in message
    missing = {**loaded, "expected": {**loaded["expected"], f"{PREFIX}-s0001-deadbeef": {"articles": 0}}}
    assert "every_shard_loaded: 1 shard(s) were processed but not loaded" in failure(settings, missing)


def test_quality_parquet_copy_must_match_sql(shard_result: dict[str, Any], tmp_path: Path) -> None:
    settings, loaded = load_fresh(shard_result, tmp_path / "wh", None)
    partition = settings.parquet_root.path / "sentences" / f"batch_id={shard_result['batch_id']}"
    shutil.rmtree(partition)
    message = failure(settings, loaded)
    assert "parquet_matches_sql:" in message and "'sentences': -1" in message
