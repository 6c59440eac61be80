"""Quote extraction: who said what, as one spaCy component (``news_etl_quotes_v1``).

Modules, each one concept: ``marks`` (quotation marks), ``context`` (per-article state),
``speakers`` and ``coref`` (speaker resolution), ``registry`` with ``cue_rules`` and
``quotation_rules`` (one small function per rule), ``frames``, ``cues``, ``cue_model``,
``tagger``, ``review`` and ``calibration`` (the trained models; ``scorer`` reads their files),
``nesting``, ``headlines``,
``tagged``, ``output`` (rows), ``extract`` (the passes), ``config`` and ``component``.
This package is its public surface.
"""

from etl.nlp.quotes.candidate import Candidate, kind_of
from etl.nlp.quotes.component import MENTIONS, NAME, QUOTES, QuoteComponent
from etl.nlp.quotes.config import DEFAULT_CONFIG, QuoteConfig
from etl.nlp.quotes.context import Context
from etl.nlp.quotes.extract import extract, find_candidates
from etl.nlp.quotes.marks import QSpan, find_quote_spans, quote_index
from etl.nlp.quotes.output import PIECE_JOINER, Attribution, to_attributions
from etl.nlp.quotes.registry import RULES

__all__ = [
    "DEFAULT_CONFIG", "MENTIONS", "NAME", "PIECE_JOINER", "QUOTES", "RULES", "Attribution", "Candidate", "Context",
    "QSpan", "QuoteComponent", "QuoteConfig", "extract", "find_candidates", "find_quote_spans", "kind_of",
    "quote_index", "to_attributions",
]  # fmt: skip
