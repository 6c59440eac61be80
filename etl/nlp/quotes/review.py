"""A last look at each quote's speaker: is it the right one?

The rules in ``etl.nlp.quotes.rules`` pick a speaker one cue at a time: the verb's subject, a
possessor, a name before the cue. This review sees each finished quote whole: which rule made it,
its kind, length and position, the nesting around it, what its speaker is (a person, a pronoun,
a common noun such as ``The clash``) and whether it resolved to a name, plus the pipeline's own
``tok2vec`` vectors of the cue and the speaker, and what the token tagger reads around it. A
network of one hidden layer over them (``data/speaker_review.json``, trained on PolNeAR train
by ``etl.training.quotes``) gives the probability that the speaker is right; below the
threshold the quote keeps no speaker, since no speaker is better than a wrong one. Without the
file (or with a tensor of another width) every speaker stays as it is.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from etl.nlp.quotes.candidate import Candidate
from etl.nlp.quotes.context import Context
from etl.nlp.quotes.cue_model import lexicon_rate, subject_type
from etl.nlp.quotes.cues import SPEECH_VERBS, cue_stem
from etl.nlp.quotes.scorer import Scorer, load_scorer

ORIGINS = (
    "ccomp",
    "parataxis<",
    "xcomp",
    "dobj",
    "prep",
    "acl",
    "nsubjpass",
    "according",
    "tail",
    "said_colon",
    "name_colon",
    "near_verb",
    "colon_intro",
    "dash",
)
KINDS = ("direct", "mixed", "indirect")
SUBJECT_TYPES = ("PERSON", "ORG", "PLACE", "PRON", "REL", "NOUN", "OTHER")
OPENING_WORDS = ("to", "that", "whether", "if", "how", "what", "why", "who")
N_TAG_FEATURES = 6
N_EXTRA = len(ORIGINS) + 1 + len(KINDS) + len(SUBJECT_TYPES) + 1 + len(OPENING_WORDS) + 21 + N_TAG_FEATURES
_MARKS = "\"'“”‘’«»„ "


def extra_features(q: Context, c: Candidate, kind: str, others: Sequence[tuple[int, int]]) -> list[float]:
    """``others``: the (start, end) of every candidate of the article."""
    doc = q.doc
    origin = c.origin.split(":")[0]
    out = [1.0 if origin == o else 0.0 for o in ORIGINS]
    out.append(0.0 if origin in ORIGINS else 1.0)
    out += [1.0 if kind == k else 0.0 for k in KINDS]
    head = c.speaker_head if c.speaker is not None else None
    stype = subject_type(head)
    out += [1.0 if stype == t else 0.0 for t in SUBJECT_TYPES]
    out.append(1.0 if stype is None else 0.0)
    start, end = c.start, c.end
    span = doc.char_span(start, end, alignment_mode="expand")
    words = [t for t in span if not (t.is_punct or t.is_space)] if span is not None else []
    first = words[0].lower_ if words else ""
    out += [1.0 if first == w else 0.0 for w in OPENING_WORDS]
    found = q.speakers.resolve(c.speaker, head)
    name, entity = found.name, found.entity_id
    cue = c.cue
    stem = cue_stem(cue) if cue is not None else ""
    rate = lexicon_rate(stem, "ccomp") if cue is not None else None
    sent = span.sent if span is not None else None
    inside = any(a <= start and end <= b and (a, b) != (start, end) for a, b in others)
    holds = any(start <= a and b <= end and (a, b) != (start, end) for a, b in others)
    distance = abs(head.i - cue.i) if head is not None and cue is not None else 0
    out += [
        min(1.0, c.confidence),
        math.log1p(end - start) / 6.0,
        math.log1p(len(words)) / 4.0,
        1.0 if len(c.pieces) > 1 else 0.0,
        1.0 if name else 0.0,
        1.0 if entity else 0.0,
        1.0 if head is not None and head.tag_ == "NNP" else 0.0,
        1.0 if cue is None else 0.0,
        1.0 if cue is not None and cue.tag_.startswith("VB") else 0.0,
        1.0 if cue is not None and cue.tag_.startswith("NN") else 0.0,
        1.0 if stem in SPEECH_VERBS else 0.0,
        rate if rate is not None else 0.0,
        1.0 if q.paragraph_of(start) == 0 else 0.0,
        1.0 if sent is not None and sent.start_char >= start - 1 else 0.0,
        1.0 if any(t.tag_.startswith("VB") for t in words) else 0.0,
        1.0 if any(t.dep_ in ("nsubj", "nsubjpass") for t in words) else 0.0,
        1.0 if q.text[start : start + 1] in _MARKS else 0.0,
        1.0 if inside else 0.0,
        1.0 if holds else 0.0,
        math.log1p(distance) / 3.0,
        1.0,
    ]
    return out + tag_features(q, c)


def tag_features(q: Context, c: Candidate) -> list[float]:
    """What the token tagger reads around the quote: source at the speaker's head and over its
    phrase, cue at the cue, content over the quote, the most source-like token of its sentences
    outside the quote and the speaker (is there a likelier speaker?), and the margin between the
    two. Zeros without the tagger."""
    tags = q.tags
    if tags is None:
        return [0.0] * N_TAG_FEATURES
    head = c.speaker_head if c.speaker is not None else None
    first, end = q.token_range(c.start, c.end)
    end = max(first + 1, end)
    at_head = float(tags[head.i, 2]) if head is not None else 0.0
    over_speaker = q.mean_tag(c.speaker.start, c.speaker.end, 2) if c.speaker is not None else 0.0
    lo, hi = q.sentence_bounds(first)[0], q.sentence_bounds(end - 1)[1]
    if c.cue is not None:
        cue_lo, cue_hi = q.sentence_bounds(c.cue.i)
        lo, hi = min(lo, cue_lo), max(hi, cue_hi)
    others = tags[lo:hi, 2].copy()
    others[max(0, first - lo) : max(0, end - lo)] = 0.0
    if c.speaker is not None:
        others[max(0, c.speaker.start - lo) : max(0, c.speaker.end - lo)] = 0.0
    elsewhere = float(others.max()) if others.size else 0.0
    return [
        at_head,
        over_speaker,
        float(tags[c.cue.i, 1]) if c.cue is not None else 0.0,
        q.mean_tag(first, end, 0),
        elsewhere,
        at_head - elsewhere,
    ]


def feature_matrix(q: Context, cands: Sequence[Candidate], kinds: Sequence[str]) -> np.ndarray:
    doc = q.doc
    width = doc.tensor.shape[1] if doc.tensor is not None and doc.tensor.size else 0
    x = np.zeros((len(cands), 2 * width + N_EXTRA), dtype=np.float32)
    bounds = [(c.start, c.end) for c in cands]
    for k, (c, kind) in enumerate(zip(cands, kinds, strict=True)):
        if width:
            if c.cue is not None:
                x[k, :width] = doc.tensor[c.cue.i]
            if c.speaker is not None and c.speaker_head is not None:
                x[k, width : 2 * width] = doc.tensor[c.speaker_head.i]
        x[k, 2 * width :] = extra_features(q, c, kind, bounds)
    return x


def load_review_model() -> tuple[Scorer, float] | None:
    return load_scorer("speaker_review.json")


def review(q: Context, cands: list[Candidate], kinds: Sequence[str], threshold: float | None = None) -> list[float]:
    """The review's probability that each candidate's speaker is right (1.0 without a speaker
    or without the weights), clearing the speakers below ``threshold`` (the shipped one when
    None): a quote with no speaker is better than one with the wrong speaker."""
    model = load_review_model()
    if model is None or not cands:
        return [1.0] * len(cands)
    scorer, shipped = model
    x = feature_matrix(q, cands, kinds)
    if x.shape[1] != scorer.n_inputs:
        return [1.0] * len(cands)
    limit = shipped if threshold is None else threshold
    out = []
    for c, p in zip(cands, scorer.probabilities(x), strict=True):
        if c.speaker is not None and p < limit:
            c.speaker, c.speaker_head = None, None
        out.append(float(p) if c.speaker is not None else 1.0)
    return out
