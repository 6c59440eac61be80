"""Attribution cues: the words that introduce what someone said, thought or backed.

The cue lexicon is keyed by a crude, inflection-insensitive stem (``cue_key``) so the pipeline
needs no lemmatizer: ``said``, ``says`` and ``saying`` share the key ``say``. A hand list covers
the common reporting verbs; ``etl/nlp/quotes/data/cue_lexicon.json`` (built by ``etl.training.quotes``
from PolNeAR train, see ``etl/nlp/quotes/data/MODEL_CARD.md``) adds the long tail with the rate at which
each stem, heading a clause complement, was a gold cue.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from importlib import resources

import numpy as np
from spacy.attrs import TAG
from spacy.tokens import Doc, Token

_IRREGULAR = {
    "said": "say",
    "says": "say",
    "told": "tell",
    "wrote": "write",
    "written": "write",
    "writes": "write",
    "writing": "write",
    "thought": "think",
    "spoke": "speak",
    "spoken": "speak",
    "felt": "feel",
    "knew": "know",
    "known": "know",
    "saw": "see",
    "seen": "see",
    "found": "find",
    "made": "make",
    "gave": "give",
    "given": "give",
    "took": "take",
    "taken": "take",
    "brought": "bring",
    "sought": "seek",
    "meant": "mean",
    "heard": "hear",
    "held": "hold",
    "went": "go",
    "gone": "go",
    "got": "get",
    "gotten": "get",
    "kept": "keep",
    "fought": "fight",
    "taught": "teach",
    "forgot": "forget",
    "forgotten": "forget",
    "understood": "understand",
    "foresaw": "foresee",
    "foreseen": "foresee",
    "led": "lead",
    "read": "read",
    "shown": "show",
    "showed": "show",
    "swore": "swear",
    "sworn": "swear",
    "chose": "choose",
    "chosen": "choose",
    "withdrew": "withdraw",
    "stood": "stand",
    "taking": "take",
    "making": "make",
    "giving": "give",
    "ran": "run",
    "began": "begin",
    "begun": "begin",
    "became": "become",
    "did": "do",
    "does": "do",
    "done": "do",
    "was": "be",
    "were": "be",
    "is": "be",
    "are": "be",
    "been": "be",
    "has": "have",
    "had": "have",
    "having": "have",
    "lied": "lie",
    "lying": "lie",
    "tweeted": "tweet",
    "tweets": "tweet",
    "tweeting": "tweet",
    "agreed": "agree",
    "agrees": "agree",
    "agreeing": "agree",
    "sang": "sing",
    "sung": "sing",
    "insisted": "insist",
    "added": "add",
    "adding": "add",
    "adds": "add",
}
_VOWELS = set("aeiou")


@functools.lru_cache(maxsize=8192)
def cue_key(word: str) -> str:
    """An inflection-insensitive key for a verb form (not a true lemma, only consistent)."""
    w = word.lower().replace("’", "'")
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    for suffix, repl in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + repl
            break
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in _VOWELS and w[-1] not in "sl":
        w = w[:-1]
    return w


# Reporting verbs news uses; every one of them can head a quote or a reported clause.
SPEECH_VERBS = frozenset(
    cue_key(v)
    for v in """say tell add warn call insist argue write claim state note explain declare announce report
    acknowledge admit assert comment confirm contend deny emphasize emphasise maintain mention predict
    promise reply respond remark reveal stress suggest tweet urge vow ask answer continue recall concede
    complain boast joke quip muse observe point caution charge accuse allege testify affirm reiterate
    repeat conclude estimate speculate shout yell scream cry whisper lament wonder proclaim pledge
    threaten demand counter retort rebut describe dismiss blast slam criticize criticise praise
    tout signal hint indicate disclose post believe think feel hope fear worry expect know
    agree disagree say chant sing exclaim fume retort snap scoff plead beg read title entitle""".split()
)

# Verbs that introduce a direct quote after a colon or comma, or take a quoted object.
QUOTE_FRAME_VERBS = SPEECH_VERBS


CUE_TAGS = ("VB", "NN", "JJ")


def tagged_indices(doc: Doc, prefixes: tuple[str, ...]) -> list[int]:
    """The tokens whose fine-grained tag starts with one of ``prefixes``, without visiting each."""
    tags = doc.to_array([TAG])
    strings = doc.vocab.strings
    wanted = [h for h in np.unique(tags).tolist() if strings[h].startswith(prefixes)]
    return np.flatnonzero(np.isin(tags, np.asarray(wanted, dtype=np.uint64))).tolist()
_PREP_CONTENT = ("pobj", "pcomp")


def cue_stem(tok: Token) -> str:
    return cue_key(tok.text) if tok.tag_.startswith("VB") else tok.lower_


def frames(tok: Token) -> Iterator[tuple[str, Token, int, int]]:
    """The ways ``tok`` could govern a content: (path, content root, first token, end token).

    ``path`` names the dependency route from the cue to the content's root: ``ccomp``,
    ``xcomp`` (with an object before the infinitive: "urged X to Y"), ``dobj``, ``prep:for``
    (the object of a preposition: "called for X"), ``acl`` (a noun's clause: "a proposal to
    ban"), ``nsubjpass`` and ``parataxis<`` (the cue inside the clause it reports: "X, he says").
    """
    if not tok.tag_.startswith(CUE_TAGS):
        return
    right_objs = []
    for c in tok.children:
        dep = c.dep_
        if dep in ("ccomp", "parataxis") and c.tag_.startswith(("VB", "MD")) or dep == "ccomp":
            hi = c.right_edge.i + 1
            if c.i > tok.i:
                hi = _right_siblings_end(tok, c, hi)
            yield "ccomp", c, c.left_edge.i, hi
        elif dep in ("dobj", "oprd") and c.i > tok.i:
            right_objs.append(c)
        elif dep == "xcomp" and c.i > tok.i:
            right_objs.append(c)
        elif dep == "prep" and c.i > tok.i:
            for g in c.children:
                if g.dep_ in _PREP_CONTENT:
                    yield f"prep:{c.lower_}", g, g.left_edge.i, _np_end(g)
                    break
        elif dep in ("acl", "relcl") and tok.tag_.startswith("NN") and c.i > tok.i:
            yield "acl", c, c.left_edge.i, c.right_edge.i + 1
        elif dep == "nsubjpass":
            yield "nsubjpass", c, c.left_edge.i, c.right_edge.i + 1
    if right_objs:
        has_x = any(c.dep_ == "xcomp" for c in right_objs)
        lo = min(c.left_edge.i for c in right_objs)
        last = max(right_objs, key=lambda c: c.i)
        hi = _np_end(last) if last.tag_.startswith(("NN", "PRP")) and len(right_objs) == 1 else last.right_edge.i + 1
        hi = _right_siblings_end(tok, last, hi)
        root = next(c for c in right_objs if c.dep_ == ("xcomp" if has_x else right_objs[0].dep_))
        yield ("xcomp" if has_x else "dobj"), root, lo, hi
    if tok.dep_ == "parataxis" and tok.head is not tok and tok.tag_.startswith("VB"):
        # "The effects, he said, are hard to predict": the head clause around the cue's phrase
        head = tok.head
        lo, hi = head.left_edge.i, head.right_edge.i + 1
        if hi - lo > tok.right_edge.i + 1 - tok.left_edge.i:
            yield "parataxis<", head, lo, hi


_SIBLING_DEPS = frozenset({"prep", "oprd", "xcomp", "ccomp", "advcl", "dative", "npadvmod", "advmod"})
# time: "praised X after the vote" -- what was praised ends before it
_CIRCUMSTANCE_PREPS = frozenset({"during", "after", "before", "since", "until", "amid"})
_REASON_MARKS = frozenset({"because", "since", "if", "unless", "although", "though", "so"})
_CLAUSE_BREAK = frozenset({",", ";", ":", "—", "–", "(", "--"})


def _np_end(root: Token) -> int:
    """End of a noun phrase: its whole subtree (cutting trailing appositives lost more than it won)."""
    return root.right_edge.i + 1


def _right_siblings_end(cue: Token, content: Token, hi: int) -> int:
    """Widen a content that follows its cue over the cue's later complements ("blamed X for Y")."""
    for c in cue.rights:
        if c.i <= content.i:
            continue
        if c.dep_ == "punct" and c.text in _CLAUSE_BREAK:
            break
        if c.dep_ == "advcl" and c.left_edge.lower_ not in _REASON_MARKS:
            break  # ", noting ...", "explaining ...": the cue's own comment, not the content
        if c.dep_ in _SIBLING_DEPS and not (c.dep_ == "prep" and c.lower_ in _CIRCUMSTANCE_PREPS):
            hi = max(hi, c.right_edge.i + 1)
        elif c.dep_ != "punct":
            break
    return hi


@functools.lru_cache(maxsize=1)
def learned_lexicon() -> dict[str, float]:
    """``stem|path`` -> rate at which that stem governing that path was a cue in PolNeAR train."""
    try:
        data = resources.files("etl.nlp.quotes").joinpath("data/cue_lexicon.json").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return {}
    return {k: float(v) for k, v in json.loads(data)["rates"].items()}


def path_score(stem: str, path: str) -> float:
    """How likely a cue with ``stem`` governing a content by ``path`` is an attribution (0..1)."""
    learned = learned_lexicon().get(f"{stem}|{path}")
    if path in ("ccomp", "parataxis<") and stem in SPEECH_VERBS and (learned is None or learned >= 0.3):
        return max(0.9, learned or 0.0)
    return learned or 0.0


def frame_score(key: str, frame: str) -> float:
    return path_score(key, frame)
