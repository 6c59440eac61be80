"""Calibrated confidence: the probability that a row is right, so that an analyst can filter on it.

A row is right when its content matches a gold Content (character-overlap F1 at least 0.5) and,
if it names a speaker, that speaker is the gold Source, as ``etl.evaluation.quotes`` scores them.
A logistic regression over what the extractor knows of each finished candidate (the rule that
made it, its kind, its raw score, the speaker review's probability, the speaker's status, its
size and pieces, the tagger's content reading over it) gives that probability. It is fitted on
PolNeAR train with out-of-fold tagger readings (``etl.training.quotes``, never on dev), and its
reliability table is in ``data/MODEL_CARD.md``. Without the file the raw score stays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from etl.nlp.quotes.candidate import Candidate
from etl.nlp.quotes.context import Context
from etl.nlp.quotes.scorer import Scorer, load_scorer
from etl.nlp.quotes.speakers import SPEAKER_STATUSES

FILE = "calibration.json"
ORIGINS = (
    "ccomp", "parataxis<", "xcomp", "dobj", "prep", "acl", "nsubjpass", "according", "tail", "said_colon",
    "name_colon", "near_verb", "colon_intro", "dash", "tagger",
)  # fmt: skip
KINDS = ("direct", "mixed", "indirect")
N_FEATURES = len(ORIGINS) + 1 + len(KINDS) + len(SPEAKER_STATUSES) + 9


def features(q: Context, c: Candidate, kind: str, speaker_p: float) -> list[float]:
    origin = c.origin.split(":")[0]
    out = [1.0 if origin == o else 0.0 for o in ORIGINS]
    out.append(0.0 if origin in ORIGINS else 1.0)
    out += [1.0 if kind == k else 0.0 for k in KINDS]
    status = q.speakers.resolve(c.speaker, c.speaker_head).status
    out += [1.0 if status == s else 0.0 for s in SPEAKER_STATUSES]
    length = sum(b - a for a, b in c.pieces)
    first, end = q.token_range(c.start, c.end)
    content = q.mean_tag(max(0, first), end, 0)
    out += [
        min(1.0, c.confidence),
        speaker_p if c.speaker is not None else 0.0,
        math.log1p(length) / 6.0,
        1.0 if len(c.pieces) > 1 else 0.0,
        1.0 if c.cue is None else 0.0,
        content,
        1.0 if q.paragraph_of(c.start) == 0 else 0.0,
        1.0 if c.reporting else 0.0,
        1.0,
    ]
    return out


def feature_matrix(
    q: Context, cands: Sequence[Candidate], kinds: Sequence[str], speaker_p: Sequence[float]
) -> np.ndarray:
    if not cands:
        return np.zeros((0, N_FEATURES), dtype=np.float32)
    return np.asarray([features(q, c, k, p) for c, k, p in zip(cands, kinds, speaker_p, strict=True)], dtype=np.float32)


def load_calibration() -> tuple[Scorer, float] | None:
    return load_scorer(FILE)


def shipped_threshold() -> float:
    """The calibrated confidence below which a row goes (chosen on train), 0 without the file."""
    model = load_calibration()
    return model[1] if model is not None else 0.0


def calibrated(q: Context, cands: Sequence[Candidate], kinds: Sequence[str], speaker_p: Sequence[float]) -> list[float]:
    """Each candidate's probability of being right, or its raw score without the weights."""
    model = load_calibration()
    if model is None or not cands or model[0].n_inputs != N_FEATURES:
        return [c.confidence for c in cands]
    return [float(p) for p in model[0].probabilities(feature_matrix(q, cands, kinds, speaker_p))]
