"""Roles the text gives people: titles before names and appositions.

"Russian Foreign Minister Sergei Lavrov" gives Sergei Lavrov the role "Russian Foreign Minister"
(normalised "foreign minister"); "Patrick Ventrell, a State Department spokesman," gives
"a State Department spokesman" ("spokesman"); "X, the company's chief executive" gives "chief
executive". Nationality, place and organisation words are dropped from the normalised role
before its head noun, so one role reads the same across outlets.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from spacy.tokens import Doc, Span, Token

from etl.nlp.entities import AFFILIATION_WORDS, ROLE_NOUNS, strip_roles
from etl.records import Mention, Role

# words that may stand inside a role before the name ("Secretary of State", "Vice President")
_ROLE_LINKS = frozenset({"of", "for", "the", "and", "&"})
_DROP_FROM_NORM = frozenset({"the", "a", "an", "former", "then", "acting", "'s", "’s"})
_ENTITY_WORDS = frozenset({"GPE", "NORP", "ORG", "LOC", "FAC"})
# compass words of an affiliation ("West German")
_COMPASS = frozenset({"west", "east", "north", "south"})
MAX_ROLE_TOKENS = 8


def _is_role_noun(token: Token) -> bool:
    return token.lower_.rstrip(".") in ROLE_NOUNS


def _title_before(doc: Doc, start: int) -> tuple[int, int] | None:
    """Token range of a title written just before the name starting at token ``start``."""
    i = start - 1
    lo = start
    while i >= 0 and start - i <= MAX_ROLE_TOKENS:
        t = doc[i]
        if t.is_punct or t.is_space or t.ent_type_ == "PERSON":
            break
        # a capitalised word, opening the sentence only when no function word ("Prime Minister X said")
        capitalised = t.text[:1].isupper() and (not t.is_sent_start or not t.is_stop)
        if _is_role_noun(t) or t.ent_type_ in _ENTITY_WORDS or capitalised or (t.lower_ in _ROLE_LINKS and i < start - 1):
            lo = i
            i -= 1
            continue
        break
    while lo < start and doc[lo].lower_ in _ROLE_LINKS:
        lo += 1
    if lo >= start or not any(_is_role_noun(doc[k]) for k in range(lo, start)):
        return None
    return lo, start


def normalise_role(tokens: Sequence[Token]) -> str:
    """Lower-cased, without articles and the nationality, place, organisation and possessor words
    before the first role noun, whether spaCy tagged them or not: "U.S. State Department
    spokeswoman" -> "spokeswoman", "West German Finance Minister" -> "finance minister"."""
    first_role = next((k for k, t in enumerate(tokens) if _is_role_noun(t)), 0)
    words = []
    for k, t in enumerate(tokens):
        if t.lower_ in _DROP_FROM_NORM or t.is_punct:
            continue
        possessor = t.dep_ == "poss" or t.head.dep_ == "poss"  # "the company's chief executive"
        affiliation = t.lower_ in AFFILIATION_WORDS or (
            t.lower_ in _COMPASS and k + 1 < len(tokens) and tokens[k + 1].lower_ in AFFILIATION_WORDS
        )
        if k < first_role and (t.ent_type_ in _ENTITY_WORDS or t.tag_ == "POS" or possessor or affiliation):
            continue
        words.append(t.lower_)
    while words and words[-1] in _ROLE_LINKS:
        words.pop()
    while words and words[0] in _ROLE_LINKS:
        words.pop(0)
    return " ".join(words)


def _apposition(span: Span) -> tuple[int, int] | None:
    """Token range of an apposition to the name: "Ventrell, a State Department spokesman"."""
    for child in span.root.children:
        if child.dep_ == "appos" and child.i >= span.end and _is_role_noun(child):
            sub = list(child.subtree)
            lo, hi = sub[0].i, sub[-1].i + 1
            # the role phrase itself, not a relative clause hanging off it
            hi = min([hi] + [c.i for c in child.children if c.dep_ in ("relcl", "acl", "prep") and c.i > child.i])
            return lo, hi
    return None


def _title_inside(span: Span, name: str) -> tuple[int, int] | None:
    """Token range of a title spaCy kept inside the PERSON span ("President Barack Obama")."""
    keep = len(name.split())
    words = [t for t in span if not t.is_space]
    if len(words) <= keep:
        return None
    lo, hi = words[0].i, words[-keep].i
    if not any(_is_role_noun(span.doc[k]) for k in range(lo, hi)):
        return None
    return lo, hi


def extract_roles(doc: Doc, mentions: Sequence[Mention]) -> Iterator[Role]:
    """Roles given to the PERSON mentions of ``doc``, each once per place in the text."""
    seen: set[tuple[str, int]] = set()
    for m in mentions:
        if m.label != "PERSON":
            continue
        span = doc.char_span(m.start_char, m.end_char, alignment_mode="expand")
        if span is None or not len(span):
            continue
        for found in (_title_before(doc, span.start), _title_inside(span, strip_roles(span.text)), _apposition(span)):
            if found is None:
                continue
            lo, hi = found
            tokens = list(doc[lo:hi])
            norm = normalise_role(tokens)
            start_char, end_char = doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1].text)
            if not norm or (m.entity_id, start_char) in seen:
                continue
            seen.add((m.entity_id, start_char))
            yield Role(m.entity_id, doc.text[start_char:end_char], norm, start_char, end_char)
