"""Named-entity mentions from a parsed Doc, their canonical names and entity ids."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from spacy.tokens import Doc, Span

from etl import ids
from etl.records import Mention

# OntoNotes labels that name something; numeric labels (DATE, MONEY, ...) are not entities here.
NAMED_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
_LEADING_DROP = frozenset({"the", "a", "an"})
_TRAILING_DROP = frozenset({"'s", "’s", "'", "’"})
_HONORIFICS = re.compile(r"^(?:(?:mr|mrs|ms|miss|dr|prof|sir|dame|rev|gen|sen|rep|gov|pres|lord|lady)\.?\s+)+", re.I)


def trim_span(span: Span) -> Span | None:
    """The entity without a leading article, possessive ending or edge punctuation."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].lower_ in _LEADING_DROP or doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].text in _TRAILING_DROP or doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    if start >= end:
        return None
    return Span(doc, start, end, label=span.label)


# Titles and roles that news writes before a name ("Russian Foreign Minister Sergei Lavrov"):
# when the entity span includes them, the canonical name drops them.
_ROLE_WORDS = frozenset(
    """president vice prime minister foreign secretary state senator sen sen. representative rep rep.
    congressman congresswoman governor gov gov. mayor chairman chairwoman chair spokesman spokeswoman
    spokesperson judge justice chief general gen gen. admiral adm adm. colonel col col. captain capt
    sergeant sgt officer director ambassador deputy former acting leader speaker majority minority
    attorney commissioner chancellor king queen prince princess pope cardinal bishop archbishop pastor
    reverend rev rev. dr dr. mr mr. mrs mrs. ms ms. u.s. us russian american british french german
    chinese israeli syrian iranian democratic republican gop candidate nominee host anchor ceo founder
    lt lt. maj maj. sir dame lord lady professor prof prof. the""".split()
)


def strip_roles(name: str) -> str:
    """``Russian Foreign Minister Sergei Lavrov`` -> ``Sergei Lavrov``: leading role words and
    lowercase words go; the name itself (at least its last word) stays."""
    words = name.split()
    start = 0
    while start < len(words) - 1 and (words[start].lower() in _ROLE_WORDS or words[start][:1].islower()):
        start += 1
    return " ".join(words[start:])


def canonical_text(text: str, label: str) -> str:
    text = " ".join(text.split())
    if label == "PERSON":
        text = strip_roles(_HONORIFICS.sub("", text))
    return text


def named_spans(doc: Doc) -> Iterator[Span]:
    for ent in doc.ents:
        if ent.label_ not in NAMED_LABELS:
            continue
        span = trim_span(ent)
        if span is not None:
            yield span


def resolve_person_names(names: Sequence[str]) -> dict[str, str]:
    """Map each PERSON name to the fullest name in the article it abbreviates.

    ``Lavrov`` resolves to ``Sergei Lavrov`` when that name occurs in the same article; a name
    matching several full names (two people called Smith) is left as it is.
    """
    full = sorted({n for n in names if len(n.split()) > 1}, key=lambda n: -len(n.split()))
    resolved: dict[str, str] = {}
    for name in set(names):
        tokens = name.split()
        candidates = {
            f
            for f in full
            if f != name and len(f.split()) > len(tokens) and f.split()[-len(tokens) :] == tokens
        }
        if not candidates and len(tokens) == 1:
            candidates = {f for f in full if f.split()[0] == tokens[0] and f != name}
        resolved[name] = candidates.pop() if len(candidates) == 1 else name
    return resolved


def extract_mentions(doc: Doc, sentence_of_token: Sequence[int]) -> list[Mention]:
    spans = list(named_spans(doc))
    person_names = [canonical_text(s.text, "PERSON") for s in spans if s.label_ == "PERSON"]
    persons = resolve_person_names(person_names)
    mentions = []
    for span in spans:
        label = span.label_
        name = canonical_text(span.text, label)
        if label == "PERSON":
            name = persons.get(name, name)
        mentions.append(
            Mention(
                sentence_idx=sentence_of_token[span.start],
                start_char=span.start_char,
                end_char=span.end_char,
                text=span.text,
                label=label,
                entity_id=ids.entity_id(label, name),
                canonical_name=name,
            )
        )
    return mentions
