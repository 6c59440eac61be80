"""CSV (and TSV) files with a header row: one article per row.

The file is decoded as a whole (the encoding is detected like a text file's), then read a row at a
time. A row without text rejects that row only; a header without a text column rejects the file.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator

from etl.ingest.base import STAGE, record_uri
from etl.ingest.fields import BODY, body_field, to_raw
from etl.records import RawArticle, Reject

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


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


class CsvReader:
    name = "csv"
    extensions = (".csv", ".tsv")

    def matches(self, name: str, head: bytes) -> bool:
        return name.endswith(self.extensions)

    def read(self, data: bytes, source_uri: str) -> Iterator[RawArticle | Reject]:
        from etl.clean import CleanError, decode

        try:
            text = decode(data)
        except CleanError as exc:
            yield Reject(source_uri, STAGE, str(exc))
            return
        text = text.lstrip("\ufeff")
        lines = text.splitlines(keepends=True)
        rows = csv.reader(lines, _dialect(text[:8192], source_uri.lower().removesuffix(".gz")))
        try:
            header = next(rows)
        except (StopIteration, csv.Error) as exc:
            yield Reject(source_uri, STAGE, f"malformed CSV header: {exc}")
            return
        header = [h.strip() for h in header]
        if body_field(header) is None:
            found = ", ".join(h for h in header if h)[:200] or "none"
            yield Reject(source_uri, STAGE, f"CSV header has no text column (want one of {', '.join(BODY[:4])}; found {found})")
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
            record = dict(zip(header, row, strict=False))
            raw = to_raw(record, uri, self.name)
            if isinstance(raw, str):
                raw = Reject(uri, STAGE, raw.replace("CSV record", f"CSV row at line {rows.line_num}"))
            yield raw
