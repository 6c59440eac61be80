"""Turn a parsed article into sentences, mentions and quotes (segment + extract)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import date

from spacy.tokens import Doc

from etl import ids
from etl.nlp.entities import extract_mentions
from etl.nlp.quotes import MENTIONS, QUOTES, Attribution, extract
from etl.nlp.roles import extract_roles
from etl.nlp.sentences import sentence_of_token
from etl.records import AnalysedArticle, CleanArticle, Mention, Quote, QuoteEntity, Sentence
from etl.when.statements import date_statements


def segment(article: CleanArticle, doc: Doc) -> tuple[list[Sentence], list[int]]:
    """Sentences inside paragraphs, and for each token the index of its sentence.

    Whitespace tokens belong to the sentence before them; offsets exclude edge whitespace.
    """
    text = article.body_text
    para_starts = [p.start_char for p in article.paragraphs]
    sentences: list[Sentence] = []
    for sent in doc.sents:
        words = [t for t in sent if not t.is_space]
        if words:
            start, end = words[0].idx, words[-1].idx + len(words[-1].text)
            sentences.append(
                Sentence(
                    sentence_idx=len(sentences),
                    paragraph_idx=bisect.bisect_right(para_starts, start) - 1,
                    start_char=start,
                    end_char=end,
                    text=text[start:end],
                    word_count=sum(1 for t in words if not t.is_punct),
                )
            )
    return sentences, sentence_of_token(doc)


def extract_quotes(
    doc: Doc, article_id: str, mentions: Sequence[Mention], text: str | None = None, published: date | None = None
) -> list[Quote]:
    """The quotes of ``doc`` as rows: the quote component's output when it ran in the pipeline
    (``news_etl_quotes_v1``), else the extractor with its default config."""
    found: list[Attribution] | None = doc._.get(QUOTES)
    if found is None:
        found = extract(doc, mentions, text=text)
    body = text if text is not None else doc.text
    return quote_rows(doc, found, article_id, body, published)


def quote_rows(
    doc: Doc, found: Sequence[Attribution], article_id: str, body: str, published: date | None = None
) -> list[Quote]:
    """Attributions as ``Quote`` rows with their ids and, when the text dates them, their day."""
    rows = [
        (
            Quote(
                quote_id=ids.quote_id(article_id, a.start, a.end),
                quote_start=a.start,
                quote_end=a.end,
                quote_text=a.text_of(body),
                kind=a.kind,
                speaker_text=a.speaker_text,
                speaker_start=a.speaker_start,
                speaker_end=a.speaker_end,
                speaker_name=a.speaker_name,
                speaker_entity_id=a.speaker_entity_id,
                cue_text=a.cue_text,
                confidence=a.confidence,
                speaker_status=a.speaker_status,
                pieces=a.pieces,
            ),
            doc[a.cue_token] if a.cue_token is not None else None,
        )
        for a in found
    ]
    return date_statements(rows, published)


def analyse(article: CleanArticle, doc: Doc) -> AnalysedArticle:
    sentences, token_sentences = segment(article, doc)
    mentions = doc._.get(MENTIONS)
    if mentions is None:
        mentions = extract_mentions(doc, token_sentences)
    published = article.published_at.date() if article.published_at is not None else None
    quotes = extract_quotes(doc, article.article_id, mentions, text=article.body_text, published=published)
    roles = tuple(extract_roles(doc, mentions))
    return AnalysedArticle(article, tuple(sentences), tuple(mentions), tuple(quotes), roles, quote_entities(quotes, mentions))


def quote_entities(quotes: Sequence[Quote], mentions: Sequence[Mention]) -> tuple[QuoteEntity, ...]:
    """The entities each quote's content mentions (its speaker excluded)."""
    starts = [m.start_char for m in mentions]
    out = []
    for q in quotes:
        for m in mentions[bisect.bisect_left(starts, q.quote_start) :]:
            if m.start_char >= q.quote_end:
                break
            if m.end_char > q.quote_end:
                continue
            if q.speaker_start is not None and q.speaker_end is not None and m.start_char < q.speaker_end and q.speaker_start < m.end_char:
                continue
            out.append(QuoteEntity(q.quote_id, m.entity_id, m.start_char, m.end_char))
    return tuple(out)


def skip_nlp(article: CleanArticle) -> AnalysedArticle:
    """Non-English articles are stored and counted, but not run through English NLP."""
    return AnalysedArticle(article)
