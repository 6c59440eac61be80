"""Speaker resolution: from a cue to its speaker phrase, and from the phrase to a name.

The speaker of a cue is a verb's subject (inherited through ``conj``/``advcl``/``xcomp``; the
noun a ``relcl``/``acl`` modifies), a passive's agent, a noun cue's possessor, or the person
named just before a subjectless verb. The phrase resolves (``etl.nlp.quotes.coref``) to the
PERSON mention in it (whose canonical name already resolves surnames and drops titles), a
pronoun's antecedent, a relative pronoun's noun, the person last introduced with a role noun
(``the spokeswoman``), or the organisation a nominal speaker stands for (``the company`` after
``Acme Corp``). Each resolution carries a status: ``named`` (a person or organisation under its
full name), ``unresolved`` (a pronoun or noun phrase with no antecedent found), or ``none``.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from etl.nlp.entities import strip_roles
from etl.nlp.quotes.coref import PERSONAL_PRONOUNS, RELATIVE_PRONOUNS, PersonIndex
from etl.nlp.quotes.cues import SPEECH_VERBS, cue_stem
from etl.records import Mention

SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
NAME_LABELS = ("PERSON", "ORG", "GPE", "NORP")
NAMED, UNRESOLVED, NONE = "named", "unresolved", "none"
SPEAKER_STATUSES = (NAMED, UNRESOLVED, NONE)
# nominal speakers that stand for an organisation the article names ("the company said")
ORG_NOUNS = frozenset(
    """company firm ministry department agency government party campaign committee bank union council
    group organisation organization board corporation club court commission office authority
    administration network carrier airline retailer manufacturer maker bureau regulator watchdog
    institute association federation league charity team service police""".split()
)
# labels an organisation noun may resolve to ("the government" -> a GPE, "the ministry" -> an ORG)
ORG_NOUN_LABELS = {"government": ("GPE", "ORG"), "administration": ("ORG", "PERSON"), "police": ("ORG",)}
NOMINAL_WINDOW = 2000  # characters back to look for the organisation a nominal speaker means


@dataclass(frozen=True, slots=True)
class Resolution:
    """A speaker phrase resolved: its name and entity when it names someone, and its status."""

    name: str | None
    entity_id: str | None
    status: str


class Speakers:
    """Speaker phrases and their resolution in one article (one resolution per phrase)."""

    def __init__(self, doc: Doc, mentions: Sequence[Mention], in_quote: Sequence[int]):
        self.doc = doc
        self.in_quote = in_quote
        self.people = PersonIndex(doc, mentions)
        self.mentions = sorted(mentions, key=lambda m: m.start_char)
        self.mention_starts = [m.start_char for m in self.mentions]
        self._resolved: dict[tuple[int, int, int], Resolution] = {}

    def subject_of(self, verb: Token, depth: int = 0) -> Token | None:
        for c in verb.children:
            if c.dep_ in SUBJECT_DEPS and self.in_quote[c.i] < 0:
                return c
        if depth < 3 and verb.dep_ in ("conj", "xcomp", "advcl", "acomp") and verb.head is not verb:
            head = verb.head
            if (
                verb.dep_ == "conj"
                and head.dep_ == "ccomp"
                and cue_stem(verb) in SPEECH_VERBS
                and head.head is not head
            ):
                # "X said it was early but added ...": the parser hung "added" on the reported clause
                head = head.head
            return self.subject_of(head, depth + 1)
        if (
            depth < 3
            and verb.dep_ == "pcomp"
            and verb.head.dep_ == "prep"
            and verb.head.head is not verb.head
            and verb.head.head.pos_ in ("VERB", "AUX")
        ):
            # "He responded by saying ...", "After thanking the crowd, Trump said ...": the
            # participle's subject is the clause's
            return self.subject_of(verb.head.head, depth + 1)
        if verb.dep_ in ("relcl", "acl") and verb.head is not verb:
            return verb.head
        return None

    def speaker_of(self, cue: Token) -> Token | None:
        """The speaker of a cue: a verb's subject, a noun's possessor, an adjective's subject."""
        if cue.tag_.startswith("VB"):
            subj = self.subject_of(cue)
            if subj is None and cue.dep_ in ("ROOT", "ccomp", "conj"):
                subj = self.name_before(cue)
            return subj
        if cue.tag_.startswith("NN"):
            for c in cue.children:
                if c.dep_ == "poss" and c.tag_ != "PRP$" or c.dep_ == "poss":
                    return c
            head = cue.head
            if cue.dep_ in ("dobj", "attr", "pobj") and head is not cue:
                if head.dep_ == "prep" and head.head is not head:
                    head = head.head
                if head.tag_.startswith("VB"):
                    return self.subject_of(head)
            return None
        # adjectives: "X is upbeat about ..."
        head = cue.head if cue.dep_ in ("acomp", "amod", "oprd") else cue
        return self.subject_of(head) if head.tag_.startswith("VB") else None

    def name_before(self, cue: Token) -> Token | None:
        """A subjectless reporting verb ("X, speaking in Berlin, said ..."): the nearest person
        named before it in its sentence."""
        sent_start = cue.sent.start
        for i in range(cue.i - 1, sent_start - 1, -1):
            p = self.people.by_token.get(i)
            if p is not None and self.in_quote[i] < 0:
                return self.doc[i]
        return None

    def agent_of(self, cue: Token) -> Token | None:
        for c in cue.children:
            if c.dep_ == "agent":
                for g in c.children:
                    if g.dep_ == "pobj":
                        return g
        return None

    def phrase(self, head: Token) -> Span:
        """The subject's noun phrase up to its head: modifiers on the left, no clauses on the right."""
        doc = self.doc
        start = head.i
        left = head.left_edge.i
        while start - 1 >= left and not doc[start - 1].is_punct and not doc[start - 1].is_space:
            start -= 1
        end = head.i + 1
        # a flat name continuing to the right of the syntactic head (rare, but happens with appos)
        while end < len(doc) and doc[end].dep_ == "compound" and doc[end].head.i == head.i:
            end += 1
        return doc[start:end]

    def mention_named(self, name: str) -> Mention | None:
        """The article's named mention whose entity bears ``name`` (case aside), a PERSON first."""
        folded = name.casefold()
        found = [m for m in self.mentions if m.label in NAME_LABELS and m.canonical_name.casefold() == folded]
        return min(found, key=lambda m: (m.label != "PERSON", m.start_char)) if found else None

    def mention_in(self, span: Span, head: Token) -> Mention | None:
        """The named mention holding the speaker phrase's head ("Scottish ministers" names no
        one; "the Clinton campaign" is not Clinton)."""
        lo = bisect.bisect_left(self.mention_starts, span.start_char)
        best = None
        for m in self.mentions[lo:]:
            if m.start_char >= span.end_char:
                break
            if m.label not in NAME_LABELS or not m.start_char <= head.idx < m.end_char:
                continue
            if best is None or (m.label == "PERSON" and best.label != "PERSON"):
                best = m
        return best

    def resolve(self, span: Span | None, head: Token | None) -> Resolution:
        """The name, entity and status of a speaker phrase (once per phrase: the review and the
        rows ask for the same ones)."""
        if span is None or head is None:
            return Resolution(None, None, NONE)
        key = (span.start, span.end, head.i)
        if key not in self._resolved:
            name, entity = self._resolve(span, head)
            if name is not None and not name[:1].isupper():
                name, entity = None, None  # a lowercase phrase is no name
            self._resolved[key] = Resolution(name, entity, NAMED if name else UNRESOLVED)
        return self._resolved[key]

    def _resolve(self, span: Span, head: Token) -> tuple[str | None, str | None]:
        lower = head.lower_
        if lower in PERSONAL_PRONOUNS:
            p = self.people.resolve_pronoun(head)
            return (p.name, p.entity_id) if p else (None, None)
        if head.tag_ == "PRP":
            return None, None  # I, we, they, it: no antecedent is sought
        if lower in RELATIVE_PRONOUNS and head.head is not head:
            noun = head.head.head if head.head.dep_ in ("relcl", "acl") else None
            if noun is not None and noun is not head:
                found = self.resolve(self.phrase(noun), noun)
                return found.name, found.entity_id
            return None, None
        m = self.mention_in(span, head)
        if m is None or m.label != "PERSON":
            # a surname the tagger missed or mislabelled ("Ventrell said"): the person it names
            p = self.people.by_surname(head.text) if head.tag_ == "NNP" else None
            if p is not None:
                return p.name, p.entity_id
        if head.tag_ == "NNP":
            # a name the tagger cut short or mislabelled ("Ana Costa" as ORG "Costa"): the
            # proper-noun run around the head, without titles
            run = [t for t in span if t.tag_ == "NNP" and (t.i == head.i or t.head.i == head.i)]
            name = strip_roles(" ".join(t.text for t in run)) if run else head.text
            if m is not None and (m.label == "PERSON" or len(name.split()) <= len(m.canonical_name.split())):
                return m.canonical_name, m.entity_id
            # a name the tagger missed here but tagged elsewhere in the article ("Volcker said")
            named = self.mention_named(name) if m is None else None
            if named is not None:
                return named.canonical_name, named.entity_id
            return name, None
        if m is not None:
            return m.canonical_name, m.entity_id
        if head.pos_ == "NOUN":
            p = self.people.resolve_role(head)
            if p is not None:
                return p.name, p.entity_id
            org = self.nominal_organisation(head)
            if org is not None:
                return org.canonical_name, org.entity_id
        return None, None

    def nominal_organisation(self, head: Token) -> Mention | None:
        """``the company``, ``the ministry``: the organisation the article named last before the
        phrase, preferring one whose name holds the noun (``the ministry`` -> ``Foreign
        Ministry``). A determiner is required: ``Companies said`` names no one."""
        word = head.lower_
        if word not in ORG_NOUNS or not any(c.dep_ == "det" and c.lower_ in ("the", "this") for c in head.children):
            return None
        labels = ORG_NOUN_LABELS.get(word, ("ORG",))
        hi = bisect.bisect_left(self.mention_starts, head.idx)
        fallback = None
        for m in reversed(self.mentions[:hi]):
            if head.idx - m.start_char > NOMINAL_WINDOW:
                break
            if m.label not in labels or self.in_quote_char(m.start_char):
                continue
            if word in m.canonical_name.lower().split():
                return m
            if fallback is None:
                fallback = m
        return fallback

    def in_quote_char(self, char: int) -> bool:
        span = self.doc.char_span(char, char + 1, alignment_mode="expand")
        return span is not None and self.in_quote[span.start] >= 0
