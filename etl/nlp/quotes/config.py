"""The quote component's settings: every threshold in one frozen record, which the spaCy
component's config fills (``etl.nlp.quotes.component``). ``None`` takes the value shipped with
the trained file it belongs to."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class QuoteConfig:
    cue_threshold: float | None = None  # cue scorer probability for a frame to become a quote
    # added to cue_threshold per path type: passive subjects are rarely what was said
    path_offsets: dict[str, float] = field(default_factory=lambda: {"nsubjpass": 0.3})
    lexicon_ccomp_threshold: float = 0.4  # lexicon rates, used when the scorer is unavailable
    lexicon_other_threshold: float = 0.4
    near_cue_threshold: float = 0.6  # a learned cue claiming an unattached quotation in its sentence
    run_threshold: float | None = None  # tagger: mean content probability of a run of its own
    review_threshold: float | None = None  # speaker review: below it a quote keeps no speaker
    min_tagged_tokens: int = 4  # a shorter run of tagged content is not a quote on its own
    min_direct_words: int = 4  # a quotation with fewer words and no cue is a scare quote or a title
    overlap_limit: float = 0.5  # two candidates sharing more than this share of the shorter: one goes
    according_confidence: float = 0.95  # "according to X" outranks a cue found inside its clause
    calibrate: bool = True  # confidence through the shipped calibration (data/calibration.json)
    min_confidence: float | None = None  # rows below this calibrated confidence go
    disabled_rules: tuple[str, ...] = field(default=())  # rule names (etl.nlp.quotes.rules.RULES) left out

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["disabled_rules"] = list(self.disabled_rules)
        out["path_offsets"] = dict(self.path_offsets)
        return out

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> QuoteConfig:
        known = {k: v for k, v in values.items() if k in cls.__dataclass_fields__}
        if "disabled_rules" in known:
            known["disabled_rules"] = tuple(known["disabled_rules"])
        return cls(**known)


DEFAULT_CONFIG = QuoteConfig()
