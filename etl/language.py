"""Language identification: every article gets an ISO 639-1 code (or None when it cannot be told).

Detection is py3langid with normalised probabilities over the title and the start of the body. A
source's own tag (news-please ``language``, ``<html lang>``) is trusted only when detection agrees
with it, or when the text is too short or too mixed for detection to be reliable.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Any

from etl.records import CleanArticle

# below these, py3langid's answer is a guess: fall back to the source's tag (or None)
MIN_LETTERS = 40
MIN_PROBABILITY = 0.80
SAMPLE_CHARS = 800  # py3langid's cost is linear in the sample; news prose needs far less

_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid import langid

    return langid.LanguageIdentifier.from_modelpath(langid.MODEL_DIR / langid.MODEL_FILE, norm_probs=True)


def detect(text: str) -> tuple[str | None, float]:
    """The most likely ISO 639-1 code and its probability; (None, 0.0) when there is no text."""
    sample = text[:SAMPLE_CHARS]
    if not sample.strip():
        return None, 0.0
    code, prob = _identifier().classify(sample)
    code = str(code).lower()
    if len(code) != 2:  # the model also knows languages with no ISO 639-1 code
        return None, float(prob)
    return code, float(prob)


def detect_code(text: str) -> str | None:
    """A code only when detection is reliable (enough letters, probability high enough)."""
    sample = text[:SAMPLE_CHARS]
    if len(sample) < 4 * MIN_LETTERS and len(_LETTER.findall(sample)) < MIN_LETTERS:
        return None
    code, prob = detect(text)
    return code if prob >= MIN_PROBABILITY else None


def resolve(detected: str | None, source_tag: str | None) -> str | None:
    """Detection wins when reliable; the source's tag only fills in when detection cannot tell."""
    tag = source_tag.strip().lower()[:2] if source_tag and len(source_tag.strip()) >= 2 else None
    if detected is not None:
        return detected
    return tag


def tag_language(article: CleanArticle) -> CleanArticle:
    """Set ``language`` from the text; a source's own tag is kept only when it agrees (or when the
    text is too short to tell)."""
    text = article.body_text
    if article.title and len(text) < SAMPLE_CHARS:
        text = f"{article.title}\n\n{text}"
    return replace(article, language=resolve(detect_code(text), article.language))
