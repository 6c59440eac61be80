"""Headlines inside the body: a first paragraph that reads as a headline (``etl.clean``'s own
test, question and exclamation headlines included) yields a quote only when it carries its own
attribution (``Blair: ...``, ``Trump says ...``): its speaker must be in the headline too. A body
quote never takes a piece from it."""

from __future__ import annotations

from etl.clean import looks_like_title
from etl.nlp.quotes.candidate import Candidate
from etl.nlp.quotes.context import Context


def headline_bounds(q: Context) -> tuple[int, int] | None:
    """The first paragraph, when it is a headline."""
    if len(q.paragraphs) < 2:
        return None
    (a, b), rest = q.paragraphs[0], q.paragraphs[1:]
    if not looks_like_title(q.text[a:b], [q.text[x:y] for x, y in rest[:1]]):
        return None
    return a, b


def keep_headline_quotes(q: Context, cands: list[Candidate]) -> list[Candidate]:
    bounds = headline_bounds(q)
    if bounds is None:
        return cands
    a, b = bounds
    out = []
    for c in cands:
        inside = [(s, e) for s, e in c.pieces if s < b]
        if not inside:
            out.append(c)
            continue
        own = c.speaker is not None and a <= c.speaker.start_char < b
        if own and len(inside) == len(c.pieces):
            out.append(c)
        elif not own and len(inside) < len(c.pieces):
            c.pieces = [(s, e) for s, e in c.pieces if s >= b]  # a body quote keeps its body pieces
            out.append(c)
    return out
