"""Statement dates (quotes.said_on): the cue's date, the sentence's, the speaker's earlier one."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from etl.clean import clean
from etl.nlp.analyse import analyse
from etl.nlp.model import get_nlp
from etl.records import AnalysedArticle, CleanArticle, Quote, RawArticle
from etl.settings import DEFAULT_MODEL
from etl.when import date_article

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_be95c3c66a07356a.txt"


def run(text: str, source_uri: str = "2013-02-28/story.txt") -> AnalysedArticle:
    article = clean(RawArticle(source_uri=source_uri, text=text))
    assert isinstance(article, CleanArticle)
    article = date_article(article)
    return analyse(article, get_nlp(DEFAULT_MODEL)(article.body_text))


def find(quotes: tuple[Quote, ...], fragment: str) -> Quote:
    hits = [q for q in quotes if fragment in q.quote_text]
    assert hits, f"no quote contains {fragment!r}; got {[q.quote_text for q in quotes]}"
    return hits[0]


def test_when_statement_seed_lavrov_said_on_the_26th_when_landed_on_the_27th() -> None:
    analysed = run(SEED.read_text(encoding="utf-8"), f"2013-02-27/{SEED.name}")
    quote = find(analysed.quotes, "No one will solve")
    assert quote.said_on == date(2013, 2, 26)
    assert quote.said_on_source == "speaker"
    assert find(analysed.quotes, "everything possible").said_on_source == "cue"


@pytest.mark.parametrize(
    ("text", "fragment", "expected", "source"),
    [
        # the story landed 2013-02-28 (a Thursday), so it is dated Wednesday 2013-02-27
        ('"We will not give up," the minister said Tuesday.', "give up", date(2013, 2, 26), "cue"),
        ('The minister told reporters on Feb. 20 that "talks will go on."', "talks will go on", date(2013, 2, 20), "cue"),
        ('"We will not give up," the minister said yesterday.', "give up", date(2013, 2, 26), "cue"),
        ('"We will not give up," the minister said.', "give up", None, None),
    ],
)
def test_when_statement_dated_by_its_cue(text: str, fragment: str, expected: date | None, source: str | None) -> None:
    quote = find(run(text + "\n\nOther news followed.").quotes, fragment)
    assert (quote.said_on, quote.said_on_source) == (expected, source)


def test_when_statement_date_inside_the_quote_does_not_date_it() -> None:
    quote = find(run('"We met on Feb. 20 and we will meet again," the minister said.\n\nMore.').quotes, "meet again")
    assert quote.said_on is None


def test_when_statement_never_after_its_article() -> None:
    # Friday is after the article's day (Wednesday 2013-02-27): the past Friday, the 22nd
    quote = find(run('"We will not give up," the minister said Friday.\n\nMore.').quotes, "give up")
    assert quote.said_on == date(2013, 2, 22)


def test_when_statement_of_an_undated_article_only_explicit_dates() -> None:
    text = '"We will not give up," the minister said Tuesday.\n\n"Never," the minister said on March 3, 2013.'
    analysed = run(text, "story.txt")
    assert find(analysed.quotes, "give up").said_on is None
    assert find(analysed.quotes, "Never").said_on == date(2013, 3, 3)
