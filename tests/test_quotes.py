"""Quote extraction: the seed article's quotes and short hand-written cases for each quote form."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl import ids
from etl.clean import clean
from etl.nlp.analyse import analyse
from etl.nlp.model import get_nlp
from etl.nlp.quotes import find_quote_spans
from etl.records import AnalysedArticle, CleanArticle, Quote, RawArticle
from etl.settings import DEFAULT_MODEL

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_be95c3c66a07356a.txt"


def run(text: str) -> AnalysedArticle:
    article = clean(RawArticle(source_uri="test", text=text))
    assert isinstance(article, CleanArticle)
    return analyse(article, get_nlp(DEFAULT_MODEL)(article.body_text))


def quotes_of(text: str) -> list[Quote]:
    return list(run(text).quotes)


def find(quotes: list[Quote], fragment: str) -> Quote:
    hits = [q for q in quotes if fragment in q.quote_text]
    assert hits, f"no quote contains {fragment!r}; got {[q.quote_text for q in quotes]}"
    return hits[0]


@pytest.fixture(scope="module")
def seed() -> AnalysedArticle:
    return run(SEED.read_text(encoding="utf-8"))


# --- the seed article ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fragment", "speaker"),
    [
        ("“everything possible”", "Sergei Lavrov"),
        ("“No one will solve the Syrians’ problems", "Sergei Lavrov"),
        ("“Regarding Syria, the most important thing", "Sergei Lavrov"),
        ("“extremists who are betting on a military solution", "Sergei Lavrov"),
        ("“constructive”", "Sergei Lavrov"),
        ('"really serious and hardworking session.”', "Victoria Nuland"),
        ("“concerns about some of the extremist elements", "Patrick Ventrell"),
        ("“We’ve been clear that in terms of the Syrian opposition", "Patrick Ventrell"),
    ],
)
def test_quotes_seed_article_quotes_have_full_speaker_names(seed: AnalysedArticle, fragment: str, speaker: str) -> None:
    quote = find(list(seed.quotes), fragment)
    assert quote.speaker_name == speaker
    assert quote.speaker_entity_id == ids.entity_id("PERSON", speaker)
    assert quote.speaker_entity_id in {m.entity_id for m in seed.mentions if m.label == "PERSON"}
    body = seed.article.body_text
    assert body[quote.quote_start : quote.quote_end].startswith(quote.quote_text[:20])
    assert quote.speaker_start is not None and quote.speaker_end is not None
    assert body[quote.speaker_start : quote.speaker_end] == quote.speaker_text
    assert quote.quote_id == ids.quote_id(seed.article.article_id, quote.quote_start, quote.quote_end)
    assert 0.0 < quote.confidence <= 1.0


def test_quotes_seed_geneva_agreement_is_not_a_quote(seed: AnalysedArticle) -> None:
    for quote in seed.quotes:
        assert quote.quote_text.strip("“”\"' ") != "Geneva Agreement"
        if "Geneva Agreement" in quote.quote_text:
            assert quote.kind == "indirect"  # a title inside reported speech, not somebody's words


def test_quotes_seed_kinds(seed: AnalysedArticle) -> None:
    assert find(list(seed.quotes), "“No one will solve").kind == "direct"
    assert find(list(seed.quotes), "“extremists who").kind == "mixed"
    assert find(list(seed.quotes), "“constructive”").kind == "mixed"


# --- quotation marks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He said “we won” today.", ["“we won”"]),
        ('He said "we won" today.', ['"we won"']),
        ('She called it a "really serious session.” Then she left.', ['"really serious session.”']),
        (
            "“No one will solve the Syrians’ problems for them,” he said.",
            ["“No one will solve the Syrians’ problems for them,”"],
        ),
        ("“We are ready. We were always ready,” she said.", ["“We are ready. We were always ready,”"]),
        ("Voters are worried; it’s ‘in Their Heads.’", ["‘in Their Heads.’"]),
        ("It's the voters’ choice, not Trump's.", []),
        ("''It is over,'' he said.", ["''It is over,''"]),
    ],
)
def test_quotes_quotation_marks_found(text: str, expected: list[str]) -> None:
    assert [text[q.start : q.end] for q in find_quote_spans(text)] == expected


def test_quotes_quotation_left_open_carries_to_paragraph_end() -> None:
    text = "“The first point is clear.\n\n“The second point is clear too.”"
    spans = find_quote_spans(text)
    assert [(text[q.start : q.end], q.open_end) for q in spans] == [
        ("“The first point is clear.", True),
        ("“The second point is clear too.”", False),
    ]


# --- direct quotes, speakers before and after --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment", "speaker"),
    [
        ("“We will win this race,” Maria Lopez said.", "We will win this race", "Maria Lopez"),
        ('"It is over for them," said Maria Lopez.', "It is over for them", "Maria Lopez"),
        ('Maria Lopez said: "The plan is dead and buried."', "The plan is dead and buried", "Maria Lopez"),
        ("Senator John Smith told reporters, “We have the votes to pass it.”", "We have the votes", "John Smith"),
        ("“Does anybody know what the plan is?” asked John Smith.", "Does anybody know", "John Smith"),
        ("“This is unacceptable.” John Smith said after the vote.", "This is unacceptable", "John Smith"),
    ],
)
def test_quotes_direct_quote_with_speaker(text: str, fragment: str, speaker: str) -> None:
    quote = find(quotes_of(text), fragment)
    assert quote.kind == "direct"
    assert quote.speaker_name == speaker


@pytest.mark.parametrize("verb", ["said", "added", "warned", "insisted", "argued", "wrote", "noted", "explained"])
def test_quotes_reporting_verbs(verb: str) -> None:
    quote = find(quotes_of(f"“Taxes will have to rise next year,” Ana Costa {verb}."), "Taxes will have to rise")
    assert quote.speaker_name == "Ana Costa"
    assert quote.cue_text == verb


def test_quotes_quote_spanning_sentences_is_one_quote() -> None:
    quotes = quotes_of("“We are ready. We have always been ready. Nothing will stop us,” Ana Costa said.")
    assert len(quotes) == 1
    assert quotes[0].quote_text == "“We are ready. We have always been ready. Nothing will stop us,”"


def test_quotes_split_quote_around_speaker_is_one_attribution() -> None:
    text = "“The deal is done,” Ana Costa said. “Now we have to make it work for everybody.”"
    quotes = quotes_of(text)
    assert len(quotes) == 1
    quote = quotes[0]
    # two pieces, neither holding the speaker or the cue; the text joins them with " … "
    assert [text[a:b] for a, b in quote.pieces] == ["“The deal is done,”", "“Now we have to make it work for everybody.”"]
    assert quote.quote_text == "“The deal is done,” … “Now we have to make it work for everybody.”"
    assert (quote.quote_start, quote.quote_end) == (quote.pieces[0][0], quote.pieces[-1][1])
    assert quote.speaker_name == "Ana Costa" and quote.speaker_status == "named"


def test_quotes_quote_carried_into_next_paragraph() -> None:
    text = (
        "“We will not give up,” said Anna Berg. “This fight is about our children and their future.\n\n"
        "“We owe it to them to keep going.”"
    )
    quote = find(quotes_of(text), "We owe it to them")
    assert quote.speaker_name == "Anna Berg"
    assert "This fight is about our children" in quote.quote_text


def test_quotes_mismatched_marks_still_pair() -> None:
    quote = find(quotes_of('Ana Costa said it was a "very productive and honest meeting.”'), "very productive")
    assert quote.speaker_name == "Ana Costa"
    assert quote.quote_text.endswith("meeting.”")


# --- mixed and indirect -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment", "speaker", "kind"),
    [
        (
            "Lavrov warned that the opposition was influenced by “extremists who want a military solution.”",
            "“extremists who want",
            "Lavrov",
            "mixed",
        ),
        (
            'Victoria Nuland said the two men spoke for hours in what she called a "really serious session.”',
            "really serious session",
            "Victoria Nuland",
            "mixed",
        ),
        (
            "John Smith said that the economy was improving quickly.",
            "the economy was improving",
            "John Smith",
            "indirect",
        ),
        ("John Smith said the economy was improving quickly.", "the economy was improving", "John Smith", "indirect"),
        (
            "Ana Costa told reporters on Monday that the talks had failed.",
            "the talks had failed",
            "Ana Costa",
            "indirect",
        ),
    ],
)
def test_quotes_mixed_and_indirect_speech(text: str, fragment: str, speaker: str, kind: str) -> None:
    quote = find(quotes_of(text), fragment)
    assert quote.kind == kind
    assert quote.speaker_name == speaker


def test_quotes_according_to() -> None:
    quote = find(quotes_of("According to Ana Costa, the talks will resume next week."), "the talks will resume")
    assert quote.kind == "indirect"
    assert quote.speaker_text == "Ana Costa"
    assert quote.cue_text == "According to"


@pytest.mark.parametrize(
    "text",
    [
        "The film “The Long Night” opens in cinemas across the country on Friday.",
        "Residents of the “Green Zone” were moved to safety on Tuesday.",
    ],
)
def test_quotes_scare_quotes_and_titles_are_not_quotes(text: str) -> None:
    assert quotes_of(text) == []


def test_quotes_a_title_inside_an_attribution_is_not_a_quote_of_its_own() -> None:
    # PolNeAR's annotators read "discussed X" as an attribution about half the time, so the
    # clause may be one; the quoted title alone never is, nor does it make the clause mixed
    text = "The two diplomats discussed how to implement the so-called “Geneva Agreement” in the spring."
    for quote in quotes_of(text):
        assert quote.quote_text.strip("“”\"' ") != "Geneva Agreement"
        assert quote.kind == "indirect"


def test_quotes_offsets_index_body_text() -> None:
    article = run("First paragraph here.\n\n“We will win,” said Maria Lopez.")
    body = article.article.body_text
    for quote in article.quotes:
        assert body[quote.quote_start : quote.quote_end] == quote.quote_text


# --- cues beyond "said" ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment", "speaker", "cue"),
    [
        (
            "Janet Yellen spoke on Monday. The effects, she said, are difficult to predict.",
            "The effects … are difficult to predict",
            "Janet Yellen",
            "said",
        ),
        (
            "As the rally began on Tuesday, a girl outside the venue was pepper-sprayed by a bystander, police said.",
            "a girl outside the venue was pepper-sprayed",
            None,
            "said",
        ),
        (
            "Maria Lopez criticized the governor for his handling of the budget.",
            "the governor for his handling",
            "Maria Lopez",
            "criticized",
        ),
        ("Senator Maria Lopez backs the new trade deal.", "the new trade deal", "Maria Lopez", "backs"),
        (
            "Maria Lopez believes that the deal will create jobs.",
            "that the deal will create jobs",
            "Maria Lopez",
            "believes",
        ),
        ("“We will fight on,” Maria Lopez fumed after the vote.", "We will fight on", "Maria Lopez", "fumed"),
    ],
)
def test_quotes_cues_beyond_say(text: str, fragment: str, speaker: str | None, cue: str) -> None:
    quote = find(quotes_of(text), fragment)
    assert quote.cue_text == cue
    if speaker is not None:
        assert quote.speaker_name == speaker


def test_quotes_name_colon_introduces_a_quote() -> None:
    quote = find(quotes_of("Pat Caddell: Democrat Voters Worried About the Health Issue"), "Democrat Voters Worried")
    assert quote.speaker_text == "Pat Caddell"
    assert quote.cue_text == ":"


def test_quotes_parenthetical_cue_is_a_hole_in_the_quote() -> None:
    article = run("Janet Yellen spoke on Monday. The effects, she said, are difficult to predict.")
    quote = find(list(article.quotes), "The effects")
    body = article.article.body_text
    # the row spans both pieces; its text leaves out the cue's own words
    assert "she said" in body[quote.quote_start : quote.quote_end]
    assert "she said" not in quote.quote_text


def test_quotes_speaker_review_clears_doubted_speakers(monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    import etl.nlp.quotes.review as quotes_module
    from etl.nlp.quotes.review import load_review_model
    from etl.nlp.quotes.scorer import Logistic

    text = "Police said the road would reopen on Monday after repairs to the bridge were finished."
    shipped = load_review_model()
    assert shipped is not None, "etl/nlp/quotes/data/speaker_review.json is not installed with the package"
    assert find(quotes_of(text), "the road would reopen").speaker_text == "Police"
    # a review that doubts every speaker leaves the quote without one, but keeps the quote
    monkeypatch.setattr(quotes_module, "load_review_model", lambda: (Logistic(np.full(shipped[0].n_inputs, -1.0, dtype=np.float32)), 0.5))
    quote = find(quotes_of(text), "the road would reopen")
    assert (quote.speaker_text, quote.speaker_name, quote.speaker_start, quote.speaker_entity_id) == (None,) * 4
    # weights for another tensor width are ignored rather than misapplied
    monkeypatch.setattr(quotes_module, "load_review_model", lambda: (Logistic(np.full(7, -1.0, dtype=np.float32)), 0.5))
    assert find(quotes_of(text), "the road would reopen").speaker_text == "Police"


def test_quotes_speaker_review_keeps_named_speakers(seed: AnalysedArticle) -> None:
    named = [q for q in seed.quotes if q.speaker_name]
    assert len(named) >= 8  # every quote of the seed listed in issue 3 keeps its speaker


def test_quotes_seed_nuland_content_holds_neither_her_name_nor_the_cue(seed: AnalysedArticle) -> None:
    quote = find(list(seed.quotes), "Kerry and Lavrov spent")
    assert quote.quote_text.startswith("Kerry and Lavrov spent")
    body = seed.article.body_text
    for a, b in quote.pieces:
        assert "Nuland" not in body[a:b] and "said" not in body[a:b].split()
    assert quote.speaker_name == "Victoria Nuland"


def test_quotes_seed_outlet_quote_names_the_associated_press(seed: AnalysedArticle) -> None:
    assert "Associated Press" in {q.speaker_name for q in seed.quotes}


def test_quotes_seed_no_row_is_credited_to_a_pronoun(seed: AnalysedArticle) -> None:
    for quote in seed.quotes:
        assert quote.speaker_status in ("named", "none"), quote
        assert quote.speaker_name is None or quote.speaker_name.lower() not in {"he", "she", "they", "it", "i", "we"}
