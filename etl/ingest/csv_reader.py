"""CSV (and TSV) files with a header row: one article per row, read as a stream.

The encoding is chosen from the file's first 64 KiB the way a text file's is (BOM, UTF-8, then
cp1252/Latin-1 or detection); the rest is decoded row by row, so a large export is never held in
memory whole. A row without text, or with bytes the encoding cannot read, rejects that row only; a
header without a text column rejects the file. A row over the size cap is rejected without holding
more of it than the cap; reading goes on at the next line when the oversized row was one line with
its quotes closed, else the rest of the file is left unread (its row boundaries cannot be trusted).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sys
from collections.abc import Iterator
from typing import IO

from etl.ingest.base import STAGE, RecordTooLarge, record_uri, too_large
from etl.ingest.fields import BODY, body_field, to_raw
from etl.records import RawArticle, Reject
from etl.settings import DEFAULT_MAX_INPUT_BYTES

# the size cap is enforced on the lines fed to the parser (``_Lines``), not by the csv module
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


_LINE_ENDS = ("\n", "\r")  # the text is read with newline="": "\r\n" and a lone "\r" end lines too


class _Lines:
    """The text's lines for ``csv.reader``, raising ``RecordTooLarge`` when one row grows over the cap.

    Lines are read at most ``max_chars + 1`` characters at a time, so an endless line is never held
    whole; when one is met the rest of it is read and dropped. ``csv.reader`` survives an exception
    from its input and starts a fresh row on the next call.
    """

    def __init__(self, text: IO[str], max_chars: int, quotechar: str | None) -> None:
        self._text = text
        self._max = max_chars
        self._quote = quotechar
        self.row_chars = 0
        self.lines = 0
        self.resync = True  # False once an oversized row leaves the parser's position unknown

    def start_row(self) -> None:
        self.row_chars = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._text.readline(self._max + 1)
        if not line:
            raise StopIteration
        self.lines += 1
        first_line = self.row_chars == 0
        self.row_chars += len(line)
        if len(line) > self._max and not line.endswith(_LINE_ENDS):
            quotes = line.count(self._quote) if self._quote else 0
            while chunk := self._text.readline(1 << 20):
                quotes += chunk.count(self._quote) if self._quote else 0
                if chunk.endswith(_LINE_ENDS):
                    break
            # a one-line row with balanced quotes ends at this line's end; anything else may not
            self.resync = first_line and quotes % 2 == 0
            raise RecordTooLarge(too_large(self._max))
        if self.row_chars > self._max:
            self.resync = False  # a quoted field running over many lines: where does it end?
            raise RecordTooLarge(too_large(self._max))
        return line


class CsvReader:
    name = "csv"
    extensions = (".csv", ".tsv")

    def matches(self, name: str, head: bytes) -> bool:
        return name.endswith(self.extensions)

    def read(self, data: bytes, source_uri: str) -> Iterator[RawArticle | Reject]:
        yield from self.read_stream(io.BytesIO(data), source_uri)

    def read_stream(
        self, stream: IO[bytes], source_uri: str, max_bytes: int = DEFAULT_MAX_INPUT_BYTES
    ) -> Iterator[RawArticle | Reject]:
        head = stream.read(SAMPLE_BYTES)
        stream.seek(0)
        encoding = _encoding(head)
        text = io.TextIOWrapper(stream, encoding=encoding, errors="surrogateescape", newline="")  # type: ignore[arg-type]
        sample = head.decode(encoding, errors="replace").lstrip("\ufeff")
        dialect = _dialect(sample[:8192], source_uri.lower().removesuffix(".gz"))
        lines = _Lines(text, max_bytes, dialect.quotechar)
        rows = csv.reader(lines, dialect)
        try:
            header = next(rows)
        except (StopIteration, csv.Error, RecordTooLarge) as exc:
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
            lines.start_row()
            try:
                row = next(rows)
            except StopIteration:
                break
            except RecordTooLarge as exc:
                n += 1
                rest = "" if lines.resync else " (rest of the file unread)"
                yield Reject(record_uri(source_uri, n), STAGE, f"{exc}: CSV row at line {lines.lines}{rest}")
                if not lines.resync:
                    return
                continue
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
