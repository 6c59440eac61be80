"""Speaker resolution inside one article: names, titles, pronouns and role nouns to a person.

Everything here is linear in the article: one pass builds a ``PersonIndex`` from the PERSON
mentions (their canonical names already resolve surnames to the full name introduced earlier,
see ``etl.nlp.entities.resolve_person_names``); pronouns then resolve to the nearest earlier
person of a compatible gender, preferring grammatical subjects of the last few sentences.

Gender comes from evidence in the article itself: honorifics (Mr., Mrs., Ms.), role nouns
before the name (spokeswoman, congressman), a short list of common first names, and the
pronouns used in sentences that mention only that person.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from etl.nlp.gender import (
    FEMALE,
    FEMALE_PRONOUNS,
    FEMALE_WORDS,
    MALE,
    MALE_PRONOUNS,
    MALE_WORDS,
    name_gender,
    pronoun_gender,
)
from etl.records import Mention

PERSONAL_PRONOUNS = MALE_PRONOUNS | FEMALE_PRONOUNS
RELATIVE_PRONOUNS = frozenset({"who", "whom", "which", "that", "whose"})

@dataclass(frozen=True, slots=True)
class Person:
    start_char: int
    end_char: int
    token: int  # head token of the mention
    name: str
    entity_id: str
    sentence: int
    is_subject: bool


class PersonIndex:
    """PERSON mentions of one article, in order, with a gender per canonical name."""

    def __init__(self, doc: Doc, mentions: Sequence[Mention]):
        self.doc = doc
        self.people: list[Person] = []
        char_to_token = {t.idx: t.i for t in doc}
        votes: dict[str, Counter[str]] = defaultdict(Counter)
        sent_starts = [s.start for s in doc.sents]
        self._sent_starts = sent_starts
        by_sentence: dict[int, set[str]] = defaultdict(set)
        for m in mentions:
            if m.label != "PERSON":
                continue
            first = char_to_token.get(m.start_char)
            if first is None:
                continue
            span = doc.char_span(m.start_char, m.end_char, alignment_mode="expand")
            head = span.root if span is not None and len(span) else doc[first]
            sent = bisect.bisect_right(sent_starts, first) - 1
            self.people.append(
                Person(
                    m.start_char,
                    m.end_char,
                    head.i,
                    m.canonical_name,
                    m.entity_id,
                    sent,
                    head.dep_ in ("nsubj", "nsubjpass"),
                )
            )
            by_sentence[sent].add(m.canonical_name)
            # honorifics and role nouns just before the mention
            for t in doc[max(0, first - 3) : first]:
                w = t.lower_
                if w in MALE_WORDS:
                    votes[m.canonical_name][MALE] += 3
                elif w in FEMALE_WORDS:
                    votes[m.canonical_name][FEMALE] += 3
            g = name_gender(m.canonical_name)
            if g:
                votes[m.canonical_name][g] += 2
        # pronouns in sentences (and the next one) naming exactly one person
        for sent_idx, names in by_sentence.items():
            if len(names) != 1:
                continue
            (name,) = names
            start = sent_starts[sent_idx]
            end = sent_starts[sent_idx + 2] if sent_idx + 2 < len(sent_starts) else len(doc)
            for t in doc[start:end]:
                g = pronoun_gender(t.lower_)
                if g:
                    votes[name][g] += 1
        self.gender: dict[str, str | None] = {}
        for name, v in votes.items():
            males, females = v[MALE], v[FEMALE]
            self.gender[name] = MALE if males > females else FEMALE if females > males else None
        self._starts = [p.start_char for p in self.people]
        self._surnames: dict[str, Person] | None = None
        self.by_token: dict[int, Person] = {}
        for p in self.people:
            span = doc.char_span(p.start_char, p.end_char, alignment_mode="expand")
            if span is not None:
                for t in span:
                    self.by_token[t.i] = p

    def by_surname(self, word: str) -> Person | None:
        """The one person in the article whose full name ends (or starts) with ``word``."""
        if self._surnames is None:
            table: dict[str, dict[str, Person]] = defaultdict(dict)
            for p in self.people:
                parts = p.name.split()
                if len(parts) > 1:
                    table[parts[-1]][p.name] = p
                    table[parts[0]][p.name] = p
            self._surnames = {k: next(iter(v.values())) for k, v in table.items() if len(v) == 1}
        return self._surnames.get(word)

    def sentence_of(self, token: Token) -> int:
        return bisect.bisect_right(self._sent_starts, token.i) - 1

    def person_at(self, token: Token) -> Person | None:
        return self.by_token.get(token.i)

    def resolve_pronoun(self, token: Token, window_sentences: int = 4) -> Person | None:
        """The person ``he``/``she`` at ``token`` most likely refers to, or None."""
        want = pronoun_gender(token.lower_)
        if want is None:
            return None
        sent = self.sentence_of(token)
        idx = bisect.bisect_left(self._starts, token.idx)
        best: Person | None = None
        best_score = -1e9
        for p in reversed(self.people[:idx]):
            if sent - p.sentence > window_sentences:
                break
            g = self.gender.get(p.name)
            if g is not None and g != want:
                continue
            score = -(sent - p.sentence) * 1.0 - (token.i - p.token) * 0.001
            if p.is_subject:
                score += 1.5
            if g == want:
                score += 1.0
            if p.sentence == sent and p.is_subject:
                score += 0.5
            if score > best_score:
                best, best_score = p, score
        return best

    def resolve_role(self, token: Token) -> Person | None:
        """``the spokeswoman``/``the senator``: the last person introduced with that role noun,
        before the name or in an apposition after it."""
        word = token.lower_
        idx = bisect.bisect_left(self._starts, token.idx)
        for p in reversed(self.people[:idx]):
            first = self.doc.char_span(p.start_char, p.end_char, alignment_mode="expand")
            if first is None:
                continue
            if any(t.lower_ == word for t in self.doc[max(0, first.start - 4) : first.start]):
                return p
            # "Patrick Ventrell, a State Department spokesman": the role in an apposition
            head = self.doc[p.token]
            for child in head.children:
                if child.dep_ == "appos" and child.i > head.i and child.lower_ == word:
                    return p
        return None
