"""A small trained token tagger: is this token part of an attribution's Content, Cue or Source?

The rules in ``etl.nlp.quotes.rules`` look at one cue at a time. This tagger reads the whole article,
token by token, and gives three probabilities per token (content, cue, source), learned from
PolNeAR train. The quote extractor uses them three times:

* as features of the cue scorer (``etl.nlp.quotes.cue_model``): how much of a candidate's span the
  tagger reads as content, at its edges and at its root, how cue-like the cue is and how
  source-like its subject;
* to find contents no rule reaches: a run of tokens inside one paragraph that the tagger reads as
  content, overlapping no candidate, becomes a quote (``origin="tagger"``) when its mean
  probability reaches the threshold stored with the weights. Its cue is the most cue-like token
  of its sentences and its speaker the nearest source-like one, when the tagger reads any (the
  speaker review then vets that speaker like any other).
* to widen a rule's content that is one unquoted piece over the tokens right next to it that
  it reads as content (the clause a faulty parse cut off, the sentence that goes on).

Its input per token is the pipeline's own ``tok2vec`` vector (``doc.tensor``, so the costly part
is not computed twice) plus a few flags read from the parse: inside a quotation, a quotation
mark, sentence or paragraph start, the dependency label, the part of speech, which dependents it
governs, whether it is a speech verb, how far away its head is, whether it sits inside a clause
that a speech verb (or any word) governs, however far up the tree, and, for when the parse is
wrong, whether a speech verb comes before or after it in its sentence, or "according". A thinc network of four
residual window layers (each token sees four more on either side) turns them into the three
probabilities. The weights (``data/quote_tagger.bin`` with ``data/quote_tagger.json``) are
trained by ``etl.training.quotes``; without them, or with a tensor of another width, the
extractor works from its rules and shipped scorers alone.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np
from spacy.attrs import DEP, HEAD, IDX, IS_QUOTE, LOWER, ORTH, POS, SENT_START
from spacy.tokens import Doc
from thinc.api import Adam, Maxout, Model, Sigmoid, chain, clone, expand_window, fix_random_seed, residual, with_array

from etl.nlp.quotes.cues import SPEECH_VERBS, cue_key, tagged_indices

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
HEAD_FLAGS = ("in_quote", "quote_mark", "sentence_start", "paragraph_start")
TAIL_FLAGS = ("speech_verb", "head_offset", "in_speech_clause", "in_clause", "after_speech", "before_speech", "according")
N_FLAGS = len(HEAD_FLAGS) + len(DEPS) + len(POS_TAGS) + len(CHILD_DEPS) + len(TAIL_FLAGS)
WIDTH = 64
DEPTH = 4
FILE = "quote_tagger"


def flag_column(name: str) -> int:
    """The column of a named flag in ``token_inputs``' rows, after the tensor."""
    if name in HEAD_FLAGS:
        return HEAD_FLAGS.index(name)
    return N_FLAGS - len(TAIL_FLAGS) + TAIL_FLAGS.index(name)


def token_inputs(doc: Doc, in_quote: Sequence[int], text: str | None = None) -> np.ndarray | None:
    """One row per token: ``doc.tensor`` and the parse flags. None without a tensor. ``text``:
    ``doc.text`` if the caller holds it (spaCy joins it anew on each access)."""
    if doc.tensor is None or not doc.tensor.size or len(doc.tensor) != len(doc):
        return None
    n = len(doc)
    strings = doc.vocab.strings
    arr = doc.to_array([DEP, POS, HEAD, IS_QUOTE, SENT_START, IDX, ORTH, LOWER])  # uint64: hashes
    rel_head = arr[:, 2].astype(np.int64)  # relative offsets, stored wrapped
    flags = np.zeros((n, N_FLAGS), dtype=np.float32)
    flags[:, 0] = np.asarray(in_quote) >= 0
    flags[:, 1] = arr[:, 3]
    flags[:, 2] = arr[:, 4].astype(np.int64) == 1
    flags[0, 2] = 1.0
    # a paragraph starts where a newline lies between the previous token's start and this one's
    text = doc.text if text is None else text
    newlines = np.cumsum(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32) == 10)
    starts = arr[:, 5].astype(np.int64)
    flags[1:, 3] = newlines[starts[1:] - 1] > newlines[starts[:-1]]
    col = 4
    deps = _lookup(arr[:, 0], _columns(strings, DEPS))
    rows = np.nonzero(deps >= 0)[0]
    flags[rows, col + deps[rows]] = 1.0
    col += len(DEPS)
    pos = _lookup(arr[:, 1], _columns(strings, POS_TAGS))
    rows = np.nonzero(pos >= 0)[0]
    flags[rows, col + pos[rows]] = 1.0
    col += len(POS_TAGS)
    heads = np.arange(n) + rel_head
    for k, label in enumerate(CHILD_DEPS):
        children = np.nonzero(deps == DEPS.index(label))[0]
        flags[heads[children], col + k] = 1.0
    col += len(CHILD_DEPS)
    speech = np.zeros(n, dtype=bool)
    for i in tagged_indices(doc, ("VB",)):
        speech[i] = _is_speech_verb(strings[int(arr[i, 6])])
    flags[:, col] = speech
    flags[:, col + 1] = np.clip(rel_head.astype(np.float32) / 10.0, -3.0, 3.0)
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
    # and when the parse fails: after or before a speech verb of its sentence, or in a sentence
    # with "according"
    sentence = np.cumsum(flags[:, 2]).astype(np.int64) - 1
    first = np.full(sentence[-1] + 1, n)
    last = np.full(sentence[-1] + 1, -1)
    according = np.zeros(sentence[-1] + 1, dtype=np.float32)
    at = np.arange(n)
    np.minimum.at(first, sentence[speech], at[speech])
    np.maximum.at(last, sentence[speech], at[speech])
    np.maximum.at(according, sentence[arr[:, 7] == _according(strings)], 1.0)
    flags[:, col + 4] = at > first[sentence]
    flags[:, col + 5] = at < last[sentence]
    flags[:, col + 6] = according[sentence]
    return np.concatenate([doc.tensor.astype(np.float32, copy=False), flags], axis=1)


@functools.lru_cache(maxsize=4096)
def _is_speech_verb(word: str) -> bool:
    """``etl.nlp.quotes.cues.cue_stem`` of a verb form is its ``cue_key``."""
    return cue_key(word) in SPEECH_VERBS


@functools.lru_cache(maxsize=4)
def _according(strings: Any) -> int:
    return int(strings.add("according"))


@functools.lru_cache(maxsize=4)
def _columns(strings: Any, labels: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The hash (and symbol id) of each label, sorted, and the label's column for each."""
    from spacy import symbols

    pairs = {}
    for k, label in enumerate(labels):
        pairs[int(strings[label])] = k
        if hasattr(symbols, label):
            pairs[int(getattr(symbols, label))] = k
    keys = np.asarray(sorted(pairs), dtype=np.uint64)
    return keys, np.asarray([pairs[int(h)] for h in keys], dtype=np.int64)


def _lookup(values: np.ndarray, table: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Each value's column in ``table`` (from ``_columns``), -1 when it has none."""
    keys, cols = table
    at = np.minimum(np.searchsorted(keys, values), len(keys) - 1)
    return np.where(keys[at] == values, cols[at], -1)


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
    base = resources.files("etl.nlp.quotes").joinpath("data")
    try:
        meta = json.loads(base.joinpath(f"{FILE}.json").read_text(encoding="utf-8"))
        weights = base.joinpath(f"{FILE}.bin").read_bytes()
    except (FileNotFoundError, ModuleNotFoundError):
        return None
    model = build_model(int(meta["inputs"]), int(meta["width"]), int(meta["depth"]))
    model.from_bytes(weights)
    return model, meta


def tag(doc: Doc, in_quote: Sequence[int], text: str | None = None) -> np.ndarray | None:
    """(tokens, 3) probabilities of content, cue and source, or None (no tensor, no weights)."""
    loaded = load_tagger()
    if loaded is None or not len(doc):
        return None
    model, meta = loaded
    x = token_inputs(doc, in_quote, text)
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
