"""Ingest: walk input paths and turn every file into raw records through its reader.

Files are opened as streams (gzip-compressed ones decompressed on the fly); readers that can read a
stream (JSON lines, WARC) never hold the whole file. A file's reader is chosen by its extension
first, then by its content; binary content (images, archives, ...) is rejected before any reader
sees it. Nothing here raises on bad input: every failure becomes a ``Reject`` with its reason.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, cast

from etl.ingest.base import SNIFF_BYTES, STAGE, Reader, StreamReader
from etl.ingest.csv_reader import CsvReader
from etl.ingest.discover import discover
from etl.ingest.html import HtmlReader
from etl.ingest.json import JsonReader
from etl.ingest.text import TextReader
from etl.ingest.warc import WarcReader
from etl.records import RawArticle, Reject

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


def _is_blank(head: bytes, stream: IO[bytes]) -> bool:
    if head.strip(b" \t\r\n\x0b\x0c\x00") and head not in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        return False
    while chunk := stream.read(1 << 16):
        if chunk.strip(b" \t\r\n\x0b\x0c\x00"):
            return False
    return True


def read_file(path: Path, source_uri: str) -> Iterator[RawArticle | Reject]:
    """Records of one file; any failure is a reject, never an exception."""
    from etl.clean import sniff_binary

    name = path.name.lower()
    with ExitStack() as stack:
        try:
            raw = stack.enter_context(path.open("rb"))
            compressed = name.endswith(".gz") or raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
        except OSError as exc:
            yield Reject(source_uri, STAGE, f"unreadable file: {exc.strerror or exc}")
            return
        stream: IO[bytes] = raw
        if compressed:
            gz = gzip.GzipFile(fileobj=raw, mode="rb")
            stack.callback(gz.close)
            stream = cast(IO[bytes], gz)
            name = name.removesuffix(".gz")
        try:
            head = stream.read(SNIFF_BYTES)
            blank = _is_blank(head, stream)
            stream.seek(0)
        except _GZIP_ERRORS as exc:
            yield Reject(source_uri, STAGE, f"corrupt gzip data: {exc}")
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
                records = reader.read_stream(stream, source_uri)
            else:
                records = reader.read(stream.read(), source_uri)
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
