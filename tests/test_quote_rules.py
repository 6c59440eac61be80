"""Quote rules one by one, pieces, nesting, nominal speakers, speaker status and headlines, on
hand-written text."""

from __future__ import annotations

import pytest

from etl.clean import clean
from etl.nlp.analyse import analyse
from etl.nlp.model import get_nlp
from etl.nlp.quotes import NAME, RULES, Attribution, QuoteComponent, QuoteConfig
from etl.records import AnalysedArticle, CleanArticle, Paragraph, Quote, RawArticle
from etl.settings import DEFAULT_MODEL

PRONOUNS = {"i", "he", "she", "it", "they", "we", "you"}


def attributions(text: str, keep: tuple[str, ...]) -> list[Attribution]:
    """The component with only the rules in ``keep`` (and no tagger runs of its own)."""
    nlp = get_nlp(DEFAULT_MODEL)
    with nlp.select_pipes(disable=[NAME]):
        doc = nlp(text)
    config = QuoteConfig(run_threshold=1.01, disabled_rules=tuple(r for r in RULES if r not in keep))
    return list(QuoteComponent(config)(doc)._.news_etl_quotes)


def run(text: str) -> AnalysedArticle:
    article = clean(RawArticle(source_uri="test", text=text))
    assert isinstance(article, CleanArticle)
    return analyse(article, get_nlp(DEFAULT_MODEL)(article.body_text))


def run_body(body: str) -> AnalysedArticle:
    """An article whose body is exactly ``body`` (a headline kept as its first paragraph)."""
    paragraphs, pos = [], 0
    for k, part in enumerate(body.split("\n\n")):
        paragraphs.append(Paragraph(k, pos, pos + len(part)))
        pos += len(part) + 2
    article = CleanArticle(
        article_id="a" * 16, content_hash="0" * 64, source_uri="t", body_text=body, paragraphs=tuple(paragraphs)
    )
    return analyse(article, get_nlp(DEFAULT_MODEL)(body))


def find(quotes: list[Quote], fragment: str) -> Quote:
    hits = [q for q in quotes if fragment in q.quote_text]
    assert hits, f"no quote contains {fragment!r}; got {[q.quote_text for q in quotes]}"
    return hits[0]


# --- each rule alone: with it the quote is found, without it not ---------------------------------

RULE_CASES = [
    ("according", (), "According to the police, the driver of the lorry was not hurt in the crash.", "the driver of the lorry", "the police"),
    ("frame", (), "Maria Lopez said the bridge would open in May.", "the bridge would open in May", "Maria Lopez"),
    ("tail", (), "In the end, the plan for the bridge, the road and the new station, officials said.", "the plan for the bridge", "officials"),
    ("said_colon", (), "Maria Lopez said:\n\n“We will build the bridge and we will build it well.”", "We will build the bridge", "Maria Lopez"),
    ("name_colon", (), "Maria Lopez: The bridge will open in May and the road in June\n\nThe mayor spoke at the town hall.", "The bridge will open in May", "Maria Lopez"),
    ("continuation", ("nearest_verb", "previous_in_paragraph"), "“We will not give up,” said Anna Berg. “This fight is about our children and their future.\n\n“We owe it to them to keep going.”", "We owe it to them", "Anna Berg"),
    ("nearest_verb", (), "Maria Lopez, who chairs the committee, insisted on Monday at the town hall in front of the press that “the bridge is safe.”", "the bridge is safe", "Maria Lopez"),
    ("adjacent_verb", (), "“We will fight on and we will win,” Maria Lopez fumed after the vote.", "We will fight on", "Maria Lopez"),
    ("next_sentence_verb", (), "“Is this really the end of the road for the old bridge?” Maria Lopez asked.", "Is this really the end", "Maria Lopez"),
    ("colon_intro", (), "More from Maria Lopez:\n\n“We will build the bridge and we will build it well.”", "We will build the bridge", "Maria Lopez"),
    ("dash", (), "“We will build the bridge and we will build it well.” — Maria Lopez", "We will build the bridge", "Maria Lopez"),
    ("previous_in_paragraph", ("nearest_verb",), "“The deal is done,” Ana Costa said. “Now we have to make it work for everybody.”", "Now we have to make it work", "Ana Costa"),
    ("previous_paragraph", ("nearest_verb",), "“We will not give up,” said Anna Berg.\n\n“We owe it to them to keep going, and we will.”", "We owe it to them", "Anna Berg"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "base", "text", "fragment", "speaker"), RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_quote_rules_each_rule_finds_its_quote(rule: str, base: tuple[str, ...], text: str, fragment: str, speaker: str) -> None:
    def found(keep: tuple[str, ...]) -> list[str | None]:
        return [a.speaker_name or a.speaker_text for a in attributions(text, keep) if fragment in a.text_of(text)]

    assert found((*base, rule)) == [speaker]
    assert found(base) == []


def test_quote_rules_cases_cover_every_registered_rule_but_reclaim() -> None:
    # reclaim_verb needs a parse where a speech verb's best frame is a lesser one ("said with a
    # smirk" taking "with a smirk"): en_core_web_sm rarely gives one on short text
    assert {c[0] for c in RULE_CASES} == set(RULES) - {"reclaim_verb"}


# --- pieces ---------------------------------------------------------------------------------------


def test_quote_rules_pieces_never_hold_the_speaker_or_the_cue() -> None:
    article = run("Nuland, speaking in Berlin, said Kerry and Lavrov spent an hour on Syria.")
    body = article.article.body_text
    quote = find(list(article.quotes), "Kerry and Lavrov")
    assert [body[a:b] for a, b in quote.pieces] == ["Kerry and Lavrov spent an hour on Syria"]
    assert quote.quote_text == "Kerry and Lavrov spent an hour on Syria"


@pytest.mark.parametrize(
    "text",
    [
        "“The deal is done,” Ana Costa said. “Now we have to make it work for everybody.”",
        "Janet Yellen spoke on Monday. The effects, she said, are difficult to predict.",
        "“We will not give up,” said Anna Berg. “This fight is about our children.\n\n“We owe it to them.”",
        "Maria Lopez, the mayor, said on Monday that the bridge would open in May.",
    ],
)
def test_quote_rules_every_piece_is_a_body_slice_outside_speaker_and_cue(text: str) -> None:
    article = run(text)
    body = article.article.body_text
    assert article.quotes
    for quote in article.quotes:
        assert quote.pieces and list(quote.pieces) == sorted(quote.pieces)
        assert (quote.quote_start, quote.quote_end) == (quote.pieces[0][0], quote.pieces[-1][1])
        assert quote.quote_text == " … ".join(body[a:b] for a, b in quote.pieces)
        for a, b in quote.pieces:
            assert 0 <= a < b <= len(body)
            if quote.speaker_start is not None and quote.speaker_end is not None:
                assert b <= quote.speaker_start or quote.speaker_end <= a
            if quote.cue_text and quote.cue_text not in (":", "—"):
                assert quote.cue_text not in body[a:b].split()


# --- nesting --------------------------------------------------------------------------------------


def test_quote_rules_clause_inside_a_direct_quote_is_the_outer_speakers() -> None:
    article = run("Anna Berg, the mayor, spoke on Monday. “I think we will win, and I know the voters agree,” she said.")
    assert [(q.speaker_name, q.quote_text) for q in article.quotes] == [
        ("Anna Berg", "“I think we will win, and I know the voters agree,”")
    ]


def test_quote_rules_sentences_of_a_long_quote_are_not_rows_of_their_own() -> None:
    text = (
        'Mira Nair spoke about the book. "I loved it," she said. "But it was the sort of novel I kept by my bed. '
        '"As I got older, I think it was his clarity that I admired. "That perspective was something I really loved."'
    )
    quotes = run(text).quotes
    assert all((q.speaker_text or "").lower() != "i" for q in quotes)
    assert not [q for q in quotes if q.quote_text.startswith("it was his clarity")]


# --- speakers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment", "name"),
    [
        ("Acme Corp cut 300 jobs on Monday. The company said the cuts would save money next year.", "the cuts would save", "Acme Corp"),
        ("The Foreign Ministry issued a statement. The ministry said the talks had failed.", "the talks had failed", "Foreign Ministry"),
        ("Patrick Ventrell, a State Department spokesman, spoke on Monday. The spokesman said the talks would go on.", "the talks would go on", "Patrick Ventrell"),
    ],
)
def test_quote_rules_nominal_speakers_resolve_to_the_entity_named(text: str, fragment: str, name: str) -> None:
    quote = find(list(run(text).quotes), fragment)
    assert (quote.speaker_name, quote.speaker_status) == (name, "named")


@pytest.mark.parametrize(
    ("text", "fragment", "written"),
    [
        ("He said the plan would fail before the winter.", "the plan would fail", "He"),
        ("Companies said the rules would cost them money.", "the rules would cost", "Companies"),
        ("The company said the cuts would save money next year.", "the cuts would save", "The company"),
    ],
)
def test_quote_rules_speaker_without_antecedent_is_unresolved_never_a_name(text: str, fragment: str, written: str) -> None:
    quote = find(list(run(text).quotes), fragment)
    assert (quote.speaker_text, quote.speaker_name, quote.speaker_status) == (written, None, "unresolved")


def test_quote_rules_no_named_speaker_is_a_pronoun_or_lowercase() -> None:
    text = (
        "It was a cold day. They said the market would close early. I think the council was wrong, she said.\n\n"
        "“We will reopen on Monday,” said Anna Berg, who runs a stall. When switched off, the lights said nothing."
    )
    for quote in run(text).quotes:
        assert (quote.speaker_status == "named") == (quote.speaker_name is not None)
        if quote.speaker_name is not None:
            assert quote.speaker_name[:1].isupper() and quote.speaker_name.lower() not in PRONOUNS
        if quote.speaker_status == "none":
            assert quote.speaker_text is None


# --- headlines ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first",
    ["Will the euro survive?", "Stop the war now!", "Voters 'don't trust politicians'", "Crossrail link 'to get go-ahead'", "Rivals of the £400 Apple..."],
)
def test_quote_rules_question_exclamation_and_quoted_headlines_are_detected(first: str) -> None:
    article = clean(RawArticle(source_uri="t.txt", text=f"{first}\n\nThe euro fell on Monday, traders said."))
    assert isinstance(article, CleanArticle)
    assert article.title == first
    assert not article.body_text.startswith(first)


@pytest.mark.parametrize("fmt", ["txt", "jsonl", "csv", "html"])
def test_quote_rules_headline_detected_in_every_input_format(fmt: str) -> None:
    text = "Will the euro survive?\n\nThe euro fell on Monday, traders said.\nBanks were closed."
    raw = RawArticle(source_uri=f"t.{fmt}", text=text, format=fmt, is_extracted=fmt != "txt")
    article = clean(raw)
    assert isinstance(article, CleanArticle)
    assert article.title == "Will the euro survive?"


def test_quote_rules_headline_yields_a_quote_only_with_its_own_attribution() -> None:
    body = "Blair: I will not quit as leader\n\nTony Blair told the party on Monday that he would stay on."
    quotes = run_body(body).quotes
    assert find(list(quotes), "I will not quit").speaker_name == "Tony Blair"
    # a headline without its own speaker gives no quote, even with a speech verb in the body
    body = "Minister 'will not quit as leader'\n\nThe minister will not quit, Tony Blair said on Monday."
    quotes = run_body(body).quotes
    assert not [q for q in quotes if q.quote_start < body.index("\n\n")]


def test_quote_rules_content_ends_before_a_second_coordinated_statement() -> None:
    from etl.nlp.quotes.context import Context
    from etl.nlp.quotes.cue_rules import cut_before_next_cue

    nlp = get_nlp(DEFAULT_MODEL)
    text = "John Kasich says he would sit Putin down and tells the crowd he was the first one to warn them."
    with nlp.select_pipes(disable=[NAME]):
        doc = nlp(text)
    q = Context(doc, [])
    says = next(t for t in doc if t.text == "says")
    end = len(doc) - 1  # the content as the parse gives it: to the full stop
    cut = cut_before_next_cue(q, says, says.i + 1, end)
    assert doc[says.i + 1 : cut].text == "he would sit Putin down"
    # a coordinated verb that is no speech verb stays in the content
    text = "John Kasich says he would sit Putin down and send him home with nothing."
    with nlp.select_pipes(disable=[NAME]):
        doc = nlp(text)
    says = next(t for t in doc if t.text == "says")
    assert cut_before_next_cue(Context(doc, []), says, says.i + 1, len(doc) - 1) == len(doc) - 1
