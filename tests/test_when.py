"""Publication dates and their sources; date expressions resolved against a context day."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from etl.clean import clean
from etl.records import CleanArticle, RawArticle
from etl.when import DateContext, date_article
from etl.when.expressions import find_dates, resolve
from etl.when.published import landing_date, path_date

RUN_DAY = date(2026, 12, 1)


def _article(text: str, source_uri: str = "story.txt", **raw: object) -> CleanArticle:
    cleaned = clean(RawArticle(source_uri=source_uri, text=text, **raw))  # type: ignore[arg-type]
    assert isinstance(cleaned, CleanArticle)
    return cleaned


def _dated(text: str, source_uri: str = "story.txt", published_on: date | None = None, **raw: object) -> tuple[date | None, str | None]:
    article = date_article(_article(text, source_uri, **raw), DateContext(source_uri, published_on, RUN_DAY))
    return (article.published_at.date() if article.published_at else None), article.published_at_source


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("Feb 26", date(2013, 2, 27), date(2013, 2, 26)),
        ("Feb. 26, 2012", date(2013, 2, 27), date(2012, 2, 26)),
        ("26 February", date(2013, 2, 27), date(2013, 2, 26)),
        ("Dec 30", date(2013, 1, 2), date(2012, 12, 30)),  # the past: last year's December
        ("Tuesday", date(2013, 2, 27), date(2013, 2, 26)),  # 2013-02-27 was a Wednesday
        ("Wednesday", date(2013, 2, 27), date(2013, 2, 27)),
        ("last Wednesday", date(2013, 2, 27), date(2013, 2, 20)),
        ("Tuesday, Feb 26", date(2013, 2, 27), date(2013, 2, 26)),
        ("yesterday", date(2013, 2, 27), date(2013, 2, 26)),
        ("last week", date(2013, 2, 27), date(2013, 2, 20)),
        ("2013-02-26", None, date(2013, 2, 26)),
        ("March 3, 1987", None, date(1987, 3, 3)),
    ],
)
def test_when_expressions_resolve_preferring_the_past(text: str, reference: date | None, expected: date) -> None:
    (expr,) = list(find_dates(text))
    assert resolve(expr, reference) == expected


@pytest.mark.parametrize("text", ["Tuesday", "Feb 26", "yesterday"])
def test_when_expressions_without_a_year_need_a_reference(text: str) -> None:
    (expr,) = list(find_dates(text))
    assert resolve(expr, None) is None


@pytest.mark.parametrize("text", ["the Sun newspaper", "May we go", "in March", "Feb 30", "March 3.5 percent", "Sat down"])
def test_when_expressions_ignore_words_that_are_not_days(text: str) -> None:
    assert list(find_dates(text)) == []


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("2013-02-27/000_story.txt", date(2013, 2, 27)),
        ("landing/2013-02-27/wire/story.txt", date(2013, 2, 27)),
        ("landing/20130227/story.txt", date(2013, 2, 27)),
        ("2013-02-26_story.txt", None),  # a date in the name is a path date, not a landing folder
        ("story.txt", None),
        ("2013-02-31/story.txt", None),
    ],
)
def test_when_landing_date_is_the_dated_folder(uri: str, expected: date | None) -> None:
    assert landing_date(uri) == expected


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("news/2013/02/26/lavrov.html", date(2013, 2, 26)),
        ("breitbart_2016-09-12_story.txt", date(2016, 9, 12)),
        ("2013-02-27/story.txt", None),  # the landing folder is not a path date
        ("archive/2013/story-20.txt", None),
    ],
)
def test_when_path_date_is_written_in_the_path(uri: str, expected: date | None) -> None:
    assert path_date(uri) == expected


def test_when_dateline_names_the_day_before_the_landing_folder() -> None:
    text = "WASHINGTON, March 3 - The Senate voted on Thursday to end the debate.\n\nMore followed."
    assert _dated(text, "landing/1987-03-04/a.txt") == (date(1987, 3, 3), "dateline")


def test_when_dateline_after_a_headline_kept_in_the_body() -> None:
    text = "U.S. TRADE DEFICIT WIDENS IN JANUARY\n    WASHINGTON, March 3 - The deficit widened in\nJanuary, the department said.\n Reuter\n"
    assert _dated(text, "landing/1987-03-04/a.txt") == (date(1987, 3, 3), "dateline")


def test_when_dateline_with_agency_and_dash() -> None:
    text = "LONDON, March 18 (Reuters) — Shares fell sharply in early trading.\n\nThe index lost 2 percent."
    assert _dated(text, "2013-03-19/a.txt") == (date(2013, 3, 18), "dateline")


def test_when_dateline_with_a_year_needs_no_context() -> None:
    text = "MOSCOW, Feb. 26, 2013 - Talks resumed.\n\nThey ended late."
    assert _dated(text) == (date(2013, 2, 26), "dateline")


def test_when_dateline_after_the_landing_folder_is_future_and_ignored() -> None:
    text = "WASHINGTON, March 5 - The Senate voted.\n\nMore followed."
    assert _dated(text, "landing/1987-03-04/a.txt") == (date(1987, 3, 3), "landing")


def test_when_lede_date_against_the_landing_folder() -> None:
    text = "Russian Foreign Minister Sergei Lavrov said Tuesday, Feb 26 in Berlin that talks would go on.\n\nMore."
    assert _dated(text, "2013-02-27/a.txt") == (date(2013, 2, 26), "text")


def test_when_lede_day_of_month_against_published_on() -> None:
    text = "The minister said on Feb. 26 that talks would go on.\n\nMore."
    assert _dated(text, published_on=date(2013, 2, 27)) == (date(2013, 2, 26), "text")


def test_when_lede_bare_weekday_dates_the_event_not_the_story() -> None:
    text = "The minister said on Monday that talks would go on.\n\nMore."
    assert _dated(text, "2013-02-27/a.txt") == (date(2013, 2, 26), "landing")


def test_when_lede_future_date_is_not_the_story_day() -> None:
    text = "The minister will travel to Berlin on Feb. 25 for talks.\n\nMore."
    assert _dated(text, "2013-03-01/a.txt") == (date(2013, 2, 28), "landing")


def test_when_lede_date_two_days_before_the_landing_is_an_event() -> None:
    text = "The minister, who was attacked on Feb. 25, said talks would go on.\n\nMore."
    assert _dated(text, "2013-02-27/a.txt") == (date(2013, 2, 26), "landing")


def test_when_lede_date_long_before_the_landing_is_another_event() -> None:
    text = "The treaty signed on Jan 4 is still in force, the minister said.\n\nMore."
    assert _dated(text, "2013-02-27/a.txt") == (date(2013, 2, 26), "landing")


def test_when_date_in_the_body_beyond_the_lede_is_ignored() -> None:
    text = "The minister spoke.\n\n" + "Talks went on. " * 40 + "\n\nOn Feb. 20 he left."
    assert _dated(text, "2013-02-27/a.txt") == (date(2013, 2, 26), "landing")


def test_when_text_without_context_is_not_dated_by_weekday() -> None:
    text = "The minister said on Feb. 25 that talks would go on.\n\nMore."
    assert _dated(text) == (None, "none")


def test_when_path_date_beats_the_landing_folder_and_lede() -> None:
    text = "The minister said on Feb. 25 that talks would go on.\n\nMore."
    assert _dated(text, "2013-02-27/2013/02/26/a.txt") == (date(2013, 2, 26), "path")


def test_when_url_path_date() -> None:
    text = "The minister spoke.\n\nMore."
    assert _dated(text, url="https://example.com/news/2013/02/26/talks") == (date(2013, 2, 26), "path")


def test_when_published_on_for_the_whole_run() -> None:
    assert _dated("The minister spoke.\n\nMore.", published_on=date(2013, 2, 26)) == (date(2013, 2, 26), "run")


def test_when_metadata_wins_and_html_is_named() -> None:
    when = datetime(2013, 2, 26, 14, 5, tzinfo=UTC)
    assert _dated("WASHINGTON, March 3 - x.\n\ny.", "2013-03-04/a.json#1", published_at=when, format="json") == (
        date(2013, 2, 26),
        "metadata",
    )
    assert _dated("Body text here.\n\nMore.", "a.html", published_at=when, format="html", is_extracted=True)[1] == "html"


def test_when_future_metadata_is_never_stored() -> None:
    future = datetime(2031, 1, 1, tzinfo=UTC)
    assert _dated("Body text here.\n\nMore.", "2013-02-27/a.json", published_at=future, format="json") == (
        date(2013, 2, 26),
        "landing",
    )


def test_when_metadata_after_the_landing_folder_is_ignored() -> None:
    later = datetime(2013, 3, 9, tzinfo=UTC)
    assert _dated("Body text here.\n\nMore.", "2013-02-27/a.json", published_at=later, format="json") == (
        date(2013, 2, 26),
        "landing",
    )


def test_when_future_landing_folder_is_never_stored() -> None:
    assert _dated("Body text here.\n\nMore.", "2031-02-27/a.txt") == (None, "none")


def test_when_boilerplate_date_is_ignored() -> None:
    text = "Updated Feb 26 The minister spoke.\n\nMore."
    assert _dated(text, "2013-02-28/a.txt") == (date(2013, 2, 27), "landing")


def test_when_seed_landed_next_day(seeds_dir) -> None:  # type: ignore[no-untyped-def]
    (path,) = sorted(seeds_dir.glob("*.txt"))
    day, source = _dated(path.read_text(encoding="utf-8"), f"2013-02-27/{path.name}")
    assert (day, source) == (date(2013, 2, 26), "text")


def test_when_a_dating_failure_keeps_the_article(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import etl.when.published as published

    def broken(*args: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(published, "publication_date", broken)
    article = date_article(_article("Body text here.\n\nMore.", "2013-02-27/a.txt"))
    assert (article.published_at, article.published_at_source) == (None, "none")
    assert "dating failed on 2013-02-27/a.txt" in caplog.text


def test_when_the_dates_measure_scores_a_landed_corpus(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # etl.evaluation.dates over a PolNeAR-shaped folder: one story dated by its dateline, one by its landing
    from etl.evaluation.dates import evaluate

    text = tmp_path / "polnear" / "train" / "text"
    text.mkdir(parents=True)
    (text / "a.txt").write_text("Talks end.\n\nGENEVA, March 3 - The delegates met again on Tuesday.\n", encoding="utf-8")
    (text / "b.txt").write_text("The council met.\n\nIt voted on the budget for the year.\n", encoding="utf-8")
    (tmp_path / "polnear" / "metadata.tsv").write_text(
        "filename\tpublication_date\na\t1987-03-03\nb\t2015-11-09\n", encoding="utf-8"
    )
    result = evaluate(tmp_path / "polnear")
    assert (result["articles"], result["accuracy"]) == (2, 1.0), result
    assert set(result["by_source"]) == {"dateline", "landing"}, result  # type: ignore[arg-type]
