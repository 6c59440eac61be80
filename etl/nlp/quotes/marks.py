"""Quotation marks: the quoted stretches of an article, paragraph by paragraph.

Curly and straight double marks and ``''doubled apostrophes''`` (a mismatched pair such as
``"...”`` still pairs), single curly marks at word edges (an apostrophe inside a word, as in
``Syrians’``, never closes a quote), and an opening mark left open at the paragraph's end, which
carries the quote into the next paragraph. An odd number of marks never raises.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.attrs import IDX
from spacy.tokens import Doc

DOUBLE_MARKS = '"“”„«»'
DOUBLE_CLOSERS = '"”»'
OPENERS = "\"“„«‘'"


@dataclass(slots=True)
class QSpan:
    """A quoted stretch of text, marks included; ``open_end`` when its paragraph ends first."""

    start: int
    end: int
    paragraph: int
    open_end: bool = False
    words: int = 0




def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    bounds, pos = [], 0
    while True:
        nxt = text.find("\n\n", pos)
        end = len(text) if nxt < 0 else nxt
        if end > pos:
            bounds.append((pos, end))
        if nxt < 0:
            return bounds
        pos = nxt + 2
        while pos < len(text) and text[pos] in "\n ":
            pos += 1


def quote_index(doc: Doc, spans: Sequence[QSpan], token_starts: Sequence[int] | None = None) -> list[int]:
    """Token -> index of the quote span containing it (marks included), else -1."""
    starts = token_starts if token_starts is not None else doc.to_array([IDX]).tolist()
    out = [-1] * len(doc)
    for qi, q in enumerate(spans):
        first = bisect.bisect_left(starts, q.start)
        for t in doc[first:]:
            if t.idx >= q.end:
                break
            out[t.i] = qi
    return out


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def find_quote_spans(text: str) -> list[QSpan]:
    """Quoted stretches of ``text``, paragraph by paragraph, in order."""
    spans: list[QSpan] = []
    for p_idx, (p_start, p_end) in enumerate(paragraph_bounds(text)):
        open_at: int | None = None
        found: list[QSpan] = []
        i = p_start - 1
        while i + 1 < p_end:
            i += 1
            ch = text[i]
            width = 1
            if ch == "'" and i + 1 < p_end and text[i + 1] == "'":
                ch, width = '"', 2  # ''doubled apostrophes'' stand for a double mark
            elif ch not in DOUBLE_MARKS:
                continue
            prev = text[i - 1] if i > p_start else " "
            if open_at is None:
                if ch == "”" and _is_word(prev) and (i + 1 >= p_end or not _is_word(text[i + 1])) and i > p_start:
                    continue  # a stray closing mark (its opener is missing): not an opening
                open_at = i
            elif ch == "“" and prev.isspace() and i - open_at > 1:
                # a second opener: the first quote was never closed; restart here
                open_at = i
            elif ch == '"' and width == 1 and prev.isspace() and _reopens(text, open_at, i, p_end):
                # ... again. "As I got older ...: a straight mark opening a word after a sentence's
                # end opens a new quotation; the first one ends with its sentence
                end = i
                while end > open_at and text[end - 1].isspace():
                    end -= 1
                found.append(QSpan(open_at, end, p_idx))
                open_at = i
            else:
                found.append(QSpan(open_at, i + width, p_idx))
                open_at = None
            i += width - 1
        if open_at is not None:
            end = p_end
            while end > open_at and text[end - 1].isspace():
                end -= 1
            found.append(QSpan(open_at, end, p_idx, open_end=True))
        found.extend(_single_quotes(text, p_start, p_end, p_idx, found))
        found.sort(key=lambda q: q.start)
        spans.extend(found)
    for q in spans:
        q.words = len(text[q.start : q.end].split())
    return spans


def _reopens(text: str, open_at: int, i: int, p_end: int) -> bool:
    """Whether the straight mark at ``i`` (inside a quotation opened at ``open_at``) opens a new
    one: a word follows it and a sentence's end comes before it."""
    if i + 1 >= p_end or not _is_word(text[i + 1]):
        return False
    before = text[open_at + 1 : i].rstrip()
    return len(before) > 1 and before[-1] in ".?!"


def _single_quotes(text: str, p_start: int, p_end: int, p_idx: int, doubles: list[QSpan]) -> list[QSpan]:
    """‘...’ quotes outside double quotes: the opener at a word start, the closer at a word end."""
    out: list[QSpan] = []
    i = p_start
    while i < p_end:
        if (
            text[i] == "‘"
            and (i == p_start or not _is_word(text[i - 1]))
            and i + 1 < p_end
            and not text[i + 1].isspace()
        ):
            if any(q.start <= i < q.end for q in doubles):
                i += 1
                continue
            j = i + 1
            close = -1
            while j < p_end:
                c = text[j]
                if c == "‘":
                    break
                if c == "’" and (j + 1 >= p_end or not _is_word(text[j + 1])) and text[j - 1] not in "sS ":
                    close = j
                    break
                j += 1
            if close > i + 1:
                out.append(QSpan(i, close + 1, p_idx))
                i = close + 1
                continue
        i += 1
    return out




def is_title(quoted: str) -> bool:
    """A short quoted name in title case (the so-called “Geneva Agreement”): a title or a scare
    quote, not somebody's words."""
    words = quoted.strip(DOUBLE_MARKS + "‘’' ,.").split()
    return 0 < len(words) <= 4 and all(w[:1].isupper() or not w[:1].isalpha() for w in words)

