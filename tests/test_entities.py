"""Entity labels and names across an article, roles, and the entities quotes mention."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.tokens import Doc, Span

from etl import ids
from etl.clean import clean
from etl.nlp.aliases import expand_acronym, initials
from etl.nlp.analyse import analyse
from etl.nlp.entities import extend_person, name_mentions, named_spans, strip_honorifics, strip_roles, trim_span
from etl.nlp.model import get_nlp
from etl.records import AnalysedArticle, CleanArticle, Mention, RawArticle
from etl.settings import DEFAULT_MODEL

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_be95c3c66a07356a.txt"


def run(text: str) -> AnalysedArticle:
    article = clean(RawArticle(source_uri="test", text=text))
    assert isinstance(article, CleanArticle)
    return analyse(article, get_nlp(DEFAULT_MODEL)(article.body_text))


def mentions_of(analysed: AnalysedArticle, text: str) -> list[Mention]:
    found = [m for m in analysed.mentions if m.text == text]
    assert found, f"no mention {text!r}; got {[(m.text, m.label) for m in analysed.mentions]}"
    return found


@pytest.fixture(scope="module")
def seed() -> AnalysedArticle:
    return run(SEED.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("surname", "full"), [("Lavrov", "Sergei Lavrov"), ("Ventrell", "Patrick Ventrell")])
def test_entities_seed_surnames_are_people(seed: AnalysedArticle, surname: str, full: str) -> None:
    for m in mentions_of(seed, surname):
        assert (m.label, m.canonical_name, m.entity_id) == ("PERSON", full, ids.entity_id("PERSON", full))


@pytest.mark.parametrize(("alias", "canonical"), [("AP", "Associated Press"), ("US", "United States")])
def test_entities_seed_aliases_merge(seed: AnalysedArticle, alias: str, canonical: str) -> None:
    (full,) = {m.entity_id for m in seed.mentions if m.text == canonical}
    assert {m.entity_id for m in mentions_of(seed, alias)} == {full}


@pytest.mark.parametrize(
    ("person", "role"),
    [("Sergei Lavrov", "foreign minister"), ("John Kerry", "secretary of state"), ("Victoria Nuland", "spokeswoman")],
)
def test_entities_seed_roles(seed: AnalysedArticle, person: str, role: str) -> None:
    assert role in {r.role_norm for r in seed.roles if r.entity_id == ids.entity_id("PERSON", person)}


def test_entities_roles_index_the_body(seed: AnalysedArticle) -> None:
    body = seed.article.body_text
    assert seed.roles
    for r in seed.roles:
        assert body[r.start_char : r.end_char] == r.role


@pytest.mark.parametrize(
    ("text", "person", "role"),
    [
        ("Patrick Ventrell, a State Department spokesman, said the talks were useful.", "Patrick Ventrell", "spokesman"),
        ("John Smith, the company's chief executive, resigned on Monday.", "John Smith", "chief executive"),
        ("The vote was called by Senate Majority Leader Mitch McConnell on Monday.", "Mitch McConnell", "majority leader"),
        # nationality words go from the normalised role, tagged or not
        ("TOKYO - Japanese Finance Minister Kiichi Miyazawa said the yen was stable.", "Kiichi Miyazawa", "finance minister"),
        ("White House chief of staff Howard Baker said the president would sign.", "Howard Baker", "chief of staff"),
    ],
)
def test_entities_roles_from_titles_and_appositions(text: str, person: str, role: str) -> None:
    analysed = run(text)
    assert role in {r.role_norm for r in analysed.roles if r.entity_id == ids.entity_id("PERSON", person)}, analysed.roles


def test_entities_honorific_makes_a_person_without_the_title() -> None:
    analysed = run("Mr Ebbers denied the charges. Prosecutors say Mr Ebbers knew of the fraud at WorldCom.")
    for m in analysed.mentions:
        if "Ebbers" in m.text:
            assert (m.label, m.canonical_name, m.text) == ("PERSON", "Ebbers", "Ebbers")


def test_entities_honorific_name_maps_to_the_full_name() -> None:
    analysed = run("Bernard Ebbers denied the charges. Prosecutors say Mr Ebbers knew of the fraud at WorldCom.")
    assert {m.canonical_name for m in analysed.mentions if "Ebbers" in m.text} == {"Bernard Ebbers"}


def test_entities_acronym_of_a_full_name_in_the_article() -> None:
    analysed = run(
        "The International Atomic Energy Agency sent inspectors to Iran. The IAEA said the visit would take a week."
    )
    names = {m.canonical_name for m in analysed.mentions if m.text in ("IAEA", "International Atomic Energy Agency")}
    assert names == {"International Atomic Energy Agency"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Mr Ebbers", ("Ebbers", True)), ("Mrs. May", ("May", True)), ("Dr", ("Dr", False)), ("Apple", ("Apple", False))],
)
def test_entities_strip_honorifics(text: str, expected: tuple[str, bool]) -> None:
    assert strip_honorifics(text) == expected


@pytest.mark.parametrize(
    ("acronym", "names", "expected"),
    [
        ("FBI", ["Federal Bureau of Investigation", "Fine Bakery Inc"], None),  # two expansions: neither
        ("FBI", ["Federal Bureau of Investigation"], "Federal Bureau of Investigation"),
        ("N.A.T.O.", ["North Atlantic Treaty Organization"], "North Atlantic Treaty Organization"),
        ("Apple", ["Apple Pie Ltd"], None),
    ],
)
def test_entities_expand_acronym(acronym: str, names: list[str], expected: str | None) -> None:
    assert expand_acronym(acronym, names) == expected


def test_entities_initials_skip_minor_words() -> None:
    assert initials("Secretary of State for the Home Department") == "SSHD"


def test_entities_quotes_mention_entities_not_their_speaker(seed: AnalysedArticle) -> None:
    (quote,) = [q for q in seed.quotes if "We’ve been clear" in q.quote_text]
    inside = {e.entity_id for e in seed.quote_entities if e.quote_id == quote.quote_id}
    assert ids.entity_id("GPE", "Syria") in inside
    assert quote.speaker_entity_id not in inside
    for e in seed.quote_entities:
        q = next(q for q in seed.quotes if q.quote_id == e.quote_id)
        assert q.quote_start <= e.start_char < e.end_char <= q.quote_end


def _span(words: list[str], start: int, end: int, label: str = "PERSON", spaces: list[bool] | None = None) -> Span:
    doc = Doc(get_nlp(DEFAULT_MODEL).vocab, words=words, spaces=spaces)
    return Span(doc, start, end, label=label)


@pytest.mark.parametrize(
    ("words", "spaces", "start", "end", "expected"),
    [
        (["1.", "Anna", "Berg", "(", "Norway", ")", "won"], None, 1, 5, "Anna Berg"),  # bracket tail
        (["Ken", "Dorn", "69", "was", "out"], None, 0, 3, "Ken Dorn"),  # score run into a name
        (["Pat", "Vole", "4-68"], None, 0, 3, "Pat Vole"),
        (["a", "pro", "-", "Vole", "group"], [True, False, False, True, False], 1, 4, "Vole"),  # "pro-Vole"
        (["Editor", "’s", "Vole", "said"], None, 1, 3, "Vole"),  # a possessive leading the span
        (["the", "people", "said"], None, 0, 2, None),  # no capital: not a name
        (["at", "eBay", "now"], None, 1, 2, "eBay"),  # a capital inside the word will do
        (["Mr", "Ebbers", "said"], None, 0, 2, "Ebbers"),
        # agency copy's angle brackets round a company, and a name run into them
        (["<", "Bond", "Corp", ">", "said"], [False, True, False, True, False], 0, 4, "Bond Corp"),
        (["Kerry", "Packer", "'s", "<", "Consolidated", "Press", ">"], [True, False, True, False, True, False, False], 0, 7, "Kerry Packer"),
    ],
)
def test_entities_trim_span(words: list[str], spaces: list[bool] | None, start: int, end: int, expected: str | None) -> None:
    trimmed = trim_span(_span(words, start, end, spaces=spaces))
    assert (trimmed.text if trimmed is not None else None) == expected


def _named(words: list[str], ents: list[tuple[int, int, str]]) -> list[tuple[str, str, str]]:
    doc = Doc(get_nlp(DEFAULT_MODEL).vocab, words=words)
    return [(i.span.text, i.label, i.name) for i in name_mentions([Span(doc, s, e, label=lbl) for s, e, lbl in ents])]


@pytest.mark.parametrize(
    ("words", "ents", "expected"),
    [
        # a full name spaCy called ORG beside its surname tagged PERSON is that person
        (
            ["Glyn", "Dorrit", "spoke", ".", "Dorrit", "left", "."],
            [(0, 2, "ORG"), (4, 5, "PERSON")],
            [("Glyn Dorrit", "PERSON", "Glyn Dorrit"), ("Dorrit", "PERSON", "Glyn Dorrit")],
        ),
        # a first name of the wider list and a surname
        (["Mihai", "Dorrit", "won", "."], [(0, 2, "ORG")], [("Mihai Dorrit", "PERSON", "Mihai Dorrit")]),
        (["Leah", "Dorrit", "won", "."], [(0, 2, "GPE")], [("Leah Dorrit", "PERSON", "Leah Dorrit")]),
        # an initial and a surname is a person's name
        (["K.", "Dorrit", "won", "."], [(0, 2, "ORG")], [("K. Dorrit", "PERSON", "K. Dorrit")]),
        # an organisation's name before the surname is no first name
        (
            ["Gazette", "Herald", "Dorrit", "said", ".", "Dorrit", "left", "."],
            [(0, 3, "ORG"), (5, 6, "PERSON")],
            [("Gazette Herald Dorrit", "ORG", "Gazette Herald Dorrit"), ("Dorrit", "PERSON", "Dorrit")],
        ),
    ],
)
def test_entities_person_evidence_relabels_full_names(
    words: list[str], ents: list[tuple[int, int, str]], expected: list[tuple[str, str, str]]
) -> None:
    assert _named(words, ents) == expected


@pytest.mark.parametrize(
    ("words", "bill", "expected"),
    [
        # the title the article gives one of the namesakes picks him
        ("Hillary Dorrit met Hillary Dorrit fans and former President Bill Dorrit . President Dorrit spoke .", 9, "Bill Dorrit"),
        ("Hillary Dorrit met Hillary Dorrit fans and Sen. Bill Dorrit . Sen. Dorrit spoke .", 8, "Bill Dorrit"),
        # a title neither has: the one named most often
        ("Hillary Dorrit met Hillary Dorrit fans and Bill Dorrit . President Dorrit spoke .", 7, "Hillary Dorrit"),
    ],
)
def test_entities_namesakes_in_one_article_by_title(words: str, bill: int, expected: str) -> None:
    ents = [(0, 2), (3, 5), (bill, bill + 2), (bill + 4, bill + 5)]
    named = _named(words.split(), [(s, e, "PERSON") for s, e in ents])
    assert (named[-1][0], named[-1][2]) == ("Dorrit", expected)


def test_entities_namesakes_in_one_article_by_honorific_then_salience() -> None:
    words = "Bill Dorrit met Hillary Dorrit and Bill Dorrit . Mrs. Dorrit spoke . Mr. Dorrit left . Dorrit won .".split()
    ents = [(0, 2, "PERSON"), (3, 5, "PERSON"), (6, 8, "PERSON"), (10, 11, "PERSON"), (14, 15, "PERSON"), (17, 18, "PERSON")]
    names = [name for _, _, name in _named(words, ents)]
    # "Mrs." picks Hillary, "Mr." Bill; a bare surname the one named in full most often
    assert names[3:] == ["Hillary Dorrit", "Bill Dorrit", "Bill Dorrit"]


@pytest.mark.parametrize(
    ("words", "tags", "ent", "expected"),
    [
        # the first name spaCy left out before a surname
        (["the", "professor", "Hany", "Dorrit", "said"], ["DT", "NN", "NNP", "NNP", "VBD"], (3, 4), "Hany Dorrit"),
        # a known first name alone, and the surname after it
        (["coach", "Bob", "Estes", "won"], ["NN", "NNP", "NNP", "VBD"], (1, 2), "Bob Estes"),
        # a first name of the wider dictionary only ("Kiichi"): spaCy called it a person's
        (["minister", "Kiichi", "Miyazawa", "said"], ["NN", "NNP", "NNP", "VBD"], (1, 2), "Kiichi Miyazawa"),
        # a headline: a capitalised word before is no first name
        (["Trump", "Slams", "Dorrit", "now"], ["NNP", "NNP", "NNP", "RB"], (2, 3), "Dorrit"),
        # a plural ("Senators Rubio") is a title, not a name
        (["two", "Senators", "Rubio", "said"], ["CD", "NNPS", "NNP", "VBD"], (2, 3), "Rubio"),
        (["said", "Baroness", "Dorrit", "today"], ["VBD", "NNP", "NNP", "NN"], (2, 3), "Dorrit"),
        # opening a sentence: a name set off by a comma, not a clause's first word
        (["Huw", "Dorrit", ",", "a", "DJ"], ["NNP", "NNP", ",", "DT", "NN"], (1, 2), "Huw Dorrit"),
        (["Though", "Dorrit", "said", "no"], ["NNP", "NNP", "VBD", "UH"], (1, 2), "Dorrit"),
    ],
)
def test_entities_extend_person(words: list[str], tags: list[str], ent: tuple[int, int], expected: str) -> None:
    starts = [i == 0 for i in range(len(words))]
    doc = Doc(
        get_nlp(DEFAULT_MODEL).vocab,
        words=words,
        tags=tags,
        pos=["PROPN" if t.startswith("NNP") else "X" for t in tags],
        sent_starts=starts,
    )
    assert extend_person(Span(doc, *ent, label="PERSON")).text == expected


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        ("Stop", "Hillary Dorrit"),  # "stop" is written in lower case too: a glued word
        ("Will", "Will Dorrit"),  # a known first name stays, lower-case "will" or not
        ("Naghmeh", "Naghmeh Dorrit"),  # an unknown first name never written in lower case stays
    ],
)
def test_entities_a_glued_common_word_is_no_first_name(first: str, expected: str) -> None:
    words = ["Hillary", "Dorrit", "will", "stop", "now", ".", first, "Dorrit", "spoke", "."]
    names = _named(words, [(0, 2, "PERSON"), (6, 8, "PERSON")])
    assert names[1][2] == expected


def test_entities_one_spelling_a_headline_in_capitals_last() -> None:
    # the first mention is a headline's: the entity still takes the article's usual spelling
    names = _named(["DORRIT", "WINS", ".", "Dorrit", "won", ".", "Dorrit", "left"], [(0, 1, "PERSON"), (3, 4, "PERSON"), (6, 7, "PERSON")])
    assert {name for _, _, name in names} == {"Dorrit"}


@pytest.mark.parametrize(
    ("words", "ents", "expected"),
    [
        # "Mr." and the one full name, a woman's: he is someone else (her husband, her son)
        ("Nancy Dorrit spoke . Mr. Dorrit left . Dorrit won .", [(0, 2), (5, 6), (8, 9)], ["Nancy Dorrit", "Dorrit", "Nancy Dorrit"]),
        ("Nancy Dorrit spoke . Mrs. Dorrit left .", [(0, 2), (5, 6)], ["Nancy Dorrit", "Nancy Dorrit"]),
        ("Ronald Dorrit spoke . Mrs. Dorrit left .", [(0, 2), (5, 6)], ["Ronald Dorrit", "Dorrit"]),
        # "President Dorrit" in a first lady's story is her husband, unless she is the president
        ("Nancy Dorrit spoke . President Dorrit left .", [(0, 2), (5, 6)], ["Nancy Dorrit", "Dorrit"]),
        ("President Maria Dorrit spoke . President Dorrit left .", [(1, 3), (6, 7)], ["Maria Dorrit", "Maria Dorrit"]),
        ("Ronald Dorrit spoke . President Dorrit left .", [(0, 2), (5, 6)], ["Ronald Dorrit", "Ronald Dorrit"]),
        # a first name of no known gender, or of both, tells nothing against the honorific
        ("Kerr Dorrit spoke . Mr. Dorrit left .", [(0, 2), (5, 6)], ["Kerr Dorrit", "Kerr Dorrit"]),
        ("Lee Dorrit spoke . Ms. Dorrit left .", [(0, 2), (5, 6)], ["Lee Dorrit", "Lee Dorrit"]),
    ],
)
def test_entities_an_honorific_of_the_other_gender_keeps_the_surname(words: str, ents: list[tuple[int, int]], expected: list[str]) -> None:
    assert [name for _, _, name in _named(words.split(), [(s, e, "PERSON") for s, e in ents])] == expected


def test_entities_a_generational_suffix_alone_is_no_person() -> None:
    doc = Doc(get_nlp(DEFAULT_MODEL).vocab, words=["Joe", "Dorrit", ",", "Jr.", "said"])
    doc.ents = [Span(doc, 0, 2, label="PERSON"), Span(doc, 3, 4, label="PERSON")]
    assert [s.text for s in named_spans(doc)] == ["Joe Dorrit"]


@pytest.mark.parametrize(
    ("words", "ents", "expected"),
    [
        # a generational suffix is no surname: "O'Neill" is Thomas P. O'Neill Jr.
        ("Thomas P. Dorrit Jr. spoke . Dorrit left .", [(0, 4), (6, 7)], ["Thomas P. Dorrit Jr.", "Thomas P. Dorrit Jr."]),
        ("Harry Dorrit III spoke . Dorrit left .", [(0, 3), (5, 6)], ["Harry Dorrit III", "Harry Dorrit III"]),
        # a suffix alone after a surname keeps the two words apart from any name ending so
        ("Joe Jr. spoke . Jr. left .", [(0, 2)], ["Joe Jr."]),
    ],
)
def test_entities_a_surname_finds_a_full_name_with_a_suffix(words: str, ents: list[tuple[int, int]], expected: list[str]) -> None:
    assert [name for _, _, name in _named(words.split(), [(s, e, "PERSON") for s, e in ents])] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TOKYO (AP) - Yasuhiro Nakasone spoke on Monday.", "GPE"),
        ("TOKYO, March 3 - Yasuhiro Nakasone spoke on Monday.", "GPE"),
        # capitals inside a paragraph, or not followed as a dateline is, are no dateline
        ("Yasuhiro Nakasone met TOKYO officials on Monday.", None),
    ],
)
def test_entities_a_dateline_names_a_place(text: str, expected: str | None) -> None:
    doc = get_nlp(DEFAULT_MODEL).make_doc(text)
    tokyo = next(i for i, t in enumerate(doc) if t.text == "TOKYO")
    named = name_mentions([Span(doc, tokyo, tokyo + 1, label="ORG")])
    assert named[0].label == (expected or "ORG")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a regnal title is part of the name: King Hussein is not Saddam Hussein
        ("King Hussein of Jordan met Saddam Hussein on Monday.", {"King Hussein", "Saddam Hussein"}),
        ("Pope Francis spoke in Rome on Sunday. Francis left.", {"Pope Francis"}),
        ("Queen Elizabeth II opened Parliament.", {"Queen Elizabeth II"}),
        # other titles still go
        ("President Ronald Reagan spoke on Monday.", {"Ronald Reagan"}),
    ],
)
def test_entities_a_regnal_title_stays_in_the_name(text: str, expected: set[str]) -> None:
    assert {m.canonical_name for m in run(text).mentions if m.label == "PERSON"} == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Jordanian King Hussein", "King Hussein"), ("Saudi King Fahd", "King Fahd"), ("King Juan Carlos", "Juan Carlos"), ("Foreign Minister Sergei Lavrov", "Sergei Lavrov")],
)
def test_entities_strip_roles_keeps_a_regnal_title(name: str, expected: str) -> None:
    assert strip_roles(name) == expected


def test_entities_a_headline_in_capitals_reads_names_by_the_body() -> None:
    # spaCy's tags on a line of capitals: a person's words are that person, spelt as the body
    # spells them; anything else it calls a person there goes
    # (a first line in capitals is the title, not the body: here the capitals follow a paragraph)
    analysed = run(
        "LONDON, March 10 - Chancellor of the Exchequer Nigel Lawson said the economy was growing.\n"
        "LAWSON SAYS BRITISH ECONOMY STRONG\n"
        "Lawson told the House of Commons that inflation would stay low."
    )
    people = {(m.text, m.canonical_name) for m in analysed.mentions if m.label == "PERSON"}
    assert ("LAWSON", "Nigel Lawson") in people, people
    assert all(canonical == "Nigel Lawson" for _, canonical in people), people


def test_entities_a_surname_in_capitals_finds_the_full_name() -> None:
    names = _named(["Ronald", "Dorrit", "spoke", ".", "DORRIT", "left"], [(0, 2, "PERSON"), (4, 5, "PERSON")])
    assert {name for _, _, name in names} == {"Ronald Dorrit"}


def test_entities_an_article_all_in_capitals_keeps_its_people() -> None:
    names = _named(["DORRIT", "WINS", ".", "DORRIT", "LEFT"], [(0, 1, "PERSON"), (3, 4, "PERSON")])
    assert {(label, name) for _, label, name in names} == {("PERSON", "DORRIT")}



@pytest.mark.parametrize(
    ("text", "name"),
    [
        # read with its dateline, the recogniser ran the date over the name ("April 11 - Beryl Sprinkel")
        ("WASHINGTON, April 11 - Beryl Sprinkel, chairman of the Council of Economic Advisers, said a recession was unlikely.", "Beryl Sprinkel"),
        ("RIYADH, April 6 - Nazer said Saudi output in March was below its OPEC quota.", "Nazer"),
        # the parser cut the name off as a sentence of its own ("Barber" / "Conable, president ...")
        ("WASHINGTON, May 5 - Barber Conable, president of the World Bank, announced a sweeping reorganisation that officials said would cut jobs.", "Barber Conable"),
        # two capitalised words left untagged, in a sentence naming another person
        ("PEKING, Nov 2 - Zhao Ziyang was elected general secretary of the Chinese Communist Party and Deng Xiaoping, 83, stepped down from the Politburo.", "Zhao Ziyang"),
    ],
)
def test_entities_the_name_after_a_dateline_is_read_without_it(text: str, name: str) -> None:
    analysed = run(text)
    assert [m.label for m in mentions_of(analysed, name)] == ["PERSON"]
    assert not [m for m in analysed.mentions if name in m.text and m.text != name]


def test_entities_two_person_spans_one_space_apart_are_one_name() -> None:
    doc = Doc(get_nlp(DEFAULT_MODEL).vocab, words=["Minister", "Arturo", "Hernandez", "Grisanti", "said", "so", ",", "Dorrit", "Vole", "agreed"])
    doc.ents = [Span(doc, 1, 2, label="PERSON"), Span(doc, 2, 4, label="PERSON"), Span(doc, 7, 8, label="PERSON"), Span(doc, 8, 9, label="ORG")]
    assert [(s.text, s.label_) for s in named_spans(doc)] == [("Arturo Hernandez Grisanti", "PERSON"), ("Dorrit", "PERSON"), ("Vole", "ORG")]


def test_entities_a_hyphenated_name_is_whole() -> None:
    words = ["England", ",", "Leigh", "-", "Pemberton", ",", "said", "a", "pro", "-", "Vole", "group", ".", "Leigh", "-", "Pemberton", "'s", "Clinton", "-", "Vole", "ticket"]
    spaces = [False, True, False, False, False, True, True, True, False, False, True, False, True, False, False, False, True, False, False, True, False]
    doc = Doc(get_nlp(DEFAULT_MODEL).vocab, words=words, spaces=spaces)
    doc.ents = [Span(doc, 4, 5, label="ORG"), Span(doc, 10, 11, label="PERSON"), Span(doc, 13, 17, label="ORG"), Span(doc, 19, 20, label="PERSON")]
    # a lowercase prefix is no name; a pair of names ("Clinton-Vole") written whole nowhere stays apart
    assert [s.text for s in named_spans(doc)] == ["Leigh-Pemberton", "Vole", "Leigh-Pemberton", "Vole"]


def _parsed(words: list[str], heads: list[int], deps: list[str], tags: list[str]) -> Doc:
    return Doc(get_nlp(DEFAULT_MODEL).vocab, words=words, heads=heads, deps=deps, tags=tags)


@pytest.mark.parametrize(
    ("words", "heads", "deps", "tags", "expected"),
    [
        # the untagged proper-noun subject of "said" is a person, with the name words before it
        (["Hernandez", "Grisanti", "said", "it", "rose", "."], [1, 2, 2, 4, 2, 2], ["compound", "nsubj", "ROOT", "nsubj", "ccomp", "punct"], ["NNP", "NNP", "VBD", "PRP", "VBD", "."], ["Hernandez Grisanti"]),
        # after its verb too, and the name words only, not the title before them
        (["it", "rose", ",", "said", "Vole", "."], [1, 1, 1, 1, 3, 1], ["nsubj", "ROOT", "punct", "parataxis", "nsubj", "punct"], ["PRP", "VBD", ",", "VBD", "NNP", "."], ["Vole"]),
        (
            ["it", "rose", ",", "said", "Governor", "Satoshi", "Dorrit", "."],
            [1, 1, 1, 1, 6, 6, 3, 1],
            ["nsubj", "ROOT", "punct", "parataxis", "compound", "compound", "nsubj", "punct"],
            ["PRP", "VBD", ",", "VBD", "NNP", "NNP", "NNP", "."],
            ["Satoshi Dorrit"],
        ),
        # a role is no name; nor a word the article writes in lower case; nor a headline's "Vole Said"
        (["Mayor", "said", "it", "rose", "."], [1, 1, 3, 1, 1], ["nsubj", "ROOT", "nsubj", "ccomp", "punct"], ["NNP", "VBD", "PRP", "VBD", "."], []),
        (["Rule", "said", "the", "rule", "held", "."], [1, 1, 3, 4, 1, 1], ["nsubj", "ROOT", "det", "nsubj", "ccomp", "punct"], ["NNP", "VBD", "DT", "NN", "VBD", "."], []),
        (["Vole", "Said", "It", "Rose"], [1, 1, 3, 1], ["nsubj", "ROOT", "nsubj", "ccomp"], ["NNP", "VBD", "PRP", "VBD"], []),
    ],
)
def test_entities_an_untagged_speaker_is_a_person(words: list[str], heads: list[int], deps: list[str], tags: list[str], expected: list[str]) -> None:
    spans = list(named_spans(_parsed(words, heads, deps, tags)))
    assert [s.text for s in spans] == expected
    assert all(s.label_ == "PERSON" for s in spans)


def test_entities_two_full_names_side_by_side_stay_two() -> None:
    # a headline in title case: "Poll: Donald Dorrit Ties Hillary Vole"
    doc = Doc(get_nlp(DEFAULT_MODEL).vocab, words=["Poll", ":", "Donald", "Dorrit", "Ties", "Hillary", "Vole", ".", "Daniel", "Porter", "Jordan", "III", "ruled"])
    doc.ents = [Span(doc, 2, 5, label="PERSON"), Span(doc, 5, 7, label="PERSON"), Span(doc, 8, 10, label="PERSON"), Span(doc, 10, 12, label="PERSON")]
    assert [s.text for s in named_spans(doc)] == ["Donald Dorrit Ties", "Hillary Vole", "Daniel Porter Jordan III"]


def test_entities_a_datelines_date_is_no_name() -> None:
    # read with the dateline, the recogniser calls "Oct" a person
    analysed = run("OTTAWA, Oct 4 - Canada and the United States have agreed on a sweeping free trade pact.")
    assert [m.label for m in mentions_of(analysed, "Canada")] == ["GPE"]
    assert not [m for m in analysed.mentions if "Oct" in m.text]


@pytest.mark.parametrize(
    ("words", "heads", "deps", "tags", "spaces", "ent", "expected"),
    [
        # "Minister of [Trade and Industry Hajime Tamura] spoke": a ministry, then a person the parse keeps apart
        (
            ["Minister", "of", "Trade", "and", "Industry", "Hajime", "Tamura", "spoke", "."],
            [6, 0, 1, 2, 2, 6, 7, 7, 7],
            ["nmod", "prep", "pobj", "cc", "conj", "compound", "nsubj", "ROOT", "punct"],
            ["NNP", "IN", "NNP", "CC", "NNP", "NNP", "NNP", "VBD", "."],
            None,
            (2, 7, "ORG"),
            [("Trade and Industry", "ORG"), ("Hajime Tamura", "PERSON")],
        ),
        # a place whose words hang on each other stays one: "Green Bay's Brown County"
        (
            ["Green", "Bay", "'s", "Brown", "County", "voted", "."],
            [1, 4, 1, 4, 5, 5, 5],
            ["compound", "poss", "case", "compound", "nsubj", "ROOT", "punct"],
            ["NNP", "NNP", "POS", "NNP", "NNP", "VBD", "."],
            [True, False, True, True, True, False, False],
            (0, 5, "LOC"),
            [("Green Bay's Brown County", "LOC")],
        ),
        # "Reno's Washoe County", "Reno" hanging elsewhere: a possessive before, a common word last
        (
            ["Reno", "'s", "Washoe", "County", "voted", "."],
            [4, 0, 3, 4, 4, 4],
            ["nsubj", "case", "compound", "nsubj", "ROOT", "punct"],
            ["NNP", "POS", "NNP", "NNP", "VBD", "."],
            [False, True, True, True, False, False],
            (0, 4, "ORG"),
            [("Reno's Washoe County", "ORG")],
        ),
    ],
)
def test_entities_a_name_run_into_the_entity_before_it_is_split_off(
    words: list[str], heads: list[int], deps: list[str], tags: list[str], spaces: list[bool] | None, ent: tuple[int, int, str], expected: list[tuple[str, str]]
) -> None:
    doc = Doc(get_nlp(DEFAULT_MODEL).vocab, words=words, spaces=spaces, heads=heads, deps=deps, tags=tags)
    doc.ents = [Span(doc, ent[0], ent[1], label=ent[2])]
    assert [(s.text, s.label_) for s in named_spans(doc)] == expected


def test_entities_a_list_of_surnames_is_as_many_people() -> None:
    words = ["Donald", "Dorrit", ",", "Ron", "Vole", "and", "Al", "Brant", "met", ".", "Dorrit", ",", "Vole", "and", "Brant", "bid", ";", "Procter", "and", "Gamble", "did", "not"]
    doc = Doc(get_nlp(DEFAULT_MODEL).vocab, words=words)
    doc.ents = [Span(doc, 0, 2, "PERSON"), Span(doc, 3, 5, "PERSON"), Span(doc, 6, 8, "PERSON"), Span(doc, 10, 15, "WORK_OF_ART"), Span(doc, 17, 20, "ORG")]
    assert [(s.text, s.label_) for s in named_spans(doc)][3:] == [("Dorrit", "PERSON"), ("Vole", "PERSON"), ("Brant", "PERSON"), ("Procter and Gamble", "ORG")]


@pytest.mark.parametrize(
    ("words", "heads", "deps", "expected"),
    [
        # "[Gro Harlem] Brundtland said": the name's words are compounded to the surname spaCy left out
        (["Gro", "Harlem", "Dorrit", "said", "."], [2, 2, 3, 3, 3], ["compound", "compound", "nsubj", "ROOT", "punct"], ["Gro Harlem Dorrit"]),
        # not over a word in common use, nor a surname the parse keeps apart
        (["Gro", "Harlem", "Street", "said", "."], [2, 2, 3, 3, 3], ["compound", "compound", "nsubj", "ROOT", "punct"], ["Gro Harlem"]),
        # a name never ends in a particle: "[Miguel de] Madrid", whatever the parse
        (["Miguel", "de", "Madrid", "left", "."], [3, 0, 3, 3, 3], ["nsubj", "prep", "nsubj", "ROOT", "punct"], ["Miguel de Madrid"]),
        (["Gro", "Harlem", "Dorrit", "left", "."], [1, 3, 3, 3, 3], ["compound", "nsubj", "nsubj", "ROOT", "punct"], ["Gro Harlem"]),
    ],
)
def test_entities_a_name_grows_over_the_surname_it_is_compounded_to(words: list[str], heads: list[int], deps: list[str], expected: list[str]) -> None:
    doc = Doc(get_nlp(DEFAULT_MODEL).vocab, words=words, heads=heads, deps=deps, tags=["NNP", "NNP", "NNP", "VBD", "."])
    doc.ents = [Span(doc, 0, 2, label="PERSON")]
    assert [s.text for s in named_spans(doc) if s.label_ == "PERSON"] == expected


def test_entities_a_surname_alone_drops_the_arabic_article() -> None:
    analysed = run("DAMASCUS, Sept 15 - Syrian President Hafez al-Assad met the Jordanian king on Tuesday. Assad said the talks were useful, officials said.")
    assert {m.canonical_name for m in mentions_of(analysed, "Assad")} == {"Hafez al-Assad"}
