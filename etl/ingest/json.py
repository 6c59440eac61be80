"""JSON news records: news-please output (.json, one object or a list) and JSON lines (.jsonl, .ndjson).

JSON lines are read a line at a time from the stream; a malformed line rejects that line only, and
so does a line over the size cap (read no further than the cap, the rest of it skipped). A top-level
list is read an element at a time; an element over the cap ends the file (``rest of the list
unread``). Any other JSON document is read whole, so the whole file is capped.
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator
from typing import IO, Any

from etl.ingest.base import STAGE, RecordTooLarge, record_uri, skip_line, strip_head, too_large
from etl.ingest.fields import to_raw
from etl.records import RawArticle, Reject
from etl.settings import DEFAULT_MAX_INPUT_BYTES

# keys under which a JSON document may hold its list of articles
_CONTAINERS = ("articles", "items", "data", "results", "docs", "documents", "records", "entries", "news")


def _describe(exc: json.JSONDecodeError) -> str:
    return f"{exc.msg.removesuffix(' at')} at column {exc.colno}"


def _record(obj: Any, uri: str, fmt: str) -> RawArticle | Reject:
    if not isinstance(obj, dict):
        return Reject(uri, STAGE, f"JSON record is not an object but {type(obj).__name__}")
    raw = to_raw(obj, uri, fmt)
    return raw if isinstance(raw, RawArticle) else Reject(uri, STAGE, raw)


def _decode_line(line: bytes) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        # not valid JSON text, but a legacy-encoded export loses nothing by being read as such
        from etl.clean import CleanError, decode

        try:
            return decode(line)
        except CleanError:
            return line.decode("utf-8")  # re-raise the original kind of error


def _first_line_is_object(data: bytes) -> bool:
    first = data.lstrip().split(b"\n", 1)
    if len(first) < 2 or not first[1].strip():
        return False
    try:
        return isinstance(json.loads(_decode_line(first[0]).lstrip("\ufeff")), dict)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False


# a top-level list is read this many bytes at a time
CHUNK_BYTES = 1 << 20
# what ``_ArrayReader`` yields for an element over the cap that it could still read past
TOO_LARGE = object()


class _ArrayReader:
    """Iterate over the elements of a top-level JSON list without reading the whole stream.

    Raises ``json.JSONDecodeError`` (with the file's line number) at the first malformed element,
    ``UnicodeDecodeError`` on bytes that are not UTF-8, and ``RecordTooLarge`` when an unfinished
    element grows over ``max_chars``; an element over it that fits in what was read is ``TOO_LARGE``.
    """

    CHUNK = CHUNK_BYTES

    def __init__(self, stream: IO[bytes], max_chars: int = DEFAULT_MAX_INPUT_BYTES) -> None:
        self._stream = stream
        self._max_chars = max_chars
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._json = json.JSONDecoder()
        self._buf = ""
        self._pos = 0
        self._line = 1  # line number of buf[0] in the file
        self._eof = False

    def _fill(self) -> bool:
        if self._eof:
            return False
        chunk = self._stream.read(self.CHUNK)
        self._line += self._buf.count("\n", 0, self._pos)
        rest = self._buf[self._pos :]
        if len(rest) > self._max_chars:  # one element bigger than the cap: stop before holding more
            raise RecordTooLarge(too_large(self._max_chars))
        if chunk:
            self._buf = rest + self._utf8.decode(chunk)
        else:
            self._eof = True
            self._buf = rest + self._utf8.decode(b"", final=True)
        self._pos = 0
        return True

    def _skip_ws(self) -> str | None:
        """The next non-blank character (not consumed), or None at the end of the stream."""
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] in " \t\r\n\ufeff":
                self._pos += 1
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._fill():
                return None

    def _fail(self, msg: str, pos: int) -> json.JSONDecodeError:
        doc = "\n" * (self._line - 1) + self._buf  # so lineno/colno count from the file's start
        return json.JSONDecodeError(msg, doc, pos + self._line - 1)

    def __iter__(self) -> Iterator[Any]:
        if self._skip_ws() != "[":
            raise self._fail("Expecting '['", self._pos)
        self._pos += 1
        first = True
        while True:
            ch = self._skip_ws()
            if ch is None:
                raise self._fail("Unterminated list", self._pos)
            if ch == "]":
                return
            if not first:
                if ch != ",":
                    raise self._fail("Expecting ',' delimiter", self._pos)
                self._pos += 1
                if self._skip_ws() is None:
                    raise self._fail("Unterminated list", self._pos)
            first = False
            while True:
                try:
                    element, end = self._json.raw_decode(self._buf, self._pos)
                except json.JSONDecodeError as exc:
                    truncated = exc.msg.startswith("Unterminated string") or exc.pos >= len(self._buf) - 1
                    if truncated and self._fill():
                        continue
                    raise self._fail(exc.msg, exc.pos) from None
                if end >= len(self._buf) and self._fill():
                    continue  # a number or literal may go on in the next chunk
                break
            oversized = end - self._pos > self._max_chars
            self._pos = end
            yield TOO_LARGE if oversized else element


class JsonReader:
    name = "json"
    extensions = (".jsonl", ".ndjson", ".jsonlines", ".json")

    def matches(self, name: str, head: bytes) -> bool:
        return name.endswith(self.extensions) or strip_head(head)[:1] in (b"{", b"[")

    def read(self, data: bytes, source_uri: str) -> Iterator[RawArticle | Reject]:
        yield from self.read_stream(io.BytesIO(data), source_uri)

    def read_stream(
        self, stream: IO[bytes], source_uri: str, max_bytes: int = DEFAULT_MAX_INPUT_BYTES
    ) -> Iterator[RawArticle | Reject]:
        head = stream.read(4)
        stream.seek(0)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            # rare, but valid: re-encoded as UTF-8 whole, so capped as a whole file
            text = io.TextIOWrapper(stream, encoding="utf-16").read(max_bytes + 1)
            if len(text) > max_bytes:
                yield Reject(source_uri, STAGE, too_large(max_bytes) + ": UTF-16 JSON is read whole")
                return
            stream = io.BytesIO(text.encode("utf-8"))
        first = strip_head(stream.read(4096))[:1]
        stream.seek(0)
        if first == b"[":
            yield from self._read_array(stream, source_uri, max_bytes)
        elif source_uri.lower().removesuffix(".gz").endswith(".json"):
            yield from self._read_document(stream, source_uri, max_bytes)
        else:
            yield from self._read_lines(stream, source_uri, max_bytes)

    def _read_document(self, stream: IO[bytes], source_uri: str, max_bytes: int) -> Iterator[RawArticle | Reject]:
        data = stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            yield Reject(source_uri, STAGE, too_large(max_bytes) + ": a JSON document that is not a list is read whole")
            return
        try:
            text = _decode_line(data).lstrip("\ufeff")
            doc = json.loads(text)
        except UnicodeDecodeError as exc:
            yield Reject(source_uri, STAGE, f"undecodable bytes: invalid UTF-8 at byte {exc.start}")
            return
        except json.JSONDecodeError as exc:
            if _first_line_is_object(data):  # several documents, one a line: JSON lines named .json
                yield from self._read_lines(io.BytesIO(data), source_uri, max_bytes)
                return
            yield Reject(source_uri, STAGE, f"malformed JSON on line {exc.lineno}: {_describe(exc)}")
            return
        if isinstance(doc, dict):
            for key in _CONTAINERS:
                if isinstance(doc.get(key), list):
                    doc = doc[key]
                    break
        if isinstance(doc, dict):
            yield _record(doc, source_uri, self.name)
            return
        if not isinstance(doc, list):
            yield Reject(source_uri, STAGE, f"JSON document is neither an object nor a list but {type(doc).__name__}")
            return
        if not doc:
            yield Reject(source_uri, STAGE, "empty file: JSON list has no records")
            return
        for n, obj in enumerate(doc, 1):
            yield _record(obj, record_uri(source_uri, n), self.name)

    def _read_array(self, stream: IO[bytes], source_uri: str, max_bytes: int) -> Iterator[RawArticle | Reject]:
        """A top-level JSON list, one element at a time, reading the stream in chunks."""
        reader = _ArrayReader(stream, max_bytes)
        n = 0
        try:
            for element in reader:
                n += 1
                uri = record_uri(source_uri, n)
                if element is TOO_LARGE:
                    yield Reject(uri, STAGE, f"{too_large(max_bytes)}: JSON list element")
                    continue
                yield _record(element, uri, self.name)
        except UnicodeDecodeError:
            if n == 0:  # not UTF-8 at all: read it whole, with encoding detection
                stream.seek(0)
                yield from self._read_document(stream, source_uri, max_bytes)
                return
            yield Reject(record_uri(source_uri, n + 1), STAGE, f"undecodable bytes after record {n}: invalid UTF-8")
            return
        except json.JSONDecodeError as exc:
            uri = record_uri(source_uri, n + 1)
            yield Reject(uri, STAGE, f"malformed JSON on line {exc.lineno}: {_describe(exc)} (rest of the list unread)")
            return
        except RecordTooLarge as exc:
            yield Reject(record_uri(source_uri, n + 1), STAGE, f"{exc}: JSON list element (rest of the list unread)")
            return
        if n == 0:
            yield Reject(source_uri, STAGE, "empty file: JSON list has no records")

    def _read_lines(self, stream: IO[bytes], source_uri: str, max_bytes: int) -> Iterator[RawArticle | Reject]:
        n = 0
        lineno = 0
        while line := stream.readline(max_bytes + 1):
            lineno += 1
            if lineno == 1:
                line = line.removeprefix(codecs.BOM_UTF8)
            if len(line) > max_bytes and not line.endswith(b"\n"):
                skip_line(stream)
                n += 1
                yield Reject(record_uri(source_uri, n), STAGE, f"{too_large(max_bytes)}: JSON line {lineno}")
                continue
            if not line.strip():
                continue
            n += 1
            uri = record_uri(source_uri, n)
            try:
                obj = json.loads(_decode_line(line))
            except UnicodeDecodeError as exc:
                yield Reject(uri, STAGE, f"undecodable bytes on line {lineno}: invalid UTF-8 at byte {exc.start}")
                continue
            except json.JSONDecodeError as exc:
                yield Reject(uri, STAGE, f"malformed JSON on line {lineno}: {_describe(exc)}")
                continue
            yield _record(obj, uri, self.name)
