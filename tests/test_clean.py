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
