"""Segmentation: paragraphs, then sentences inside each paragraph, offsets into body_text."""

from __future__ import annotations

import pytest

from etl.clean import clean
from etl.nlp.runner import analyse_batch
from etl.records import AnalysedArticle, CleanArticle, RawArticle
from etl.settings import DEFAULT_MODEL


def _analyse(text: str) -> AnalysedArticle:
    article = clean(RawArticle(source_uri="t.txt", data=text.encode("utf-8")))
    assert isinstance(article, CleanArticle)
    (result,) = analyse_batch([article], DEFAULT_MODEL)
    assert isinstance(result, AnalysedArticle)
    return result


def test_segment_paragraphs_ending_in_closing_quote_stay_apart() -> None:
    # en_core_web_sm's parser joins these two paragraphs into one sentence when left alone
    text = "“We will win,” he said.”\n“The rest is noise.”\nShe left."
    result = _analyse(text)
    assert [s.paragraph_idx for s in result.sentences] == [0, 1, 2]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two sentences here.", [(0, "One."), (0, "Two sentences here.")]),
        ("First paragraph.\n\nSecond one.  Third.", [(0, "First paragraph."), (1, "Second one."), (1, "Third.")]),
        ("A line\nwrapped by hand.\n\nNext paragraph.", [(0, "A line wrapped by hand."), (1, "Next paragraph.")]),
    ],
)
def test_segment_sentences_and_paragraphs(text: str, expected: list[tuple[int, str]]) -> None:
    result = _analyse(text)
    assert [(s.paragraph_idx, s.text) for s in result.sentences] == expected


def test_segment_offsets_index_body_text_and_count_words() -> None:
    result = _analyse("Kerry met Lavrov in Berlin, officials said.\n\nThey talked.")
    body = result.article.body_text
    for s in result.sentences:
        assert body[s.start_char : s.end_char] == s.text
    assert [s.word_count for s in result.sentences] == [7, 2]
    assert result.word_count == 9
    assert [s.sentence_idx for s in result.sentences] == [0, 1]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("GENEVA, March 13 - Yeutter said the European Community must cut farm subsidies.", "GENEVA, March 13 -"),
        ("WASHINGTON (AP) — Senator Dorrit said the bill would pass.", "WASHINGTON (AP) —"),
        ("SAN FRANCISCO, Calif., Feb. 3 -- The company said it would cut jobs.", "SAN FRANCISCO, Calif., Feb. 3 --"),
    ],
)
def test_segment_a_dateline_is_a_sentence_of_its_own(text: str, first: str) -> None:
    # parsed with the story's first words, the place becomes the subject of "said"
    result = _analyse(text)
    assert [s.text for s in result.sentences][0] == first
    speakers = {q.speaker_name for q in result.quotes}
    assert not speakers & {"GENEVA", "WASHINGTON", "SAN FRANCISCO"}, speakers


def test_segment_the_yeutter_lede_names_its_speaker() -> None:
    result = _analyse("GENEVA, March 13 - Yeutter said the European Community must cut farm subsidies. Yeutter spoke in Geneva.")
    assert "Yeutter" in {q.speaker_name for q in result.quotes}
