"""Stable identifiers derived from content, never from run order."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WS = re.compile(r"\s+")


def digest(*parts: object, length: int = 16) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(str(part).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


def normalise_for_hash(text: str) -> str:
    """The form two bodies must share to count as exact duplicates."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def content_hash(body_text: str) -> str:
    return hashlib.sha256(normalise_for_hash(body_text).encode("utf-8")).hexdigest()


def article_id(content_hash_hex: str) -> str:
    return content_hash_hex[:16]


def entity_id(label: str, canonical_name: str) -> str:
    return digest("entity", label, canonical_name.casefold())


def quote_id(article: str, start: int, end: int) -> str:
    return digest("quote", article, start, end)
