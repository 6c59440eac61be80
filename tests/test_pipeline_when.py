"""The seed landed as a nightly feed lands it (``landing/2013-02-27/``), end to end into SQL and
Parquet: article and statement dates, people's labels and roles, the analyst views."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl import ids
from etl.pipeline import run
from etl.settings import Settings
from etl.warehouse.parquet import read_table


@pytest.fixture(autouse=True)
def _one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_ETL_PROCESSES", "1")
    monkeypatch.delenv("NEWS_ETL_DATABASE_URL", raising=False)


def _rows(url: str, query: str) -> list[dict]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.text(query))]
    engine.dispose()
    return rows


def _landed(tmp_path: Path, seeds_dir: Path) -> Path:
    landing = tmp_path / "landing"
    shutil.copytree(seeds_dir, landing / "2013-02-27")
    return landing


def _check(url: str) -> None:
    (article,) = _rows(url, "SELECT published_at, published_at_source FROM articles")
    assert str(article["published_at"])[:10] in ("2013-02-26", "2013-02-27")
    assert article["published_at_source"] in ("text", "landing")
    said = _rows(url, "SELECT speaker, speaker_role, said_on, quote_text FROM who_said_what")
    (lavrov,) = [r for r in said if r["quote_text"].startswith("“No one will solve")]
    assert str(lavrov["said_on"]) == "2013-02-26"
    assert (lavrov["speaker"], lavrov["speaker_role"]) == ("Sergei Lavrov", "foreign minister")
    roles = _rows(url, "SELECT canonical_name, value FROM entity_overview WHERE kind = 'role'")
    assert {("Sergei Lavrov", "foreign minister"), ("John Kerry", "secretary of state"), ("Victoria Nuland", "spokeswoman")} <= {
        (r["canonical_name"], r["value"]) for r in roles
    }
    aliases = _rows(url, "SELECT canonical_name, label, value FROM entity_overview WHERE kind = 'alias'")
    by_alias = {r["value"]: (r["canonical_name"], r["label"]) for r in aliases}
    assert by_alias["Lavrov"] == ("Sergei Lavrov", "PERSON")
    assert by_alias["Ventrell"] == ("Patrick Ventrell", "PERSON")
    assert by_alias["AP"] == by_alias["Associated Press"]
    assert by_alias["US"] == by_alias["United States"]
    about = _rows(url, "SELECT entity_id FROM quote_entities")
    assert ids.entity_id("GPE", "Syria") in {r["entity_id"] for r in about}


def test_pipeline_when_seed_from_a_landing_folder_sqlite(tmp_path: Path, seeds_dir: Path) -> None:
    landing = _landed(tmp_path, seeds_dir)
    run([landing], Settings(warehouse=tmp_path / "w"))
    _check(f"sqlite:///{tmp_path / 'w' / 'news.db'}")
    roles = read_table(tmp_path / "w" / "parquet", "entity_roles").to_pylist()
    assert {r["role_on"] for r in roles} == {date(2013, 2, 26)}


@pytest.mark.postgres
def test_pipeline_when_seed_from_a_landing_folder_postgresql(tmp_path: Path, seeds_dir: Path, pg_url: str) -> None:
    landing = _landed(tmp_path, seeds_dir)
    settings = Settings(warehouse=tmp_path / "w", database_url=pg_url)
    run([landing], settings)
    run([landing], settings)  # a re-run leaves the same rows
    _check(pg_url)
    assert len(_rows(pg_url, "SELECT * FROM entity_roles")) == len(read_table(tmp_path / "w" / "parquet", "entity_roles"))


def test_pipeline_when_published_on_dates_a_run(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text("Talks went on in Geneva.\n\nThe delegates met again.", encoding="utf-8")
    run([inputs], Settings(warehouse=tmp_path / "w", published_on=date(2013, 2, 26)))
    (article,) = _rows(f"sqlite:///{tmp_path / 'w' / 'news.db'}", "SELECT published_at, published_at_source FROM articles")
    assert (str(article["published_at"])[:10], article["published_at_source"]) == ("2013-02-26", "run")
