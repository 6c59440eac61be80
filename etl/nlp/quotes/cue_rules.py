"""Candidate rules that start from a cue outside quotation marks (stage ``token``) or from a
paragraph's opening (stage ``paragraph``).

* ``according``: ``according to X``, the clause around it without the phrase;
* ``frame``: the cue scorer's best frame for a word (``etl.nlp.quotes.frames``): a clause
  (``said that ...``), an infinitive (``urged X to ...``), an object, a preposition's object
  (``called for ...``), a noun's clause, or the clause around a parenthetical cue (``The effects,
  she said, are ...``: two pieces around the cue's own phrase);
* ``tail``: ``..., police said.`` closing a sentence reports everything before the comma;
* ``said_colon``: ``X said:`` before a quotation or the rest of its paragraph;
* ``name_colon``: ``NAME:`` opening a paragraph (headlines such as ``Blair: ...``, transcripts).
"""

from __future__ import annotations

import bisect

from spacy.tokens import Span, Token

from etl.nlp.quotes.context import Context, trim
from etl.nlp.quotes.cues import SPEECH_VERBS, cue_stem, frame_score
from etl.nlp.quotes.registry import Draft, register

REPORTING = frozenset({"report", "accord"})
# "The Latest: ...", "Contributing: ...", "BYLINE: ...": labels before a colon that name no speaker
SECTION_LABELS = frozenset(
    {
        "the latest",
        "latest",
        "breaking",
        "breaking news",
        "contributing",
        "byline",
        "revealed",
        "update",
        "updated",
        "updates",
        "correction",
        "editor's note",
        "editor’s note",
        "watch",
        "related",
        "read more",
        "photos",
        "video",
        "exclusive",
        "name",
        "in",
    }
)


TAIL_MARKS = frozenset({",", "—", "–", "―", "--"})


def cut_tail(q: Context, lo: int, hi: int) -> int:
    """The content without a trailing aside that is the writer's, not the speaker's: a
    non-restrictive relative clause (“..., which passed the Senate in 2013”) or an appositive
    (“... — a play on words with ...”) running to the content's end."""
    doc = q.doc
    for k in range(lo + 2, hi - 1):
        if doc[k].text not in TAIL_MARKS or q.in_quote[k] >= 0:
            continue
        n = doc[k + 1]
        if n.is_space:
            continue
        if n.lower_ in ("which", "who", "where", "whose") and n.head.dep_ == "relcl" and n.head.right_edge.i >= hi - 2:
            return k
        if n.left_edge.i == k + 1:
            a = n
            while a.head.i != a.i and a.head.left_edge.i == k + 1 and a.head.i < hi:
                a = a.head
            if a.dep_ == "appos" and a.right_edge.i >= hi - 2 and a.head.i < k:
                return k
    return hi



def sentence_before_tail_cue(q: Context, tok: Token, subj: Token | None) -> tuple[int, int] | None:
    """ "..., a girl was pepper-sprayed by a bystander, police said.": a speech verb closing its
    sentence after a comma, with no clause of its own, reports everything before the comma."""
    if subj is None or tok.dep_ != "ROOT" or cue_stem(tok) not in SPEECH_VERBS or subj.i > tok.i:
        return None
    if any(c.dep_ in ("ccomp", "parataxis", "dobj") for c in tok.children):
        return None
    doc = q.doc
    start = q.speakers.phrase(subj).start
    if start < 1 or doc[start - 1].text != ",":
        return None
    sent = tok.sent
    rest = [t for t in doc[tok.i + 1 : sent.end] if not (t.is_punct or t.is_space)]
    if len(rest) > 4:  # "police said on Tuesday" is fine, a new clause is not
        return None
    if start - 1 - sent.start < 3:
        return None
    return trim(doc, sent.start, start - 1)


def sentence_ends_with_colon(sent: Span) -> bool:
    for t in reversed(sent):
        if t.is_space:
            continue
        return t.text == ":"
    return False



@register("according", "token")
def according_to(d: Draft, tok: Token) -> bool:
    if tok.lower_ != "according":
        return False
    doc = d.q.doc
    to = next((c for c in tok.children if c.lower_ == "to"), None)
    pobj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
    if to is None or pobj is None:
        return True
    head = tok.head if tok.head is not tok else None
    sent = tok.sent
    if head is not None and head.pos_ in ("VERB", "AUX"):
        lo, hi = head.left_edge.i, head.right_edge.i + 1
    else:
        lo, hi = sent.start, sent.end
    # the clause without the "according to X" phrase
    a0, a1 = tok.left_edge.i, tok.right_edge.i + 1
    if a0 <= lo < a1:
        lo = a1
    if a0 < hi <= a1:
        hi = a0
    if a0 > lo and a1 < hi:
        # in the middle: keep the longer side
        lo, hi = (lo, a0) if a0 - lo >= hi - a1 else (a1, hi)
    d.add(
        trim(doc, lo, hi),
        tok,
        f"{tok.text} {to.text}",
        pobj,
        d.config.according_confidence,
        reporting=True,
        origin="according",
    )
    return True


@register("frame", "token")
def scored_frame(d: Draft, tok: Token) -> bool:
    chosen = d.frames.get(tok.i)
    if chosen is None:
        return False
    q, doc = d.q, d.q.doc
    score, path, lo, hi = chosen
    subj = q.speakers.agent_of(tok) if path == "nsubjpass" else q.speakers.speaker_of(tok)
    if subj is None:
        subj = q.speakers.name_before(tok)
    if path == "parataxis<":
        # the cue's own phrase is a hole in the content: two pieces around it
        left = trim(doc, lo, tok.left_edge.i)
        right = trim(doc, tok.right_edge.i + 1, hi)
        made = d.add(left or right, tok, tok.text, subj, score, origin=path)
        if made is not None and left is not None and right is not None:
            made.pieces.append(right)
        return True
    hi = cut_before_next_cue(q, tok, lo, cut_tail(q, lo, hi))
    d.add(trim(doc, lo, hi), tok, tok.text, subj, score, reporting=cue_stem(tok) in REPORTING, origin=path)
    return True


COMPLEMENT_DEPS = frozenset({"ccomp", "dobj", "xcomp", "parataxis"})


def cut_before_next_cue(q: Context, cue: Token, lo: int, hi: int) -> int:
    """The content without a second attribution joined to it: ``Kasich says he'd sit Putin down
    and tells the crowd ...``, ``half said A, and three-quarters said the same``: a speech verb
    coordinated in the content (or hanging off its cue) with a complement of its own starts a
    statement of its own, so the content ends before it (and before its ``and``)."""
    doc = q.doc
    for k in range(max(lo, cue.i + 1), hi):
        t = doc[k]
        if (
            t.dep_ != "conj"
            or not t.tag_.startswith("VB")
            or q.in_quote[k] >= 0
            or cue_stem(t) not in SPEECH_VERBS
            or not any(c.dep_ in COMPLEMENT_DEPS for c in t.children)
        ):
            continue
        end = t.left_edge.i
        while end > lo and (doc[end - 1].dep_ == "cc" or doc[end - 1].is_punct or doc[end - 1].is_space):
            end -= 1
        if end - lo >= 2:
            return end
    return hi


@register("tail", "token")
def tail_cue(d: Draft, tok: Token) -> bool:
    if not tok.tag_.startswith("VB"):
        return False
    subj = d.q.speakers.subject_of(tok)
    tail = sentence_before_tail_cue(d.q, tok, subj)
    if tail is None:
        return False
    d.add(tail, tok, tok.text, subj, 0.8, origin="tail")
    return True


@register("said_colon", "token")
def said_colon(d: Draft, tok: Token) -> bool:
    """``X said:`` / ``X continued:`` before a quoted paragraph or the rest of its own."""
    q = d.q
    if not tok.tag_.startswith("VB") or frame_score(cue_stem(tok), "ccomp") < d.config.lexicon_ccomp_threshold:
        return False
    subj = q.speakers.subject_of(tok)
    if subj is None or not sentence_ends_with_colon(tok.sent):
        return False
    end = tok.sent.end_char
    nxt = bisect.bisect_left(q.span_starts, end)
    if nxt < len(q.spans) and q.spans[nxt].start - end <= 3:
        qs = q.spans[nxt]
        return d.add((qs.start, qs.end), tok, tok.text, subj, 0.8, origin="said_colon") is not None
    if q.paragraph_of(end) == q.paragraph_of(tok.idx):
        p_end = q.paragraphs[q.paragraph_of(tok.idx)][1]
        if p_end - end > 10:
            return d.add((end + 1, p_end), tok, tok.text, subj, 0.6, origin="said_colon") is not None
    return False


@register("name_colon", "paragraph")
def name_colon(d: Draft, p_start: int, p_end: int) -> bool:
    """``NAME:`` at a paragraph start: a headline's own attribution (``Blair: ...``) or a
    transcript's speaker."""
    q = d.q
    colon = q.text.find(":", p_start, min(p_end, p_start + 60))
    if colon < 0 or p_end - colon < 15:
        return False
    span = q.doc.char_span(p_start, colon, alignment_mode="expand")
    if span is None or not 1 <= len(span) <= 5 or not all(t.text[:1].isupper() for t in span):
        return False
    if any(c.start <= colon < c.end for c in d.cands) or span.text.lower() in SECTION_LABELS:
        return False
    return d.add((colon + 1, p_end), None, ":", span[-1], 0.7, origin="name_colon") is not None
