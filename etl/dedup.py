"""Duplicate detection: exact copies are dropped, near copies are flagged, within a run and across runs.

* Exact: the same normalised body (``content_hash``), whichever file or format it came from.
* Near: a MinHash signature over the article's word 3-gram shingles, indexed with banded LSH
  (datasketch ``MinHashLSH``), so each article costs one signature and one index look-up: linear
  in the corpus. Signatures are computed with numpy (multiply-shift hashing of 32-bit shingle
  hashes, one vectorised pass per article) rather than one Python call per shingle. A candidate
  counts when the estimated Jaccard similarity reaches the threshold; ``near_duplicate_of`` is then
  the article_id of the earliest copy of that family.
* Across runs: every stored article's signature and its LSH band keys are stored in the warehouse
  (tables ``signatures`` and ``signature_bands``). An article with no near copy in the run looks up
  the stored articles that share one of its band keys (an indexed look-up, never a rescan), so
  last night's syndicated copy is flagged tonight. Once a batch is committed its articles leave the
  in-memory index (``forget``): the warehouse answers for them, and memory stays flat.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import replace
from enum import Enum

import numpy as np

from etl.records import CleanArticle

THRESHOLD = 0.8
NUM_PERM = 128
SHINGLE_WORDS = 3

_WORD = re.compile(r"\w+", re.UNICODE)
_EMPTY = np.zeros(0, dtype=np.uint64)
# odd 64-bit multipliers that mix the word hashes of a shingle into one value
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5], dtype=np.uint64)
_WORD_CACHE_MAX = 1_000_000


# stored articles sharing a band key: (article_id, signature bytes, near_duplicate_of)
Lookup = Callable[[list[str]], list[tuple[str, bytes, str | None]]]


class Verdict(Enum):
    NEW = "new"
    DUPLICATE = "duplicate"
    NEAR_DUPLICATE = "near_duplicate"


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def shingles(text: str, k: int = SHINGLE_WORDS) -> list[bytes]:
    """Distinct word k-grams of the text (the whole text when it has fewer words); for inspection."""
    ws = words(text)
    if len(ws) <= k:
        return [" ".join(ws).encode("utf-8")] if ws else []
    return sorted({" ".join(ws[i : i + k]).encode("utf-8") for i in range(len(ws) - k + 1)})


class Deduplicator:
    """Remembers every article it has seen in this run, in arrival order."""

    def __init__(
        self,
        threshold: float = THRESHOLD,
        num_perm: int = NUM_PERM,
        seed: int = 1,
        k: int = SHINGLE_WORDS,
        lookup: Lookup | None = None,
    ) -> None:
        from datasketch import MinHashLSH

        if not 1 <= k <= len(_MIX):
            raise ValueError(f"shingle size must be 1..{len(_MIX)}")
        self.threshold = threshold
        self.num_perm = num_perm
        self.k = k
        self._seed = seed
        rng = np.random.default_rng(seed)
        self._a = rng.integers(1, 2**64 - 1, size=num_perm, dtype=np.uint64, endpoint=True) | np.uint64(1)
        self._b = rng.integers(0, 2**64 - 1, size=num_perm, dtype=np.uint64, endpoint=True)
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._lookup = lookup
        self._word_hash: dict[str, int] = {}
        self._hashes: set[str] = set()
        self._signatures: dict[str, np.ndarray] = {}
        self._root: dict[str, str] = {}  # article_id -> article_id of the earliest copy
        self._order: dict[str, int] = {}
        self.duplicates = 0
        self.near_duplicates = 0

    # -- signatures ------------------------------------------------------------------------------

    def _word_hashes(self, ws: list[str]) -> np.ndarray:
        cache = self._word_hash
        if len(cache) > _WORD_CACHE_MAX:
            cache.clear()  # crc32 is stable, so a cleared cache changes nothing but speed
        get = cache.get
        hs = [get(w) for w in ws]
        if None in hs:
            hs = [
                h if h is not None else cache.setdefault(w, zlib.crc32(w.encode("utf-8")))
                for h, w in zip(hs, ws, strict=True)
            ]
        return np.array(hs, dtype=np.uint64)

    def shingle_hashes(self, text: str) -> np.ndarray:
        """Distinct 32-bit hashes of the text's word k-grams."""
        ws = words(text)
        if not ws:
            return _EMPTY
        h = self._word_hashes(ws)
        k = min(self.k, len(h))
        n = len(h) - k + 1
        mixed = np.zeros(n, dtype=np.uint64)
        with np.errstate(over="ignore"):
            for j in range(k):
                mixed += h[j : j + n] * _MIX[j]
        folded = (mixed >> np.uint64(32)) ^ (mixed & np.uint64(0xFFFFFFFF))
        return np.unique(folded)

    def signature(self, text: str) -> np.ndarray:
        """The MinHash signature (``num_perm`` uint32 values) of the text's shingles."""
        x = self.shingle_hashes(text)
        if not x.size:
            return np.full(self.num_perm, 0xFFFFFFFF, dtype=np.uint32)
        with np.errstate(over="ignore"):
            permuted = (x[:, None] * self._a + self._b) >> np.uint64(32)  # multiply-shift, mod 2**64
        return permuted.min(axis=0).astype(np.uint32)

    def _lean(self, sig: np.ndarray):  # type: ignore[no-untyped-def]
        from datasketch import LeanMinHash

        return LeanMinHash(seed=self._seed, hashvalues=sig, scheme="affine32")

    def band_keys(self, sig: np.ndarray) -> list[str]:
        """The signature's LSH band keys (the same banding as the in-run index): ``<band>:<hash>``."""
        r = self._lsh.r
        return [
            f"{i}:{hashlib.blake2b(sig[i * r : (i + 1) * r].tobytes(), digest_size=8).hexdigest()}"
            for i in range(self._lsh.b)
        ]

    def stored_rows(self, article_id: str) -> tuple[bytes, list[str]] | None:
        """What the warehouse keeps of an article's signature: its bytes and band keys."""
        sig = self._signatures.get(article_id)
        if sig is None:
            return None
        return sig.astype("<u4").tobytes(), self.band_keys(sig)

    def forget(self, article_ids: Iterable[str]) -> None:
        """Drop committed articles from the in-memory index: the warehouse look-up finds them now."""
        for key in article_ids:
            if self._signatures.pop(key, None) is not None:
                self._lsh.remove(key)

    def _stored_near(self, sig: np.ndarray) -> str | None:
        """The earliest stored copy among stored articles sharing a band with ``sig``."""
        if self._lookup is None:
            return None
        best: tuple[float, str] | None = None
        for candidate, raw, root in self._lookup(self.band_keys(sig)):
            other = np.frombuffer(raw, dtype="<u4")
            if other.shape != sig.shape:
                continue
            similarity = float(np.count_nonzero(other == sig)) / self.num_perm
            if similarity >= self.threshold:
                found = root or candidate
                if best is None or found < best[1]:
                    best = (similarity, found)
        return best[1] if best else None

    # -- the check -------------------------------------------------------------------------------

    def seen(self, article: CleanArticle) -> bool:
        """True when an exact copy came earlier in this run."""
        return article.content_hash in self._hashes

    def mark_seen(self, article: CleanArticle) -> None:
        """Remember an article's body without indexing it (it is already stored)."""
        self._hashes.add(article.content_hash)

    def check(self, article: CleanArticle) -> tuple[Verdict, CleanArticle]:
        """The verdict, and the article to keep (with ``near_duplicate_of`` set for a near copy)."""
        if article.content_hash in self._hashes:
            self.duplicates += 1
            return Verdict.DUPLICATE, article
        self._hashes.add(article.content_hash)
        key = article.article_id
        if key in self._order:  # same id, different hash: cannot index it twice
            return Verdict.NEW, article
        sig = self.signature(article.body_text)
        lean = self._lean(sig)
        best: str | None = None
        for candidate in self._lsh.query(lean):
            if candidate not in self._signatures:
                continue
            similarity = float(np.count_nonzero(self._signatures[candidate] == sig)) / self.num_perm
            if similarity < self.threshold:
                continue
            root = self._root[candidate]
            if best is None or self._order[root] < self._order[best]:
                best = root
        self._order[key] = len(self._order)
        self._signatures[key] = sig
        self._lsh.insert(key, lean, check_duplication=False)
        if best is None:
            best = self._stored_near(sig)
            if best is not None:
                self._root[key] = best
                self._order.setdefault(best, -1)
                self.near_duplicates += 1
                return Verdict.NEAR_DUPLICATE, replace(article, near_duplicate_of=best)
        if best is None:
            self._root[key] = key
            return Verdict.NEW, article
        self._root[key] = best
        self.near_duplicates += 1
        return Verdict.NEAR_DUPLICATE, replace(article, near_duplicate_of=best)
