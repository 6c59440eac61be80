"""Frames: every (cue word, path, content root) outside quotation marks, scored by the trained cue
scorer (``etl.nlp.quotes.cue_model``) with the tagger's readings as extra features; per cue word,
its best frame above the threshold becomes a candidate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from spacy.tokens import Token

from etl.nlp.quotes.config import QuoteConfig
from etl.nlp.quotes.context import Context
from etl.nlp.quotes.cue_model import extra_features, feature_matrix, lexicon_rate, load_model
from etl.nlp.quotes.cues import CUE_TAGS, cue_stem, frames, path_score, tagged_indices
from etl.nlp.quotes.scorer import Scorer

N_TAG_FEATURES = 9


@dataclass(slots=True)
class FrameCandidate:
    tok: Token
    stem: str
    path: str
    root: Token
    lo: int
    hi: int
    rate: float | None


def frame_candidates(q: Context) -> list[FrameCandidate]:
    """Every (cue word, path, content root) the scorer considers, outside quotation marks."""
    out = []
    doc = q.doc
    for i in tagged_indices(doc, CUE_TAGS):  # frames() only takes these
        if q.in_quote[i] >= 0:
            continue
        tok = doc[i]
        if tok.lower_ == "according":
            continue
        stem = cue_stem(tok)
        for path, root, lo, hi in frames(tok):
            if q.in_quote[root.i] >= 0 and path not in ("ccomp", "parataxis<"):
                continue
            out.append(FrameCandidate(tok, stem, path, root, lo, hi, lexicon_rate(stem, path)))
    return out


def candidate_features(
    q: Context, cands: Sequence[FrameCandidate], rates: Sequence[float | None] | None = None
) -> np.ndarray:
    rows = []
    for k, c in enumerate(cands):
        rate = c.rate if rates is None else rates[k]
        subj = q.speakers.agent_of(c.tok) if c.path == "nsubjpass" else q.speakers.speaker_of(c.tok)
        extra = extra_features(c.tok, c.path, c.root, c.lo, c.hi, rate, subj, q.in_quote[c.root.i] >= 0)
        rows.append((c.tok.i, c.root.i, subj.i if subj is not None else -1, extra))
    x = feature_matrix(q.doc, rows)
    return x if q.tags is None else np.hstack([x, tag_features(q, rows, cands)])


def tag_features(
    q: Context, rows: Sequence[tuple[int, int, int, list[float]]], cands: Sequence[FrameCandidate]
) -> np.ndarray:
    """What the tagger reads in each frame candidate: content over its span (mean, minimum,
    share above one half), at its root and just outside its two edges; content and cue at the
    cue; source at the subject."""
    if not cands:
        return np.zeros((0, N_TAG_FEATURES), dtype=np.float32)
    tags = q.tags
    if tags is None:
        raise ValueError("tag_features needs the tagger's readings")
    n = len(tags)
    content = tags[:, 0]
    lo = np.fromiter((c.lo for c in cands), dtype=np.int64, count=len(cands))
    hi = np.fromiter((c.hi for c in cands), dtype=np.int64, count=len(cands))
    cue, root, subj = (np.fromiter((r[k] for r in rows), dtype=np.int64, count=len(rows)) for k in range(3))
    empty = hi <= lo  # a span of its root alone
    lo, hi = np.where(empty, root, lo), np.where(empty, root + 1, hi)
    total = q.tag_sums()[:, 0]  # the Context's running sums (float64), as ``Context.mean_tag``
    above = np.concatenate([[0], np.cumsum(content >= 0.5)])
    # the minimum over each [lo, hi): reduceat over the bounds, every other result
    minimum = np.minimum.reduceat(np.append(content, 0.0), np.stack([lo, hi], axis=1).ravel())[0::2]
    padded = np.concatenate([[0.0], content, [0.0]])  # padded[i + 1] == content[i]
    columns = (
        (total[hi] - total[lo]) / (hi - lo),
        minimum,
        (above[hi] - above[lo]) / (hi - lo),
        content[root],
        padded[lo],  # just before the span
        padded[np.minimum(hi, n) + 1],  # just after it
        tags[cue, 1],
        np.where(subj >= 0, tags[np.maximum(subj, 0), 2], 0.0),
        content[cue],
    )
    return np.stack(columns, axis=1).astype(np.float32)


def choose_frames(
    q: Context, config: QuoteConfig, model: tuple[Scorer, float] | None = None
) -> dict[int, tuple[float, str, int, int]]:
    """For each cue token, its best-scoring frame above the threshold. ``model``: the cue
    scorer and threshold instead of the shipped ones (the recipe's cross-validation)."""
    cands = frame_candidates(q)
    if not cands:
        return {}
    probs = None
    if model is None:
        model = load_model()
    if model is not None and q.doc.tensor is not None and q.doc.tensor.size:
        x = candidate_features(q, cands)
        probs = model[0].probabilities(x) if x.shape[1] == model[0].n_inputs else None
    best: dict[int, tuple[float, str, int, int]] = {}
    for k, c in enumerate(cands):
        if probs is not None:
            p = float(probs[k])
            shipped = model[1] if model is not None else 0.5
            threshold = shipped if config.cue_threshold is None else config.cue_threshold
            threshold += config.path_offsets.get(c.path.split(":")[0], 0.0)
        else:
            p = path_score(c.stem, c.path)
            threshold = (
                config.lexicon_ccomp_threshold if c.path in ("ccomp", "parataxis<") else config.lexicon_other_threshold
            )
        if p >= threshold and (c.tok.i not in best or p > best[c.tok.i][0]):
            best[c.tok.i] = (p, c.path, c.lo, c.hi)
    for i, (p, path, lo, hi) in best.items():
        if path.startswith("prep:"):
            # "criticized the governor for his handling": the object belongs to the content
            obj = [c for c in q.doc[i].children if c.dep_ in ("dobj", "dative") and i < c.i < lo]
            if obj:
                best[i] = (p, path, min(c.left_edge.i for c in obj), hi)
    return best

