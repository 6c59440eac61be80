"""The rule registry: every candidate rule is one small function, registered here under a name
and a stage, and tried in registration order (the first that claims its input wins).

Stages:

* ``token``: a cue word outside quotation marks (``fn(draft, token) -> bool``);
* ``paragraph``: a paragraph's opening (``fn(draft, start, end) -> bool``);
* ``quotation``: a quotation no earlier candidate holds (``fn(draft, quotation) -> bool``);
  ``titles`` says whether the rule also applies to a quoted title (``the so-called “Geneva
  Agreement”``), which needs a speech verb to be anybody's words.

A rule named in ``QuoteConfig.disabled_rules`` is left out (development and ablations; all are on
in production).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Span, Token

from etl.nlp.quotes.candidate import Candidate
from etl.nlp.quotes.config import QuoteConfig
from etl.nlp.quotes.context import Context
from etl.nlp.quotes.marks import QSpan

STAGES = ("token", "paragraph", "quotation")


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    stage: str
    fn: Callable[..., bool]
    titles: bool = False


RULES: dict[str, Rule] = {}


def register(name: str, stage: str, titles: bool = False) -> Callable[[Callable[..., bool]], Callable[..., bool]]:
    if stage not in STAGES:
        raise ValueError(f"unknown rule stage {stage!r}")

    def decorate(fn: Callable[..., bool]) -> Callable[..., bool]:
        if name in RULES:
            raise ValueError(f"rule {name!r} registered twice")
        RULES[name] = Rule(name, stage, fn, titles)
        return fn

    return decorate


def rules_for(stage: str, config: QuoteConfig) -> list[Rule]:
    return [r for r in RULES.values() if r.stage == stage and r.name not in config.disabled_rules]


@dataclass(slots=True)
class Quotation:
    """A quotation the quotation rules try to attribute, with its sentence range."""

    index: int
    span: QSpan
    title: bool
    first_sentence: int
    last_sentence: int


@dataclass(slots=True)
class Draft:
    """The candidates of one article while the rules run."""

    q: Context
    config: QuoteConfig
    frames: dict[int, tuple[float, str, int, int]] = field(default_factory=dict)
    cands: list[Candidate] = field(default_factory=list)
    cue_tokens: set[int] = field(default_factory=set)
    used_quotes: dict[int, Candidate] = field(default_factory=dict)
    sents: list[Span] = field(default_factory=list)
    sent_starts: list[int] = field(default_factory=list)

    def add(
        self,
        pieces: tuple[int, int] | None,
        cue: Token | None,
        cue_text: str,
        subj: Token | None,
        conf: float,
        reporting: bool = False,
        origin: str = "",
    ) -> Candidate | None:
        """A candidate for the content ``pieces`` (widened to the quotations it mostly covers)."""
        if pieces is None:
            return None
        start, end, used = self.q.widen(*pieces)
        if end - start < 2:
            return None
        speaker = self.q.speakers.phrase(subj) if subj is not None else None
        c = Candidate([(start, end)], cue, cue_text, speaker, conf, reporting, used, subj, origin)
        self.cands.append(c)
        if cue is not None:
            self.cue_tokens.add(cue.i)
        return c

    def sentence_index(self, char: int) -> int:
        return bisect.bisect_right(self.sent_starts, char) - 1

    def attach(self, quotation: Quotation, made: Any) -> bool:
        """Record the candidate a quotation went to; True when there is one."""
        if made is None:
            return False
        self.used_quotes[quotation.index] = made
        return True
