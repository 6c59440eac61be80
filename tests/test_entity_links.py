"""Corpus-wide entity links (entity_aliases): surname entities to the full name, order-free."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from etl import ids
from etl.pipeline import run
from etl.settings import Settings
from etl.warehouse.aliases import EntityCount, compute_aliases, link_entities, story_facts


def _e(name: str, label: str = "PERSON", mentions: int = 1) -> EntityCount:
    return EntityCount(ids.entity_id(label, name), name, label, mentions)


def _links(*entities: EntityCount) -> dict[str, str]:
    return {str(r["alias_name"]): str(r["canonical_name"]) for r in compute_aliases(entities)}


def test_entity_links_surname_to_the_one_full_name() -> None:
    assert _links(_e("Tony Blair", mentions=461), _e("Blair", mentions=35), _e("Gordon Brown")) == {"Blair": "Tony Blair"}


def test_entity_links_namesakes_stay_apart() -> None:
    assert _links(_e("Hillary Clinton", mentions=60), _e("Bill Clinton", mentions=40), _e("Clinton")) == {}


def test_entity_links_a_dominant_namesake_takes_the_surname() -> None:
    assert _links(_e("Hillary Clinton", mentions=950), _e("Bill Clinton", mentions=50), _e("Clinton")) == {
        "Clinton": "Hillary Clinton"
    }


def test_entity_links_a_shared_role_tells_namesakes_apart() -> None:
    hillary, bill, clinton = _e("Hillary Clinton", mentions=60), _e("Bill Clinton", mentions=40), _e("Clinton")
    roles = {hillary.entity_id: {"secretary of state"}, bill.entity_id: {"president"}}
    rows = compute_aliases([hillary, bill, clinton], {**roles, clinton.entity_id: {"secretary of state"}})
    assert [(r["canonical_name"], r["rule"]) for r in rows] == [("Hillary Clinton", "role")]
    both = compute_aliases([hillary, bill, clinton], {**roles, clinton.entity_id: {"secretary of state", "president"}})
    assert both == []


def test_entity_links_mislabelled_surname_links_but_places_do_not() -> None:
    links = _links(
        _e("Jose Mourinho", mentions=36), _e("Mourinho", "ORG"), _e("George Washington"), _e("Washington", "GPE"), _e("John Person"), _e("Person", "ORG", 3)
    )
    assert links == {"Mourinho": "Jose Mourinho"}


def test_entity_links_never_to_a_rarer_longer_name_nor_from_acronyms_or_lowercase() -> None:
    links = _links(
        _e("Tim Henman", mentions=40), _e("Briton Tim Henman"), _e("Team GB", mentions=3), _e("GB", "GPE", 5), _e("person", "ORG")
    )
    assert links == {"Briton Tim Henman": "Tim Henman"}  # the other way: a glued word, see below


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        # a capitalised word glued to a much more frequent full name
        ([_e("Donald Trump", mentions=50), _e("Billionaire Donald Trump", mentions=2)], {"Billionaire Donald Trump": "Donald Trump"}),
        # not when the shorter name is not clearly the usual one
        ([_e("Ann Smith", mentions=3), _e("Mary Ann Smith", mentions=2)], {}),
        # a middle name or initial, when it is the only longer form of first + last name
        ([_e("Hillary Clinton", mentions=30), _e("Hillary Rodham Clinton", mentions=4)], {"Hillary Rodham Clinton": "Hillary Clinton"}),
        ([_e("Lindsey Graham", mentions=9), _e("Lindsey O. Graham", mentions=1)], {"Lindsey O. Graham": "Lindsey Graham"}),
        # two longer forms of one first + last name are two people: neither links
        ([_e("George Bush", mentions=20), _e("George W. Bush", mentions=10), _e("George H.W. Bush", mentions=5)], {}),
        # a surname counts the variants' mentions with their full name, and links to it
        (
            [_e("Hillary Clinton", mentions=50), _e("Hillary Rodham Clinton", mentions=10), _e("Bill Clinton", mentions=6), _e("Clinton", mentions=3)],
            {"Hillary Rodham Clinton": "Hillary Clinton", "Clinton": "Hillary Clinton"},
        ),
    ],
)
def test_entity_links_full_name_variants(entities: list[EntityCount], expected: dict[str, str]) -> None:
    assert _links(*entities) == expected
    assert compute_aliases(entities) == compute_aliases(list(reversed(entities)))


def test_entity_links_do_not_depend_on_the_order_entities_come_in() -> None:
    entities = [_e("Ronald Reagan", mentions=9), _e("Reagan", mentions=4), _e("Nancy Reagan", mentions=1), _e("Kerry")]
    assert compute_aliases(entities) == compute_aliases(list(reversed(entities)))


STORIES = {
    "a.txt": "Tony Blair met union leaders in London on Monday.\n\nBlair said the talks were useful.",
    "b.txt": "Blair told reporters that the economy was strong.\n\nThe Conservatives disagreed with him.",
}


def _aliases(url: str) -> set[tuple[str, str]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = {(r.alias_name, r.canonical_name) for r in conn.execute(sa.text("SELECT * FROM entity_aliases"))}
    engine.dispose()
    return rows


def test_entity_links_same_whether_loaded_in_one_run_or_several(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWS_ETL_PROCESSES", "1")
    monkeypatch.delenv("NEWS_ETL_DATABASE_URL", raising=False)
    for name, text in STORIES.items():
        (tmp_path / "all").mkdir(exist_ok=True)
        (tmp_path / "all" / name).write_text(text, encoding="utf-8")
        (tmp_path / name.removesuffix(".txt")).mkdir()
        (tmp_path / name.removesuffix(".txt") / name).write_text(text, encoding="utf-8")
    one = Settings(warehouse=tmp_path / "one")
    run([tmp_path / "all"], one)
    link_entities(one)
    several = Settings(warehouse=tmp_path / "several")
    for part in ("b", "a"):
        run([tmp_path / part], several)
        link_entities(several)
    expected = {("Blair", "Tony Blair")}
    assert _aliases(f"sqlite:///{tmp_path / 'one' / 'news.db'}") == expected
    assert _aliases(f"sqlite:///{tmp_path / 'several' / 'news.db'}") == expected
    url = f"sqlite:///{tmp_path / 'several' / 'news.db'}"
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        linked = conn.execute(sa.text("SELECT DISTINCT linked_name FROM entity_overview WHERE value = 'Blair'")).scalars().all()
        speakers = conn.execute(sa.text("SELECT speaker_linked_entity_id FROM who_said_what")).scalars().all()
    engine.dispose()
    assert linked == ["Tony Blair"]
    assert ids.entity_id("PERSON", "Tony Blair") in speakers
    # the no-gold measure: both stories' "Blair" resolve to one entity named in full, thanks to the link
    from etl.evaluation.people import consistency

    measured = consistency(several)
    assert (measured["stories"], measured["people"], measured["one_entity_named_in_full"]) == (2, 2, 1.0)
    rows = pq.read_table(tmp_path / "several" / "parquet" / "entity_aliases" / "part-0.parquet").to_pylist()
    assert {(r["alias_name"], r["canonical_name"]) for r in rows} == expected


def test_entity_links_first_names_and_generational_suffixes() -> None:
    links = _links(
        _e("Bernie Sanders", mentions=40), _e("Bernie", mentions=4), _e("Bill Clinton", mentions=10), _e("Bill de Blasio", mentions=8),
        _e("Bill", mentions=2), _e("Joseph R. Biden Jr.", mentions=8), _e("Biden", mentions=3), _e("Cloud Atlas", mentions=1), _e("Cloud"),
    )
    # "Bill" has two usual full names and stays; a rare full name takes no first name
    assert links == {"Bernie": "Bernie Sanders", "Biden": "Joseph R. Biden Jr."}


def test_entity_links_spellings_of_one_name_link_to_the_usual_one() -> None:
    # (case alone never splits an entity: its id is made from the case-folded name)
    links = _links(_e("François Dorrit", mentions=5), _e("Francois Dorrit", mentions=2), _e("Dorrit"))
    assert links == {"Francois Dorrit": "François Dorrit", "Dorrit": "François Dorrit"}


def test_entity_links_a_surname_in_capitals_links() -> None:
    # "CLINTON" from a headline; "AP" and "J.R." are initialisms, never surnames
    links = _links(_e("Hillary Dorrit", mentions=9), _e("DORRIT", mentions=3), _e("Pat Ap", mentions=5), _e("AP", mentions=2))
    assert links == {"DORRIT": "Hillary Dorrit"}


def _context_links(alias_company: list[list[str]]) -> dict[str, str]:
    """Namesakes "Ann Dorrit" (named beside Senate and Vole) and "Bob Dorrit" (beside Rovers and
    Wanderers), equally frequent; "Dorrit" alone in stories naming ``alias_company``."""
    ann, bob, dorrit = _e("Ann Dorrit", mentions=5), _e("Bob Dorrit", mentions=5), _e("Dorrit", mentions=2)
    others = {name: _e(name, "ORG") for name in ("Senate", "Vole", "Rovers", "Wanderers", "Filler")}
    stories: dict[str, set[str]] = {e.entity_id: set() for e in (ann, bob, dorrit, *others.values())}
    for i, names in enumerate([["Senate", "Vole"], ["Senate", "Vole"], ["Rovers", "Wanderers"], ["Rovers", "Wanderers"]]):
        stories[(ann if i < 2 else bob).entity_id].add(f"s{i}")
        for n in names + ["Filler"]:
            stories[others[n].entity_id].add(f"s{i}")
    for j, names in enumerate(alias_company):
        stories[dorrit.entity_id].add(f"a{j}")
        for n in names:
            stories[others[n].entity_id].add(f"a{j}")
    rows = compute_aliases([ann, bob, dorrit, *others.values()], {}, {e: frozenset(a) for e, a in stories.items()})
    return {str(r["alias_name"]): str(r["canonical_name"]) for r in rows}


def test_entity_links_context_tells_namesakes_apart() -> None:
    assert _context_links([["Senate", "Vole", "Filler"], ["Senate", "Vole"]]) == {"Dorrit": "Ann Dorrit"}


def test_entity_links_context_split_between_namesakes_links_neither() -> None:
    assert _context_links([["Senate", "Vole"], ["Rovers", "Wanderers"]]) == {}
    assert _context_links([["Filler"], ["Filler"]]) == {}  # nothing telling: a name in every story


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        # a one-word PERSON tag the corpus writes as an organisation at least as often
        ([_e("Tass", mentions=3), _e("Tass", "ORG", 5)], {"Tass": "Tass"}),
        ([_e("Tass", mentions=3), _e("Tass", "ORG", 2), _e("Tass", "GPE", 1)], {"Tass": "Tass"}),
        # more often a person than anything else: it stays a person
        ([_e("Tass", mentions=5), _e("Tass", "ORG", 3)], {}),
        # a known first name is a person's, whatever else it names ("Bill" the law)
        ([_e("Bill", mentions=2), _e("Bill", "LAW", 9)], {}),
        # a surname of a person named in full links to that person, not to the other label
        ([_e("Glyn Dorrit", mentions=4), _e("Dorrit", mentions=2), _e("Dorrit", "ORG", 9)], {"Dorrit": "Glyn Dorrit"}),
        # nor is the first word of a usual full name: it stands for that name
        ([_e("Dorrit Vole", mentions=4), _e("Dorrit", mentions=2), _e("Dorrit", "ORG", 9)], {"Dorrit": "Dorrit Vole"}),
        ([_e("Dorrit Vole", mentions=2), _e("Dorrit", mentions=2), _e("Dorrit", "ORG", 9)], {}),
    ],
)
def test_entity_links_label_by_the_corpus_evidence(entities: list[EntityCount], expected: dict[str, str]) -> None:
    rows = compute_aliases(entities)
    assert {str(r["alias_name"]): str(r["canonical_name"]) for r in rows} == expected
    assert all(r["rule"] == "label" for r in rows if r["alias_name"] == r["canonical_name"])


@pytest.mark.parametrize(
    ("alias_year", "alias_outlet", "expected"),
    [
        (1996, None, {"Dorrit": "Bob Dorrit"}),
        (2016, None, {"Dorrit": "Ann Dorrit"}),
        (None, "Herald", {"Dorrit": "Bob Dorrit"}),
        (None, None, {}),  # the Senate alone tells nothing: both are named beside it
    ],
)
def test_entity_links_a_story_year_or_outlet_tells_namesakes_apart(alias_year: int | None, alias_outlet: str | None, expected: dict[str, str]) -> None:
    """Ann Dorrit is named in 2016 Gazette stories, Bob Dorrit in 1996 Herald ones, both beside the
    Senate; the alias's story names the Senate too, and its year or outlet decides ("Clinton" in
    2016 news is Hillary)."""
    ann, bob, dorrit, senate = _e("Ann Dorrit", mentions=5), _e("Bob Dorrit", mentions=5), _e("Dorrit", mentions=2), _e("Senate", "ORG")
    stories = {ann.entity_id: {"s0", "s1"}, bob.entity_id: {"s2", "s3"}, dorrit.entity_id: {"a0"}, senate.entity_id: {"s0", "s1", "s2", "s3", "a0"}}
    for extra in ("x0", "x1", "x2"):  # stories naming neither, so that the Senate is no everyday name
        stories[_e(f"Filler {extra}", "ORG").entity_id] = {extra}
    facts = {
        "s0": story_facts("Gazette", date(2016, 6, 1)),
        "s1": story_facts("Gazette", date(2016, 6, 1)),
        "s2": story_facts("Herald", date(1996, 6, 1)),
        "s3": story_facts("Herald", date(1996, 6, 1)),
        "a0": story_facts(alias_outlet, date(alias_year, 6, 1) if alias_year else None),
    }
    rows = compute_aliases([ann, bob, dorrit, senate], {}, stories, facts)
    assert {str(r["alias_name"]): str(r["canonical_name"]) for r in rows} == expected
    assert all(r["rule"] == "context" for r in rows)


NAMED_STORIES = {
    "c.txt": "LONDON (Reuters) - Tony Blair met union leaders on Monday.\n\nBlair said the talks were useful.",
    "d.txt": "Gordon Brown spoke in London on Tuesday.\n\nBrown said London was ready.",
}


@pytest.mark.parametrize("order", [("c", "d"), ("d", "c")])
def test_entity_links_names_same_whether_loaded_in_one_run_or_several(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: tuple[str, str]) -> None:
    """A dateline's "LONDON" loaded first does not name the entity for good: the mentions' usual
    spelling wins whatever the order (etl.warehouse.package.best_spelling), in SQL and in Parquet,
    and the id stays."""
    from etl.warehouse.parquet import read_table

    monkeypatch.setenv("NEWS_ETL_PROCESSES", "1")
    monkeypatch.delenv("NEWS_ETL_DATABASE_URL", raising=False)
    for name, text in NAMED_STORIES.items():
        for folder in ("all", name.removesuffix(".txt")):
            (tmp_path / folder).mkdir(exist_ok=True)
            (tmp_path / folder / name).write_text(text, encoding="utf-8")
    one = Settings(warehouse=tmp_path / "one")
    run([tmp_path / "all"], one)
    several = Settings(warehouse=tmp_path / "several")
    london = ids.entity_id("GPE", "London")
    for k, part in enumerate(order):
        run([tmp_path / part], several)
        if k == 0:  # the dateline alone names it in capitals, until the other story comes
            assert _names(tmp_path / "several")[london] == ("LONDON" if part == "c" else "London")
    for where in ("one", "several"):
        names = _names(tmp_path / where)
        assert names[london] == "London", where
        parquet = read_table(tmp_path / where / "parquet", "entities").to_pylist()
        assert {r["entity_id"]: r["canonical_name"] for r in parquet} == names, where
    assert _names(tmp_path / "one") == _names(tmp_path / "several")


def _names(warehouse: Path) -> dict[str, str]:
    engine = sa.create_engine(f"sqlite:///{warehouse / 'news.db'}")
    with engine.connect() as conn:
        names = dict(conn.execute(sa.text("SELECT entity_id, canonical_name FROM entities")).all())
    engine.dispose()
    return names


@pytest.mark.parametrize(
    ("names", "texts", "best"),
    [
        # the spelling most mentions write, capitals last
        (["HIllary Dorrit", "Hillary Dorrit"], {"Hillary Dorrit": 9, "HIllary Dorrit": 1}, "Hillary Dorrit"),
        (["Mccain"], {"McCain": 7, "Mccain": 1, "MCCAIN": 20}, "McCain"),
        (["WASHINGTON", "Washington"], {"WASHINGTON": 30, "Washington": 4}, "Washington"),
        (["IBM"], {"IBM": 3}, "IBM"),
        # no mention writes it so ("Mr Ebbers"): the names themselves, by code points
        (["Ebbers", "EBBERS"], {"Mr Ebbers": 3}, "Ebbers"),
        (["de Blasio", "De Blasio"], {}, "De Blasio"),
    ],
)
def test_entity_links_best_spelling_by_the_mentions(names: list[str], texts: dict[str, int], best: str) -> None:
    from etl.warehouse.package import best_spelling

    assert best_spelling(names, texts) == best == best_spelling(list(reversed(names)), texts)


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        # wire copy: "Ronald Reagan" once, "President Reagan" ever after
        ([_e("Ronald Reagan", mentions=20), _e("Reagan", mentions=400)], {"Reagan": "Ronald Reagan"}),
        ([_e("Bashar Assad", mentions=2), _e("Assad", mentions=22)], {"Assad": "Bashar Assad"}),
        ([_e("G. Dorrit", mentions=1), _e("Dorrit", mentions=9)], {"Dorrit": "G. Dorrit"}),
        # too rare to stand for so frequent a surname
        ([_e("Ronald Reagan", mentions=2), _e("Reagan", mentions=400)], {}),
        # not written as a person's name: a word glued to a tag ("Wilayat Twitter")
        ([_e("Wilayat Twitter", mentions=21), _e("Twitter", mentions=129)], {}),
        # a first name alone is no surname of a rarer full name ("Larry David")
        ([_e("Larry David", mentions=1), _e("David", mentions=4)], {}),
        # namesakes still need one to dominate
        ([_e("Ronald Reagan", mentions=20), _e("Nancy Reagan", mentions=15), _e("Reagan", mentions=400)], {}),
    ],
)
def test_entity_links_a_surname_links_to_a_rarer_full_name(entities: list[EntityCount], expected: dict[str, str]) -> None:
    assert _links(*entities) == expected


def test_entity_links_a_titled_name_is_a_person_whatever_else_it_names() -> None:
    # "President Ford" and the carmaker: the title keeps the person, who links to his full name
    gerald, ford, carmaker = _e("Gerald Ford", mentions=2), _e("Ford", mentions=10), _e("Ford", "ORG", 40)
    rows = compute_aliases([gerald, ford, carmaker], {ford.entity_id: {"president"}})
    assert [(r["alias_name"], r["canonical_name"], r["rule"]) for r in rows] == [("Ford", "Gerald Ford", "surname")]
    assert [r["rule"] for r in compute_aliases([gerald, ford, carmaker])] == ["label"]


def test_entity_links_a_rarer_full_name_never_beside_one_written_otherwise_nor_for_another_label() -> None:
    # "Rahm" is no first name the lists know: he may be the one meant, so "Emanuel" links to neither
    assert _links(_e("Tom Emanuel", mentions=3), _e("Rahm Emanuel", mentions=9), _e("Emanuel", mentions=21)) == {}
    # "Jordan" the country, tagged PERSON thrice, is no Michael B. Jordan
    assert _links(_e("Michael B. Jordan"), _e("Jordan", mentions=3), _e("Jordan", "GPE", 40)) == {"Jordan": "Jordan"}


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        # a full name tagged ORG once and PERSON more often is the person
        ([_e("Mary Dorrit", mentions=3), _e("Mary Dorrit", "ORG")], {"Mary Dorrit": "Mary Dorrit"}),
        # more often the other label: it keeps it
        ([_e("Mary Dorrit"), _e("Mary Dorrit", "ORG", 3)], {}),
        ([_e("Jordan Dorrit", mentions=2), _e("Jordan Dorrit Bank", "ORG", 1)], {}),
        # spaCy's PERSON tags on a club or a country are no evidence: no first name leads them
        ([_e("Aston Villa", mentions=6), _e("Aston Villa", "ORG", 4)], {}),
        ([_e("B Dorrit", mentions=2), _e("B Dorrit", "ORG")], {"B Dorrit": "B Dorrit"}),
        # a first name of the wider dictionary only ("Kiichi"): a person's, under a label a name may wrongly carry
        ([_e("Kiichi Dorrit", mentions=7), _e("Kiichi Dorrit", "WORK_OF_ART")], {"Kiichi Dorrit": "Kiichi Dorrit"}),
        # ... but never a place: "Sri" is in that dictionary too
        ([_e("Sri Dorrit", mentions=7), _e("Sri Dorrit", "GPE")], {}),
    ],
)
def test_entity_links_a_full_name_under_another_label(entities: list[EntityCount], expected: dict[str, str]) -> None:
    rows = compute_aliases(entities)
    assert {str(r["alias_name"]): str(r["canonical_name"]) for r in rows} == expected
    assert all(r["rule"] == "label" for r in rows)


@pytest.mark.parametrize(
    ("alias_company", "expected"),
    [
        # "Reagan" in stories naming what Ronald Reagan's stories name: him
        (["White House", "Congress"], {"Reagan": "Ronald Reagan"}),
        # "Blackburn" the club in football reports: nothing in common with Tony Blackburn's stories
        (["Rovers", "Wanderers"], {}),
    ],
)
def test_entity_links_a_rarer_full_name_needs_the_same_company(alias_company: list[str], expected: dict[str, str]) -> None:
    ronald, reagan = _e("Ronald Reagan", mentions=2), _e("Reagan", mentions=12)
    others = {n: _e(n, "ORG") for n in ("White House", "Congress", "Rovers", "Wanderers")}
    stories: dict[str, set[str]] = {ronald.entity_id: {"s0", "s1"}, reagan.entity_id: {"a0", "a1", "a2"}}
    for n in ("White House", "Congress"):
        stories[others[n].entity_id] = {"s0", "s1"}
    for n in ("Rovers", "Wanderers"):
        stories.setdefault(others[n].entity_id, set()).add("f0")  # football elsewhere too
    for a in ("a0", "a1", "a2"):
        for n in alias_company:
            stories[others[n].entity_id].add(a)
    for k in range(200):  # a corpus around them, so that the shared names are rare
        stories[_e(f"Filler {k}", "ORG").entity_id] = {f"x{k}"}
    rows = compute_aliases([ronald, reagan, *others.values()], {}, stories)
    assert {str(r["alias_name"]): str(r["canonical_name"]) for r in rows} == expected


def test_entity_links_a_rarer_full_name_sharing_the_surnames_role() -> None:
    # "President Reagan" in stories of any company, "President Ronald Reagan" in one: the role is the evidence
    ronald, nancy, reagan = _e("Ronald Reagan", mentions=2), _e("Nancy Reagan"), _e("Reagan", mentions=400)
    roles = {ronald.entity_id: {"president"}, reagan.entity_id: {"president"}}
    rows = compute_aliases([ronald, nancy, reagan], roles, {reagan.entity_id: {"a0"}, ronald.entity_id: {"s0"}})
    assert [(r["alias_name"], r["canonical_name"], r["rule"]) for r in rows] == [("Reagan", "Ronald Reagan", "role")]
    # no role in common, or one shared with two namesakes: no link
    assert compute_aliases([ronald, nancy, reagan], {**roles, reagan.entity_id: {"governor"}}, {reagan.entity_id: {"a0"}}) == []
    both = {**roles, nancy.entity_id: {"president"}}
    assert compute_aliases([ronald, nancy, reagan], both, {reagan.entity_id: {"a0"}}) == []
    # a first name alone never takes a rarer full name, role or not ("President Lee")
    lee, ann = _e("Lee", mentions=30), _e("Ann Lee", mentions=2)
    assert compute_aliases([lee, ann], {lee.entity_id: {"president"}, ann.entity_id: {"president"}}, {lee.entity_id: {"a0"}}) == []


def test_entity_links_a_surname_under_another_label_follows_its_person_tag() -> None:
    # "the Reagan administration" (ORG) more often than "Ronald Reagan", beside the PERSON
    # "Reagan", which links to him as a surname
    ronald, reagan, org = _e("Ronald Reagan", mentions=4), _e("Reagan", mentions=30), _e("Reagan", "ORG", 10)
    roles = {ronald.entity_id: {"president"}, reagan.entity_id: {"president"}}
    rows = compute_aliases([ronald, reagan, org], roles)
    assert {(r["alias_entity_id"], r["canonical_name"], r["rule"]) for r in rows} == {
        (reagan.entity_id, "Ronald Reagan", "surname"),
        (org.entity_id, "Ronald Reagan", "label"),
    }
    # tagged otherwise more often than PERSON: it keeps its label
    more = compute_aliases([ronald, reagan, _e("Reagan", "ORG", 31)], roles)
    assert {r["alias_entity_id"] for r in more} == {reagan.entity_id}
    # a PERSON tag linking to no full name is no evidence ("Latinos"), nor one linking as a first name
    assert compute_aliases([_e("Latinos", mentions=9), _e("Latinos", "NORP", 3)]) == []
    first = compute_aliases([_e("Manchester United", mentions=30), _e("Manchester", mentions=4), _e("Manchester", "ORG", 5)])
    assert [r["rule"] for r in first] == ["first name"]


@pytest.mark.parametrize(
    ("entities", "expected"),
    [
        # a nickname to the more usual name it shortens, middle initial or not; the surname follows
        (
            [_e("Charles E. Grassley", mentions=5), _e("Chuck Grassley", mentions=3), _e("Grassley", mentions=9)],
            {"Chuck Grassley": "Charles E. Grassley", "Grassley": "Charles E. Grassley"},
        ),
        ([_e("Bob Dole", mentions=4), _e("Robert Dole", mentions=6)], {"Bob Dole": "Robert Dole"}),
        # two names answer the nickname: neither
        ([_e("Pat Kennedy", mentions=2), _e("Patrick Kennedy", mentions=3), _e("Patricia Kennedy", mentions=2)], {}),
        # the son is not his father, nor are namesakes one
        ([_e("Ronald Reagan", mentions=9), _e("Ron Reagan Jr.", mentions=2)], {}),
        ([_e("Bill Clinton", mentions=5), _e("Hillary Clinton", mentions=9)], {}),
    ],
)
def test_entity_links_a_nickname_links_to_the_name_it_shortens(entities: list[EntityCount], expected: dict[str, str]) -> None:
    rows = compute_aliases(entities)
    assert {str(r["alias_name"]): str(r["canonical_name"]) for r in rows} == expected
    assert {r["rule"] for r in rows if r["alias_name"] != "Grassley"} <= {"nickname"}


def test_entity_links_a_rarer_full_name_with_a_first_name_of_the_wider_dictionary() -> None:
    # "Kiichi Miyazawa" named once, "Miyazawa" after: Kiichi is a first name the dictionary knows
    assert _links(_e("Kiichi Miyazawa", mentions=2), _e("Miyazawa", mentions=9)) == {"Miyazawa": "Kiichi Miyazawa"}


def test_entity_links_a_suffix_on_the_full_first_name_only_is_the_same_person() -> None:
    joe, joseph, biden = _e("Joe Biden", mentions=72), _e("Joseph R. Biden Jr.", mentions=31), _e("Biden", mentions=8)
    assert _links(joe, joseph, biden, _e("Beau Biden", mentions=2)) == {"Joseph R. Biden Jr.": "Joe Biden", "Biden": "Joe Biden"}


def test_entity_links_a_surname_without_its_arabic_article() -> None:
    # wire copy names "Hafez al-Assad" once and says "Assad" after
    assert _links(_e("Hafez al-Dorrit", mentions=5), _e("Dorrit", mentions=3)) == {"Dorrit": "Hafez al-Dorrit"}
    assert _links(_e("Hafez al-Dorrit", mentions=5), _e("Al-Dorrit", mentions=3)) == {"Al-Dorrit": "Hafez al-Dorrit"}
