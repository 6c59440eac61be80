"""The day of each statement, when the text dates it ("Lavrov said Tuesday, Feb 26").

``said_on_source`` says what dated it:

- ``cue``: a date expression the reporting verb governs ("said Tuesday", "told reporters on
  Feb 26"), outside the quoted content;
- ``sentence``: a date expression elsewhere in the cue's sentence, outside the content;
- ``speaker``: the same speaker's last dated statement earlier in the article (a story quoting
  one person after one event: "..., Lavrov said Tuesday." then "..., Lavrov said.").

Expressions are resolved against the article's publication day, preferring the past; a statement
is never dated after its article. Undated statements keep ``said_on`` null.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from spacy.tokens import Span, Token

from etl.records import Quote
from etl.when.expressions import find_dates, resolve


def _outside(span: Span, quote: Quote) -> bool:
    return span.end_char <= quote.quote_start or span.start_char >= quote.quote_end


def _day(span: Span, reference: date | None) -> date | None:
    for expr in find_dates(span.text):
        day = resolve(expr, reference)
        if day is not None and (reference is None or day <= reference):
            return day
    return None


def cue_date(
    cue: Token, quote: Quote, reference: date | None, dates: Sequence[Span] | None = None
) -> tuple[date | None, str | None]:
    """The day a statement's cue or its sentence names, and which of the two named it.

    ``dates`` are the doc's DATE entities, when the caller has them (``doc.ents`` builds every
    entity span on each call: reading it once per article, not once per quote, is cheaper).
    """
    sentence_day: date | None = None
    sent = cue.sent
    ents = dates if dates is not None else [e for e in cue.doc.ents if e.label_ == "DATE"]
    for ent in ents:
        if not (sent.start <= ent.start < sent.end) or not _outside(ent, quote):
            continue
        day = _day(ent, reference)
        if day is None:
            continue
        if cue in ent.root.ancestors:
            return day, "cue"
        sentence_day = sentence_day or day
    return (sentence_day, "sentence") if sentence_day is not None else (None, None)


def date_statements(quotes: Sequence[tuple[Quote, Token | None]], reference: date | None) -> list[Quote]:
    """Each quote with ``said_on`` and ``said_on_source`` when its text dates it (quotes in text order)."""
    out: list[Quote] = []
    last_by_speaker: dict[str, date] = {}
    dates: list[Span] | None = None
    for quote, cue in sorted(quotes, key=lambda qc: qc[0].quote_start):
        if cue is not None and dates is None:
            dates = [e for e in cue.doc.ents if e.label_ == "DATE"]
        day, source = cue_date(cue, quote, reference, dates) if cue is not None else (None, None)
        speaker = quote.speaker_entity_id or quote.speaker_name
        if day is None and speaker is not None and speaker in last_by_speaker:
            day, source = last_by_speaker[speaker], "speaker"
        if day is not None and speaker is not None:
            last_by_speaker[speaker] = day
        out.append(replace(quote, said_on=day, said_on_source=source) if day is not None else quote)
    order = {q.quote_id: i for i, (q, _) in enumerate(quotes)}
    return sorted(out, key=lambda q: order[q.quote_id])
