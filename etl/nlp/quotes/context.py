"""Per-article state shared by every rule: the quotation spans, token look-ups, paragraphs, the
tagger's readings and the speaker resolver, plus the span helpers the rules cut contents with."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np
from spacy.attrs import IDX, IS_SPACE, SENT_START
from spacy.tokens import Doc, Token

from etl.nlp.quotes.marks import DOUBLE_CLOSERS, OPENERS, find_quote_spans, paragraph_bounds, quote_index
from etl.nlp.quotes.speakers import Speakers
from etl.nlp.quotes.tagger import tag
from etl.records import Mention


def trim(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Token range [start, end) without edge punctuation and spaces (quotation marks stay)."""
    while start < end and (doc[start].is_space or (doc[start].is_punct and doc[start].text[0] not in OPENERS + "‘“")):
        start += 1
    while end > start and (
        doc[end - 1].is_space or (doc[end - 1].is_punct and doc[end - 1].text[-1] not in DOUBLE_CLOSERS + "’'")
    ):
        end -= 1
    if start >= end:
        return None
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)


def has_clause(q: Context, start: int, end: int) -> bool:
    """Whether a stretch of text holds a finite verb (a clause, not just a noun phrase)."""
    span = q.doc.char_span(start, end, alignment_mode="contract")
    return span is not None and any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in span)


def trim_chars(q: Context, start: int, end: int) -> tuple[int, int] | None:
    span = q.doc.char_span(start, end, alignment_mode="contract")
    if span is None or not len(span):
        return None
    return trim(q.doc, span.start, span.end)


def subtree_chars(tok: Token) -> tuple[int, int] | None:
    return trim(tok.doc, tok.left_edge.i, tok.right_edge.i + 1)


class Context:
    """Per-article state: quote spans, token lookups, the person index."""

    def __init__(self, doc: Doc, mentions: Sequence[Mention], tags: np.ndarray | None = None, text: str | None = None):
        self.doc = doc
        # ``doc.text`` joins every token anew: take the caller's copy when it has the right length
        fits = text is not None and len(doc) and len(text) == doc[-1].idx + len(doc[-1].text_with_ws)
        self.text = text if fits and text is not None else doc.text
        self.spans = find_quote_spans(self.text)
        self.span_starts = [q.start for q in self.spans]
        self.paragraphs = paragraph_bounds(self.text)
        self.para_starts = [a for a, _ in self.paragraphs]
        self.token_starts: list[int] = doc.to_array([IDX]).tolist()
        self.in_quote = quote_index(doc, self.spans, self.token_starts)
        self.speakers = Speakers(doc, mentions, self.in_quote)
        # per token: the tagger's probabilities of content, cue and source (None without weights)
        self.tags = tags if tags is not None else tag(doc, self.in_quote, self.text)
        # tokens the tagger reads as content (never a space token: no run crosses a line break)
        self._tag_sums: np.ndarray | None = None
        self._sentence_starts: list[int] | None = None
        self.tagged_content = (
            None if self.tags is None else (self.tags[:, 0] >= 0.5) & ~doc.to_array([IS_SPACE]).astype(bool)
        )

    def token_range(self, start: int, end: int) -> tuple[int, int]:
        """The tokens [first, last + 1) that the characters [start, end) touch."""
        return bisect.bisect_right(self.token_starts, start) - 1, bisect.bisect_left(self.token_starts, end)

    def sentence_bounds(self, i: int) -> tuple[int, int]:
        """The tokens [start, end) of token ``i``'s sentence (``Token.sent`` walks the parse each
        time; this looks it up in the sentence starts, found once per article)."""
        if self._sentence_starts is None:
            starts = np.flatnonzero(self.doc.to_array([SENT_START]) == 1).tolist()
            self._sentence_starts = [0, *(k for k in starts if k)] + [len(self.doc)]
        k = bisect.bisect_right(self._sentence_starts, i) - 1
        return self._sentence_starts[k], self._sentence_starts[k + 1]

    def tag_sums(self) -> np.ndarray:
        """Running sums of the tagger's readings, built once per article: row ``i`` holds the
        sums over the tokens [0, i), so a stretch's sum is two look-ups. Needs the tagger."""
        if self.tags is None:
            raise ValueError("no tagger readings")
        if self._tag_sums is None:
            self._tag_sums = np.vstack(
                [np.zeros((1, self.tags.shape[1])), np.cumsum(self.tags, axis=0, dtype=np.float64)]
            )
        return self._tag_sums

    def mean_tag(self, first: int, end: int, column: int) -> float:
        """The tagger's mean reading of ``column`` (0 content, 1 cue, 2 source) over the tokens
        [first, end) (``tag_sums``); 0 without the tagger."""
        if self.tags is None or end <= first:
            return 0.0
        sums = self.tag_sums()
        return float((sums[end, column] - sums[first, column]) / (end - first))

    def paragraph_of(self, char: int) -> int:
        return bisect.bisect_right(self.para_starts, char) - 1

    def quotes_in(self, start: int, end: int) -> list[int]:
        lo = bisect.bisect_left(self.span_starts, start)
        while lo > 0 and self.spans[lo - 1].end > start:
            lo -= 1
        out = []
        for qi in range(lo, len(self.spans)):
            q = self.spans[qi]
            if q.start >= end:
                break
            if q.end > start:
                out.append(qi)
        return out

    def widen(self, start: int, end: int) -> tuple[int, int, set[int]]:
        """Widen a content span to the whole of any quotation it mostly covers."""
        used = set()
        for qi in self.quotes_in(start, end):
            q = self.spans[qi]
            inner = max(1, q.end - q.start - 2)
            covered = min(end, q.end) - max(start, q.start)
            inside = q.start <= start and end <= q.end
            if inside or covered >= 0.5 * inner or (start <= q.start + 1 and end >= q.end - 3):
                start, end = min(start, q.start), max(end, q.end)
                used.add(qi)
            elif q.start >= start and q.end > end:
                pass
        for qi in self.quotes_in(start, end):
            q = self.spans[qi]
            if q.start >= start and q.end <= end:
                used.add(qi)
        return start, end, used
