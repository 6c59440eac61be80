"""Ingest: walk input paths and turn every file into raw records through its reader.

Files are opened as streams (gzip-compressed ones decompressed on the fly); readers that can read a
stream (JSON lines, CSV, WARC) never hold the whole file. Every file read whole, and every record
of a streamed one, is capped at ``Settings.max_input_bytes`` of decoded data (see ``read_file``). A
file's reader is chosen by its extension first, then by its content; binary content (images,
archives, ...) is rejected before any reader sees it. Nothing here raises on bad input: every failure becomes a ``Reject`` with its reason.
"""

from __future__ import annotations

import gzip
import logging
import os
import zlib
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, cast

from etl.clean import scrub, sniff_binary
from etl.ingest.base import SNIFF_BYTES, STAGE, Reader, StreamReader, too_large
from etl.ingest.csv_reader import CsvReader
from etl.ingest.discover import discover
from etl.ingest.html import HtmlReader
from etl.ingest.json import JsonReader
from etl.ingest.text import TextReader
from etl.ingest.warc import WarcReader
from etl.records import RawArticle, Reject
from etl.settings import Settings
from etl.storage import RemoteFile

logger = logging.getLogger(__name__)

__all__ = ["READERS", "STAGE", "discover", "iter_records", "read_file", "reader_for"]

# Order matters for content sniffing: the first reader whose ``matches`` accepts a file reads it.
READERS: list[Reader] = [WarcReader(), HtmlReader(), JsonReader(), CsvReader(), TextReader()]

_GZIP_ERRORS = (OSError, EOFError, zlib.error, gzip.BadGzipFile)


def reader_for(name: str, head: bytes) -> Reader | None:
    """The reader for a file: by extension when one claims it, else the first that matches its content."""
    for reader in READERS:
        extensions = getattr(reader, "extensions", ())
        if extensions and name.endswith(tuple(extensions)):
            return reader
    for reader in READERS:
        if reader.matches(name, head):
            return reader
    return None


_BLANK = b" \t\r\n\x0b\x0c\x00"


def _blank(head: bytes, stream: IO[bytes], max_bytes: int) -> str | None:
    """``"blank"`` for a file of nothing but whitespace and NULs, ``"too large"`` when more than
    ``max_bytes`` of them were read (a gzip bomb of zeros), None when the file has content."""
    if head.strip(_BLANK) and head not in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        return None
    seen = len(head)
    while chunk := stream.read(1 << 16):
        if chunk.strip(_BLANK):
            return None
        seen += len(chunk)
        if seen > max_bytes:
            return "too large"
    return "blank"


def read_file(path: Path | RemoteFile, source_uri: str, max_bytes: int | None = None) -> Iterator[RawArticle | Reject]:
    """Records of one file; any failure is a reject, never an exception.

    ``max_bytes`` (default ``Settings().max_input_bytes``) caps the decoded size of a file read
    whole and of each record of a streamed file, so no input can hold more than that in memory.
    """
    if max_bytes is None:
        max_bytes = Settings().max_input_bytes
    for record in _read_file(path, source_uri, max_bytes):
        if isinstance(record, Reject):
            # a reason may quote the input (a CSV header, a parser message): keep it loadable
            record = Reject(record.source_uri, record.stage, scrub(record.reason))
        yield record


def _read_file(path: Path | RemoteFile, source_uri: str, max_bytes: int) -> Iterator[RawArticle | Reject]:
    name = path.name.lower()
    with ExitStack() as stack:
        try:
            raw = stack.enter_context(path.open("rb"))
            compressed = name.endswith(".gz") or raw.read(2) == b"\x1f\x8b"
            size = raw.seek(0, os.SEEK_END)  # a local file or an object-store one alike
            raw.seek(0)
        except OSError as exc:
            yield Reject(source_uri, STAGE, f"unreadable file: {exc.strerror or exc}")
            return
        stream: IO[bytes] = raw
        note = "decompressed" if compressed else ""
        if compressed:
            gz = gzip.GzipFile(fileobj=raw, mode="rb")
            stack.callback(gz.close)
            stream = cast(IO[bytes], gz)
            name = name.removesuffix(".gz")
        try:
            head = stream.read(SNIFF_BYTES)
            blank = _blank(head, stream, max_bytes)
            stream.seek(0)
        except _GZIP_ERRORS as exc:
            yield Reject(source_uri, STAGE, f"corrupt gzip data: {exc}")
            return
        if blank == "too large":
            yield Reject(source_uri, STAGE, too_large(max_bytes, note) + ": whitespace and NUL bytes only")
            return
        if blank:
            yield Reject(source_uri, STAGE, "empty file" + (" (whitespace only)" if head else ""))
            return
        what = sniff_binary(head)
        if what:
            yield Reject(source_uri, STAGE, f"not text: {what}")
            return
        reader = reader_for(name, head)
        if reader is None:
            suffix = Path(name).suffix or "no extension"
            yield Reject(source_uri, STAGE, f"unsupported file type: {suffix}")
            return
        count = 0
        try:
            if isinstance(reader, StreamReader):
                records = reader.read_stream(stream, source_uri, max_bytes)
            else:
                if not compressed and size > max_bytes:
                    yield Reject(source_uri, STAGE, f"{too_large(max_bytes)}: {size:,} bytes")
                    return
                data = stream.read(max_bytes + 1)  # never more than the cap, whatever a gzip holds
                if len(data) > max_bytes:
                    yield Reject(source_uri, STAGE, too_large(max_bytes, note))
                    return
                records = reader.read(data, source_uri)
            for record in records:
                count += 1
                yield record
        except _GZIP_ERRORS as exc:
            where = f" after {count} records" if count else ""
            yield Reject(source_uri, STAGE, f"corrupt gzip data{where}: {exc}")
        except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the batch
            logger.exception("reader %s failed on %s", reader.name, source_uri)
            yield Reject(source_uri, STAGE, f"{reader.name} reader failed: {type(exc).__name__}: {exc}")


def iter_records(inputs: Iterable[Path]) -> Iterator[RawArticle | Reject]:
    for found in discover(inputs):
        if isinstance(found, Reject):
            yield found
        else:
            yield from read_file(found.path, found.uri)
