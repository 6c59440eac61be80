"""Duplicate detection inside a run: exact copies are dropped, near copies are flagged.

* Exact: the same normalised body (``content_hash``), whichever file or format it came from.
* Near: MinHash signatures over word 3-gram shingles, indexed with banded LSH (datasketch), so each
  article costs one signature and one index look-up, linear in the corpus. A candidate counts when
  its estimated Jaccard similarity reaches the threshold; ``near_duplicate_of`` is then the
  article_id of the earliest copy of that family seen in the run.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import replace
from enum import Enum

import numpy as np

from etl.ids import normalise_for_hash
from etl.records import CleanArticle

THRESHOLD = 0.8
NUM_PERM = 128
SHINGLE_WORDS = 3

_WORD = re.compile(r"\w+", re.UNICODE)


class Verdict(Enum):
    NEW = "new"
    DUPLICATE = "duplicate"
    NEAR_DUPLICATE = "near_duplicate"


def _crc32(data: bytes) -> int:
    return zlib.crc32(data)


def shingles(text: str, k: int = SHINGLE_WORDS) -> list[bytes]:
    """Distinct word k-grams of the normalised text (the whole text when it has fewer words)."""
    words = _WORD.findall(normalise_for_hash(text))
    if len(words) <= k:
        return [" ".join(words).encode("utf-8")] if words else []
    return list({" ".join(words[i : i + k]).encode("utf-8") for i in range(len(words) - k + 1)})


class Deduplicator:
    """Remembers every article it has seen in this run, in arrival order."""

    def __init__(self, threshold: float = THRESHOLD, num_perm: int = NUM_PERM, seed: int = 1) -> None:
        from datasketch import MinHash, MinHashLSH

        self.threshold = threshold
        self.num_perm = num_perm
        self._minhash = MinHash
        self._seed = seed
        # permutations are drawn once and shared by every signature
        self._template = MinHash(num_perm=num_perm, seed=seed, hashfunc=_crc32)
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._hashes: set[str] = set()
        self._signatures: dict[str, np.ndarray] = {}
        self._root: dict[str, str] = {}  # article_id -> article_id of the earliest copy
        self._order: dict[str, int] = {}
        self.duplicates = 0
        self.near_duplicates = 0

    def signature(self, text: str):  # type: ignore[no-untyped-def]
        m = self._minhash(num_perm=self.num_perm, seed=self._seed, hashfunc=_crc32, permutations=self._template.permutations, scheme=self._template.scheme)
        grams = shingles(text)
        if grams:
            m.update_batch(grams)
        return m

    def check(self, article: CleanArticle) -> tuple[Verdict, CleanArticle]:
        """The verdict, and the article to keep (with ``near_duplicate_of`` set for a near copy)."""
        if article.content_hash in self._hashes:
            self.duplicates += 1
            return Verdict.DUPLICATE, article
        self._hashes.add(article.content_hash)
        key = article.article_id
        if key in self._order:  # same id, different hash: cannot index it twice
            return Verdict.NEW, article
        m = self.signature(article.body_text)
        best: str | None = None
        for candidate in self._lsh.query(m):
            other = self._signatures[candidate]
            similarity = float(np.count_nonzero(other == m.hashvalues.astype(np.uint32))) / self.num_perm
            if similarity < self.threshold:
                continue
            root = self._root[candidate]
            if best is None or self._order[root] < self._order[best]:
                best = root
        self._order[key] = len(self._order)
        self._signatures[key] = m.hashvalues.astype(np.uint32)
        self._lsh.insert(key, m, check_duplication=False)
        if best is None:
            self._root[key] = key
            return Verdict.NEW, article
        self._root[key] = best
        self.near_duplicates += 1
        return Verdict.NEAR_DUPLICATE, replace(article, near_duplicate_of=best)
