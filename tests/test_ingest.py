"""Readers: every format, compression, and every kind of bad input (hand-made fixtures only)."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from etl.clean import clean
from etl.dedup import Deduplicator, Verdict
from etl.ingest import iter_records, read_file, reader_for
from etl.ingest.base import SNIFF_BYTES, parse_date
from etl.ingest.html import extract, is_furniture, post_filter
from etl.language import tag_language
from etl.records import CleanArticle, RawArticle, Reject
from tests.fixtures.make_fixtures import HTML, INPUTS, PNG_BYTES, build_mixed_corpus, write_warc


def records(path: Path) -> list[RawArticle | Reject]:
    return list(read_file(path, path.name))


def only_articles(recs: list[RawArticle | Reject]) -> list[RawArticle]:
    return [r for r in recs if isinstance(r, RawArticle)]


def only_rejects(recs: list[RawArticle | Reject]) -> list[Reject]:
    return [r for r in recs if isinstance(r, Reject)]


# ---------------------------------------------------------------------------------------------
# reader choice


@pytest.mark.parametrize(
    ("name", "head", "reader"),
    [
        ("a.txt", b"Hello", "txt"),
        ("a.jsonl", b'{"a": 1}', "json"),
        ("a.ndjson", b'{"a": 1}', "json"),
        ("a.json", b"[]", "json"),
        ("a.csv", b"title,text", "csv"),
        ("a.html", b"<html>", "html"),
        ("a.htm", b"<html>", "html"),
        ("a.warc", b"WARC/1.0", "warc"),
        ("download", b"<!DOCTYPE html><html><body>", "html"),  # by content
        ("dump.dat", b"WARC/1.1\r\n", "warc"),
        ("export", b'{"title": "x"}', "json"),
        ("a.txt", b"<!DOCTYPE html><html>", "txt"),  # the extension wins over content
    ],
)
def test_ingest_reader_chosen_by_extension_then_content(name: str, head: bytes, reader: str) -> None:
    got = reader_for(name, head)
    assert got is not None and got.name == reader


# ---------------------------------------------------------------------------------------------
# formats


def test_ingest_jsonl_news_please_fields_and_alternatives() -> None:
    recs = records(INPUTS / "news-please.jsonl")
    arts = only_articles(recs)
    assert [a.source_uri for a in arts] == ["news-please.jsonl#1", "news-please.jsonl#2", "news-please.jsonl#5"]
    first = arts[0]
    assert first.title == "Harbour ferry service to resume after winter break"
    assert first.text is not None and first.text.startswith("The harbour ferry between Westport")
    assert first.url == "https://westportgazette.example/news/ferry-resumes"
    assert first.outlet == "westportgazette.example"
    assert first.published_at == datetime(2024, 3, 4, 8, 15, tzinfo=UTC)
    assert first.language == "en" and first.format == "json" and first.is_extracted
    # the usual alternatives: text / published / link / lang
    last = arts[-1]
    assert last.title == "Library extends opening hours"
    assert last.url == "https://westportgazette.example/news/library-hours"
    assert last.published_at == datetime(2024, 4, 15, 9, 0, tzinfo=UTC)
    assert last.language == "en"


def test_ingest_jsonl_malformed_line_rejects_that_line_only() -> None:
    rejects = only_rejects(records(INPUTS / "news-please.jsonl"))
    reasons = {r.source_uri: r.reason for r in rejects}
    assert reasons["news-please.jsonl#3"].startswith("malformed JSON on line 3: ")
    assert reasons["news-please.jsonl#4"].startswith("no article text in JSON record")
    assert len(rejects) == 2


def test_ingest_json_single_news_please_object() -> None:
    (art,) = records(INPUTS / "news-please-single.json")
    assert isinstance(art, RawArticle)
    assert art.source_uri == "news-please-single.json"
    assert art.title == "Offshore wind farm plans go on show"
    assert art.published_at == datetime(2024, 5, 1, 17, 45, tzinfo=UTC)
    assert art.text is not None and "lobster grounds" in art.text


def test_ingest_json_list_and_wrapped_list(tmp_path: Path) -> None:
    items = [
        {"headline": "One", "body": "First body text.", "date": "2024-01-02"},
        {"title": "Two", "content": ["Para one.", "Para two."], "published_at": 1704240000},
        "not an object",
    ]
    (tmp_path / "list.json").write_text(json.dumps(items))
    (tmp_path / "wrapped.json").write_text(json.dumps({"status": "ok", "articles": items[:1]}))
    recs = records(tmp_path / "list.json")
    assert [type(r).__name__ for r in recs] == ["RawArticle", "RawArticle", "Reject"]
    one, two, bad = recs
    assert isinstance(one, RawArticle) and one.source_uri == "list.json#1" and one.title == "One"
    assert isinstance(two, RawArticle) and two.text == "Para one.\nPara two."
    assert two.published_at == datetime(2024, 1, 3, tzinfo=UTC)
    assert isinstance(bad, Reject) and "not an object" in bad.reason
    (wrapped,) = records(tmp_path / "wrapped.json")
    assert isinstance(wrapped, RawArticle) and wrapped.title == "One"


def test_ingest_json_file_holding_json_lines(tmp_path: Path) -> None:
    lines = [json.dumps({"title": f"T{i}", "text": f"Body {i}."}) for i in range(3)]
    lines[1] = '{"title": "broken'
    (tmp_path / "lines.json").write_text("\n".join(lines))
    recs = records(tmp_path / "lines.json")
    assert [type(r).__name__ for r in recs] == ["RawArticle", "Reject", "RawArticle"]


def test_ingest_json_malformed_document(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text('{\n  "title": "x",\n  "text": oops\n}')
    (rej,) = records(tmp_path / "bad.json")
    assert isinstance(rej, Reject) and rej.reason.startswith("malformed JSON on line 3")


def test_ingest_csv_header_alternatives_and_bad_row() -> None:
    recs = records(INPUTS / "feed.csv")
    arts = only_articles(recs)
    assert [a.source_uri for a in arts] == ["feed.csv#1", "feed.csv#3"]
    tax, chess = arts
    assert tax.title == "Council tax to rise by 4.9%"
    assert tax.text is not None and "Band D households" in tax.text  # a quoted multi-line cell
    assert tax.published_at == datetime(2024, 2, 28, tzinfo=UTC)
    assert tax.outlet == "Westport Gazette"
    assert chess.published_at is None  # "not a date" is dropped, not rejected
    (rej,) = only_rejects(recs)
    assert rej.source_uri == "feed.csv#2" and "no article text in CSV row at line 5" in rej.reason


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("semi.csv", "title;text;date\nA;Body text here.;2024-01-01\n"),
        ("tabs.tsv", "title\ttext\tdate\nA\tBody text here.\t2024-01-01\n"),
    ],
)
def test_ingest_csv_delimiters(tmp_path: Path, name: str, content: str) -> None:
    (tmp_path / name).write_text(content)
    (art,) = records(tmp_path / name)
    assert isinstance(art, RawArticle) and art.title == "A" and art.text == "Body text here."


def test_ingest_csv_without_text_column_rejects_file(tmp_path: Path) -> None:
    (tmp_path / "prices.csv").write_text("date,price\n2024-01-01,3\n")
    (rej,) = records(tmp_path / "prices.csv")
    assert isinstance(rej, Reject) and rej.reason.startswith("CSV header has no text column")


def test_ingest_html_page_text_and_metadata() -> None:
    (art,) = records(HTML / "01-council-budget.html")
    assert isinstance(art, RawArticle) and art.format == "html" and art.is_extracted
    assert art.title == "Council approves £40m budget for flood defences"
    assert art.url == "https://www.northerncourier.example/news/council-flood-budget-2024"
    assert art.published_at == datetime(2024, 3, 14, 9, 30, tzinfo=UTC)
    assert art.outlet == "Northern Courier"
    assert art.text is not None
    assert art.text.startswith("Councillors in Wenbridge have approved")
    for boilerplate in (
        "cookies",
        "Read more",
        "Advertisement",
        "newsletter",
        "riverwatcher",
        "Related stories",
        "All rights reserved",
    ):
        assert boilerplate not in art.text


def test_ingest_html_without_article_text_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "menu.html").write_text(
        "<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>"
    )
    (rej,) = records(tmp_path / "menu.html")
    assert isinstance(rej, Reject) and rej.reason == "no article text in HTML page"


def test_ingest_warc_html_responses_with_target_uri(tmp_path: Path) -> None:
    page = (HTML / "02-bakery-closure.html").read_bytes()
    write_warc(
        tmp_path / "crawl.warc.gz",
        [
            ("https://valleyledger.example/bakery", "200 OK", "text/html; charset=utf-8", page),
            ("https://valleyledger.example/logo.png", "200 OK", "image/png", PNG_BYTES),
            ("https://valleyledger.example/gone", "404 Not Found", "text/html", b"<html><body>Not found</body></html>"),
        ],
    )
    recs = records(tmp_path / "crawl.warc.gz")
    (art,) = only_articles(recs)
    assert art.url == "https://valleyledger.example/bakery"  # the record's target URI
    assert art.title == "Beloved Elm Street bakery to close after 62 years"
    assert art.source_uri == "crawl.warc.gz#3"  # warcinfo, request, response
    assert art.text is not None and art.text.startswith("Kessler's Bakery")
    reasons = sorted(r.reason for r in only_rejects(recs))
    assert reasons == ["WARC record has no HTML payload: HTTP status 404", "WARC record has no HTML payload: image/png"]


def test_ingest_warc_uncompressed(tmp_path: Path) -> None:
    write_warc(
        tmp_path / "c.warc",
        [("https://x.example/a", "200 OK", "text/html", (HTML / "03-wire-copper.html").read_bytes())],
        compress=False,
    )
    (art,) = records(tmp_path / "c.warc")
    assert isinstance(art, RawArticle) and art.url == "https://x.example/a"


def test_ingest_warc_truncated_rejects_rest(tmp_path: Path) -> None:
    write_warc(
        tmp_path / "c.warc",
        [("https://x.example/a", "200 OK", "text/html", (HTML / "03-wire-copper.html").read_bytes())],
        compress=False,
    )
    data = (tmp_path / "c.warc").read_bytes()
    (tmp_path / "cut.warc").write_bytes(data + b"WARC/1.0\r\nWARC-Type: resp")
    recs = records(tmp_path / "cut.warc")
    assert len(only_articles(recs)) == 1
    assert len(only_rejects(recs)) == 1


@pytest.mark.parametrize("name", ["news-please.jsonl", "feed.csv", "news-please-single.json", "de-artikel.txt"])
def test_ingest_gzip_gives_same_records(tmp_path: Path, name: str) -> None:
    plain = records(INPUTS / name)
    (tmp_path / f"{name}.gz").write_bytes(gzip.compress((INPUTS / name).read_bytes()))
    packed = records(tmp_path / f"{name}.gz")
    assert [(type(r), getattr(r, "text", None) or getattr(r, "data", None)) for r in packed] == [
        (type(r), getattr(r, "text", None) or getattr(r, "data", None)) for r in plain
    ]


def test_ingest_gzip_html_by_content(tmp_path: Path) -> None:
    (tmp_path / "page.gz").write_bytes(gzip.compress((HTML / "05-sport-cup-tie.html").read_bytes()))
    (art,) = records(tmp_path / "page.gz")
    assert isinstance(art, RawArticle) and art.format == "html"


# ---------------------------------------------------------------------------------------------
# bad input


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.jsonl", b" \n\r\n\t", "empty file (whitespace only)"),
        ("photo.png", PNG_BYTES, "not text: PNG image"),
        ("photo.txt", PNG_BYTES, "not text: PNG image"),
        ("scan.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "not text: JPEG image"),
        ("doc.pdf", b"%PDF-1.7\n%\xe2\xe3", "not text: PDF document"),
        ("sheet.xlsx", b"PK\x03\x04\x14\x00" + bytes(30), "not text: ZIP archive"),
        ("junk.json", bytes(range(256)) * 4, "not text: binary content (control bytes)"),
        ("notes.md", b"# notes\n", "unsupported file type: .md"),
        ("corrupt.txt.gz", gzip.compress(b"some words " * 50)[:30], "corrupt gzip data"),
        ("empty.txt.gz", gzip.compress(b""), "empty file"),
    ],
)
def test_ingest_bad_file_rejected_with_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    (tmp_path / name).write_bytes(data)
    (rej,) = records(tmp_path / name)
    assert isinstance(rej, Reject) and rej.stage == "ingest"
    assert rej.reason.startswith(reason)


def test_ingest_reader_bug_becomes_reject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.ingest.text import TextReader

    def boom(self: TextReader, data: bytes, source_uri: str):  # type: ignore[no-untyped-def]
        raise RuntimeError("kaput")
        yield  # pragma: no cover

    monkeypatch.setattr(TextReader, "read", boom)
    (tmp_path / "a.txt").write_text("hello world")
    (rej,) = records(tmp_path / "a.txt")
    assert isinstance(rej, Reject) and rej.reason == "txt reader failed: RuntimeError: kaput"


def test_ingest_jsonl_streams_without_reading_whole_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.ingest.json import JsonReader

    def no_whole_file(self: JsonReader, data: bytes, source_uri: str):  # type: ignore[no-untyped-def]
        raise AssertionError("read() called: the file was loaded whole")

    monkeypatch.setattr(JsonReader, "read", no_whole_file)
    (tmp_path / "big.jsonl").write_text("\n".join(json.dumps({"text": f"Body {i}."}) for i in range(50)))
    stream = read_file(tmp_path / "big.jsonl", "big.jsonl")
    first = next(stream)
    assert isinstance(first, RawArticle) and first.source_uri == "big.jsonl#1"
    assert len(list(stream)) == 49


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-04 08:15:00", datetime(2024, 3, 4, 8, 15, tzinfo=UTC)),
        ("2024-03-04T08:15:00+02:00", datetime(2024, 3, 4, 6, 15, tzinfo=UTC)),
        ("2024-03-04T08:15:00Z", datetime(2024, 3, 4, 8, 15, tzinfo=UTC)),
        ("Mon, 04 Mar 2024 08:15:00 GMT", datetime(2024, 3, 4, 8, 15, tzinfo=UTC)),
        ("March 4, 2024", datetime(2024, 3, 4, tzinfo=UTC)),
        (1709540100, datetime(2024, 3, 4, 8, 15, tzinfo=UTC)),
        (1709540100000, datetime(2024, 3, 4, 8, 15, tzinfo=UTC)),
        ({"$date": "2024-03-04T08:15:00Z"}, datetime(2024, 3, 4, 8, 15, tzinfo=UTC)),
        ("not a date", None),
        ("", None),
        (None, None),
        ("0000-00-00", None),
        (True, None),
    ],
)
def test_ingest_parse_date_to_utc(value: object, expected: datetime | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("line", "furniture"),
    [
        ("By Helen Marsh, Local Democracy Reporter", True),
        ("Read more: Flood victims still waiting", True),
        ("Advertisement", True),
        ("Sign up to our free newsletter and get the day's top stories in your inbox.", True),
        ("Facebook Twitter WhatsApp Email", True),
        ("Reporting by Pia Lindqvist in London; Editing by Mark Brennan", True),
        ("Lesen Sie auch: Parkhaus am Markt wird teurer", True),
        ("By Tuesday, the council had voted to close the library.", False),
        ("The newsletter said profits had fallen for a third year.", False),
        ("Related charges were filed against two other men on Friday.", False),
        ("Sharing the prize were two teams from Leeds.", False),
        ("Share prices fell 3% on Monday.", False),
        ("Share this article", True),
        ("Share via Facebook X Email", True),
        ("Copyright lawyers said the ruling would be appealed.", False),
        ("© 2024 Northern Courier Media Ltd.", True),
        ("The regulator said websites must let users refuse cookies as easily as they accept them.", False),
        ("We use cookies to improve your experience. By clicking Accept you agree to our use of cookies.", True),
        ("Wir verwenden Cookies und ähnliche Technologien, um Inhalte zu personalisieren.", True),
        ("The newsletter, which had 40,000 subscribers by email, closed last year.", False),
        ("Get our free newsletter delivered to your inbox every morning.", True),
    ],
)
def test_ingest_html_furniture_lines(line: str, furniture: bool) -> None:
    assert is_furniture(line) is furniture


def test_ingest_html_post_filter_drops_header_and_repeats() -> None:
    text = "Verkehr\nThe headline\nFirst paragraph of the story, which is long enough to be prose.\nA pull quote that repeats a line of the story.\nA pull quote that repeats a line of the story.\nHome"
    out = post_filter(text, "The headline").split("\n")
    assert out == [
        "First paragraph of the story, which is long enough to be prose.",
        "A pull quote that repeats a line of the story.",
    ]


def test_ingest_html_extract_bodies_score_high() -> None:
    from etl.evaluation.html_bodies import evaluate, mean_f1

    results = evaluate(HTML)
    assert len(results["news-etl"]) >= 8
    assert mean_f1(results["news-etl"]) >= 0.90
    assert mean_f1(results["news-etl"]) > mean_f1(results["trafilatura alone"])


# ---------------------------------------------------------------------------------------------
# the whole folder


def _run(folder: Path) -> tuple[list[CleanArticle], list[Reject], dict[str, int]]:
    dedup = Deduplicator()
    kept: list[CleanArticle] = []
    rejects: list[Reject] = []
    counts = {"duplicates": 0, "near_duplicates": 0}
    for rec in iter_records([folder]):
        if isinstance(rec, Reject):
            rejects.append(rec)
            continue
        art = clean(rec)
        if isinstance(art, Reject):
            rejects.append(art)
            continue
        verdict, art = dedup.check(tag_language(art))
        if verdict is Verdict.DUPLICATE:
            counts["duplicates"] += 1
            continue
        if verdict is Verdict.NEAR_DUPLICATE:
            counts["near_duplicates"] += 1
        kept.append(art)
    return kept, rejects, counts


def test_ingest_mixed_folder_end_to_end(tmp_path: Path) -> None:
    kept, rejects, counts = _run(build_mixed_corpus(tmp_path / "in"))
    # every name starts with its input root's name
    assert all(x.source_uri.startswith("in/") for x in [*kept, *rejects])
    by_uri = {a.source_uri.removeprefix("in/"): a for a in kept}
    reasons = {r.source_uri.removeprefix("in/"): r.reason for r in rejects}

    # every good article, with its metadata
    expected_titles = {
        "page.html": "Council approves £40m budget for flood defences",
        "crawl.warc.gz#3": "Beloved Elm Street bakery to close after 62 years",
        "compressed/radweg.html.gz": "Neuer Radweg zwischen Altstadt und Hafen: Stadtrat gibt grünes Licht",
        "compressed/single.json.gz": "Offshore wind farm plans go on show",
        "news-please.jsonl#2": "Bahnstrecke nach Sturm wieder frei",
        "news-please.jsonl#5": "Library extends opening hours",
        "feed.csv#1": "Council tax to rise by 4.9%",
        "feed.csv#3": "School wins national chess title",
        "ferry-copy.txt": "Harbour ferry service to resume after winter break",
        "de-artikel.txt": "Neues Hallenbad öffnet im Herbst",
        "encodings/latin1.txt": "Café owner fined over noise",
        "encodings/cp1252.txt": "Museum bids for “lost” painting",
        "encodings/utf16.txt": "Lifeboat crew rescue stranded walkers",
        "encodings/mac-cr.txt": "Allotment waiting list reaches record",
        "encodings/bom-crlf.txt": "Bus station toilets reopen",
        "wind-farm-syndicated.txt": "Wind farm plans published",
    }
    assert {uri: a.title for uri, a in by_uri.items()} == expected_titles
    assert "£450" in by_uri["encodings/latin1.txt"].body_text
    assert "€20,000" in by_uri["encodings/cp1252.txt"].body_text and "–" in by_uri["encodings/cp1252.txt"].body_text
    assert by_uri["page.html"].published_at == datetime(2024, 3, 14, 9, 30, tzinfo=UTC)
    assert by_uri["crawl.warc.gz#3"].url == "https://www.valleyledger.example/2023/11/02/elm-street-bakery-to-close/"
    assert all("\r" not in a.body_text for a in kept)

    # languages: German detected (the JSON record's own "en" tag is not trusted)
    assert by_uri["news-please.jsonl#2"].language == "de"
    assert by_uri["de-artikel.txt"].language == "de"
    assert by_uri["compressed/radweg.html.gz"].language == "de"
    assert {
        a.language
        for uri, a in by_uri.items()
        if uri not in {"news-please.jsonl#2", "de-artikel.txt", "compressed/radweg.html.gz"}
    } == {"en"}

    # duplicates: the ferry story in JSON and TXT stored once; the wind farm JSON twice (plain + gz) once
    assert counts == {"duplicates": 2, "near_duplicates": 1}
    assert by_uri["wind-farm-syndicated.txt"].near_duplicate_of == by_uri["compressed/single.json.gz"].article_id

    # every bad input, with its reason
    assert reasons == {
        "bad/blank.jsonl": "empty file (whitespace only)",
        "bad/corrupt.txt.gz": reasons["bad/corrupt.txt.gz"],
        "bad/empty.txt": "empty file",
        "bad/junk.txt": "not text: binary content (control bytes)",
        "bad/notes.md": "unsupported file type: .md",
        "bad/photo.png": "not text: PNG image",
        "bad/picture.txt": "not text: JPEG image",
        "bad/spreadsheet.xlsx": "not text: ZIP archive",
        "bad/truncated-utf16.txt": reasons["bad/truncated-utf16.txt"],
        "crawl.warc.gz#5": "WARC record has no HTML payload: image/png",
        "crawl.warc.gz#7": "WARC record has no HTML payload: HTTP status 404",
        "crawl.warc.gz#9": "no article text in HTML page",
        "feed.csv#2": reasons["feed.csv#2"],
        "news-please.jsonl#3": reasons["news-please.jsonl#3"],
        "news-please.jsonl#4": reasons["news-please.jsonl#4"],
    }
    assert reasons["bad/corrupt.txt.gz"].startswith("corrupt gzip data")
    assert reasons["bad/truncated-utf16.txt"].startswith("undecodable bytes")
    assert reasons["news-please.jsonl#3"].startswith("malformed JSON on line 3")
    assert reasons["feed.csv#2"].startswith("no article text in CSV row")


@pytest.mark.parametrize(
    ("page", "title", "published", "language"),
    [
        (
            "02-bakery-closure",
            "Beloved Elm Street bakery to close after 62 years",
            datetime(2023, 11, 2, 21, 5, 12, tzinfo=UTC),
            "en",
        ),
        (
            "03-wire-copper",
            "Copper hits two-year high as Chilean mine strike drags on",
            datetime(2024, 5, 20, 11, 42, tzinfo=UTC),
            "en",
        ),
        (
            "06-de-radweg",
            "Neuer Radweg zwischen Altstadt und Hafen: Stadtrat gibt grünes Licht",
            datetime(2024, 4, 18, 16, 45, tzinfo=UTC),
            "de",
        ),
        (
            "07-legacy-table-layout",
            "Fishermen protest new quota rules",
            datetime(2019, 6, 12, tzinfo=UTC),
            None,
        ),  # title from <title>, not the site name
        (
            "08-tech-outage",
            "Cloud outage knocks payment apps offline for six hours",
            datetime(2024, 7, 10, 4, 3, tzinfo=UTC),
            "en",
        ),
        (
            "10-fr-musee",
            "À Lyon, le musée des Tissus rouvre après six ans de travaux",
            datetime(2024, 9, 21, 4, 15, tzinfo=UTC),
            "fr",
        ),
    ],
)
def test_ingest_html_metadata_from_page(page: str, title: str, published: datetime, language: str | None) -> None:
    got = extract((HTML / f"{page}.html").read_bytes())
    assert got is not None
    assert (got.title, got.published_at, got.language) == (title, published, language)


def test_ingest_html_post_filter_keeps_short_closing_sentence() -> None:
    text = "A long opening paragraph of the court report that reads as running text.\nThe trial continues.\nSolihull\nFraud"
    assert post_filter(text).split("\n") == [
        "A long opening paragraph of the court report that reads as running text.",
        "The trial continues.",
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])
def test_ingest_csv_encodings(tmp_path: Path, encoding: str) -> None:
    text = "title,text\nCafé prices,Coffee at the café now costs £3.20 after a 10% rise.\n"
    (tmp_path / "a.csv").write_bytes(text.encode(encoding))
    (art,) = records(tmp_path / "a.csv")
    assert (
        isinstance(art, RawArticle)
        and art.title == "Café prices"
        and art.text == "Coffee at the café now costs £3.20 after a 10% rise."
    )


def test_ingest_csv_undecodable_row_rejects_that_row(tmp_path: Path) -> None:
    good = b"title,text\n" + b"".join(b"Row %d,Body of row %d.\n" % (i, i) for i in range(3000))
    (tmp_path / "a.csv").write_bytes(good + b"Bad,Caf\xc3 broken UTF-8\nLast,Last body.\n")  # past the sampled head
    recs = records(tmp_path / "a.csv")
    assert len(only_articles(recs)) == 3001
    (rej,) = only_rejects(recs)
    assert rej.source_uri == "a.csv#3001" and rej.reason.startswith("undecodable bytes in CSV row")


def test_ingest_csv_streams_without_reading_whole_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from etl.ingest.csv_reader import CsvReader

    def no_whole_file(self: CsvReader, data: bytes, source_uri: str):  # type: ignore[no-untyped-def]
        raise AssertionError("read() called: the file was loaded whole")

    monkeypatch.setattr(CsvReader, "read", no_whole_file)
    (tmp_path / "a.csv").write_text("title,text\nA,Body a.\nB,Body b.\n")
    assert len(only_articles(records(tmp_path / "a.csv"))) == 2


def test_ingest_json_html_body_and_entities(tmp_path: Path) -> None:
    record = {
        "title": "Smith &amp; Sons close after 90 years",
        "content": "<p>The shop&#8217;s owners said <strong>trade</strong> had fallen.</p><figure><img src='x.jpg'><figcaption>The shop in 1950</figcaption></figure><p>It closes on Friday.</p><script>track()</script>",
    }
    (tmp_path / "cms.jsonl").write_text(
        json.dumps(record) + "\n" + json.dumps({"text": "AT&T profits rose &amp; fell."})
    )
    first, second = records(tmp_path / "cms.jsonl")
    assert isinstance(first, RawArticle) and isinstance(second, RawArticle)
    assert first.title == "Smith & Sons close after 90 years"
    assert first.text == "The shop’s owners said trade had fallen.\nIt closes on Friday."
    assert second.text == "AT&T profits rose & fell."


def test_ingest_warc_bad_record_does_not_lose_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import etl.ingest.warc as warc_module

    page = (HTML / "03-wire-copper.html").read_bytes()
    write_warc(
        tmp_path / "c.warc.gz",
        [
            ("https://x.example/boom", "200 OK", "text/html", page),
            ("https://x.example/ok", "200 OK", "text/html", page),
        ],
    )
    real = warc_module.html_to_raw

    def flaky(payload, uri, fmt, url=None):  # type: ignore[no-untyped-def]
        if url == "https://x.example/boom":
            raise RuntimeError("parser crashed")
        return real(payload, uri, fmt, url=url)

    monkeypatch.setattr(warc_module, "html_to_raw", flaky)
    recs = records(tmp_path / "c.warc.gz")
    assert [type(r).__name__ for r in recs] == ["Reject", "RawArticle"]
    assert isinstance(recs[0], Reject) and recs[0].reason == "unreadable WARC record: RuntimeError: parser crashed"


@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
def test_ingest_json_list_read_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    from etl.ingest import json as json_reader

    monkeypatch.setattr(json_reader._ArrayReader, "CHUNK", chunk)
    items = [{"title": f"Story {i}", "text": f"Body “{i}” with a £ sign.", "date": 1704067200 + i} for i in range(30)]
    (tmp_path / "list.json").write_text(json.dumps(items, indent=2, ensure_ascii=False), encoding="utf-8")
    recs = records(tmp_path / "list.json")
    assert [r.title for r in only_articles(recs)] == [f"Story {i}" for i in range(30)]
    assert only_articles(recs)[29].text == "Body “29” with a £ sign."
    assert only_articles(recs)[29].published_at == datetime(2024, 1, 1, 0, 0, 29, tzinfo=UTC)
    assert not only_rejects(recs)


@pytest.mark.parametrize("chunk", [5, 1 << 20])
def test_ingest_json_list_malformed_element_keeps_earlier_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    from etl.ingest import json as json_reader

    monkeypatch.setattr(json_reader._ArrayReader, "CHUNK", chunk)
    (tmp_path / "list.json").write_text(
        '[\n  {"text": "One."},\n  {"text": "Two."},\n  {"text": oops},\n  {"text": "Four."}\n]\n'
    )
    recs = records(tmp_path / "list.json")
    assert [r.text for r in only_articles(recs)] == ["One.", "Two."]
    (rej,) = only_rejects(recs)
    assert rej.source_uri == "list.json#3" and rej.reason.startswith("malformed JSON on line 4: Expecting value")


@pytest.mark.parametrize(
    ("content", "reason"), [("[]", "empty file: JSON list has no records"), ('[{"text": "One."}', "malformed JSON")]
)
def test_ingest_json_list_empty_or_unterminated(tmp_path: Path, content: str, reason: str) -> None:
    (tmp_path / "list.json").write_text(content)
    rejects = only_rejects(records(tmp_path / "list.json"))
    assert len(rejects) == 1 and rejects[0].reason.startswith(reason)


def test_ingest_json_list_legacy_encoding(tmp_path: Path) -> None:
    (tmp_path / "list.json").write_bytes(
        json.dumps([{"text": "Café at £3 – “cheap”."}], ensure_ascii=False).encode("cp1252")
    )
    (art,) = records(tmp_path / "list.json")
    assert isinstance(art, RawArticle) and art.text == "Café at £3 – “cheap”."


# ---------------------------------------------------------------------------------------------
# size caps (issue 13): nothing is read past Settings.max_input_bytes of decoded data

CAP = 2000
STORY = "The council approved the budget on Tuesday after a long debate, officials said."


def capped(path: Path, cap: int = CAP) -> list[RawArticle | Reject]:
    return list(read_file(path, path.name, max_bytes=cap))


def test_ingest_cap_whole_file_formats(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("word " * CAP)
    (tmp_path / "big.html").write_text("<html><body><p>" + "word " * CAP + "</p></body></html>")
    (tmp_path / "big.json").write_text(json.dumps({"title": "t", "text": "word " * CAP}))
    (tmp_path / "fits.txt").write_text(STORY)
    for name in ("big.txt", "big.html", "big.json"):
        (rej,) = capped(tmp_path / name)
        assert isinstance(rej, Reject) and rej.reason.startswith("too large (over 2,000 bytes)"), rej
    (article,) = capped(tmp_path / "fits.txt")
    assert isinstance(article, RawArticle)


def test_ingest_cap_gzip_bomb_read_no_further_than_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bomb.txt.gz").write_bytes(gzip.compress(b"all work and no play " * 50_000))
    (tmp_path / "zeros.txt.gz").write_bytes(gzip.compress(bytes(1_000_000)))
    (tmp_path / "blank.txt.gz").write_bytes(gzip.compress(b" \n" * 100))
    decompressed: list[int] = []
    real_read = gzip.GzipFile.read

    def counting_read(self: gzip.GzipFile, size: int = -1) -> bytes:
        data = real_read(self, size)
        decompressed.append(len(data))
        return data

    monkeypatch.setattr(gzip.GzipFile, "read", counting_read)
    (rej,) = capped(tmp_path / "bomb.txt.gz")
    assert isinstance(rej, Reject) and rej.reason == "too large (over 2,000 bytes decompressed)"
    assert sum(decompressed) <= SNIFF_BYTES + CAP + 1  # the head for sniffing, then the cap and one byte
    decompressed.clear()
    (rej,) = capped(tmp_path / "zeros.txt.gz")
    assert isinstance(rej, Reject)
    assert rej.reason == "too large (over 2,000 bytes decompressed): whitespace and NUL bytes only"
    assert sum(decompressed) <= SNIFF_BYTES + CAP + (1 << 16)  # a chunk past the cap at most
    (rej,) = capped(tmp_path / "blank.txt.gz")
    assert isinstance(rej, Reject) and rej.reason == "empty file (whitespace only)"


def test_ingest_cap_jsonl_line_rejected_and_the_next_line_read(tmp_path: Path) -> None:
    lines = [{"text": STORY}, {"text": "word " * CAP}, {"text": STORY + " Again."}]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    first, rej, last = capped(tmp_path / "a.jsonl")
    assert isinstance(first, RawArticle) and isinstance(last, RawArticle) and last.source_uri == "a.jsonl#3"
    assert isinstance(rej, Reject) and (rej.source_uri, rej.reason) == (
        "a.jsonl#2",
        "too large (over 2,000 bytes): JSON line 2",
    )


def test_ingest_cap_json_list_element(tmp_path: Path) -> None:
    items = [{"text": STORY}, {"text": "word " * CAP}, {"text": STORY + " Again."}]
    (tmp_path / "a.json").write_text(json.dumps(items))
    first, rej, last = capped(tmp_path / "a.json")  # read in one chunk: the reader knows where it ends
    assert isinstance(first, RawArticle) and isinstance(last, RawArticle)
    assert isinstance(rej, Reject) and (rej.source_uri, rej.reason) == (
        "a.json#2",
        "too large (over 2,000 bytes): JSON list element",
    )


def test_ingest_cap_json_list_element_beyond_a_chunk_ends_the_list(tmp_path: Path) -> None:
    from etl.ingest.json import CHUNK_BYTES

    items = [{"text": STORY}, {"text": "word " * 3 * CHUNK_BYTES}, {"text": STORY + " Again."}]
    (tmp_path / "a.json").write_text(json.dumps(items))
    first, rej = capped(tmp_path / "a.json", cap=CHUNK_BYTES)
    assert isinstance(first, RawArticle)
    assert isinstance(rej, Reject) and rej.source_uri == "a.json#2"
    assert rej.reason == f"too large (over {CHUNK_BYTES:,} bytes): JSON list element (rest of the list unread)"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_ingest_cap_csv_row_on_one_line_rejected_and_reading_goes_on(tmp_path: Path, newline: str) -> None:
    rows = ["title,text", f'A,"{STORY}"', f'B,"{"word " * CAP}"', f'C,"{STORY} Again."']
    (tmp_path / "a.csv").write_bytes((newline.join(rows) + newline).encode())
    a, rej, c = capped(tmp_path / "a.csv")
    assert isinstance(a, RawArticle) and isinstance(c, RawArticle) and c.title == "C"
    assert isinstance(rej, Reject) and rej.reason == "too large (over 2,000 bytes): CSV row at line 3"


@pytest.mark.parametrize(
    "big",
    [
        '"' + "word\n" * 1000 + '"',  # a quoted field over many lines: where it ends is unknown
        '"' + "word " * 1000 + '\nmore"',  # an oversized line that leaves a quote open
    ],
)
def test_ingest_cap_csv_row_that_may_span_lines_ends_the_file(tmp_path: Path, big: str) -> None:
    (tmp_path / "a.csv").write_text(f'title,text\nA,"{STORY}"\nB,{big}\nC,"{STORY} Again."\n')
    a, rej = capped(tmp_path / "a.csv")
    assert isinstance(a, RawArticle)
    assert isinstance(rej, Reject) and rej.reason.startswith("too large (over 2,000 bytes): CSV row at line")
    assert rej.reason.endswith("(rest of the file unread)")


def test_ingest_cap_warc_payload_rejected_and_the_next_record_read(tmp_path: Path) -> None:
    page = (HTML / "01-council-budget.html").read_bytes()
    huge = b"<html><body><p>" + b"word " * 20_000 + b"</p></body></html>"
    write_warc(tmp_path / "a.warc.gz", [
        ("http://example.org/huge", "200 OK", "text/html", huge),
        ("http://example.org/budget", "200 OK", "text/html", page),
    ])  # fmt: skip
    rej, article = capped(tmp_path / "a.warc.gz", cap=len(page) + 10)
    assert isinstance(rej, Reject) and rej.reason.endswith("WARC record payload")
    assert isinstance(article, RawArticle) and article.url == "http://example.org/budget"


def test_ingest_cap_default_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text(STORY * 30)
    assert isinstance(records(tmp_path / "a.txt")[0], RawArticle)
    monkeypatch.setenv("NEWS_ETL_MAX_INPUT_BYTES", "1000")
    (rej,) = records(tmp_path / "a.txt")
    assert isinstance(rej, Reject) and rej.reason == f"too large (over 1,000 bytes): {len(STORY) * 30:,} bytes"


def test_ingest_malformed_url_keeps_the_record(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps({"text": STORY, "url": "http://[::1/story"}) + "\n")
    (article,) = records(tmp_path / "a.jsonl")
    assert isinstance(article, RawArticle) and (article.url, article.outlet) == ("http://[::1/story", None)


def test_ingest_reject_reasons_hold_no_control_characters(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("tit\x00le,na\x01me\nx,y\n")
    (rej,) = records(tmp_path / "a.csv")
    assert isinstance(rej, Reject) and "title, name" in rej.reason and "\x00" not in rej.reason
