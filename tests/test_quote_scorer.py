"""The quote extractor's trained scorers: both kinds read back as written, and the network
learns what a logistic regression cannot."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from etl.nlp.quotes.cue_model import load_model
from etl.nlp.quotes.scorer import Logistic, Network, from_payload
from etl.training.files import write_model
from etl.training.fit import train_logistic, train_network


def _xor(n: int = 800, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 2, size=(n, 2)).astype(np.float32)
    x = np.hstack([a + rng.normal(0, 0.1, size=a.shape).astype(np.float32), np.ones((n, 1), dtype=np.float32)])
    return x, (a[:, 0] != a[:, 1]).astype(np.float32)


def _accuracy(p: np.ndarray, y: np.ndarray) -> float:
    return float(((p >= 0.5) == (y >= 0.5)).mean())


def test_network_learns_xor_which_a_logistic_regression_cannot() -> None:
    x, y = _xor()
    assert _accuracy(train_logistic(x, y).probabilities(x), y) < 0.8
    network = train_network(x, y, hidden=16, epochs=60, dropout=0.0, l2=0.0)
    assert _accuracy(network.probabilities(x), y) > 0.95


def test_network_training_is_seeded() -> None:
    x, y = _xor(200)
    a = train_network(x, y, hidden=8, epochs=3)
    b = train_network(x, y, hidden=8, epochs=3)
    np.testing.assert_array_equal(a.hidden, b.hidden)


def test_scorers_read_back_as_written(tmp_path: Path) -> None:
    x, y = _xor(200)
    for scorer in (train_logistic(x, y), train_network(x, y, hidden=8, epochs=3)):
        path = tmp_path / "model.json"
        write_model(path, "xor", y, scorer, 0.4)
        payload = json.loads(path.read_text())
        back = from_payload(payload)
        assert type(back) is type(scorer) and payload["threshold"] == 0.4
        np.testing.assert_allclose(back.probabilities(x), scorer.probabilities(x), atol=1e-3)


def test_earlier_logistic_files_without_a_kind_still_load() -> None:
    back = from_payload({"weights": [0.5, -0.5], "threshold": 0.3})
    assert isinstance(back, Logistic) and back.n_inputs == 2


def test_shipped_cue_scorer_is_the_network() -> None:
    shipped = load_model()
    assert shipped is not None, "etl/nlp/quotes/data/cue_model.json is not installed with the package"
    scorer, threshold = shipped
    assert isinstance(scorer, Network) and 0.0 < threshold < 1.0


def test_context_lookups_agree_with_spacy_and_numpy() -> None:
    from etl.nlp.model import get_nlp
    from etl.nlp.quotes import Context
    from etl.settings import DEFAULT_MODEL

    text = "The mayor spoke first. Then the council said it would vote on Friday. Nobody else spoke."
    doc = get_nlp(DEFAULT_MODEL)(text)
    q = Context(doc, [])
    for tok in doc:
        assert q.sentence_bounds(tok.i) == (tok.sent.start, tok.sent.end)
    start = text.index("council")
    first, end = q.token_range(start, start + len("council said"))
    assert [t.text for t in doc[first:end]] == ["council", "said"]
    assert q.tags is not None, "the shipped tagger is not installed with the package"
    for column in range(3):
        assert abs(q.mean_tag(first, end, column) - float(q.tags[first:end, column].mean())) < 1e-6
    assert q.mean_tag(end, end, 0) == 0.0
