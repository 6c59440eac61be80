"""Decoding and normalisation: encodings, line endings, binary content."""

from __future__ import annotations

import codecs
import random

import pytest

from etl.clean import CleanError, clean, decode, sniff_binary
from etl.records import CleanArticle, RawArticle, Reject

WESTERN = "Café owner fined £450 – “late-night” music, naïve neighbours, €20 fee…"
BODY = "Chelsea sack Mutu\n\nChelsea have sacked Adrian Mutu after he failed a drugs test.\n\nThe £15.8m signing may face a ban."


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", codecs.BOM_UTF16_BE),
        ("cp1252", b""),
    ],
)
def test_clean_decode_common_encodings(encoding: str, prefix: bytes) -> None:
    assert decode(prefix + WESTERN.encode(encoding)) == WESTERN


def test_clean_decode_latin1_detected_not_assumed() -> None:
    text = "Der Bürgermeister äußerte sich über Straßen und Plätze; the £15.8m signing from Parma."
    assert decode(text.encode("latin-1")) == text


def test_clean_decode_bbc_style_latin1_pound_sign() -> None:
    data = "Chelsea have written off a possible transfer fee for Mutu, a \xa315.8m signing from Parma.".encode(
        "latin-1"
    )
    assert "£15.8m" in decode(data)


def test_clean_decode_other_code_page_via_detection() -> None:
    text = "Президент заявил, что новые правила вступят в силу с первого января следующего года."
    assert decode(text.encode("cp1251")) == text


def test_clean_decode_utf16_without_bom() -> None:
    assert (
        decode("Plain ASCII in UTF-16 without a byte-order mark.".encode("utf-16-le"))
        == "Plain ASCII in UTF-16 without a byte-order mark."
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(20), "not text: PNG image"),
        (b"GIF89a" + bytes(20), "not text: GIF image"),
        (b"%PDF-1.4\n", "not text: PDF document"),
        (random.Random(1).randbytes(1000), "not text: binary content"),
        (codecs.BOM_UTF16_LE + "odd".encode("utf-16-le") + b"x", "undecodable bytes: invalid utf-16"),
        (codecs.BOM_UTF8 + b"caf\xe9 au lait", "undecodable bytes: invalid utf-8-sig"),
    ],
)
def test_clean_decode_rejects_with_specific_reason(data: bytes, reason: str) -> None:
    with pytest.raises(CleanError) as info:
        decode(data)
    assert str(info.value).startswith(reason)


def test_clean_sniff_binary_leaves_text_alone() -> None:
    assert sniff_binary(b"Just words.\r\n\tIndented.") is None
    assert sniff_binary("Ünïcödé".encode("utf-16")) is None


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_clean_any_line_endings_same_article(newline: str) -> None:
    raw = RawArticle(source_uri="a.txt", data=BODY.replace("\n", newline).encode("utf-8"))
    art = clean(raw)
    assert isinstance(art, CleanArticle)
    assert art.title == "Chelsea sack Mutu"
    assert (
        art.body_text
        == "Chelsea have sacked Adrian Mutu after he failed a drugs test.\n\nThe £15.8m signing may face a ban."
    )
    assert [art.body_text[p.start_char : p.end_char] for p in art.paragraphs][1] == "The £15.8m signing may face a ban."


def test_clean_same_text_any_encoding_same_hash() -> None:
    hashes = set()
    for encoding in ("utf-8", "utf-16", "latin-1", "cp1252", "utf-8-sig"):
        art = clean(RawArticle(source_uri="a.txt", data=BODY.encode(encoding)))
        assert isinstance(art, CleanArticle)
        hashes.add(art.content_hash)
    assert len(hashes) == 1


def test_clean_extracted_text_keeps_given_title_and_lines() -> None:
    raw = RawArticle(source_uri="a.jsonl#1", text="First para.\nSecond para.", title=" Given title ", is_extracted=True)
    art = clean(raw)
    assert isinstance(art, CleanArticle)
    assert art.title == "Given title"
    assert art.body_text == "First para.\n\nSecond para."


def test_clean_binary_raw_is_reject() -> None:
    rej = clean(RawArticle(source_uri="x.txt", data=b"\x89PNG\r\n\x1a\n" + bytes(10)))
    assert isinstance(rej, Reject) and rej.stage == "clean" and rej.reason == "not text: PNG image"


# ---------------------------------------------------------------------------------------------
# hostile text (issue 13)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("x" * 4096, "no words: a single 4,096-letter string"),
        ("x " * 4096, "no words: one word repeated 4,096 times"),
        ("1234 5678, 9.0!? -- 42 (7) #3 %%", "no words: only digits, punctuation and symbols"),
        ("—— ** ++ ·· ¶¶ §§", "no words: only digits, punctuation and symbols"),
        ("AB 1234 5678 9012 3456 7890 1234 5678 +++ --- ===", "no words: only 5% of its characters are letters"),
        ("breaking news " * 500, "no words: 1,000 words but only 2 distinct (repeated text)"),
        ("lorem ipsum dolor sit amet " * 100, "no words: 500 words but only 5 distinct (repeated text)"),
    ],
)
def test_clean_wordless_text_is_rejected(text: str, reason: str) -> None:
    result = clean(RawArticle("junk.txt", text=text))
    assert isinstance(result, Reject) and result.stage == "clean"
    assert result.reason == reason


@pytest.mark.parametrize(
    "text",
    [
        BODY,
        "Police said nothing.",  # a short text is not junk
        "FTSE 100 closes at 7,512.3, up 0.4%; Dow 35,123 (-0.2%).",  # figures with words
        "东京电力公司周二表示，核电站的冷却系统已经恢复正常运行。",  # no spaces: each character a word
        "Die Regierung hat am Dienstag einen neuen Haushalt vorgestellt, sagte der Minister.",
    ],
)
def test_clean_texts_with_words_are_kept(text: str) -> None:
    assert isinstance(clean(RawArticle("ok.txt", text=text)), CleanArticle)


def test_clean_article_over_the_length_limit_is_rejected_by_size() -> None:
    from etl.clean import MAX_ARTICLE_CHARS

    rng = random.Random(13)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)) for _ in range(5000)]
    long_text = " ".join(words[i % len(words)] for i in range(MAX_ARTICLE_CHARS // 6))
    result = clean(RawArticle("long.txt", text=long_text))
    assert isinstance(result, Reject)
    assert result.reason == f"too long for an article: {len(long_text):,} characters (limit {MAX_ARTICLE_CHARS:,})"
    ok = clean(RawArticle("fits.txt", text=long_text[: MAX_ARTICLE_CHARS - 10]))
    assert isinstance(ok, CleanArticle)


def test_clean_control_characters_and_lone_surrogates_leave_every_field() -> None:
    raw = RawArticle(
        "c.jsonl#1",
        text="The mayor\x00 said\x07 the \x1bplan\x85 would go ahead.\ud800",
        title="\x00Mayor\x01 backs\n plan\x7f",
        url=" https://example.com/\x00a\x0b ",
        outlet="example\x00.com",
        is_extracted=True,
    )
    article = clean(raw)
    assert isinstance(article, CleanArticle)
    assert article.body_text == "The mayor said the plan would go ahead.\ufffd"
    assert (article.title, article.url, article.outlet) == ("Mayor backs plan", "https://example.com/a", "example.com")
    for value in (article.body_text, article.title, article.url, article.outlet):
        assert value is not None
        assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or 0xD800 <= ord(ch) <= 0xDFFF for ch in value)
        value.encode("utf-8")  # every store can take it


WIRE = (
    "U.S. SAYS DOLLAR STABLE\n"
    "WASHINGTON, March 3 - Treasury Secretary James Baker said the United\n"
    "States and its partners agreed the dollar had fallen enough. Baker\n"
    "told the committee the accord reached in Paris was working.\n"
    "    Federal Reserve Board Chairman Paul Volcker said the Fed's policy\n"
    "had not changed since the Paris meeting of the six nations.\n"
    " Reuter\n"
)


def test_clean_hard_wrapped_wire_copy_is_unwrapped() -> None:
    # wrapped at a fixed width, paragraphs indented, the headline in capitals on the first line
    article = clean(RawArticle(source_uri="wire", text=WIRE))
    assert isinstance(article, CleanArticle)
    assert article.title == "U.S. SAYS DOLLAR STABLE"
    assert article.body_text.split("\n\n") == [
        "WASHINGTON, March 3 - Treasury Secretary James Baker said the United States and its partners agreed "
        "the dollar had fallen enough. Baker told the committee the accord reached in Paris was working.",
        "Federal Reserve Board Chairman Paul Volcker said the Fed's policy had not changed since the Paris "
        "meeting of the six nations.",
        "Reuter",
    ]


@pytest.mark.parametrize(
    "text",
    [
        # one paragraph per line: every line ends a sentence
        "The minister spoke on Monday.\nShe said the talks were useful.\nThey will meet again in May.\n",
        # a table's rows leave room for the next row's first word: not wrapped
        "Results of the 100 metres at the world championships in Athens\n1. Carl Lewis (U.S.) 9.86 seconds and a world record\n"
        "2. Linford Christie (Britain) 9.91\n3. Donovan Bailey (Canada) 9.95\n4. Frank Fredericks (Namibia) 9.98\n",
    ],
)
def test_clean_lines_that_are_not_wrapped_stay_paragraphs(text: str) -> None:
    article = clean(RawArticle(source_uri="lines", text=text))
    assert isinstance(article, CleanArticle)
    assert article.body_text.split("\n\n") == [line for line in text.split("\n") if line][1 if article.title else 0 :]


def test_clean_a_dateline_in_capitals_is_no_headline() -> None:
    article = clean(RawArticle(source_uri="d", text="WASHINGTON (AP) -\nThe minister spoke on Monday.\nShe said the talks were useful.\n"))
    assert isinstance(article, CleanArticle)
    assert article.title is None and article.body_text.startswith("WASHINGTON (AP) -")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # three wrapped lines and a short last one: the paragraph's lines, not all lines, run to the
        # width; a line broken after a word's hyphen joins back, a hyphen inside a line stays
        (
            "VENEZUELA SAYS OPEC PACT HOLDING\n"
            "CARACAS, April 1 - Venezuelan Energy and Mines Minister Arturo\n"
            "Hernandez Grisanti said OPEC members were keeping to their output\n"
            "quotas, and the pre- and post-accord figures of the Leigh-\n"
            "Pemberton study.\n"
            " Reuter\n",
            ["Minister Arturo Hernandez Grisanti said", "the pre- and post-accord figures of the Leigh-Pemberton study."],
        ),
        # one line runs on past the width; the headline's line never does, so it is no evidence
        (
            "DORRIT SEES TAX RISE\n"
            "WASHINGTON, May 6 - House Ways and Means Committee Chairman Dan\n"
            "Dorrit said Congress would have to raise taxes this year.\n"
            "    Dorrit said he would look at excise taxes first.\n"
            " Reuter\n",
            ["Chairman Dan Dorrit said"],
        ),
    ],
)
def test_clean_a_short_wrapped_story_is_unwrapped(text: str, expected: list[str]) -> None:
    article = clean(RawArticle(source_uri="t", text=text))
    assert isinstance(article, CleanArticle)
    for fragment in expected:
        assert fragment in article.body_text
