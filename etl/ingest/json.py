"""JSON news records: news-please output (.json, one object or a list) and JSON lines (.jsonl, .ndjson).

JSON lines are read a line at a time from the stream; a malformed line rejects that line only.
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator
from typing import IO, Any

from etl.ingest.base import STAGE, record_uri, strip_head
from etl.ingest.fields import to_raw
from etl.records import RawArticle, Reject

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


class JsonReader:
    name = "json"
    extensions = (".jsonl", ".ndjson", ".jsonlines", ".json")

    def matches(self, name: str, head: bytes) -> bool:
        return name.endswith(self.extensions) or strip_head(head)[:1] in (b"{", b"[")

    def read(self, data: bytes, source_uri: str) -> Iterator[RawArticle | Reject]:
        yield from self.read_stream(io.BytesIO(data), source_uri)

    def read_stream(self, stream: IO[bytes], source_uri: str) -> Iterator[RawArticle | Reject]:
        head = stream.read(4)
        stream.seek(0)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            # rare, but valid: re-encode the stream as UTF-8 on the fly
            text = io.TextIOWrapper(stream, encoding="utf-16")
            stream = io.BytesIO(text.read().encode("utf-8"))
        first = strip_head(stream.read(4096))[:1]
        stream.seek(0)
        if first == b"[" or source_uri.lower().removesuffix(".gz").endswith(".json"):
            yield from self._read_document(stream, source_uri)
        else:
            yield from self._read_lines(stream, source_uri)

    def _read_document(self, stream: IO[bytes], source_uri: str) -> Iterator[RawArticle | Reject]:
        data = stream.read()
        try:
            text = _decode_line(data).lstrip("\ufeff")
            doc = json.loads(text)
        except UnicodeDecodeError as exc:
            yield Reject(source_uri, STAGE, f"undecodable bytes: invalid UTF-8 at byte {exc.start}")
            return
        except json.JSONDecodeError as exc:
            if _first_line_is_object(data):  # several documents, one a line: JSON lines named .json
                yield from self._read_lines(io.BytesIO(data), source_uri)
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

    def _read_lines(self, stream: IO[bytes], source_uri: str) -> Iterator[RawArticle | Reject]:
        n = 0
        for lineno, line in enumerate(stream, 1):
            if lineno == 1:
                line = line.removeprefix(codecs.BOM_UTF8)
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
