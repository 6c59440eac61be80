"""Attribution cues: the words that introduce what someone said, thought or backed.

The cue lexicon is keyed by a crude, inflection-insensitive stem (``cue_key``) so the pipeline
needs no lemmatizer: ``said``, ``says`` and ``saying`` share the key ``say``. A hand list covers
the common reporting verbs; ``etl/nlp/data/cue_lexicon.json`` (built by ``etl.nlp.train_quotes``
from PolNeAR train, see ``etl/nlp/data/MODEL_CARD.md``) adds the long tail with the rate at which
each stem, heading a clause complement, was a gold cue.
"""

from __future__ import annotations

import functools
import json
from importlib import resources

_IRREGULAR = {
    "said": "say", "says": "say", "told": "tell", "wrote": "write", "written": "write", "writes": "write",
    "writing": "write", "thought": "think", "spoke": "speak", "spoken": "speak", "felt": "feel", "knew": "know",
    "known": "know", "saw": "see", "seen": "see", "found": "find", "made": "make", "gave": "give",
    "given": "give", "took": "take", "taken": "take", "brought": "bring", "sought": "seek", "meant": "mean",
    "heard": "hear", "held": "hold", "went": "go", "gone": "go", "got": "get", "gotten": "get", "kept": "keep",
    "fought": "fight", "taught": "teach", "forgot": "forget", "forgotten": "forget", "understood": "understand",
    "foresaw": "foresee", "foreseen": "foresee", "led": "lead", "read": "read", "shown": "show", "showed": "show",
    "swore": "swear", "sworn": "swear", "chose": "choose", "chosen": "choose", "withdrew": "withdraw",
    "stood": "stand", "taking": "take", "making": "make", "giving": "give", "ran": "run", "began": "begin",
    "begun": "begin", "became": "become", "did": "do", "does": "do", "done": "do", "was": "be", "were": "be",
    "is": "be", "are": "be", "been": "be", "has": "have", "had": "have", "having": "have", "lied": "lie",
    "lying": "lie", "tweeted": "tweet", "tweets": "tweet", "tweeting": "tweet", "agreed": "agree",
    "agrees": "agree", "agreeing": "agree", "insisted": "insist", "added": "add", "adding": "add", "adds": "add",
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
    agree disagree say""".split()
)

# Verbs that introduce a direct quote after a colon or comma, or take a quoted object.
QUOTE_FRAME_VERBS = SPEECH_VERBS


FRAMES = ("ccomp", "xcomp", "dobj")


@functools.lru_cache(maxsize=1)
def learned_lexicon() -> dict[str, dict[str, float]]:
    """Frame -> stem -> rate at which the stem in that frame was a cue in PolNeAR train."""
    try:
        data = resources.files("etl.nlp").joinpath("data/cue_lexicon.json").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):
        return {}
    rates = json.loads(data)["rates"]
    return {frame: {k: float(v) for k, v in table.items()} for frame, table in rates.items()}


def frame_score(key: str, frame: str) -> float:
    """How likely a verb with stem ``key`` governing ``frame`` is an attribution cue (0..1)."""
    learned = learned_lexicon().get(frame, {}).get(key)
    if frame == "ccomp" and key in SPEECH_VERBS:
        return max(0.9, learned or 0.0) if learned is None or learned >= 0.3 else learned
    return learned or 0.0
