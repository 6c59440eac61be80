"""The quote extractor as a spaCy component, ``news_etl_quotes_v1``, with its thresholds in its
config (``QuoteConfig``)::

    nlp.add_pipe("news_etl_quotes_v1", config={"cue_threshold": 0.25})

It runs last, reads the parse, the entities and the tok2vec tensor, and leaves the article's
entity mentions on ``doc._.news_etl_mentions`` and its quotes (``Attribution`` records, offsets
into ``doc.text``) on ``doc._.news_etl_quotes``; ``etl.nlp.analyse`` turns them into rows.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from etl.nlp.entities import extract_mentions
from etl.nlp.quotes.config import DEFAULT_CONFIG, QuoteConfig
from etl.nlp.quotes.extract import extract
from etl.nlp.sentences import sentence_of_token

NAME = "news_etl_quotes_v1"
MENTIONS = "news_etl_mentions"
QUOTES = "news_etl_quotes"

for _attr in (MENTIONS, QUOTES):
    if not Doc.has_extension(_attr):
        Doc.set_extension(_attr, default=None)


class QuoteComponent:
    def __init__(self, config: QuoteConfig):
        self.config = config

    def __call__(self, doc: Doc) -> Doc:
        mentions = extract_mentions(doc, sentence_of_token(doc))
        doc._.set(MENTIONS, mentions)
        doc._.set(QUOTES, extract(doc, mentions, self.config))
        return doc


@Language.factory(NAME, default_config=DEFAULT_CONFIG.as_dict())
def make_quote_component(
    nlp: Language,
    name: str,
    cue_threshold: float | None,
    path_offsets: dict[str, float],
    lexicon_ccomp_threshold: float,
    lexicon_other_threshold: float,
    near_cue_threshold: float,
    run_threshold: float | None,
    review_threshold: float | None,
    min_tagged_tokens: int,
    min_direct_words: int,
    overlap_limit: float,
    according_confidence: float,
    calibrate: bool,
    min_confidence: float | None,
    disabled_rules: list[str],
) -> QuoteComponent:
    """The component from its config: every ``QuoteConfig`` field, defaults as shipped."""
    values: dict[str, Any] = dict(locals())
    values.pop("nlp")
    values.pop("name")
    return QuoteComponent(QuoteConfig.from_dict(values))
