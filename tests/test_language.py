"""Language tags: detected for every article; a source's own tag only where it agrees or detection can't tell."""

from __future__ import annotations

import pytest

from etl import ids
from etl.language import detect_code, resolve, tag_language
from etl.records import CleanArticle, Paragraph

TEXTS = {
    "en": "The council said on Tuesday that the new library would open in the spring, a year later than planned.",
    "de": "Der Stadtrat hat am Donnerstagabend mit großer Mehrheit den Bau eines neuen Radwegs zum Hafen beschlossen.",
    "fr": "Après six ans de fermeture, le musée des Tissus de Lyon rouvre ses portes ce samedi avec un nouveau parcours.",
    "es": "El ayuntamiento aprobó el martes un nuevo plan para ampliar el horario de la biblioteca municipal en verano.",
    "nl": "De gemeenteraad heeft dinsdag besloten dat de nieuwe bibliotheek in het voorjaar de deuren zal openen.",
}


def article(body: str, language: str | None = None, title: str | None = None) -> CleanArticle:
    chash = ids.content_hash(body)
    return CleanArticle(
        article_id=ids.article_id(chash),
        content_hash=chash,
        source_uri="x",
        body_text=body,
        paragraphs=(Paragraph(0, 0, len(body)),),
        title=title,
        language=language,
    )


@pytest.mark.parametrize(("code", "text"), sorted(TEXTS.items()))
def test_language_detected(code: str, text: str) -> None:
    assert tag_language(article(text)).language == code


@pytest.mark.parametrize("wrong_tag", ["en", "fr", "xx"])
def test_language_source_tag_ignored_when_it_disagrees(wrong_tag: str) -> None:
    assert tag_language(article(TEXTS["de"], language=wrong_tag)).language == "de"


def test_language_source_tag_kept_when_it_agrees() -> None:
    assert tag_language(article(TEXTS["en"], language="en")).language == "en"


@pytest.mark.parametrize(
    ("body", "tag", "expected"), [("Ok.", "fr", "fr"), ("Ok.", None, None), ("12 - 4", "de", "de"), ("", None, None)]
)
def test_language_short_text_falls_back_to_source_tag(body: str, tag: str | None, expected: str | None) -> None:
    assert tag_language(article(body, language=tag)).language == expected


def test_language_detect_code_unreliable_is_none() -> None:
    assert detect_code("Hello world") is None
    assert detect_code(TEXTS["en"]) == "en"


def test_language_resolve_normalises_tag() -> None:
    assert resolve(None, "EN-gb") == "en"
    assert resolve("de", "en") == "de"
