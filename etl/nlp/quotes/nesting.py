"""Nesting: which of several overlapping candidates stay.

Attributions may nest ("X said Y argued that Z" is two rows), except that

* a candidate inside somebody's direct quotation (``“I think we will win,” Smith said``: the
  ``I think`` clause) belongs to the outer speaker's speech and is never a row of its own;
* a direct quote whose cue sits inside another candidate's indirect content wins over it (the
  other keeps the clause before it, or goes);
* a named speaker inside an outlet's report outranks the outlet ("According to AP, Nuland said");
* of two candidates claiming mostly the same text, the more confident one stays.
"""

from __future__ import annotations

from etl.nlp.quotes.candidate import DIRECT, Candidate, kind_of, overlap
from etl.nlp.quotes.config import QuoteConfig
from etl.nlp.quotes.context import Context, has_clause, trim_chars


def inside_quotation(q: Context, c: Candidate) -> bool:
    """Whether a candidate lies within one quotation mark pair and its cue (or, cueless, its
    speaker) does too: words quoted from someone, not an attribution of their own."""
    spans = q.quotes_in(c.start, c.end)
    if len(spans) != 1:
        return False
    s = q.spans[spans[0]]
    if not (s.start < c.start and c.end <= s.end) or (s.start, s.end) == (c.start, c.end):
        return False
    anchor = c.cue if c.cue is not None else c.speaker_head
    return anchor is None or q.in_quote[anchor.i] == spans[0]


def resolve_nesting(q: Context, cands: list[Candidate], config: QuoteConfig) -> list[Candidate]:
    """Nested attributions stay ("X said Y argued that Z" is two), except a direct quote whose
    cue sits inside another, non-direct content ("Asked about X, Lavrov said, “...”"): the
    direct quote wins and the other keeps the clause before it, or goes. Then, of two
    candidates claiming mostly the same text, the more confident stays."""
    cands = sorted((c for c in cands if not inside_quotation(q, c)), key=lambda c: (c.start, -c.end))
    drop: set[int] = set()
    for i, inner in enumerate(cands):
        if inner.cue is None:
            continue
        pos = inner.cue.idx
        for j, outer in enumerate(cands):
            if i == j or j in drop or i in drop:
                continue
            if not any(a <= pos < b for a, b in outer.pieces):
                continue
            if kind_of(q, inner) == DIRECT and kind_of(q, outer) != DIRECT:
                cut = min(pos, inner.start)
                if inner.speaker is not None and 0 <= inner.cue.i - inner.speaker.end <= 2:
                    cut = min(cut, inner.speaker.start_char)
                a, b = outer.pieces[0]
                before = trim_chars(q, a, cut) if cut > a else None
                if (
                    before is not None
                    and before[1] - before[0] >= 12
                    and len(outer.pieces) == 1
                    and has_clause(q, *before)
                ):
                    outer.pieces = [before]
                else:
                    drop.add(j)
    kept = [c for k, c in enumerate(cands) if k not in drop]
    # "According to AP, Nuland said ...", "..., Lavrov said, RIA Novosti reported": the named
    # speaker inside outranks the outlet reporting it
    # (below the 0.5 it used to be capped at, and below each such speaker's own confidence)
    for outer in kept:
        if not outer.reporting:
            continue
        inner_named = [
            inner.confidence
            for inner in kept
            if not inner.reporting and inner.cue is not None and any(a <= inner.cue.idx < b for a, b in outer.pieces)
        ]
        if inner_named:
            outer.confidence = min(outer.confidence, 0.5, min(inner_named) - 0.001)
    # overlapping contents (two cues claiming one quote): keep the more confident
    kept.sort(key=lambda c: -c.confidence)
    out: list[Candidate] = []
    for c in kept:
        if any(c.start < o.end and o.start < c.end and overlap(c, o) > config.overlap_limit for o in out):
            continue
        out.append(c)
    out.sort(key=lambda c: c.start)
    return out

