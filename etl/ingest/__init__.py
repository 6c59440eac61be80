"""Ingest: walk input paths and turn every file into raw records through its reader."""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from etl.ingest.base import SNIFF_BYTES, Reader, source_uri_for
from etl.ingest.text import TextReader
from etl.records import RawArticle, Reject

logger = logging.getLogger(__name__)

STAGE = "ingest"

# Order matters: the first reader that matches a file reads it.
READERS: list[Reader] = [TextReader()]


def discover(inputs: Iterable[Path]) -> Iterator[tuple[Path, Path]]:
    """Every file under the inputs, recursively, in a stable order, as (file, root) pairs.

    Hidden files and folders (a leading dot or underscore) are skipped.
    """
    for root in inputs:
        root = Path(root)
        if root.is_file():
            yield root, root
            continue
        if not root.exists():
            raise FileNotFoundError(f"input path does not exist: {root}")
        for path in sorted(root.rglob("*")):
            rel = path.relative_to(root).parts
            if any(part.startswith((".", "_")) for part in rel):
                continue
            if path.is_file():
                yield path, root


def reader_for(name: str, head: bytes) -> Reader | None:
    for reader in READERS:
        if reader.matches(name, head):
            return reader
    return None


def read_file(path: Path, source_uri: str) -> Iterator[RawArticle | Reject]:
    """Records of one file; any failure is a reject, never an exception."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield Reject(source_uri, STAGE, f"unreadable file: {exc.strerror or exc}")
        return
    name = path.name.lower()
    if name.endswith(".gz") or data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            yield Reject(source_uri, STAGE, f"corrupt gzip data: {exc}")
            return
        name = name.removesuffix(".gz")
    if not data.strip():
        yield Reject(source_uri, STAGE, "empty file")
        return
    reader = reader_for(name, data[:SNIFF_BYTES])
    if reader is None:
        yield Reject(source_uri, STAGE, f"unsupported file type: {path.suffix or 'no extension'}")
        return
    try:
        yield from reader.read(data, source_uri)
    except Exception as exc:  # noqa: BLE001 - a reader bug must not stop the batch
        logger.exception("reader %s failed on %s", reader.name, source_uri)
        yield Reject(source_uri, STAGE, f"{reader.name} reader failed: {type(exc).__name__}: {exc}")


def iter_records(inputs: Iterable[Path]) -> Iterator[RawArticle | Reject]:
    for path, root in discover(inputs):
        yield from read_file(path, source_uri_for(path, root))
