"""The no-gold people measure (etl.evaluation.people.score_people) on hand-made mention rows."""

from __future__ import annotations

import pytest

from etl.evaluation.people import lower_words, score_people

NAMES = {
    "hd": ("Hillary Dorrit", "PERSON"),
    "bd": ("Bill Dorrit", "PERSON"),
    "d": ("Dorrit", "PERSON"),
    "sk": ("Aung San Suu Kyi", "PERSON"),
    "o": ("Dorrit", "ORG"),
}


def test_entity_people_a_group_counts_when_one_entity_named_in_full() -> None:
    rows = [("a1", "Hillary Dorrit", "hd"), ("a1", "Dorrit", "d"), ("a2", "Dorrit", "d"), ("a3", "Dorrit's", "o")]
    result = score_people(rows, NAMES, {"d": "hd"})
    assert (result["people"], result["one_entity_named_in_full"]) == (3, round(2 / 3, 4))  # a3: not a PERSON entity
    assert score_people(rows, NAMES, {})["one_entity_named_in_full"] == 0.0  # "Dorrit" unlinked: two entities in a1


def test_entity_people_namesakes_apart() -> None:
    rows = [("a1", "Hillary Dorrit", "hd"), ("a1", "Bill Dorrit", "bd"), ("a2", "Suu Kyi", "sk"), ("a2", "Aung San Suu Kyi", "sk")]
    result = score_people(rows, NAMES, {})
    assert (result["namesake_groups"], result["namesakes_apart"]) == (1, 1.0)  # "Suu Kyi" is no namesake
    # a link merging the two written namesakes is caught
    assert score_people(rows, NAMES, {"bd": "hd"})["namesakes_apart"] == 0.0


def test_entity_people_a_generational_suffix_is_not_the_surname() -> None:
    names = {"jd": ("Joe Dorrit Jr.", "PERSON"), "pv": ("Pat Vole Jr.", "PERSON")}
    rows = [("a1", "Joe Dorrit Jr.", "jd"), ("a1", "Dorrit", "jd"), ("a1", "Pat Vole Jr.", "pv")]
    result = score_people(rows, names, {})
    assert (result["people"], result["one_entity_named_in_full"]) == (2, 1.0)  # "Dorrit" and "Vole", not one "Jr."


def test_entity_people_a_glued_common_word_makes_no_namesake() -> None:
    names = {"hd": ("Hillary Dorrit", "PERSON"), "td": ("Top Dorrit", "PERSON")}
    rows = [("a1", "Hillary Dorrit", "hd"), ("a1", "Top Dorrit", "td")]
    assert score_people(rows, names, {})["namesake_groups"] == 1
    assert score_people(rows, names, {}, {"a1": lower_words("the top aide")})["namesake_groups"] == 0


@pytest.mark.parametrize(
    ("rows", "links", "expected"),
    [
        # a PERSON tag the corpus-wide label link overrules is no person of the second figure
        ([("a1", "Hillary Dorrit", "hd"), ("a2", "Politico", "p")], {"p": "po"}, (1, 1.0, 1, 0)),
        # a family is no person ("the Dorrits"), unless the plural is a surname too ("Williams")
        ([("a1", "Hillary Dorrit", "hd"), ("a1", "Dorrits", "ds")], {}, (1, 1.0, 0, 1)),
        # namesakes of one story resolved to their own full names count as resolved
        ([("a1", "Hillary Dorrit", "hd"), ("a1", "Bill Dorrit", "bd"), ("a1", "Dorrit", "hd")], {}, (1, 1.0, 0, 0)),
        # ... but not when a mention stays a bare surname, nor when they are merged
        ([("a1", "Hillary Dorrit", "hd"), ("a1", "Bill Dorrit", "bd"), ("a1", "Dorrit", "d")], {}, (1, 0.0, 0, 0)),
        ([("a1", "Hillary Dorrit", "hd"), ("a1", "Bill Dorrit", "bd")], {"bd": "hd"}, (1, 0.0, 0, 0)),
    ],
)
def test_entity_people_persons_only(rows: list[tuple[str, str, str]], links: dict[str, str], expected: tuple[int, float, int, int]) -> None:
    names = {**NAMES, "p": ("Politico", "PERSON"), "po": ("Politico", "ORG"), "ds": ("Dorrits", "PERSON")}
    result = score_people(rows, names, links)["persons_only"]
    assert isinstance(result, dict)
    assert (result["people"], result["one_entity_named_in_full"], result["left_out_not_person"], result["left_out_families"]) == expected


def test_entity_people_a_plural_that_is_a_surname_is_no_family() -> None:
    names = {**NAMES, "ds": ("Dorrits", "PERSON"), "ads": ("Ann Dorrits", "PERSON")}
    rows = [("a1", "Hillary Dorrit", "hd"), ("a1", "Dorrits", "ds"), ("a2", "Ann Dorrits", "ads")]
    result = score_people(rows, names, {})["persons_only"]
    assert isinstance(result, dict)
    assert (result["people"], result["left_out_families"]) == (3, 0)


def test_entity_people_tagged_stories(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from etl.evaluation.people import read_tags, score_tagged

    tags_file = tmp_path / "tags.tsv"
    tags_file.write_text("path\tperson\n# a comment\nd1/a.txt\thillary-dorrit\nd1/b.txt\tDorrit\nd1/c.txt\tDorrit\nd9/x.txt\tDorrit\n", encoding="utf-8")
    tags = read_tags(tags_file)
    assert tags == [("d1/a.txt", "hillary dorrit"), ("d1/b.txt", "Dorrit"), ("d1/c.txt", "Dorrit"), ("d9/x.txt", "Dorrit")]
    stories = {"a1": "file:///in/d1/a.txt", "a2": "file:///in/d1/b.txt", "a3": "file:///in/d1/c.txt"}
    # a1: the full name and an ORG-tagged surname linked to it; a2: the surname linked; a3: no mention
    rows = [("a1", "Hillary Dorrit", "hd"), ("a1", "Dorrit's", "o"), ("a2", "Dorrit", "d"), ("a3", "Suu Kyi", "sk")]
    result = score_tagged(tags, stories, rows, NAMES, {"o": "hd", "d": "hd"})
    assert result == {
        "tagged_pairs": 2,
        "one_entity_named_in_full": 1.0,
        "right_name": 1.0,
        "people": 2,
        "entities_per_person": 1.0,
        "left_out_no_story": 1,
        "left_out_no_mention": 1,
    }
    # with the stories' text: a3 writes the surname the recogniser never tagged, a failure there
    bodies = {"a1": "Hillary Dorrit spoke.", "a2": "Dorrit spoke.", "a3": "Suu Kyi met Dorrit."}
    assert score_tagged(tags, stories, rows, NAMES, {"o": "hd", "d": "hd"}, bodies)["of_stories_naming_them"] == round(2 / 3, 4)
    bodies["a3"] = "Suu Kyi met the dorrit."  # a common word, not the name
    assert score_tagged(tags, stories, rows, NAMES, {"o": "hd", "d": "hd"}, bodies)["of_stories_naming_them"] == 1.0
    # unlinked: a1 holds two entities, a2 one not named in full; linked to the namesake: the wrong name
    assert score_tagged(tags, stories, rows, NAMES, {})["one_entity_named_in_full"] == 0.0
    # "Dorrit" alone linked to the namesake: named in full, but not the tagged name
    wrong = score_tagged(tags[:1], stories, [("a1", "Dorrit", "d")], NAMES, {"d": "bd"})
    assert (wrong["one_entity_named_in_full"], wrong["right_name"]) == (1.0, 0.0)


def test_entity_people_a_tags_file_with_a_bad_row_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from etl.evaluation.people import read_tags

    bad = tmp_path / "tags.tsv"
    bad.write_text("d1/a.txt Hillary Dorrit\n", encoding="utf-8")
    with pytest.raises(ValueError, match="tab-separated"):
        read_tags(bad)


def test_entity_people_a_nickname_is_no_namesake() -> None:
    names = {"cg": ("Charles Grassley", "PERSON"), "ch": ("Chuck Grassley", "PERSON")}
    rows = [("a1", "Charles Grassley", "cg"), ("a1", "Chuck Grassley", "ch")]
    assert score_people(rows, names, {"ch": "cg"})["namesake_groups"] == 0
