"""From candidates to rows: the pieces without the quote's own speaker and cue, the speaker's
name and status, the kind, and the confidence.

A content's pieces never hold its speaker or its cue: ``Nuland, speaking in Berlin, said Kerry
and Lavrov spent ...`` keeps ``Kerry and Lavrov spent ...``. When speaker and cue sit close
together inside a piece, the stretch from one to the other goes (the aside between them is
neither's content); each piece is then trimmed of edge spaces and punctuation (quotation marks
stay). ``quote_text`` is the pieces joined with `` … ``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from etl.nlp.quotes.candidate import Candidate, kind_of
from etl.nlp.quotes.context import Context, trim_chars
from etl.nlp.quotes.speakers import NONE

PIECE_JOINER = " … "
ATTRIBUTION_GAP = 80  # speaker and cue this close inside a piece: the stretch between them goes too


@dataclass(frozen=True, slots=True)
class Attribution:
    """One extracted quote of an article, before it gets its article's ids and dates."""

    pieces: tuple[tuple[int, int], ...]
    kind: str
    speaker_text: str | None
    speaker_start: int | None
    speaker_end: int | None
    speaker_name: str | None
    speaker_entity_id: str | None
    speaker_status: str
    cue_text: str | None
    cue_token: int | None  # the cue's token index in the Doc, when there is a cue word
    confidence: float
    origin: str

    @property
    def start(self) -> int:
        return self.pieces[0][0]

    @property
    def end(self) -> int:
        return self.pieces[-1][1]

    def text_of(self, body: str) -> str:
        return PIECE_JOINER.join(body[a:b] for a, b in self.pieces)


def _subtract(pieces: Sequence[tuple[int, int]], holes: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    out = list(pieces)
    for ha, hb in holes:
        cut: list[tuple[int, int]] = []
        for a, b in out:
            if hb <= a or b <= ha:
                cut.append((a, b))
                continue
            if a < ha:
                cut.append((a, ha))
            if hb < b:
                cut.append((hb, b))
        out = cut
    return out


def attribution_holes(q: Context, c: Candidate) -> list[tuple[int, int]]:
    """The character ranges of a candidate's speaker and cue (one range when they sit close
    together in the same sentence)."""
    holes: list[tuple[int, int]] = []
    if c.speaker is not None:
        holes.append((c.speaker.start_char, c.speaker.end_char))
    if c.cue is not None:
        end = c.cue.idx + len(c.cue.text)
        if c.cue_text and q.text.startswith(c.cue_text, c.cue.idx):
            end = c.cue.idx + len(c.cue_text)  # "according to"
        holes.append((c.cue.idx, end))
    if len(holes) == 2 and c.speaker is not None and c.cue is not None and c.speaker.sent.start == c.cue.sent.start:
        (a1, b1), (a2, b2) = holes
        if max(a1, a2) - min(b1, b2) <= ATTRIBUTION_GAP:
            holes = [(min(a1, a2), max(b1, b2))]
    return holes


def content_pieces(q: Context, c: Candidate) -> tuple[tuple[int, int], ...]:
    """The candidate's pieces without its speaker and cue, trimmed, in order."""
    out = []
    for a, b in _subtract(sorted(c.pieces), attribution_holes(q, c)):
        trimmed = trim_chars(q, a, b)
        if trimmed is not None and any(ch.isalnum() for ch in q.text[trimmed[0] : trimmed[1]]):
            out.append(trimmed)
    return tuple(sorted(set(out)))


def to_attributions(q: Context, cands: Sequence[Candidate], confidences: Sequence[float]) -> list[Attribution]:
    """The rows of an article's candidates (a candidate left with no piece goes); the kind is
    that of the pieces kept."""
    return [a for _, a in attributions_of(q, cands, confidences)]


def attributions_of(
    q: Context, cands: Sequence[Candidate], confidences: Sequence[float]
) -> list[tuple[int, Attribution]]:
    """``to_attributions`` with the index of the candidate each row comes from."""
    out = []
    bounds: set[tuple[int, int]] = set()
    for k, (c, confidence) in enumerate(zip(cands, confidences, strict=True)):
        pieces = content_pieces(q, c)
        if not pieces or (pieces[0][0], pieces[-1][1]) in bounds:
            continue  # nothing left, or the same bounds as a row already made (one id per bounds)
        bounds.add((pieces[0][0], pieces[-1][1]))
        kind = kind_of(q, replace(c, pieces=list(pieces)))
        found = q.speakers.resolve(c.speaker, c.speaker_head)
        speaker = c.speaker if found.status != NONE else None
        out.append((
            k,
            Attribution(
                pieces=pieces,
                kind=kind,
                speaker_text=speaker.text if speaker is not None else None,
                speaker_start=speaker.start_char if speaker is not None else None,
                speaker_end=speaker.end_char if speaker is not None else None,
                speaker_name=found.name,
                speaker_entity_id=found.entity_id,
                speaker_status=found.status,
                cue_text=c.cue_text or None,
                cue_token=c.cue.i if c.cue is not None else None,
                confidence=round(min(1.0, max(0.0, confidence)), 3),
                origin=c.origin,
            ),
        ))
    return out
