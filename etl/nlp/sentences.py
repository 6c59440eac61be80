"""Which sentence each token of a parsed article belongs to (whitespace tokens belong to the
sentence before them, and a sentence of whitespace alone is no sentence)."""

from __future__ import annotations

from spacy.tokens import Doc


def sentence_of_token(doc: Doc) -> list[int]:
    out = [0] * len(doc)
    count = 0
    for sent in doc.sents:
        idx = max(count - 1, 0)
        if any(not t.is_space for t in sent):
            idx = count
            count += 1
        for token in sent:
            out[token.i] = idx
    return out
