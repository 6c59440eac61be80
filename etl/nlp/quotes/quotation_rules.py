"""Candidate rules for a quotation no cue rule reached (stage ``quotation``), tried in order:

* ``continuation``: an opening mark left open at the previous paragraph's end carries on here;
* ``nearest_verb``: the reporting verb outside quotation marks nearest it in its sentence(s);
* ``adjacent_verb``: any verb right next to it with a subject (``“...,” Toomey fumed``);
* ``next_sentence_verb``: a speech verb opening the short sentence right after (``“...?” Biden
  said.``);
* ``reclaim_verb``: a speech verb of its sentence that went to a lesser frame (``“...,” Paradis
  said with a smirk``) takes the quotation instead;
* ``colon_intro``: the clause before a colon, or its last name (``More from Jones:``);
* ``dash``: ``“...” — Name``;
* ``previous_in_paragraph``: ``“A,” he said. “B.”`` is one quote in two pieces;
* ``previous_paragraph``: a paragraph that is only a quotation goes on from the attributed
  quotation ending the paragraph before.

A quoted title or a scare quote (``the so-called “Geneva Agreement”``, a short quotation with no
closing punctuation) is only anybody's words with a speech verb.
"""

from __future__ import annotations

from spacy.tokens import Token

from etl.nlp.quotes.candidate import Candidate
from etl.nlp.quotes.context import Context
from etl.nlp.quotes.cues import SPEECH_VERBS, cue_key, frame_score
from etl.nlp.quotes.marks import DOUBLE_CLOSERS, QSpan
from etl.nlp.quotes.registry import Draft, Quotation, register

NEAR_VERB_CONFIDENCE = 0.75


def _attach_verb(d: Draft, quotation: Quotation, verb: Token | None) -> bool:
    if verb is None:
        return False
    qs = quotation.span
    subj = d.q.speakers.subject_of(verb)
    if subj is None:
        subj = d.q.speakers.name_before(verb)
    made = d.add((qs.start, qs.end), verb, verb.text, subj, NEAR_VERB_CONFIDENCE, origin="near_verb")
    d.attach(quotation, made)
    return True  # the verb claimed it, even when its content came out empty


def _next_sentence(d: Draft, quotation: Quotation) -> tuple[int, int] | None:
    """The sentence right after the quotation, in its paragraph, when nothing lies between."""
    if quotation.last_sentence + 1 >= len(d.sents):
        return None
    nxt = d.sents[quotation.last_sentence + 1]
    if nxt.start_char - quotation.span.end <= 2 and d.q.paragraph_of(nxt.start_char) == quotation.span.paragraph:
        return nxt.start_char, nxt.end_char
    return None


def _sentence_bounds(d: Draft, quotation: Quotation) -> tuple[int, int]:
    return d.sents[quotation.first_sentence].start_char, d.sents[quotation.last_sentence].end_char


@register("continuation", "quotation", titles=True)
def continuation(d: Draft, quotation: Quotation) -> bool:
    qi, qs = quotation.index, quotation.span
    q = d.q
    if qi == 0 or not q.spans[qi - 1].open_end or q.spans[qi - 1].paragraph != qs.paragraph - 1:
        return False
    prev = d.used_quotes.get(qi - 1)
    if prev is None:
        return False
    prev.pieces.append((qs.start, qs.end))
    return d.attach(quotation, prev)


@register("nearest_verb", "quotation", titles=True)
def nearest_verb(d: Draft, quotation: Quotation) -> bool:
    lo, hi = _sentence_bounds(d, quotation)
    verb = cue_near(d.q, lo, hi, d.cue_tokens, d.config.near_cue_threshold, speech_only=quotation.title, quote=quotation.span)
    return _attach_verb(d, quotation, verb)


@register("adjacent_verb", "quotation")
def adjacent(d: Draft, quotation: Quotation) -> bool:
    return _attach_verb(d, quotation, adjacent_verb(d.q, quotation.span, d.cue_tokens))


@register("next_sentence_verb", "quotation", titles=True)
def next_sentence_verb(d: Draft, quotation: Quotation) -> bool:
    bounds = _next_sentence(d, quotation)
    if bounds is None:
        return False
    verb = cue_near(
        d.q, *bounds, d.cue_tokens, d.config.near_cue_threshold, need_subject=True, speech_only=quotation.title
    )
    return _attach_verb(d, quotation, verb)


@register("reclaim_verb", "quotation")
def reclaim_verb(d: Draft, quotation: Quotation) -> bool:
    lo, hi = _sentence_bounds(d, quotation)
    verb = reclaim(d.q, quotation.span, d.cands, lo, hi, d.cue_tokens, d.config.near_cue_threshold)
    if verb is None:
        bounds = _next_sentence(d, quotation)
        if bounds is not None:
            verb = reclaim(
                d.q, quotation.span, d.cands, *bounds, d.cue_tokens, d.config.near_cue_threshold, near=False
            )
    return _attach_verb(d, quotation, verb)


@register("colon_intro", "quotation")
def colon_intro(d: Draft, quotation: Quotation) -> bool:
    intro = colon_speaker(d.q, quotation.span, d.cue_tokens, d.cands)
    if intro is None:
        return False
    cue, speaker = intro
    qs = quotation.span
    made = d.add((qs.start, qs.end), cue, cue.text if cue is not None else ":", speaker, 0.7, origin="colon_intro")
    d.attach(quotation, made)
    return True


@register("dash", "quotation")
def dash(d: Draft, quotation: Quotation) -> bool:
    speaker = dash_speaker(d.q, quotation.span)
    if speaker is None:
        return False
    qs = quotation.span
    d.attach(quotation, d.add((qs.start, qs.end), None, "—", speaker, 0.7, origin="dash"))
    return True


def _scare_quote(d: Draft, qs: QSpan) -> bool:
    inner = d.q.text[qs.start : qs.end].rstrip(DOUBLE_CLOSERS + "’' ")
    return qs.words < d.config.min_direct_words and inner[-1:] not in (".", "?", "!", ",")


def _continue(d: Draft, quotation: Quotation, prev: Candidate | None) -> bool:
    """A quotation (not a scare quote) continues the earlier quote ``prev`` as its next piece."""
    if prev is None or _scare_quote(d, quotation.span):
        return False
    prev.pieces.append((quotation.span.start, quotation.span.end))
    return d.attach(quotation, prev)


@register("previous_in_paragraph", "quotation")
def previous_in_paragraph(d: Draft, quotation: Quotation) -> bool:
    return _continue(d, quotation, previous_quote_in_paragraph(d.q, d.cands, quotation.span))


@register("previous_paragraph", "quotation")
def previous_paragraph(d: Draft, quotation: Quotation) -> bool:
    return _continue(d, quotation, previous_paragraph_quote(d.q, d.cands, quotation.span))


# --- helpers ------------------------------------------------------------------------------------


def reclaim(
    q: Context,
    qs: QSpan,
    cands: list[Candidate],
    lo_char: int,
    hi_char: int,
    used: set[int],
    threshold: float,
    near: bool = True,
) -> Token | None:
    """A speech verb in the quotation's sentence already holding a content with no quotation in
    it: the quotation is what it introduced; its earlier candidate goes. A verb of the next
    sentence (``near`` false) keeps its own clause after a quotation closed by a full stop
    (“...” Cruz says he isn’t familiar with ...)."""
    verb = cue_near(q, lo_char, hi_char, set(), threshold, speech_only=True, quote=qs)
    if verb is None or verb.i not in used:
        return None
    holders = [c for c in cands if c.cue is not None and c.cue.i == verb.i]
    if any(
        c.quote_ids or (c.origin == "ccomp" and not near and (closes_sentence(q, qs) or not opens_sentence(q, verb)))
        for c in holders
    ):
        return None
    for c in holders:
        cands.remove(c)
    return verb



def closes_sentence(q: Context, qs: QSpan) -> bool:
    """Whether a quotation ends in a full stop (“... the people.”), not a comma or a question."""
    return q.text[qs.start : qs.end].rstrip(DOUBLE_CLOSERS + "’' ")[-1:] == "."


def opens_sentence(q: Context, verb: Token) -> bool:
    """Whether a verb comes first in its sentence, after nothing but its subject: “...?” Biden
    said / said Biden; not “...?” Later, Rubio claimed that ..."""
    first = next((t for t in verb.sent if not t.is_space), verb)
    if first.i == verb.i:
        return True
    subj = q.speakers.subject_of(verb)
    if subj is None or subj.left_edge.i != first.i or subj.i > verb.i:
        return False
    return not any(t.is_punct for t in q.doc[subj.right_edge.i + 1 : verb.i])


def adjacent_verb(q: Context, qs: QSpan, used: set[int]) -> Token | None:
    """Any verb right next to a quotation, with its subject: “...,” Toomey fumed /
    “...,” fumed Toomey / Hillary shot back, “...”."""
    doc = q.doc
    inner = q.text[qs.start : qs.end].rstrip(DOUBLE_CLOSERS + "’' ")
    after = doc.char_span(qs.end, min(len(q.text), qs.end + 80), alignment_mode="expand")
    if after is not None and inner[-1:] in (",", "?", "!"):
        for t in list(after)[:7]:
            if t.is_space or (t.is_punct and t.text in ",—–"):
                continue
            if q.in_quote[t.i] >= 0 or t.i in used:
                break
            if t.tag_.startswith("VB") and t.dep_ not in ("amod", "compound", "aux", "auxpass"):
                subj = q.speakers.subject_of(t)
                if subj is not None and q.in_quote[subj.i] < 0 and t.i - after.start <= 6:
                    return t
                break
            if not (t.tag_.startswith(("NN", "DT", "PRP", "JJ")) or t.dep_ in ("compound", "poss", "case")):
                break
    before = doc.char_span(max(0, qs.start - 60), qs.start, alignment_mode="contract")
    if before is not None and len(before):
        toks = [t for t in reversed(list(before)) if not t.is_space]
        if not toks or toks[0].text not in ",:":
            return None
        k = 0
        while k < len(toks) and (toks[k].text in ",:" or toks[k].dep_ in ("prt", "advmod") or toks[k].lower_ == "it"):
            k += 1
        if k < len(toks) and k <= 3 and toks[k].tag_.startswith("VB") and toks[k].i not in used:
            t = toks[k]
            if (
                q.in_quote[t.i] < 0
                and q.speakers.subject_of(t) is not None
                and not any(c.dep_ in ("ccomp", "dobj") for c in t.children if c.i < qs.start and c.i > t.i)
            ):
                return t
    return None


def colon_speaker(q: Context, qs: QSpan, used: set[int], cands: list[Candidate]) -> tuple[Token | None, Token] | None:
    """A quotation after a colon: "Transcript as follows:", "More from Jones:", "Philip Bump:".
    The clause before the colon gives the cue and speaker, or its last name does."""
    text = q.text
    i = qs.start - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    if i < 0 or text[i] != ":":
        return None
    colon = q.doc.char_span(i, i + 1, alignment_mode="expand")
    if colon is None:
        return None
    sent = colon[0].sent
    root = sent.root
    if root.tag_.startswith("VB") and root.i < colon[0].i and q.in_quote[root.i] < 0:
        subj = q.speakers.subject_of(root)
        holders = [c for c in cands if c.cue is not None and c.cue.i == root.i]
        if subj is not None and not any(c.quote_ids for c in holders):
            # "the committee said about its platform:" -- the quotation is what was said
            for c in holders:
                cands.remove(c)
            return root, subj
    prev = colon[0].i - 1
    while prev >= sent.start and (q.doc[prev].is_punct or q.doc[prev].is_space):
        prev -= 1
    if prev >= sent.start and q.speakers.people.person_at(q.doc[prev]) is not None:
        return None, q.doc[prev]
    return None


def cue_near(
    q: Context,
    lo_char: int,
    hi_char: int,
    used: set[int],
    threshold: float,
    need_subject: bool = False,
    speech_only: bool = False,
    quote: QSpan | None = None,
) -> Token | None:
    """The reporting verb outside quotation marks nearest the quote in its sentence(s), not yet a cue."""
    doc = q.doc
    span = doc.char_span(lo_char, hi_char, alignment_mode="expand")
    if span is None:
        return None
    best = None
    best_distance = 1 << 30
    for t in span:
        if q.in_quote[t.i] >= 0 or not t.tag_.startswith("VB") or t.i in used or t.dep_ in ("amod", "compound"):
            continue  # "so-called" is no reporting verb
        key = cue_key(t.text)
        if key in SPEECH_VERBS or (not speech_only and frame_score(key, "ccomp") >= threshold):
            if need_subject and q.speakers.subject_of(t) is None:
                continue
            distance = 0 if quote is None else min(abs(t.idx - quote.start), abs(t.idx - quote.end))
            if distance < best_distance:
                best, best_distance = t, distance
    return best


def dash_speaker(q: Context, qs: QSpan) -> Token | None:
    """``“...” — Name`` or ``“...” ― Name``: the name after a dash right after the quote."""
    text = q.text
    i = qs.end
    while i < len(text) and text[i].isspace() and i - qs.end < 4:
        i += 1
    if i >= len(text) or text[i] not in "—―–-":
        return None
    span = q.doc.char_span(i + 1, min(len(text), i + 60), alignment_mode="expand")
    if span is None:
        return None
    names: list[Token] = []
    for t in span:
        if t.is_space and not names:
            continue
        person = q.speakers.people.person_at(t)
        if person is not None:
            last = q.doc.char_span(person.start_char, person.end_char, alignment_mode="expand")
            return last[-1] if last is not None else t
        if t.tag_ == "NNP":
            names.append(t)
            continue
        break
    # "— Sanders." closing a paragraph: a proper name the tagger did not call a person
    if names and (t.is_punct or t.is_space or t is span[-1]) and len(names) <= 4:
        return names[-1]
    return None


def previous_paragraph_quote(q: Context, cands: list[Candidate], qs: QSpan) -> Candidate | None:
    """A paragraph that is only a quotation, right after a paragraph ending in an attributed
    direct quote: the same speaker goes on."""
    p_start, p_end = q.paragraphs[qs.paragraph]
    if qs.paragraph == 0 or qs.start - p_start > 1 or p_end - qs.end > 2:
        return None
    prev_start, prev_end = q.paragraphs[qs.paragraph - 1]
    best = None
    for c in cands:
        if prev_start <= c.start and c.end <= prev_end and c.quote_ids and (best is None or c.end > best.end):
            best = c
    return best


def previous_quote_in_paragraph(q: Context, cands: list[Candidate], qs: QSpan) -> Candidate | None:
    best = None
    for c in cands:
        end = c.end
        if end <= qs.start and q.paragraph_of(c.start) == qs.paragraph and c.quote_ids:
            if best is None or end > best.end:
                best = c
    if best is None:
        return None
    # no other reporting verb between the two
    return best

