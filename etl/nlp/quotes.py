"""Quote extraction: who said what. (Extraction itself is built in its own issue.)"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc

from etl.records import Mention, Quote


def extract_quotes(doc: Doc, article_id: str, mentions: Sequence[Mention]) -> list[Quote]:
    """Every attributed statement in ``doc``; offsets index ``doc.text`` (the clean body)."""
    return []
