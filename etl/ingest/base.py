"""The reader interface: one reader per input format.

A reader says whether it handles a file (by name and first bytes) and turns it into a stream of
``RawArticle`` records, or ``Reject`` records for the parts it cannot read. Readers never raise on
bad input: a bad file, or a bad record inside a good file, becomes a ``Reject`` with its reason.

Readers that can work on a stream (JSON lines, CSV, WARC) also implement ``read_stream`` so that a
large multi-record file is never held in memory whole; ``etl.ingest.read_file`` prefers it when
present. Memory is bounded by ``max_bytes`` (``Settings.max_input_bytes``): a whole-file reader is
never given more than that many decoded bytes, and a stream reader rejects any record larger than
that as ``too large`` without holding more of it than the cap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import IO, Any, Protocol, runtime_checkable

from etl.records import RawArticle, Reject
from etl.settings import DEFAULT_MAX_INPUT_BYTES

# How many leading bytes ``matches`` is shown (after gzip decompression).
SNIFF_BYTES = 4096

STAGE = "ingest"


class Reader(Protocol):
    """A format's reader. It may also set ``extensions`` (a tuple of lower-case suffixes): a file
    with one of them goes to this reader before any content sniffing (see ``reader_for``)."""

    name: str

    def matches(self, name: str, head: bytes) -> bool:
        """True when this reader handles a file called ``name`` starting with ``head``.

        ``name`` is lower-cased with any ``.gz`` suffix removed.
        """
        ...

    def read(self, data: bytes, source_uri: str) -> Iterator[RawArticle | Reject]:
        """Yield the file's articles; ``data`` is the whole (decompressed) file."""
        ...


@runtime_checkable
class StreamReader(Protocol):
    """A reader that can also read from a binary stream positioned at the start of the file."""

    name: str

    def read_stream(
        self, stream: IO[bytes], source_uri: str, max_bytes: int = DEFAULT_MAX_INPUT_BYTES
    ) -> Iterator[RawArticle | Reject]:
        """Yield the stream's records; a record over ``max_bytes`` (decoded) is a ``too large`` reject."""
        ...


class RecordTooLarge(Exception):
    """A record (or a file read whole) is over the size cap; its message is the reject reason."""


def size_text(n: int) -> str:
    """``20 MB`` for 20,000,000 bytes; exact bytes when the cap is not a whole number of MB."""
    return f"{n // 1_000_000} MB" if n % 1_000_000 == 0 else f"{n:,} bytes"


def too_large(max_bytes: int, note: str = "") -> str:
    """The reject reason for input over the cap: ``too large (over 20 MB)``, ``... (over 20 MB decompressed)``."""
    return f"too large (over {size_text(max_bytes)}{' ' + note if note else ''})"


def skip_line(stream: IO[bytes]) -> int:
    """Read and drop the rest of the current line, a chunk at a time; the number of bytes dropped."""
    dropped = 0
    while chunk := stream.readline(1 << 20):
        dropped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return dropped


def record_uri(source_uri: str, n: int) -> str:
    """The URI of the ``n``-th (1-based) record of a multi-record file."""
    return f"{source_uri}#{n}"


def strip_head(head: bytes) -> bytes:
    """The head without a byte-order mark and leading whitespace, lower-cased, for sniffing."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip().lower()


# ---------------------------------------------------------------------------------------------
# metadata helpers shared by the structured readers

_EPOCH_MS = 10**11  # a number above this is milliseconds since the epoch


def parse_date(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime from whatever a source calls a date; None when it is not one.

    Naive values are taken as UTC. Bad or implausible dates are dropped (None), never rejected.
    """
    if value is None or value == "":
        return None
    result: datetime | None = None
    try:
        if isinstance(value, datetime):
            result = value
        elif isinstance(value, date):
            result = datetime(value.year, value.month, value.day)
        elif isinstance(value, bool):
            return None
        elif isinstance(value, int | float):
            seconds = value / 1000 if abs(value) > _EPOCH_MS else value
            result = datetime.fromtimestamp(seconds, tz=UTC)
        elif isinstance(value, dict):  # e.g. {"$date": "..."} from a Mongo export
            for key in ("$date", "date", "value"):
                if key in value:
                    return parse_date(value[key])
            return None
        elif isinstance(value, str):
            result = _parse_date_text(value.strip())
        else:
            return None
    except (ValueError, OverflowError, OSError, TypeError):
        return None
    if result is None:
        return None
    if result.tzinfo is None:
        result = result.replace(tzinfo=UTC)
    result = result.astimezone(UTC)
    if not 1800 <= result.year <= 2200:
        return None
    return result


_NUMERIC = re.compile(r"^-?\d{9,13}(\.\d+)?$")


def _parse_date_text(text: str) -> datetime | None:
    if not text:
        return None
    if _NUMERIC.match(text):
        return parse_date(float(text))
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    from dateutil import parser as dateparser

    try:
        return dateparser.parse(text, fuzzy=False)
    except (ValueError, OverflowError, TypeError, dateparser.ParserError):
        return None


_LANG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]+)*$")


def normalise_language(value: Any) -> str | None:
    """``en``, ``en-GB``, ``EN_us`` -> ``en``; anything else -> None."""
    if not isinstance(value, str):
        return None
    match = _LANG.match(value.strip().lower())
    if not match:
        return None
    code = match.group(1)
    return code if len(code) == 2 else None


def text_value(value: Any) -> str | None:
    """A field's text: strings as they are, lists of strings joined a line each; else None."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        joined = "\n".join(v.strip() for v in value if v.strip())
        return joined or None
    return None
