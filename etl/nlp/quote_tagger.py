"""A small trained token tagger: is this token part of an attribution's Content, Cue or Source?

The rules in ``etl.nlp.quotes`` look at one cue at a time. This tagger reads the whole article,
token by token, and gives three probabilities per token (content, cue, source), learned from
PolNeAR train. The quote extractor uses them twice:

* as features of the cue scorer (``etl.nlp.cue_model``): how much of a candidate's span the
  tagger reads as content, at its edges and at its root, how cue-like the cue is and how
  source-like its subject;
* to find contents no rule reaches: a run of tokens inside one paragraph that the tagger reads as
  content, overlapping no candidate, becomes a quote (``origin="tagger"``, no cue, no speaker)
  when its mean probability reaches the threshold stored with the weights.

Its input per token is the pipeline's own ``tok2vec`` vector (``doc.tensor``, so the costly part
is not computed twice) plus a few flags read from the parse: inside a quotation, a quotation
mark, sentence or paragraph start, the dependency label, the part of speech, which dependents it
governs, whether it is a speech verb, how far away its head is, and whether it sits inside a
clause that a speech verb (or any word) governs, however far up the tree. A thinc network of four
residual window layers (each token sees four more on either side) turns them into the three
probabilities. The weights (``data/quote_tagger.bin`` with ``data/quote_tagger.json``) are
trained by ``etl.nlp.train_quotes``; without them, or with a tensor of another width, the
extractor works from its rules and shipped scorers alone.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np
from spacy.attrs import DEP, HEAD, IS_QUOTE, POS, SENT_START
from spacy.tokens import Doc
from thinc.api import Adam, Maxout, Model, Sigmoid, chain, clone, expand_window, fix_random_seed, residual, with_array

from etl.nlp.cues import SPEECH_VERBS, cue_stem

LABELS = ("content", "cue", "source")
DEPS = (
    "ROOT", "acl", "acomp", "advcl", "advmod", "agent", "amod", "appos", "attr", "aux", "auxpass", "case", "cc",
    "ccomp", "compound", "conj", "csubj", "csubjpass", "dative", "dep", "det", "dobj", "expl", "intj", "mark",
    "meta", "neg", "nmod", "npadvmod", "nsubj", "nsubjpass", "nummod", "oprd", "parataxis", "pcomp", "pobj",
    "poss", "preconj", "predet", "prep", "prt", "punct", "quantmod", "relcl", "xcomp",
)  # fmt: skip
POS_TAGS = (
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT", "SCONJ",
    "SYM", "VERB", "X", "SPACE",
)  # fmt: skip
CHILD_DEPS = ("ccomp", "xcomp", "dobj", "nsubj", "nsubjpass", "agent", "prep", "parataxis")
CLAUSE_DEPS = ("ccomp", "xcomp", "parataxis")
ANCESTOR_LEVELS = 12
N_FLAGS = 4 + len(DEPS) + len(POS_TAGS) + len(CHILD_DEPS) + 4
WIDTH = 64
DEPTH = 4
FILE = "quote_tagger"


def token_inputs(doc: Doc, in_quote: Sequence[int]) -> np.ndarray | None:
    """One row per token: ``doc.tensor`` and the parse flags. None without a tensor."""
    if doc.tensor is None or not doc.tensor.size or len(doc.tensor) != len(doc):
        return None
    n = len(doc)
    strings = doc.vocab.strings
    arr = doc.to_array([DEP, POS, HEAD, IS_QUOTE, SENT_START]).astype(np.int64)
    flags = np.zeros((n, N_FLAGS), dtype=np.float32)
    flags[:, 0] = np.asarray(in_quote) >= 0
    flags[:, 1] = arr[:, 3]
    flags[:, 2] = arr[:, 4] == 1
    flags[0, 2] = 1.0
    flags[1:, 3] = [("\n" in t.whitespace_ or "\n" in t.text) for t in doc[:-1]]
    col = 4
    dep_col = _columns(strings, DEPS)
    deps = np.fromiter((dep_col.get(int(h), -1) for h in arr[:, 0]), dtype=np.int64, count=n)
    rows = np.nonzero(deps >= 0)[0]
    flags[rows, col + deps[rows]] = 1.0
    col += len(DEPS)
    pos_col = _columns(strings, POS_TAGS)
    pos = np.fromiter((pos_col.get(int(p), -1) for p in arr[:, 1]), dtype=np.int64, count=n)
    rows = np.nonzero(pos >= 0)[0]
    flags[rows, col + pos[rows]] = 1.0
    col += len(POS_TAGS)
    heads = np.arange(n) + arr[:, 2]
    for k, label in enumerate(CHILD_DEPS):
        children = np.nonzero(deps == DEPS.index(label))[0]
        flags[heads[children], col + k] = 1.0
    col += len(CHILD_DEPS)
    speech = np.fromiter((t.tag_.startswith("VB") and cue_stem(t) in SPEECH_VERBS for t in doc), dtype=bool, count=n)
    flags[:, col] = speech
    flags[:, col + 1] = np.clip(arr[:, 2].astype(np.float32) / 10.0, -3.0, 3.0)
    # the long view the window layers lack: is the token inside a clause that a speech verb (or
    # any word) governs as its clause (ccomp, xcomp, parataxis), up to twelve levels up the tree?
    clause = np.isin(deps, [DEPS.index(d) for d in CLAUSE_DEPS])
    node = np.arange(n)
    for _ in range(ANCESTOR_LEVELS):
        parent = heads[node]
        link = clause[node] & (parent != node)
        flags[:, col + 2] = np.maximum(flags[:, col + 2], link & speech[parent])
        flags[:, col + 3] = np.maximum(flags[:, col + 3], link)
        node = parent
    return np.concatenate([doc.tensor.astype(np.float32, copy=False), flags], axis=1)


@functools.lru_cache(maxsize=4)
def _columns(strings: Any, labels: tuple[str, ...]) -> dict[int, int]:
    """Hash (or symbol id) of each label -> its column."""
    from spacy import symbols

    out = {}
    for k, label in enumerate(labels):
        out[int(strings[label])] = k
        if hasattr(symbols, label):
            out[int(getattr(symbols, label))] = k
    return out


def build_model(n_in: int, width: int = WIDTH, depth: int = DEPTH, dropout: float = 0.0) -> Model:
    layer: Model = chain(expand_window(1), Maxout(width, width * 3, nP=2, normalize=True, dropout=dropout))
    return with_array(
        chain(
            Maxout(width, n_in, nP=2, normalize=True, dropout=dropout),
            clone(residual(layer), depth),  # type: ignore[arg-type]
            Sigmoid(len(LABELS), width),
        )
    )


@functools.lru_cache(maxsize=1)
def load_tagger() -> tuple[Model, dict[str, Any]] | None:
    """The shipped tagger and its metadata (``run_threshold``, ``inputs``), or None."""
    base = resources.files("etl.nlp").joinpath("data")
    try:
        meta = json.loads(base.joinpath(f"{FILE}.json").read_text(encoding="utf-8"))
        weights = base.joinpath(f"{FILE}.bin").read_bytes()
    except (FileNotFoundError, ModuleNotFoundError):
        return None
    model = build_model(int(meta["inputs"]), int(meta["width"]), int(meta["depth"]))
    model.from_bytes(weights)
    return model, meta


def tag(doc: Doc, in_quote: Sequence[int]) -> np.ndarray | None:
    """(tokens, 3) probabilities of content, cue and source, or None (no tensor, no weights)."""
    loaded = load_tagger()
    if loaded is None or not len(doc):
        return None
    model, meta = loaded
    x = token_inputs(doc, in_quote)
    if x is None or x.shape[1] != int(meta["inputs"]):
        return None
    return np.asarray(model.predict([x])[0])


def token_labels(doc: Doc, roles: Sequence[set[int]]) -> np.ndarray:
    """(tokens, 3) gold labels: ``roles`` holds the characters of every Content, every Cue and
    every Source of the article, in ``doc.text`` offsets."""
    y = np.zeros((len(doc), len(LABELS)), dtype=np.float32)
    for k, chars in enumerate(roles):
        for t in doc:
            if any(ch in chars for ch in range(t.idx, t.idx + len(t.text))):
                y[t.i, k] = 1.0
    return y


def train(
    inputs: Sequence[np.ndarray], labels: Sequence[np.ndarray], epochs: int, seed: int = 0, batch: int = 8
) -> Model:
    """Adam over articles in shuffled batches; the output's gradient is ``p - y`` (as spaCy's
    ``textcat_multilabel`` trains its sigmoid outputs)."""
    fix_random_seed(seed)
    model = build_model(int(inputs[0].shape[1]), dropout=0.1)
    model.initialize(X=list(inputs[:2]), Y=list(labels[:2]))
    optimizer = Adam(0.002)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(inputs))
        for b in range(0, len(order), batch):
            idx = order[b : b + batch]
            probs, backprop = model.begin_update([inputs[i] for i in idx])
            backprop([(p - labels[i]) / len(idx) for p, i in zip(probs, idx, strict=True)])
            model.finish_update(optimizer)
    return model
