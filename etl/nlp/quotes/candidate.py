"""One candidate attribution while the rules run: its pieces, cue, speaker and confidence, and
the kind of quote its pieces make."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Span, Token

from etl.nlp.quotes.context import Context
from etl.nlp.quotes.marks import is_title

DIRECT, MIXED, INDIRECT = "direct", "mixed", "indirect"


@dataclass(slots=True)
class Candidate:
    """``origin`` names the rule that made it (a frame path such as ``ccomp`` or ``prep:for``,
    ``according``, ``near_verb``, ``tagger``, ...)."""

    pieces: list[tuple[int, int]]
    cue: Token | None
    cue_text: str
    speaker: Span | None
    confidence: float
    reporting: bool = False
    quote_ids: set[int] = field(default_factory=set)
    speaker_head: Token | None = None
    origin: str = ""  # which rule made it: a frame path ("ccomp", "prep:for"), "according", "near_verb", ...

    @property
    def start(self) -> int:
        return min(a for a, _ in self.pieces)

    @property
    def end(self) -> int:
        return max(b for _, b in self.pieces)




def kind_of(q: Context, c: Candidate) -> str:
    """``direct`` when the content is quotation throughout, ``mixed`` when it holds a quotation
    that is not just a title, ``indirect`` otherwise."""
    quoted = 0
    total = 0
    titles_only = True
    for a, b in c.pieces:
        total += b - a
        for qi in q.quotes_in(a, b):
            s = q.spans[qi]
            quoted += max(0, min(b, s.end) - max(a, s.start))
            titles_only = titles_only and is_title(q.text[s.start : s.end])
    if total and quoted >= total - 3 * len(c.pieces):
        return DIRECT
    return MIXED if quoted and not titles_only else INDIRECT



def overlap(a: Candidate, b: Candidate) -> float:
    """Shared characters of two candidates' pieces, over the shorter one's length."""
    inter = sum(max(0, min(ae, be) - max(a_s, b_s)) for a_s, ae in a.pieces for b_s, be in b.pieces)
    length_a = sum(e - s for s, e in a.pieces)
    length_b = sum(e - s for s, e in b.pieces)
    return inter / max(1, min(length_a, length_b))



def covering(cands: list[Candidate], start: int, end: int) -> Candidate | None:
    for c in cands:
        for a, b in c.pieces:
            if a <= start and end <= b:
                return c
    return None
