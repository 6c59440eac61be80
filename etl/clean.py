"""Clean: raw bytes or text to a normalised ``CleanArticle``.

A chain of small ``str -> str`` steps composed once. Quote marks are kept as they are: quote
extraction needs them. Paragraphs are separated by one blank line in ``body_text``; every later
offset indexes that text.

Control characters (NUL included) and lone surrogates are removed from the body and from every
metadata field, so no store ever sees them. Two checks reject what is not an article:
- longer than ``MAX_ARTICLE_CHARS``: the NLP stage needs about 3 KB of memory per character of an
  article (a 1,000,000-character text, spaCy's own limit, took 3 GB and 150 s), so a longer text is
  rejected by name and size rather than allowed to exhaust memory; the limit is far above any news
  article (100,000 characters is some 16,000 words);
- no words (see ``wordless``): no letters, mostly digits and symbols, or one word (or a handful)
  repeated, such as ``x`` 4,096 times.
"""

from __future__ import annotations

import codecs
import math
import re
import statistics
import unicodedata
from collections.abc import Callable, Iterator

from etl import ids
from etl.records import CleanArticle, Paragraph, RawArticle, Reject

STAGE = "clean"
PARAGRAPH_SEP = "\n\n"
MAX_ARTICLE_CHARS = 100_000
# a text whose letters are under this share of its visible characters is a table of figures or junk
MIN_LETTER_SHARE = 0.25

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
    b"GIF87a": "GIF image",
    b"GIF89a": "GIF image",
    b"BM": None,  # placeholder so the order below stays readable; BMP needs a longer check
    b"II*\x00": "TIFF image",
    b"MM\x00*": "TIFF image",
    b"\x00\x00\x01\x00": "icon image",
    b"%PDF": "PDF document",
    b"PK\x03\x04": "ZIP archive",
    b"PK\x05\x06": "ZIP archive",
    b"Rar!": "RAR archive",
    b"7z\xbc\xaf\x27\x1c": "7-Zip archive",
    b"\xfd7zXZ\x00": "xz archive",
    b"\x28\xb5\x2f\xfd": "zstd archive",
    b"BZh": "bzip2 archive",
    b"\x1f\x8b": "gzip data inside gzip",
    b"\x7fELF": "executable",
    b"MZ": None,
    b"SQLite format 3\x00": "SQLite database",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "MS Office document",
    b"ID3": "MP3 audio",
    b"OggS": "Ogg media",
    b"fLaC": "FLAC audio",
    b"\x1aE\xdf\xa3": "Matroska/WebM video",
    b"wOFF": "web font",
    b"wOF2": "web font",
    b"PAR1": "Parquet file",
}
_MAGIC = {k: v for k, v in _MAGIC.items() if v}

# C0 control bytes that never occur in text (tab, newlines, form feed and ESC aside)
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_CONTROL_TABLE = bytes.maketrans(b"", b"")


class CleanError(ValueError):
    """Input that cannot become an article; its message is the reject reason."""


def sniff_binary(data: bytes) -> str | None:
    """A description of binary content, or None when the bytes may be text."""
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            return what
    if data[:4] == b"RIFF" and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        return {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}[data[8:12]]
    if data[4:8] == b"ftyp":
        return "MP4/QuickTime media"
    if data[:2] == b"BM" and len(data) > 14 and data[6:10] == b"\x00\x00\x00\x00":
        return "BMP image"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF8, codecs.BOM_UTF32_LE)):
        return None
    sample = data[:4096]
    if sample and _utf16_without_bom(sample) is None:
        controls = len(sample) - len(sample.translate(_CONTROL_TABLE, _CONTROL_BYTES))
        if controls > max(2, len(sample) // 100):
            return "binary content (control bytes)"
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when the bytes look like BOM-less UTF-16 text (mostly ASCII)."""
    n = len(data) - len(data) % 2
    if n < 8:
        return None
    even, odd = data[0:n:2], data[1:n:2]
    if odd.count(0) > 0.8 * len(odd) and even.count(0) < 0.2 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.8 * len(even) and odd.count(0) < 0.2 * len(odd):
        return "utf-16-be"
    return None


_WESTERN_PUNCT = set("£€¢¥§©®°±·«»¿¡–—‘’‚“”„†‡•…‰‹›™ ")


def _plausible_western(text: str) -> bool:
    """Text decoded as cp1252 reads as a Western European language (not another code page's bytes)."""
    letters = 0
    high_letters = 0
    odd = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if ord(ch) > 0x7F:
                high_letters += 1
        elif ord(ch) > 0x7F and ch not in _WESTERN_PUNCT:
            odd += 1
    if letters == 0:
        return odd == 0
    # Latin text is mostly ASCII letters; a Cyrillic or Greek code page read as cp1252 is not
    return high_letters <= 0.3 * letters and odd <= 0.01 * len(text) + 2


def decode(data: bytes) -> str:
    """Bytes to text: a BOM decides; else strict UTF-8; else cp1252/Latin-1 when the text reads as
    a Western language; else the encoding charset-normalizer detects."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise CleanError(
                    f"undecodable bytes: invalid {encoding} after its byte-order mark at byte {exc.start}: {exc.reason}"
                ) from exc
    what = sniff_binary(data)
    if what:
        raise CleanError(f"not text: {what}")
    utf16 = _utf16_without_bom(data[:4096])  # ASCII in UTF-16 is also valid UTF-8, with NULs
    if utf16:
        try:
            return data.decode(utf16)
        except UnicodeDecodeError as exc:
            raise CleanError(f"undecodable bytes: invalid {utf16} at byte {exc.start}: {exc.reason}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if data.count(b"\x00") > len(data) // 20:
        raise CleanError("not text: binary content (NUL bytes)")
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _plausible_western(text):
            return text
        break
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=None).best()
    if best is None or best.chaos > 0.5:
        raise CleanError(
            f"undecodable bytes: not UTF-8 (invalid byte 0x{data[utf8_error.start]:02x} at {utf8_error.start}) and no other text encoding fits"
        )
    return str(best)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _line_endings(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\ufeff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # lone halves (JSON "\\ud800"): no encoder takes them
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")


def _surrogates(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text)


def _controls(text: str) -> str:
    return _CONTROL.sub("", text)


def scrub(text: str) -> str:
    """Text safe for every store: control characters (NUL included) dropped, lone surrogates replaced."""
    return _controls(_surrogates(text))


def clean_field(value: str | None) -> str | None:
    """A metadata field (title, URL, outlet) scrubbed, on one line, stripped; None when nothing is left."""
    if value is None:
        return None
    value = " ".join(_controls(_nfc(_surrogates(value))).split())
    return value or None


def _spaces(text: str) -> str:
    return _SPACES.sub(" ", text)


def compose(*steps: Callable[[str], str]) -> Callable[[str], str]:
    def run(text: str) -> str:
        for step in steps:
            text = step(text)
        return text

    return run


normalise_text = compose(_surrogates, _line_endings, _nfc, _controls, _spaces)


# a word: a run of letters; in scripts written without spaces, each character
_WORD = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[^\W\d_]+")
_NOT_LETTER = re.compile(r"[\W\d_]+")
_SPACE = re.compile(r"\s+")


def wordless(text: str) -> str | None:
    """Why ``text`` has no words to speak of, or None when it reads as language.

    A text has no words when it has no letters; when letters are under ``MIN_LETTER_SHARE`` of its
    visible characters; when it has fewer than two distinct words (``x`` 4,096 times is one
    4,096-letter "word"); or when it has 20 words or more but fewer distinct ones than half the
    square root of their number (a phrase pasted over and over: real prose of n words has well over
    sqrt(n) distinct ones, e.g. some 250 in 500 words and thousands in 100,000).
    """
    visible = len(_SPACE.sub("", text))
    letters = len(_NOT_LETTER.sub("", text))
    if letters == 0:
        return "no words: only digits, punctuation and symbols"
    if letters < MIN_LETTER_SHARE * visible:
        return f"no words: only {100 * letters / visible:.0f}% of its characters are letters"
    words = _WORD.findall(text.casefold())
    distinct = len(set(words))
    if len(words) == 1:
        return f"no words: a single {len(words[0]):,}-letter string"
    if distinct == 1:
        return f"no words: one word repeated {len(words):,} times"
    if len(words) >= 20 and distinct < math.sqrt(len(words)) / 2:
        return f"no words: {len(words):,} words but only {distinct} distinct (repeated text)"
    return None


def split_paragraphs(text: str, one_per_line: bool = False) -> list[str]:
    """Paragraphs of normalised text.

    Text with blank lines is read as blank-line separated blocks whose inner line breaks are hard
    wraps; text without blank lines (wire copy, extracted HTML) has one paragraph per line, unless
    it is wrapped at a fixed width (``hard_wrapped``), when its paragraphs are told by indents.
    """
    lines = [line.strip() for line in text.split("\n")]
    if one_per_line or "" not in _trim_blank(lines):
        raw = [line.rstrip() for line in text.split("\n") if line.strip()]
        if not one_per_line and hard_wrapped(raw):
            return _unwrap(raw)
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


# a line that ends a sentence (or a headline's question), maybe inside a closing mark
_LINE_END = re.compile(r"[.!?:;][\"'”’)\]]*$|[\"”]$")
# the widest line, in characters, of text wrapped at a fixed width (wire copy wraps at 60 to 80)
WRAP_WIDTHS = (40, 100)
# share of the lines followed by another that break mid-sentence, in wrapped text
WRAP_SHARE = 0.25
# how far short of the widest line (a share of it) a wrapped line may end, the next word not fitting
WRAP_SLACK = 0.1


def hard_wrapped(lines: list[str]) -> bool:
    """Lines broken at a fixed width with no blank line between paragraphs (wire copy:
    "... James Baker said the United" / "States and ..."): all lines short, and many of them
    ending mid-sentence where the next word would not have fitted. One paragraph per line ends
    nearly every line with a full stop; a table's short rows leave room for the next row's word."""
    width = max((len(line) for line in lines), default=0)
    if len(lines) < 3 or not WRAP_WIDTHS[0] <= width <= WRAP_WIDTHS[1]:
        return False
    # the lines followed by another, a headline in capitals aside (it never runs on), and of
    # them the ones ending mid-sentence
    followed = [(line, after) for line, after in zip(lines, lines[1:], strict=False) if not _in_capitals(line)]
    running = [(line, after) for line, after in followed if not _LINE_END.search(line)]
    # most lines inside a paragraph run (nearly) to the width (a short story's short last lines aside)
    if not running or statistics.median(len(line) for line, _ in running) < (1 - 2.5 * WRAP_SLACK) * width:
        return False
    # wrapped: the next line's first word would not have fitted on this one (a table's rows would)
    breaks = sum(1 for line, after in running if len(line) + 1 + len(after.split()[0]) > (1 - WRAP_SLACK) * width)
    return breaks > WRAP_SHARE * len(followed)


def _capitals_headline(line: str) -> bool:
    """A line of two or more words in capitals that is no dateline ("WASHINGTON (AP) -")."""
    return _in_capitals(line) and len(line.split()) >= 2 and not line.rstrip().endswith(("-", "\u2013", "\u2014"))


def _in_capitals(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


def _unwrap(lines: list[str]) -> list[str]:
    """Paragraphs of hard-wrapped lines: a new one at each indented line (when the text indents
    its paragraphs) or after a short line ending a sentence, and after a line in capitals (a
    headline)."""
    indented = [line[:1].isspace() for line in lines]
    by_indent = any(indented[1:]) and not all(indented)
    width = max(len(line) for line in lines)
    paragraphs: list[list[str]] = []
    for k, line in enumerate(lines):
        prev = lines[k - 1] if k else ""
        ends = bool(_LINE_END.search(prev)) and len(prev) < 0.8 * width
        if not paragraphs or _in_capitals(prev) or (indented[k] if by_indent else ends):
            paragraphs.append([])
        paragraphs[-1].append(line.strip())
    return ["".join(_joined(p)) for p in paragraphs]


# a line broken after a word's hyphen ("Leigh-" / "Pemberton"): joined back without a space
_ENDS_IN_HYPHEN = re.compile(r"[^\W\d_]-$")


def _joined(lines: list[str]) -> Iterator[str]:
    for k, line in enumerate(lines):
        yield line if k == 0 or _ENDS_IN_HYPHEN.search(lines[k - 1]) else " " + line


def _trim_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and not lines[start]:
        start += 1
    while end > start and not lines[end - 1]:
        end -= 1
    return lines[start:end]


# a sentence ends in a full stop, colon, semicolon or comma, or in one of those before a closing
# mark ('... said."'); a headline may end in a question or exclamation mark, a closing quotation
# mark or a bracket: What price for 'trusted PC security'? / Voters 'don't trust politicians'
_SENTENCE_END = re.compile(r"([.:;,]|[.,:;][\"'”’)\]]+)$")
_ELLIPSIS = re.compile(r"(\.\.\.|…)[\"'”’)\]]*$")  # "Rivals of the £400 Apple..." is a headline


def looks_like_title(first: str, rest: list[str]) -> bool:
    """A short first line that does not end like a sentence, before the body, is a headline."""
    first = first.rstrip()
    ends_sentence = bool(_SENTENCE_END.search(first)) and not _ELLIPSIS.search(first)
    return bool(rest) and 0 < len(first.split()) <= 20 and not ends_sentence


def clean(raw: RawArticle) -> CleanArticle | Reject:
    try:
        return _clean(raw)
    except CleanError as exc:
        return Reject(raw.source_uri, STAGE, scrub(str(exc)))


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
    # a headline is a first line standing alone before a blank line, in any input format that
    # gives no title of its own (plain text, or a JSON/CSV/HTML body that starts with one)
    # ... or a first line in capitals, blank line or not (wire copy: "U.S. SAYS DOLLAR STABLE")
    standing_alone = blank_separated and first_block_end is not None and "\n" not in text.strip()[: first_block_end.start()]
    if (
        title is None
        and len(paragraphs) > 1
        and (standing_alone or _capitals_headline(paragraphs[0]))
        and looks_like_title(paragraphs[0], paragraphs[1:])
    ):
        title, paragraphs = paragraphs[0], paragraphs[1:]
    if not paragraphs:
        raise CleanError("no text after cleaning")
    title = clean_field(title)
    body = PARAGRAPH_SEP.join(paragraphs)
    if len(body) > MAX_ARTICLE_CHARS:
        raise CleanError(f"too long for an article: {len(body):,} characters (limit {MAX_ARTICLE_CHARS:,})")
    junk = wordless(body)
    if junk:
        raise CleanError(junk)
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
        url=clean_field(raw.url),
        outlet=clean_field(raw.outlet),
        published_at=raw.published_at,
        language=raw.language,
        source_format=raw.format,
    )
