"""Hand-written 1987-style wire copy (tests/fixtures/wire), landed as a nightly feed lands it and
hard-wrapped: each story's tagged person resolves to one entity named in full, the right one,
namesakes (James and Howard Baker) stay apart, and every story is dated by its dateline."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from etl.evaluation.people import read_tags, tagged
from etl.pipeline import run
from etl.settings import Settings

WIRE = Path(__file__).resolve().parent / "fixtures" / "wire"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("wire")
    shutil.copytree(WIRE / "landing", root / "landing")
    settings = Settings(warehouse=root / "w", processes=1)
    run([root / "landing"], settings)
    return settings


def test_wire_people_each_tagged_person_is_one_entity_named_in_full(loaded: Settings) -> None:
    result = tagged(loaded, WIRE / "tags.tsv")
    assert result["tagged_pairs"] >= 40, result  # a mention of the surname in all but a story or so
    assert (result["one_entity_named_in_full"], result["right_name"], result["entities_per_person"]) == (1.0, 1.0, 1.0), result


def test_wire_people_namesakes_stay_apart(loaded: Settings) -> None:
    engine = sa.create_engine(loaded.db_url)
    with engine.connect() as conn:
        names = {r[0] for r in conn.execute(sa.text("SELECT canonical_name FROM entities WHERE label = 'PERSON'"))}
    engine.dispose()
    assert {"James Baker", "Howard Baker"} <= names


def test_wire_people_stories_are_dated_by_their_datelines(loaded: Settings) -> None:
    engine = sa.create_engine(loaded.db_url)
    with engine.connect() as conn:
        rows = list(conn.execute(sa.text("SELECT source_uri, published_at, published_at_source, title FROM articles")))
    engine.dispose()
    assert len(rows) == len({path for path, _ in read_tags(WIRE / "tags.tsv")})
    for uri, published, source, title in rows:
        # each landed the morning after its dateline's day
        assert (str(published)[:10], source) == ((date.fromisoformat(Path(uri).parent.name) - timedelta(days=1)).isoformat(), "dateline"), uri
        assert title is not None and title.isupper(), (uri, title)


def test_wire_people_who_said_what_names_speakers_in_full(loaded: Settings) -> None:
    # the stories naming their speaker only by surname: who_said_what gives the full name it links to
    engine = sa.create_engine(loaded.db_url)
    with engine.connect() as conn:
        rows = list(conn.execute(sa.text("SELECT source_uri, speaker, speaker_in_article FROM who_said_what")))
    engine.dispose()
    by_story: dict[str, set[str]] = {}
    for uri, speaker, _ in rows:
        by_story.setdefault(Path(uri).stem, set()).add(speaker)
    expected = {"miyazawa2": "Kiichi Miyazawa", "volcker2": "Paul Volcker", "sumita2": "Satoshi Sumita", "baker2": "James Baker"}
    for story, full in expected.items():
        assert full in by_story.get(story, set()), (story, by_story.get(story))
    assert any(in_article != speaker for _, speaker, in_article in rows)
