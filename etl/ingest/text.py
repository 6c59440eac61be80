"""Plain-text articles: the whole file is one article; decoding happens in ``etl.clean``."""

from __future__ import annotations

from collections.abc import Iterator

from etl.records import RawArticle, Reject


class TextReader:
    name = "txt"
    extensions = (".txt", ".text")

    def matches(self, name: str, head: bytes) -> bool:
        # by extension; a file with no extension is read as text when its head has no NUL bytes
        # (UTF-16 text starts with a byte-order mark)
        if name.endswith(self.extensions):
            return True
        stem = name.rsplit("/", 1)[-1]
        return "." not in stem and (b"\x00" not in head or head.startswith((b"\xff\xfe", b"\xfe\xff")))

    def read(self, data: bytes, source_uri: str) -> Iterator[RawArticle | Reject]:
        yield RawArticle(source_uri=source_uri, data=data, format=self.name)
