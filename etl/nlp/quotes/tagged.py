"""What the token tagger (``etl.nlp.quotes.tagger``) adds to the rules: contents no rule reached,
with the cue and speaker it reads around them, and rule contents widened over the tagged tokens
right next to them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from etl.nlp.quotes.candidate import Candidate
from etl.nlp.quotes.config import QuoteConfig
from etl.nlp.quotes.context import Context
from etl.nlp.quotes.tagger import load_tagger


def widen_by_tags(q: Context, content: np.ndarray, cands: list[Candidate]) -> None:
    """A rule's content that is one unquoted piece grows over the tokens next to it that the
    tagger reads as content (the clause the parse cut off, the sentence that goes on), up to a
    line break, a quotation or another candidate."""
    doc = q.doc
    taken = np.zeros(len(doc), dtype=bool)
    bounds = []
    for c in cands:
        first, end = q.token_range(c.start, c.end)
        taken[first:end] = True
        bounds.append((first, end))
    blocked = taken | ~content | (np.asarray(q.in_quote) >= 0)
    for c, (first, end) in zip(cands, bounds, strict=True):
        if len(c.pieces) != 1 or c.origin == "tagger" or end - first < 4 or q.in_quote[first] >= 0:
            continue
        lo, hi = first, end
        while hi < len(doc) and not blocked[hi]:
            hi += 1
        while lo > 0 and not blocked[lo - 1]:
            lo -= 1
        if (lo, hi) != (first, end):
            c.pieces = [(doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1]))]
            taken[lo:hi] = True
            blocked[lo:hi] = True


def tagged_contents(q: Context, cands: Sequence[Candidate], config: QuoteConfig) -> list[Candidate]:
    """Runs of tokens the tagger reads as content (inside one paragraph, at least
    ``min_tagged_tokens`` long, mean probability at least the shipped threshold) that overlap no
    candidate: contents no rule reached. Their cue and speaker are what the tagger reads as such
    in the same sentences, if anything."""
    threshold = config.run_threshold
    if threshold is None:
        loaded = load_tagger()
        threshold = float(loaded[1]["run_threshold"]) if loaded is not None else None
    if q.tags is None or q.tagged_content is None or threshold is None:
        return []
    doc = q.doc
    inside = np.concatenate([[False], q.tagged_content, [False]])
    edges = np.flatnonzero(inside[1:] != inside[:-1])
    taken = [(c.start, c.end) for c in cands]
    out = []
    for first, end in zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True):
        if end - first < config.min_tagged_tokens:
            continue
        mean = float(q.tags[first:end, 0].mean())
        a, b = doc[first].idx, doc[end - 1].idx + len(doc[end - 1])
        if mean >= threshold and not any(s < b and a < e for s, e in taken):
            made = Candidate([(a, b)], None, "", None, mean, origin="tagger")
            tagged_speaker(q, q.tags, made, first, end)
            out.append(made)
    return out



def tagged_speaker(q: Context, tags: np.ndarray, c: Candidate, first: int, end: int) -> None:
    """The cue and the speaker of a tagged content: the tokens of its sentences, outside it, that
    the tagger reads as most cue-like and (nearest) source-like, when it reads them so at all."""
    doc = q.doc
    lo, hi = q.sentence_bounds(first)[0], q.sentence_bounds(end - 1)[1]
    around = [i for i in range(lo, hi) if not first <= i < end]
    if not around:
        return
    cues = [i for i in around if tags[i, 1] >= 0.5]
    if cues:
        cue = doc[max(cues, key=lambda i: tags[i, 1])]
        c.cue, c.cue_text = cue, cue.text
    sources = [i for i in around if tags[i, 2] >= 0.5]
    if sources:
        head = doc[min(sources, key=lambda i: min(abs(i - first), abs(i - end)))]
        while head.dep_ in ("compound", "flat", "amod", "det") and lo <= head.head.i < hi and not first <= head.head.i < end:
            head = head.head
        c.speaker, c.speaker_head = q.speakers.phrase(head), head

