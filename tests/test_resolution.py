"""Speaker and mention resolution inside one article: surnames, pronouns, titles, roles."""

from __future__ import annotations

import pytest

from etl import ids
from etl.clean import clean
from etl.nlp.analyse import analyse
from etl.nlp.entities import canonical_text, resolve_person_names
from etl.nlp.gender import FEMALE, MALE, name_gender
from etl.nlp.model import get_nlp
from etl.records import AnalysedArticle, CleanArticle, Quote, RawArticle
from etl.settings import DEFAULT_MODEL


def run(text: str) -> AnalysedArticle:
    article = clean(RawArticle(source_uri="test", text=text))
    assert isinstance(article, CleanArticle)
    return analyse(article, get_nlp(DEFAULT_MODEL)(article.body_text))


def find(article: AnalysedArticle, fragment: str) -> Quote:
    hits = [q for q in article.quotes if fragment in q.quote_text]
    assert hits, f"no quote contains {fragment!r}; got {[q.quote_text for q in article.quotes]}"
    return hits[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russian Foreign Minister Sergei Lavrov", "Sergei Lavrov"),
        ("Secretary of State John Kerry", "John Kerry"),
        ("President Obama", "Obama"),
        ("Mr. Trump", "Trump"),
        ("Sergei Lavrov", "Sergei Lavrov"),
        ("Lavrov", "Lavrov"),
    ],
)
def test_resolution_titles_and_roles_stripped_from_person_names(text: str, expected: str) -> None:
    assert canonical_text(text, "PERSON") == expected


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Sergei Lavrov", "Lavrov"], {"Lavrov": "Sergei Lavrov", "Sergei Lavrov": "Sergei Lavrov"}),
        (["Hillary Clinton", "Bill Clinton", "Clinton"], {"Clinton": "Clinton"}),  # ambiguous: left alone
        (["Victoria Nuland", "Nuland", "Victoria"], {"Nuland": "Victoria Nuland", "Victoria": "Victoria Nuland"}),
    ],
)
def test_resolution_surnames_to_full_names(names: list[str], expected: dict[str, str]) -> None:
    resolved = resolve_person_names(names)
    for name, full in expected.items():
        assert resolved[name] == full


def test_resolution_mentions_of_a_surname_point_to_the_full_name_entity() -> None:
    article = run(
        "Russian Foreign Minister Sergei Lavrov met John Kerry in Berlin on Tuesday.\n\n"
        "Lavrov said the talks had been useful."
    )
    persons = {m.text: m for m in article.mentions if m.label == "PERSON"}
    assert persons["Lavrov"].canonical_name == "Sergei Lavrov"
    assert persons["Lavrov"].entity_id == ids.entity_id("PERSON", "Sergei Lavrov")
    quote = find(article, "the talks had been useful")
    assert quote.speaker_text == "Lavrov"
    assert quote.speaker_name == "Sergei Lavrov"
    assert quote.speaker_entity_id == persons["Lavrov"].entity_id


@pytest.mark.parametrize(
    ("text", "fragment", "speaker_text", "speaker"),
    [
        (
            "U.S. State Department spokeswoman Victoria Nuland said Kerry and Lavrov spent an hour on Syria "
            'in what she called a "really serious and hardworking session.”',
            "really serious",
            None,
            "Victoria Nuland",
        ),
        (
            "John Kerry met Victoria Nuland on Monday. She said the meeting had gone well.",
            "the meeting had gone well",
            "She",
            "Victoria Nuland",
        ),
        (
            "Victoria Nuland met John Kerry on Monday. He said the meeting had gone well.",
            "the meeting had gone well",
            "He",
            "John Kerry",
        ),
        (
            "Mr. Ventrell spoke after Ms. Harris. “We are not done yet,” he said.",
            "We are not done yet",
            "he",
            "Ventrell",
        ),
    ],
)
def test_resolution_pronoun_speaker_to_antecedent(
    text: str, fragment: str, speaker_text: str | None, speaker: str
) -> None:
    quote = find(run(text), fragment)
    if speaker_text is not None:
        assert quote.speaker_text == speaker_text
    assert quote.speaker_name == speaker


def test_resolution_relative_pronoun_speaker() -> None:
    article = run("The plan was attacked by Maria Lopez, who said that it would cost too much.")
    quote = find(article, "it would cost too much")
    assert quote.speaker_text == "who"
    assert quote.speaker_name == "Maria Lopez"


def test_resolution_role_noun_speaker() -> None:
    article = run(
        "State Department spokeswoman Victoria Nuland spoke in Berlin on Tuesday.\n\n"
        "The spokeswoman said that the talks would continue."
    )
    quote = find(article, "the talks would continue")
    assert quote.speaker_name == "Victoria Nuland"


def test_resolution_title_is_not_part_of_speaker_name() -> None:
    quote = find(run("Russian Foreign Minister Sergei Lavrov said the talks were constructive."), "constructive")
    assert quote.speaker_name == "Sergei Lavrov"
    assert quote.speaker_entity_id == ids.entity_id("PERSON", "Sergei Lavrov")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Victoria Nuland", FEMALE), ("Sergei Lavrov", MALE), ("Hillary Clinton", FEMALE), ("Xq Zzt", None)],
)
def test_resolution_first_name_gender(name: str, expected: str | None) -> None:
    assert name_gender(name) == expected
