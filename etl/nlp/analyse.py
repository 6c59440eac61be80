"""Turn a parsed article into sentences, mentions and quotes (segment + extract)."""

from __future__ import annotations

import bisect

from spacy.tokens import Doc

from etl.nlp.entities import extract_mentions
from etl.nlp.quotes import extract_quotes
from etl.records import AnalysedArticle, CleanArticle, Sentence


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
    return AnalysedArticle(article, tuple(sentences), tuple(mentions), tuple(quotes))


def skip_nlp(article: CleanArticle) -> AnalysedArticle:
    """Non-English articles are stored and counted, but not run through English NLP."""
    return AnalysedArticle(article)
