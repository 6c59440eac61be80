"""The trained scorers the quote extractor ships, as it reads them back: a logistic regression
(the calibration) or a network of one hidden layer (the cue scorer, the speaker review).

Each lives in ``etl/nlp/quotes/data/<name>.json`` with the threshold chosen with it and its
provenance (written by ``etl.training.files``, fitted by ``etl.training.fit``); ``kind`` says
which of the two it is (a file without it is logistic, the earlier format). Both take one row of
features per candidate and give the probability that it is right.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


@dataclass(frozen=True, slots=True)
class Logistic:
    """``weights`` over the features; the bias is a constant feature of its own."""

    weights: np.ndarray

    @property
    def n_inputs(self) -> int:
        return int(self.weights.shape[0])

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        return _sigmoid(x @ self.weights)

    def payload(self) -> dict[str, Any]:
        return {"kind": "logistic", "weights": _rounded(self.weights)}


@dataclass(frozen=True, slots=True)
class Network:
    """Standardised features (``mean``, ``scale``), one hidden layer of rectified units
    (``hidden``, ``hidden_bias``), and a logistic output over them (``out``, ``out_bias``)."""

    mean: np.ndarray
    scale: np.ndarray
    hidden: np.ndarray
    hidden_bias: np.ndarray
    out: np.ndarray
    out_bias: float

    @property
    def n_inputs(self) -> int:
        return int(self.mean.shape[0])

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        h = np.maximum(0.0, ((x - self.mean) / self.scale) @ self.hidden + self.hidden_bias)
        return _sigmoid(h @ self.out + self.out_bias)

    def payload(self) -> dict[str, Any]:
        return {
            "kind": "network",
            "mean": _rounded(self.mean),
            "scale": _rounded(self.scale),
            "hidden": [_rounded(row) for row in self.hidden],
            "hidden_bias": _rounded(self.hidden_bias),
            "out": _rounded(self.out),
            "out_bias": round(float(self.out_bias), 5),
        }


Scorer = Logistic | Network


def _rounded(values: np.ndarray) -> list[float]:
    return [round(float(v), 5) for v in values]


def _array(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def from_payload(payload: dict[str, Any]) -> Scorer:
    kind = payload.get("kind", "logistic")
    if kind == "logistic":
        return Logistic(_array(payload["weights"]))
    if kind == "network":
        return Network(
            _array(payload["mean"]),
            _array(payload["scale"]),
            _array(payload["hidden"]),
            _array(payload["hidden_bias"]),
            _array(payload["out"]),
            float(payload["out_bias"]),
        )
    raise ValueError(f"unknown scorer kind {kind!r}")


@functools.lru_cache(maxsize=8)
def load_scorer(name: str) -> tuple[Scorer, float] | None:
    """(scorer, threshold) of the shipped ``etl/nlp/quotes/data/<name>``, or None without it."""
    try:
        data = resources.files("etl.nlp.quotes").joinpath(f"data/{name}").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return None
    payload = json.loads(data)
    return from_payload(payload), float(payload["threshold"])
