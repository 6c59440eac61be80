"""Language identification: every article gets an ISO 639-1 code."""

from __future__ import annotations

from dataclasses import replace

from etl.records import CleanArticle


def detect_code(text: str) -> str | None:
    import py3langid

    if not text.strip():
        return None
    code, _score = py3langid.classify(text[:2000])
    return str(code)


def tag_language(article: CleanArticle) -> CleanArticle:
    """Set ``language`` from the text; a source's own tag is kept only when it agrees."""
    detected = detect_code(article.body_text)
    return replace(article, language=detected or article.language)
