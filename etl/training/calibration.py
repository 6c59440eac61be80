"""The calibration step of the recipe: the probability that a row is right, fitted on the rows
the finished extractor makes over PolNeAR train (out-of-fold tagger readings), its reliability
table from out-of-fold probabilities, and the floor below which a row goes. Dev is never read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from etl.evaluation.quotes import (
    GoldDocument,
    align,
    format_reliability,
    match,
    predicted,
    reliability,
    speaker_matches,
)
from etl.nlp.analyse import quote_rows
from etl.nlp.quotes import QuoteConfig, find_candidates, kind_of
from etl.nlp.quotes.calibration import N_FEATURES as CALIBRATION_FEATURES
from etl.nlp.quotes.calibration import feature_matrix as calibration_features
from etl.nlp.quotes.output import attributions_of
from etl.nlp.quotes.review import review
from etl.records import CleanArticle, Mention
from etl.training.files import write_model
from etl.training.fit import train_logistic

CALIBRATION_FOLDS = 5
DROP_THRESHOLDS = tuple(round(0.05 * k, 2) for k in range(11))  # 0 .. 0.5


@dataclass(slots=True)
class CalibrationRows:
    """Every row the extractor makes over train, with what the scorer says of it."""

    x: list[list[float]] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    matched: list[bool] = field(default_factory=list)
    named: list[bool] = field(default_factory=list)
    speaker_hit: list[bool] = field(default_factory=list)
    direct_hit: list[bool] = field(default_factory=list)
    gold: int = 0
    gold_sources: int = 0
    gold_direct: int = 0

    @property
    def right(self) -> np.ndarray:
        """Content matched, and the speaker right when it names one."""
        m, n, h = (np.asarray(v, dtype=bool) for v in (self.matched, self.named, self.speaker_hit))
        return m & (~n | h)


def calibration_rows(
    parsed: Sequence[tuple[GoldDocument, CleanArticle, Doc]], mentions: Sequence[list[Mention]], tags: Sequence[np.ndarray]
) -> CalibrationRows:
    """The extractor's rows over train (after the speaker review, with out-of-fold tags), their
    calibration features and whether each is right."""
    out = CalibrationRows()
    for k, ((gold, article, doc), found, doc_tags) in enumerate(zip(parsed, mentions, tags, strict=True)):
        body = article.body_text
        q, cands = find_candidates(doc, found, doc_tags, QuoteConfig(), text=body)
        kinds = [kind_of(q, c) for c in cands]
        speaker_p = review(q, cands, kinds)
        x = calibration_features(q, cands, kinds, speaker_p)
        kept = attributions_of(q, cands, [c.confidence for c in cands])
        rows = quote_rows(doc, [a for _, a in kept], article.article_id, body)
        preds = predicted(rows, align(gold.text, body))
        pairs = dict(match(preds, gold.attributions))
        out.gold += len(gold.attributions)
        out.gold_sources += sum(1 for g in gold.attributions if g.source)
        out.gold_direct += sum(1 for g in gold.attributions if g.is_direct)
        for i, ((ci, _), p) in enumerate(zip(kept, preds, strict=True)):
            j = pairs.get(i)
            named = p.speaker is not None or bool(p.speaker_name)
            out.x.append(x[ci].tolist())
            out.groups.append(k)
            out.matched.append(j is not None)
            out.named.append(named)
            out.speaker_hit.append(j is not None and named and speaker_matches(p, gold.attributions[j]))
            out.direct_hit.append(j is not None and gold.attributions[j].is_direct)
    return out


def out_of_fold_calibration(rows: CalibrationRows, folds: int = CALIBRATION_FOLDS) -> np.ndarray:
    """Each row's calibrated probability from a model fitted on the other folds (by article)."""
    x, y, groups = np.asarray(rows.x, dtype=np.float32), rows.right.astype(np.float32), np.asarray(rows.groups)
    probs = np.zeros(len(y))
    for k in range(folds):
        held = groups % folds == k
        probs[held] = train_logistic(x[~held], y[~held]).probabilities(x[held])
    return probs


def scores_when_dropping(rows: CalibrationRows, probs: np.ndarray, threshold: float) -> dict[str, float]:
    """Content F1, speaker F1 and direct recall over train when rows below ``threshold`` go (the
    matches of the rows kept stay as they were: dropping a row frees no gold for another)."""
    keep = probs >= threshold
    m, n, h, d = (np.asarray(v, dtype=bool)[keep] for v in (rows.matched, rows.named, rows.speaker_hit, rows.direct_hit))

    def f1(hits: float, npred: float, ngold: float) -> float:
        return 2 * hits / (npred + ngold) if npred + ngold else 0.0

    return {
        "content_f1": f1(m.sum(), keep.sum(), rows.gold),
        "speaker_f1": f1(h.sum(), n.sum(), rows.gold_sources),
        "direct_recall": float(d.sum() / max(1, rows.gold_direct)),
    }


def drop_threshold(rows: CalibrationRows, probs: np.ndarray) -> float:
    """The threshold below which rows go: the best content F1 plus speaker F1 over train on
    out-of-fold probabilities, losing at most 0.002 of direct recall."""
    base = scores_when_dropping(rows, probs, 0.0)
    best, best_score = 0.0, -1.0
    for t in DROP_THRESHOLDS:
        got = scores_when_dropping(rows, probs, t)
        print(f"  drop below {t:.2f}: {got}")
        if got["direct_recall"] < base["direct_recall"] - 0.002:
            continue
        score = got["content_f1"] + got["speaker_f1"]
        if score > best_score + 1e-9:
            best, best_score = t, score
    return best


def train_calibration(
    parsed: Sequence[tuple[GoldDocument, CleanArticle, Doc]],
    mentions: Sequence[list[Mention]],
    tags: Sequence[np.ndarray],
    out: Path,
) -> str:
    """Fit the calibration on train (out-of-fold tags), choose the drop threshold on
    out-of-fold probabilities, write ``calibration.json``; returns the out-of-fold reliability
    table over train (Markdown)."""
    rows = calibration_rows(parsed, mentions, tags)
    probs = out_of_fold_calibration(rows)
    threshold = drop_threshold(rows, probs)
    right = rows.right
    table = format_reliability(reliability([(float(p), bool(r)) for p, r in zip(probs, right, strict=True)]))
    kept = probs >= threshold
    table_kept = format_reliability(reliability([(float(p), bool(r)) for p, r, k in zip(probs, right, kept, strict=True) if k]))
    scorer = train_logistic(np.asarray(rows.x, dtype=np.float32), right.astype(np.float32))
    features = f"{CALIBRATION_FEATURES} row features (rule, kind, raw score, review probability, speaker status, size, tagger content)"
    chosen = f"content F1 + speaker F1 on {CALIBRATION_FOLDS}-fold out-of-fold probabilities over train"
    write_model(out, features, right.astype(np.float32), scorer, threshold, threshold_chosen_by=chosen)
    return f"all rows:\n{table}\n\nrows kept (>= {threshold}):\n{table_kept}"
