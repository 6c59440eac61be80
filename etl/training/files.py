"""How the recipe writes a trained scorer (read back by ``etl.nlp.quotes.scorer.load_scorer``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from etl.nlp.quotes.scorer import Scorer, load_scorer

SOURCE = "PolNeAR v1.0 train (Newell, Margolin, Ruths, LREC 2018)"
RECIPE = "python -m etl.training.quotes --gold <polnear>/train"


def write_model(path: Path, features: str, y: np.ndarray, scorer: Scorer, threshold: float, **extra: str) -> None:
    """A trained scorer as ``etl.nlp.quotes.scorer.load_scorer`` reads it, with its provenance."""
    payload = {
        "source": SOURCE,
        "recipe": RECIPE,
        "features": features,
        "examples": int(len(y)),
        "positives": int(y.sum()),
        "threshold": threshold,
        **extra,
        **scorer.payload(),
    }
    path.write_text(json.dumps(payload) + "\n", encoding="utf-8")
    load_scorer.cache_clear()
