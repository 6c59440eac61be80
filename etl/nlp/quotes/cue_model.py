"""A small trained scorer for cue candidates: is this word, governing this content, an attribution?

Each candidate is a (cue token, path, content root) triple from ``etl.nlp.quotes.cues.frames``. Its
features are the two tokens' vectors from the pipeline's own ``tok2vec`` (``doc.tensor``, so
nothing new is computed), the path type and preposition, the cue's part of speech, and the
learned ``stem|path`` rate from ``cue_lexicon.json``. A network of one hidden layer over them
(``cue_model.json``, ``etl.nlp.quotes.scorer``, trained on PolNeAR train by
``etl.training.quotes``) gives a probability; every candidate of one article is scored with
two matrix products.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from spacy.tokens import Doc, Token

from etl.nlp.quotes.cues import SPEECH_VERBS, cue_stem, learned_lexicon
from etl.nlp.quotes.scorer import Scorer, load_scorer

PATH_TYPES = ("ccomp", "parataxis<", "xcomp", "dobj", "prep", "acl", "nsubjpass")
PREPS = ("of", "for", "to", "about", "on", "with", "in", "at", "against", "as", "by", "from", "over", "that")
POS_TAGS = ("VB", "NN", "JJ")
SUBJECT_TYPES = ("PERSON", "ORG", "PLACE", "PRON", "REL", "NOUN", "OTHER")
N_EXTRA = len(PATH_TYPES) + len(PREPS) + len(POS_TAGS) + len(SUBJECT_TYPES) + 8
_PRONOUNS = frozenset({"he", "she", "they", "i", "we", "you", "it"})


def subject_type(subj: Token | None) -> str | None:
    if subj is None:
        return None
    if subj.ent_type_ == "PERSON":
        return "PERSON"
    if subj.ent_type_ == "ORG":
        return "ORG"
    if subj.ent_type_ in ("GPE", "NORP", "LOC"):
        return "PLACE"
    low = subj.lower_
    if low in _PRONOUNS:
        return "PRON"
    if low in ("who", "that", "which"):
        return "REL"
    if subj.tag_.startswith("NN"):
        return "NOUN"
    return "OTHER"


def extra_features(
    tok: Token, path: str, root: Token, lo: int, hi: int, rate: float | None, subj: Token | None, root_quoted: bool
) -> list[float]:
    ptype = "prep" if path.startswith("prep:") else path
    prep = path[5:] if path.startswith("prep:") else ""
    out = [1.0 if ptype == p else 0.0 for p in PATH_TYPES]
    out += [1.0 if prep == p else 0.0 for p in PREPS]
    out += [1.0 if tok.tag_.startswith(t) else 0.0 for t in POS_TAGS]
    stype = subject_type(subj)
    out += [1.0 if stype == t else 0.0 for t in SUBJECT_TYPES]
    has_subject = subj is not None
    out += [
        rate if rate is not None else 0.0,
        1.0 if rate is None else 0.0,
        1.0 if tok.lower_ in SPEECH_VERBS or _stem_in_speech(tok) else 0.0,
        1.0 if has_subject else 0.0,
        1.0 if root_quoted else 0.0,
        math.log1p(max(0, hi - lo)) / 4.0,
        1.0 if tok.dep_ == "ROOT" else 0.0,
        1.0,
    ]
    return out


def _stem_in_speech(tok: Token) -> bool:
    return cue_stem(tok) in SPEECH_VERBS


def lexicon_rate(stem: str, path: str) -> float | None:
    return learned_lexicon().get(f"{stem}|{path}")


def feature_matrix(doc: Doc, rows: Sequence[tuple[int, int, int, list[float]]]) -> np.ndarray:
    """rows: (cue token, content root token, subject token or -1, extra features) -> one matrix."""
    width = doc.tensor.shape[1] if doc.tensor is not None and doc.tensor.size else 96
    x = np.zeros((len(rows), 3 * width + N_EXTRA), dtype=np.float32)
    if not rows:
        return x
    if doc.tensor is not None and doc.tensor.size:
        cue_idx = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        root_idx = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        subj_idx = np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows))
        x[:, :width] = doc.tensor[cue_idx]
        x[:, width : 2 * width] = doc.tensor[root_idx]
        has = subj_idx >= 0
        x[has, 2 * width : 3 * width] = doc.tensor[subj_idx[has]]
    x[:, 3 * width :] = np.asarray([r[3] for r in rows], dtype=np.float32)
    return x


def load_model() -> tuple[Scorer, float] | None:
    return load_scorer("cue_model.json")
