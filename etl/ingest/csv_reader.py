"""CSV (and TSV) files with a header row: one article per row, read as a stream.

The encoding is chosen from the file's first 64 KiB the way a text file's is (BOM, UTF-8, then
cp1252/Latin-1 or detection); the rest is decoded row by row, so a large export is never held in
memory whole. A row without text, or with bytes the encoding cannot read, rejects that row only; a
header without a text column rejects the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from collections.abc import Iterator
from typing import IO

from etl.ingest.base import STAGE, record_uri
from etl.ingest.fields import BODY, body_field, to_raw
from etl.records import RawArticle, Reject

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

SAMPLE_BYTES = 1 << 16
_UNDECODABLE = re.compile("[\udc80-\udcff]")


def _dialect(sample: str, name: str) -> type[csv.Dialect] | csv.Dialect:
    if name.endswith(".tsv"):
        return csv.excel_tab
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        return csv.excel
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=delimiter)
        dialect.doublequote = True
        return dialect
    except csv.Error:
        return csv.excel_tab if delimiter == "\t" else csv.excel


def _encoding(head: bytes) -> str:
    """The file's encoding, judged from its head (a cut multi-byte character at the end is fine)."""
    from etl.clean import CleanError, decode

    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 3 and exc.reason in ("unexpected end of data",):
            return "utf-8"
    try:
        text = decode(head)
    except CleanError:
        return "utf-8"  # rows that do not decode are rejected one by one
    for candidate in ("cp1252", "latin-1"):
        try:
            if head.decode(candidate) == text:
                return candidate
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    return best.encoding if best else "utf-8"


class CsvReader:
    name = "csv"
    extensions = (".csv", ".tsv")

    def matches(self, name: str, head: bytes) -> bool:
        return name.endswith(self.extensions)

    def read(self, data: bytes, source_uri: str) -> Iterator[RawArticle | Reject]:
        yield from self.read_stream(io.BytesIO(data), source_uri)

    def read_stream(self, stream: IO[bytes], source_uri: str) -> Iterator[RawArticle | Reject]:
        head = stream.read(SAMPLE_BYTES)
        stream.seek(0)
        encoding = _encoding(head)
        text = io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")  # type: ignore[arg-type]
        sample = head.decode(encoding, errors="replace").lstrip("\ufeff")
        rows = csv.reader(text, _dialect(sample[:8192], source_uri.lower().removesuffix(".gz")))
        try:
            header = next(rows)
        except (StopIteration, csv.Error) as exc:
            yield Reject(source_uri, STAGE, f"malformed CSV header: {exc}")
            return
        header = [h.strip().lstrip("\ufeff") for h in header]
        if body_field(header) is None:
            found = ", ".join(h for h in header if h)[:200] or "none"
            yield Reject(
                source_uri, STAGE, f"CSV header has no text column (want one of {', '.join(BODY[:4])}; found {found})"
            )
            return
        n = 0
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except csv.Error as exc:
                n += 1
                yield Reject(record_uri(source_uri, n), STAGE, f"malformed CSV row at line {rows.line_num}: {exc}")
                continue
            if not any(cell.strip() for cell in row):
                continue
            n += 1
            uri = record_uri(source_uri, n)
            if any(_UNDECODABLE.search(cell) for cell in row):
                yield Reject(uri, STAGE, f"undecodable bytes in CSV row at line {rows.line_num}: not {encoding}")
                continue
            raw = to_raw(dict(zip(header, row, strict=False)), uri, self.name)
            if isinstance(raw, str):
                yield Reject(uri, STAGE, raw.replace("CSV record", f"CSV row at line {rows.line_num}"))
            else:
                yield raw
