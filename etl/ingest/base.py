"""The reader interface: one reader per input format.

A reader says whether it handles a file (by name and first bytes) and turns it into a stream of
``RawArticle`` records, or ``Reject`` records for the parts it cannot read. Readers never raise on
bad input: a bad file, or a bad record inside a good file, becomes a ``Reject`` with its reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from etl.records import RawArticle, Reject

# How many leading bytes ``matches`` is shown (after gzip decompression).
SNIFF_BYTES = 4096


class Reader(Protocol):
    name: str

    def matches(self, name: str, head: bytes) -> bool:
        """True when this reader handles a file called ``name`` starting with ``head``.

        ``name`` is lower-cased with any ``.gz`` suffix removed.
        """
        ...

    def read(self, data: bytes, source_uri: str) -> Iterator[RawArticle | Reject]:
        """Yield the file's articles; ``data`` is the whole (decompressed) file."""
        ...


def source_uri_for(path: Path, root: Path) -> str:
    """The path relative to the input root, with forward slashes; the file name for a file root."""
    if root.is_file():
        return path.name
    return path.relative_to(root).as_posix()
