"""How the recipe writes a trained logistic model (read back by ``etl.nlp.quotes.cue_model.load_weights``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

SOURCE = "PolNeAR v1.0 train (Newell, Margolin, Ruths, LREC 2018)"
RECIPE = "python -m etl.training.quotes --gold <polnear>/train"


def write_model(path: Path, features: str, y: np.ndarray, weights: np.ndarray, threshold: float, **extra: str) -> None:
    """A trained logistic model as ``etl.nlp.quotes.cue_model.load_weights`` reads it, with its provenance."""
    payload = {
        "source": SOURCE,
        "recipe": RECIPE,
        "features": features,
        "examples": int(len(y)),
        "positives": int(y.sum()),
        "threshold": threshold,
        **extra,
        "weights": [round(float(w), 5) for w in weights],
    }
    path.write_text(json.dumps(payload) + "\n", encoding="utf-8")
