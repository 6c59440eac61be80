"""WARC archives (.warc, .warc.gz): every response record holding an HTML page is one article.

Read as a stream with warcio, a record at a time. The record's target URI is the article's URL.
Request, metadata, warcinfo and revisit records are not articles and are skipped silently; a
response record without an HTML page in it (an image, a redirect, an error page) is a reject, and
so is a payload over the size cap (read no further than the cap; warcio skips the rest).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import IO

from etl.ingest.base import STAGE, record_uri, too_large
from etl.ingest.html import html_to_raw, looks_like_html
from etl.records import RawArticle, Reject
from etl.settings import DEFAULT_MAX_INPUT_BYTES

_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
_SKIP = {"request", "metadata", "warcinfo", "revisit", "conversion", "continuation"}


class WarcReader:
    name = "warc"
    extensions = (".warc", ".arc")

    def matches(self, name: str, head: bytes) -> bool:
        return name.endswith(self.extensions) or head.startswith((b"WARC/", b"filedesc://"))

    def read(self, data: bytes, source_uri: str) -> Iterator[RawArticle | Reject]:
        yield from self.read_stream(io.BytesIO(data), source_uri)

    def read_stream(
        self, stream: IO[bytes], source_uri: str, max_bytes: int = DEFAULT_MAX_INPUT_BYTES
    ) -> Iterator[RawArticle | Reject]:
        from warcio.archiveiterator import ArchiveIterator
        from warcio.exceptions import ArchiveLoadFailed

        n = 0
        try:
            for record in ArchiveIterator(stream, arc2warc=True):
                n += 1
                if record.rec_type in _SKIP:
                    continue
                yield self._record(record, record_uri(source_uri, n), max_bytes)
        except ArchiveLoadFailed as exc:
            yield Reject(
                record_uri(source_uri, n + 1) if n else source_uri, STAGE, f"malformed WARC: {str(exc).strip()[:200]}"
            )

    def _record(self, record, uri: str, max_bytes: int) -> RawArticle | Reject:  # type: ignore[no-untyped-def]
        try:
            return self._read_record(record, uri, max_bytes)
        except Exception as exc:  # noqa: BLE001 - one bad record must not lose the rest of the archive
            return Reject(uri, STAGE, f"unreadable WARC record: {type(exc).__name__}: {exc}")

    def _read_record(self, record, uri: str, max_bytes: int) -> RawArticle | Reject:  # type: ignore[no-untyped-def]
        url = record.rec_headers.get_header("WARC-Target-URI") or None
        if record.http_headers is not None:
            status = record.http_headers.get_statuscode()
            if status and not status.startswith("2"):
                return Reject(uri, STAGE, f"WARC record has no HTML payload: HTTP status {status}")
            ctype = record.http_headers.get_header("Content-Type") or ""
        else:
            ctype = record.rec_headers.get_header("Content-Type") or ""
        ctype = ctype.split(";", 1)[0].strip().lower()
        if ctype and ctype not in _HTML_TYPES and not ctype.startswith("text/"):
            # an image, a video, a PDF: say so without reading the payload
            return Reject(uri, STAGE, f"WARC record has no HTML payload: {ctype}")
        payload = record.content_stream().read(max_bytes + 1)
        if len(payload) > max_bytes:
            return Reject(uri, STAGE, f"{too_large(max_bytes)}: WARC record payload")
        if not payload.strip():
            return Reject(uri, STAGE, "WARC record has no HTML payload: empty body")
        if ctype not in _HTML_TYPES and not looks_like_html(payload[:4096]):
            return Reject(uri, STAGE, f"WARC record has no HTML payload: {ctype or 'no content type'}")
        return html_to_raw(payload, uri, self.name, url=url)
