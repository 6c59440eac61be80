"""Turn a parsed article into sentences, mentions and quotes (segment + extract)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from spacy.tokens import Doc

from etl.nlp.entities import extract_mentions
from etl.nlp.quotes import extract_quotes
from etl.nlp.roles import extract_roles
from etl.records import AnalysedArticle, CleanArticle, Mention, Quote, QuoteEntity, Sentence


def segment(article: CleanArticle, doc: Doc) -> tuple[list[Sentence], list[int]]:
    """Sentences inside paragraphs, and for each token the index of its sentence.

    Whitespace tokens belong to the sentence before them; offsets exclude edge whitespace.
    """
    text = article.body_text
    para_starts = [p.start_char for p in article.paragraphs]
    sentences: list[Sentence] = []
    sentence_of_token = [0] * len(doc)
    for sent in doc.sents:
        words = [t for t in sent if not t.is_space]
        idx = max(len(sentences) - 1, 0)
        if words:
            start, end = words[0].idx, words[-1].idx + len(words[-1].text)
            idx = len(sentences)
            sentences.append(
                Sentence(
                    sentence_idx=idx,
                    paragraph_idx=bisect.bisect_right(para_starts, start) - 1,
                    start_char=start,
                    end_char=end,
                    text=text[start:end],
                    word_count=sum(1 for t in words if not t.is_punct),
                )
            )
        for token in sent:
            sentence_of_token[token.i] = idx
    return sentences, sentence_of_token


def analyse(article: CleanArticle, doc: Doc) -> AnalysedArticle:
    sentences, sentence_of_token = segment(article, doc)
    mentions = extract_mentions(doc, sentence_of_token)
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
