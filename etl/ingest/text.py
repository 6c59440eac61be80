"""Plain-text articles: the whole file is one article; decoding happens in ``etl.clean``."""

from __future__ import annotations

from collections.abc import Iterator

from etl.records import RawArticle, Reject


class TextReader:
    name = "txt"

    def matches(self, name: str, head: bytes) -> bool:
        return name.endswith((".txt", ".text"))

    def read(self, data: bytes, source_uri: str) -> Iterator[RawArticle | Reject]:
        yield RawArticle(source_uri=source_uri, data=data, format=self.name)
