"""Clean: raw bytes or text to a normalised ``CleanArticle``.

A chain of small ``str -> str`` steps composed once. Quote marks are kept as they are: quote
extraction needs them. Paragraphs are separated by one blank line in ``body_text``; every later
offset indexes that text.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable

from etl import ids
from etl.records import CleanArticle, Paragraph, RawArticle, Reject

STAGE = "clean"
PARAGRAPH_SEP = "\n\n"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = {
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"%PDF": "PDF document",
    b"PK\x03\x04": "ZIP archive",
    b"\x7fELF": "executable",
    b"BZh": "bzip2 archive",
}


class CleanError(ValueError):
    """Input that cannot become an article; its message is the reject reason."""


def sniff_binary(data: bytes) -> str | None:
    """A description of binary content, or None when the bytes may be text."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return what
    return None


def decode(data: bytes) -> str:
    """Bytes to text: a BOM decides; else strict UTF-8; else the detected legacy encoding."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise CleanError(f"undecodable bytes: invalid {encoding} after its byte-order mark at byte {exc.start}") from exc
    what = sniff_binary(data)
    if what:
        raise CleanError(f"not text: {what}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if data.count(b"\x00") > len(data) // 20:
        raise CleanError("not text: binary content (NUL bytes)")
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=None).best()
    if best is None:
        raise CleanError("undecodable bytes: no text encoding fits")
    encoding = best.encoding
    # Western text without a BOM: cp1252 is a superset of Latin-1 for printable text.
    if encoding in {"latin_1", "iso8859_1", "iso8859_15"}:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")
    return str(best)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _line_endings(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def _controls(text: str) -> str:
    return _CONTROL.sub("", text)


def _spaces(text: str) -> str:
    return _SPACES.sub(" ", text)


def compose(*steps: Callable[[str], str]) -> Callable[[str], str]:
    def run(text: str) -> str:
        for step in steps:
            text = step(text)
        return text

    return run


normalise_text = compose(_line_endings, _nfc, _controls, _spaces)


def split_paragraphs(text: str, one_per_line: bool = False) -> list[str]:
    """Paragraphs of normalised text.

    Text with blank lines is read as blank-line separated blocks whose inner line breaks are hard
    wraps; text without blank lines (wire copy, extracted HTML) has one paragraph per line.
    """
    lines = [line.strip() for line in text.split("\n")]
    if one_per_line or "" not in _trim_blank(lines):
        return [line for line in lines if line]
    paragraphs: list[str] = []
    block: list[str] = []
    for line in lines:
        if line:
            block.append(line)
        elif block:
            paragraphs.append(" ".join(block))
            block = []
    if block:
        paragraphs.append(" ".join(block))
    return paragraphs


def _trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start]:
        start += 1
    while end > start and not lines[end - 1]:
        end -= 1
    return lines[start:end]


_SENTENCE_END = re.compile(r"[.!?:;\"'”’)\]]$")


def looks_like_title(first: str, rest: list[str]) -> bool:
    """A short first line with no closing punctuation, before the body, is a headline."""
    return bool(rest) and len(first.split()) <= 20 and not _SENTENCE_END.search(first)


def clean(raw: RawArticle) -> CleanArticle | Reject:
    try:
        return _clean(raw)
    except CleanError as exc:
        return Reject(raw.source_uri, STAGE, str(exc))


def _clean(raw: RawArticle) -> CleanArticle:
    if raw.text is not None:
        text = raw.text
    elif raw.data is not None:
        text = decode(raw.data)
    else:
        raise CleanError("no content")
    text = normalise_text(text)
    if "\x00" in text:
        raise CleanError("not text: binary content (NUL characters)")
    # a block with blank-line separation is only read as hard-wrapped when the file itself is
    blank_separated = bool(re.search(r"\S\n[ \t]*\n+[ \t]*\S", text))
    first_block_end = re.search(r"\n[ \t]*\n", text.strip())
    paragraphs = split_paragraphs(text, one_per_line=raw.is_extracted)
    title = raw.title.strip() if raw.title else None
    if (
        title is None
        and not raw.is_extracted
        and blank_separated
        and first_block_end is not None
        and len(paragraphs) > 1
        and "\n" not in text.strip()[: first_block_end.start()]
        and looks_like_title(paragraphs[0], paragraphs[1:])
    ):
        title, paragraphs = paragraphs[0], paragraphs[1:]
    if not paragraphs:
        raise CleanError("no text after cleaning")
    if title is not None:
        title = normalise_text(title).strip() or None
    body = PARAGRAPH_SEP.join(paragraphs)
    spans: list[Paragraph] = []
    pos = 0
    for idx, para in enumerate(paragraphs):
        spans.append(Paragraph(idx, pos, pos + len(para)))
        pos += len(para) + len(PARAGRAPH_SEP)
    chash = ids.content_hash(body)
    return CleanArticle(
        article_id=ids.article_id(chash),
        content_hash=chash,
        source_uri=raw.source_uri,
        body_text=body,
        paragraphs=tuple(spans),
        title=title,
        url=raw.url,
        outlet=raw.outlet,
        published_at=raw.published_at,
        language=raw.language,
    )
