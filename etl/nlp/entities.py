"""Named-entity mentions from a parsed Doc, their canonical names and entity ids."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token
from wordfreq import zipf_frequency

from etl import ids
from etl.nlp.aliases import alias, expand_acronym, is_acronym
from etl.nlp.gender import FEMALE, FEMALE_WORDS, MALE, MALE_WORDS, UNISEX_NAMES, may_be_first_name, name_gender
from etl.records import Mention

# OntoNotes labels that name something; numeric labels (DATE, MONEY, ...) are not entities here.
NAMED_LABELS = frozenset(
    {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
)
_LEADING_DROP = frozenset({"the", "a", "an"})
_TRAILING_DROP = frozenset({"'s", "’s", "'", "’"})
_OPEN_BRACKETS = frozenset({"(", "[", "{", "<"})
# agency copy marks a company in angle brackets ("<Bond Corp Holdings Ltd>"); spaCy calls them no punctuation
_ANGLE_BRACKETS = frozenset({"<", ">"})
PERSON_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "prof", "rev"})
_HONORIFICS = re.compile(r"^(?:(?:mr|mrs|ms|miss|dr|prof|sir|dame|rev|gen|sen|rep|gov|pres|lord|lady)\.?\s+)+", re.I)


def _is_affix(doc: Doc, i: int, end: int) -> bool:
    """``pro`` or ``-`` of "pro-Cruz": a lowercase prefix glued by a hyphen to the capitalised name after it."""
    t = doc[i]
    if t.text in ("-", "\u2010", "\u2011"):
        return i + 1 < end and doc[i + 1].text[:1].isupper() and i > 0 and doc[i - 1].text.isalpha() and not t.whitespace_
    return t.text.isalpha() and t.text.islower() and not t.whitespace_ and i + 1 < end and doc[i + 1].text in ("-", "\u2010", "\u2011")


def _is_tail_number(token: Token) -> bool:
    """A score or figure run into a name in a results table ("H. Morris 69", "C. Tolley 4-68")."""
    return any(c.isdigit() for c in token.text) and not any(c.isalpha() for c in token.text)


def trim_span(span: Span) -> Span | None:
    """The entity without a leading article, possessive or "pro-" prefix, an honorific, a
    bracketed or numeric tail, a possessive ending or edge punctuation; None when it holds no
    capital letter ("people", "the max"; "eBay" has one): a name is written with a capital."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (
        doc[start].lower_ in _LEADING_DROP
        or doc[start].is_punct
        or doc[start].is_space
        or doc[start].text in _TRAILING_DROP
        or doc[start].text in _ANGLE_BRACKETS
        or _is_affix(doc, start, end)
    ):
        start += 1
    # "Mr Ebbers": the honorific is not part of the name (it still makes a PERSON, see name_mentions)
    while start < end - 1 and doc[start].lower_.rstrip(".") in PERSON_HONORIFICS:
        start += 1
    # "Scott Draper ( Australia": the name ends where a bracket opens
    bracket = next((i for i in range(start + 1, end) if doc[i].text in _OPEN_BRACKETS), None)
    if bracket is not None:
        end = bracket
    while end > start and (
        doc[end - 1].text in _TRAILING_DROP
        or doc[end - 1].text in _ANGLE_BRACKETS
        or doc[end - 1].is_punct
        or doc[end - 1].is_space
        or _is_tail_number(doc[end - 1])
    ):
        end -= 1
    if start >= end or not any(c.isupper() for t in doc[start:end] for c in t.text):
        return None
    return Span(doc, start, end, label=span.label)


# Words of a person's affiliation news writes before a role or a name ("Russian", "U.S.",
# "Republican"): part of neither the name nor the role itself.
AFFILIATION_WORDS = frozenset(
    """u.s. us russian american british french german chinese israeli syrian iranian democratic republican
    gop australian canadian italian spanish japanese indian pakistani brazilian mexican dutch swiss swedish
    norwegian danish finnish polish czech hungarian greek turkish egyptian iraqi afghan saudi palestinian
    lebanese jordanian korean african nigerian kenyan irish scottish welsh english briton belgian austrian
    portuguese argentine chilean colombian cuban venezuelan ukrainian serbian croatian bosnian romanian
    bulgarian slovakian slovak zealander european asian soviet""".split()
)
# nouns that head a role, lower-cased ("Treasurer Paul Keating", "Patrick Ventrell, a State Department spokesman")
ROLE_NOUNS = frozenset(
    """president minister secretary senator representative congressman congresswoman governor mayor chairman
    chairwoman chair spokesman spokeswoman spokesperson judge justice chief general admiral colonel captain
    sergeant officer director ambassador deputy leader speaker attorney commissioner chancellor king queen
    prince princess pope cardinal bishop archbishop pastor reverend professor candidate nominee host anchor
    ceo founder executive manager coach striker captain premier envoy adviser advisor aide official negotiator
    strategist analyst economist editor correspondent reporter lawyer prosecutor president-elect head boss
    owner chairperson vice-president emir sheikh ayatollah cleric commander inspector superintendent
    treasurer counsel physician doctor sen rep gov staff investor financier banker""".split()
)
# Titles and roles that news writes before a name ("Russian Foreign Minister Sergei Lavrov"):
# when the entity span includes them, the canonical name drops them.
_ROLE_WORDS = (
    AFFILIATION_WORDS
    | ROLE_NOUNS
    | frozenset(
        """vice prime foreign state sen. rep. gov gov. gen gen. adm adm. col col. capt sgt former acting
        majority minority dr dr. mr mr. mrs mrs. ms ms. lt lt. maj maj. sir dame lord lady baron baroness
        earl duke duchess viscount prof prof. rev rev. the""".split()
    )
)


# titles that are part of a monarch's or a pope's name: "King Hussein" is not Saddam Hussein
REGNAL_TITLES = frozenset("king queen prince princess pope emperor empress sultan shah tsar czar emir".split())
_NUMERAL = re.compile(r"^[IVX]+$")


def _regnal(words: Sequence[str]) -> bool:
    """A title of ``REGNAL_TITLES`` before one name, and a numeral maybe ("Queen Elizabeth II")."""
    rest = words[1:]
    return (
        len(words) > 1
        and words[0][:1].isupper()
        and words[0].lower() in REGNAL_TITLES
        and (len(rest) == 1 or (len(rest) == 2 and bool(_NUMERAL.match(rest[1]))))
    )


def strip_roles(name: str) -> str:
    """``Russian Foreign Minister Sergei Lavrov`` -> ``Sergei Lavrov``: leading role words and
    lowercase words go; the name itself (at least its last word) stays, and so does a regnal
    title before one name (``Jordanian King Hussein`` -> ``King Hussein``, ``Pope Francis``)."""
    words = name.split()
    start = 0
    while start < len(words) - 1 and (words[start].lower() in _ROLE_WORDS or words[start][:1].islower()):
        start += 1
    if start > 0 and _regnal(words[start - 1 :]):
        start -= 1
    return " ".join(words[start:])


def with_regnal_title(span: Span) -> Span:
    """A one-name PERSON span ("Hussein", "Elizabeth II") grown over the regnal title before it:
    spaCy leaves titles out, and "King Hussein" is someone else than Saddam Hussein."""
    if span.label_ != "PERSON" or span.start == 0:
        return span
    title = span.doc[span.start - 1]
    if not _regnal([title.text, *span.text.split()]) or not title.whitespace_:
        return span
    return Span(span.doc, span.start - 1, span.end, label=span.label)


def strip_honorifics(text: str) -> tuple[str, bool]:
    """``Mr Ebbers`` -> (``Ebbers``, True): leading honorifics go, for every label."""
    stripped = _HONORIFICS.sub("", text)
    if not stripped.strip():
        return text, False
    return stripped, stripped != text


def canonical_text(text: str, label: str) -> str:
    text = strip_honorifics(" ".join(text.split()))[0]
    if label == "PERSON":
        text = strip_roles(text)
    return text


def _name_token(token: Token, may_open: bool = False) -> bool:
    """A capitalised proper noun outside any entity, not a title or honorific, not opening its
    sentence unless ``may_open``."""
    return (
        token.tag_ == "NNP"
        and not token.ent_type_
        and token.text[:1].isupper()
        and token.text.replace("-", "").replace("'", "").isalpha()
        and (may_open or not token.is_sent_start)
        and not _titles(token)
    )


def extend_person(span: Span) -> Span:
    """A one-word PERSON span grown over the name word spaCy left out: "said Hany [Farid]" (a
    singular proper noun before a surname that is no known first name, unless a capitalised word
    precedes it as in a headline), "[Shawn] Estes" (a surname after a first name, of the wider
    dictionary too: spaCy called the first name a person's)."""
    if span.label_ != "PERSON":
        return span
    doc, start, end = span.doc, span.start, span.end
    before = doc[start - 2] if start > 1 else None
    # not after another capitalised word: a headline ("Endorses Ted Cruz") or a title run
    in_run = before is not None and before.text[:1].isupper() and not before.is_punct
    # opening a sentence: a known first name, or a word before a surname set off by a comma or a
    # bracket ("Huw Stephens, ..."), not a headline's or a clause's first word ("Though Bush said")
    after = doc[end] if end < len(doc) else None
    may_open = start > 0 and (name_gender(doc[start - 1].text) is not None or (after is not None and after.text in (",", "(")))
    if (
        start > 0
        and end - start == 1
        and name_gender(span.text) is None
        and _name_token(doc[start - 1], may_open)
        and doc[start - 1].whitespace_
        and not in_run
    ):
        start -= 1
    elif end - start == 1 and end < len(doc) and may_be_first_name(span.text) and _name_token(doc[end]) and doc[end - 1].whitespace_:
        end += 1
    return span if (start, end) == (span.start, span.end) else Span(doc, start, end, label=span.label)


# generational suffixes, never a surname ("Joseph R. Biden Jr." ends in "Biden"); spaCy sometimes
# tags "Jr." alone as a person
GENERATIONAL_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


# words of a name two PERSON spans make together
MAX_JOINED_NAME = 4


def _name_length(span: Span) -> int:
    """A name's words, a generational suffix aside ("Jordan III" is one)."""
    return sum(1 for t in span if t.lower_ not in GENERATIONAL_SUFFIXES)


def _joined_persons(doc: Doc) -> list[Span]:
    """The doc's entities, two PERSON spans one space apart made one when one of them is a single
    name word: "Minister [Arturo] [Hernandez Grisanti]" and "[Daniel Porter] [Jordan III]" are
    names spaCy cut in two; "[Donald Trump Ties] [Hillary Clinton]", a headline, is two."""
    out: list[Span] = []
    for ent in doc.ents:
        last = out[-1] if out else None
        if (
            last is not None
            and last.label_ == ent.label_ == "PERSON"
            and last.end == ent.start
            and doc[last.end - 1].whitespace_ == " "
            and min(_name_length(last), _name_length(ent)) == 1
            and len(last) + len(ent) <= MAX_JOINED_NAME
        ):
            out[-1] = Span(doc, last.start, ent.end, label=ent.label)
        else:
            out.append(ent)
    return out


# reporting verbs whose proper-noun subject is a person ("Delors said the Community ...")
_REPORTING_FORMS = frozenset({"said", "says", "told", "tells", "added", "adds"})
# wordfreq's Zipf scale: 4 is ten uses in a million words ("aide", "supervisor"); "Delors" is 1.9
COMMON_WORD_ZIPF = 4.0
# a plural's singular may be rarer: "aide" is 3.5 ("Sanders": "sander" is 1.9)
COMMON_SINGULAR_ZIPF = 3.0
_PLAIN_NAME_WORD = re.compile(r"^[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*$")


def _common_word(word: str) -> bool:
    """An English word in common use ("rule", "mine"), or the plural of one ("aides"), by
    wordfreq's counts: a capitalised one opening a sentence is no evidence of a name."""
    return zipf_frequency(word, "en") >= COMMON_WORD_ZIPF or (word.endswith("s") and zipf_frequency(word[:-1], "en") >= COMMON_SINGULAR_ZIPF)


def _lower_words(doc: Doc) -> frozenset[str]:
    """The words a doc writes in lower case: capitalised, one of them is a common word, not a name."""
    return frozenset(t.text for t in doc if t.is_lower)


def _untagged_speaker(token: Token) -> Span | None:
    """A proper noun spaCy tagged nothing, with the proper nouns compounded before it up to a
    title, subject of "said" or "told", before it or after: a person, as wire copy names one after
    a dateline ("Delors said") or after a quote ("said Bank of Japan Governor [Satoshi Sumita]").
    Not a role or honorific ("Mayor said"), not a word in common use ("Rule said", "Aides said"),
    not glued text ("BobicFlagShare"), not beside a verb in capitals (a headline's "Vole Said")."""
    verb = token.head
    if not (token.dep_ == "nsubj" and token.tag_ == "NNP" and not token.ent_type_ and verb.is_lower and verb.lower_ in _REPORTING_FORMS):
        return None
    doc, start = token.doc, token.i
    while start > 0 and doc[start - 1].dep_ == "compound" and doc[start - 1].head.i == token.i and not _titles(doc[start - 1]):
        start -= 1
    words = doc[start : token.i + 1]
    if any(t.ent_type_ or t.tag_ != "NNP" or not _PLAIN_NAME_WORD.match(t.text) or _titles(t) for t in words):
        return None
    if _common_word(token.lower_):
        return None
    return Span(doc, start, token.i + 1, label="PERSON")


def _titles(token: Token) -> bool:
    """A role or an honorific ("Governor", "Mr"), no name word."""
    return token.lower_ in _ROLE_WORDS or token.lower_.rstrip(".") in PERSON_HONORIFICS


def _untagged_speakers(doc: Doc) -> list[Span]:
    """``_untagged_speaker``'s spans, but none with a word the article also writes in lower case."""
    spans = [s for s in map(_untagged_speaker, doc) if s is not None]
    if not spans:
        return spans
    lower = _lower_words(doc)
    return [s for s in spans if not any(t.lower_ in lower for t in s)]


def _glued_capital(doc: Doc, hyphen: int, word: int) -> bool:
    """``doc[hyphen]`` a hyphen joining the capitalised word ``doc[word]`` to its neighbour, no space."""
    if not (0 <= word < len(doc) and 0 <= hyphen < len(doc)) or doc[hyphen].text != "-":
        return False
    left, right = sorted((hyphen, word))
    return not doc[left].whitespace_ and not doc[right - 1].whitespace_ and doc[word].text[:1].isupper() and doc[word].is_alpha


def whole_hyphenated(span: Span, written: AbstractSet[str]) -> Span:
    """A span grown over the capitalised word a hyphen joins to it, when another of the doc's
    entities holds the whole word (``written``): spaCy tags "Pemberton" in "Leigh-Pemberton" and
    "Leigh-Pemberton's" elsewhere; "Clinton-Sanders" (a ticket) or "Dodd-Frank" (a law) are two
    names, written whole as no entity."""
    doc, start, end = span.doc, span.start, span.end
    while _glued_capital(doc, start - 1, start - 2) and not doc[start - 2].ent_type_ and doc[start - 2 : start + 1].text in written:
        start -= 2
    while _glued_capital(doc, end, end + 1) and not doc[end + 1].ent_type_ and doc[end - 1 : end + 2].text in written:
        end += 2
    return span if (start, end) == (span.start, span.end) else Span(doc, start, end, label=span.label)


def _hyphenated_names(doc: Doc) -> frozenset[str]:
    """The hyphenated words inside the doc's entities ("Leigh-Pemberton")."""
    return frozenset(w for ent in doc.ents if "-" in ent.text for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)+", ent.text))


def _used_alone(doc: Doc, word: Token, span: Span) -> bool:
    """``word`` written elsewhere in the doc on its own, no proper noun before it ("Tamura told")."""
    return any(
        t.text == word.text and not (span.start <= t.i < span.end) and (t.i == 0 or doc[t.i - 1].tag_ != "NNP")
        for t in doc
    )


def _split_person_tail(span: Span) -> list[Span]:
    """A name spaCy ran into the entity before it, which the parse keeps apart: "Minister of
    [International Trade and Industry Hajime Tamura]" is a ministry, then a person. The span
    ends in proper nouns compounded to a head of their own outside it, none of the words before
    them hangs on them ("Green Bay's Brown County" is one place) nor ends in a possessive
    ("Reno's Washoe County"), their last word is no word in common use ("County"), and a first
    name opens them (``may_start_person``) or their last word is used alone elsewhere in the doc
    ("Tamura told reporters"). "Drexel Burnham Lambert", one phrase, stays one."""
    doc, end = span.doc, span.end
    if span.label_ == "PERSON" or len(span) < 3 or span.start <= doc[end - 1].head.i < end:
        return [span]
    k = end - 1
    while k - 1 > span.start and doc[k - 1].dep_ == "compound" and k <= doc[k - 1].head.i < end:
        k -= 1
    tail = doc[k:end]
    if len(tail) < 2 or any(k <= t.head.i < end for t in doc[span.start : k]):
        return [span]
    if any(t.tag_ != "NNP" or not _PLAIN_NAME_WORD.match(t.text) or t.lower_ in _ROLE_WORDS for t in tail):
        return [span]
    if doc[k - 1].tag_ == "POS" or _common_word(doc[end - 1].lower_):
        return [span]
    if not (may_start_person(tail.text) or _used_alone(doc, doc[end - 1], span)):
        return [span]
    return [Span(doc, span.start, k, label=span.label), Span(doc, k, end, label="PERSON")]


_LIST_WORDS = frozenset({",", "and", "&"})
_LIST = re.compile(r"w(?:s{1,2}w)+")  # words one by one, a comma, "and" or ", and" between


def _split_surname_list(span: Span, surnames: AbstractSet[str]) -> list[Span]:
    """An entity spaCy made of a list of surnames, each the last word of a person the doc names
    (``surnames``): "Trump, Perelman and White" is three people. "Procter and Gamble" stays one."""
    kinds = "".join("s" if t.text in _LIST_WORDS else "w" for t in span)
    words = [t for t in span if t.text not in _LIST_WORDS]
    if not _LIST.fullmatch(kinds) or not all(t.text in surnames for t in words):
        return [span]
    return [Span(span.doc, t.i, t.i + 1, label="PERSON") for t in words]


# lower-case words a person's name may hold ("Bill de Blasio"), never its last
NAME_PARTICLES = frozenset("de da di du del della der den des van von la le bin ibn al el y dos das ter zu ben abu".split())


def _grown_to_head(span: Span) -> Span:
    """A PERSON span grown over the untagged surname its words are compounded to: spaCy tags
    "[Gro Harlem] Brundtland said", and the parse makes "Gro" and "Harlem" parts of
    "Brundtland". Not over a title or a word in common use ("John Smith Street"), unless the
    span ends in a particle, as no name does ("[Miguel de la] Madrid")."""
    doc, end = span.doc, span.end
    if span.label_ != "PERSON" or end >= len(doc) or not doc[end - 1].whitespace_:
        return span
    head = doc[end]
    if head.ent_type_ or not _PLAIN_NAME_WORD.match(head.text) or _titles(head):
        return span
    if not all(_PLAIN_NAME_WORD.match(t.text) or t.text in NAME_PARTICLES or _INITIAL.match(t.text) for t in span):
        return span  # glued text ("Daniel MaransFlagShareLikeReplyAni")
    if span[-1].text in NAME_PARTICLES and len(span) > 1:
        return Span(doc, span.start, end + 1, label=span.label)
    if head.tag_ != "NNP" or _common_word(head.lower_):
        return span
    hanging = [t for t in span if not (span.start <= t.head.i < end)]
    if not hanging or not all(t.head.i == head.i and t.dep_ == "compound" for t in hanging):
        return span
    return Span(doc, span.start, end + 1, label=span.label)


def named_spans(doc: Doc) -> Iterator[Span]:
    found = _joined_persons(doc) + _untagged_speakers(doc)
    hyphenated = _hyphenated_names(doc)
    surnames = frozenset(ent[-1].text for ent in found if ent.label_ == "PERSON" and len(ent) > 1)
    parts = [p for ent in found for tail in _split_person_tail(ent) for p in _split_surname_list(tail, surnames)]
    for ent in sorted(parts, key=lambda e: e.start):
        if ent.label_ not in NAMED_LABELS:
            continue
        span = trim_span(with_regnal_title(extend_person(_grown_to_head(whole_hyphenated(ent, hyphenated)))))
        if span is not None and not (span.label_ == "PERSON" and span.text.casefold() in GENERATIONAL_SUFFIXES):
            yield span


def _name_words(name: str) -> list[str]:
    """A name's words without a generational suffix: "Thomas P. O'Neill Jr." ends in "O'Neill"."""
    words = name.replace(",", " ").split()
    while len(words) > 2 and words[-1].casefold() in GENERATIONAL_SUFFIXES:
        words.pop()
    return words


# the Arabic article glued to a surname, which news drops when it writes the surname alone
_ARTICLE = re.compile(r"^(?:al|el)[-‐‑]", re.I)


def without_article(word: str) -> str:
    """A surname without the Arabic article glued to it: "al-Assad" is "Assad" written alone."""
    bare = _ARTICLE.sub("", word)
    return bare if bare[:1].isalpha() else word


def _ends_in(full: str, tokens: Sequence[str]) -> bool:
    """Whether a longer name ends in the words ``tokens``, a generational suffix, case and an
    article glued to the surname aside (a headline's "REAGAN" ends "Ronald Reagan"; "Assad" ends
    "Hafez al-Assad")."""
    words = [w.casefold() for w in _name_words(full)]
    if len(words) <= len(tokens):
        return False
    ending, wanted = words[-len(tokens) :], [t.casefold() for t in tokens]
    return ending == wanted or ending[:-1] + [without_article(ending[-1])] == wanted


def _begins(full: str, word: str) -> bool:
    """Whether a longer name begins with the one word ``word``, case aside ("Hillary")."""
    return full.split()[0].casefold() == word.casefold()


def resolve_person_names(names: Sequence[str]) -> dict[str, str]:
    """Map each PERSON name to the fullest name in the article it abbreviates.

    ``Lavrov`` resolves to ``Sergei Lavrov`` when that name occurs in the same article; a name
    matching several full names (two people called Smith) is left as it is.
    """
    full = sorted({n for n in names if len(n.split()) > 1}, key=lambda n: -len(n.split()))
    resolved: dict[str, str] = {}
    for name in set(names):
        tokens = name.split()
        candidates = {f for f in full if f != name and _ends_in(f, tokens)}
        if not candidates and len(tokens) == 1:
            candidates = {f for f in full if _begins(f, tokens[0]) and f != name}
        resolved[name] = candidates.pop() if len(candidates) == 1 else name
    return resolved


PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# when one entity's mentions carry different labels, a tie goes to the first of these
_LABEL_PREFERENCE = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE")


@dataclass(slots=True)
class _Named:
    span: Span
    label: str
    name: str


def _is_person_span(span: Span) -> bool:
    """A span led by a personal honorific (kept on the original entity, trimmed from the span)."""
    first = span.doc[span.start - 1] if span.start > 0 else None
    return first is not None and first.lower_.rstrip(".") in PERSON_HONORIFICS


def _surname_owner(name: str, persons: Sequence[str], label: str) -> str | None:
    """The one full PERSON name that ``name`` ends ("Van Poppel": Todd van Poppel), or, for one
    word not a place, starts ("Wang": Wang Donghai); case aside."""
    tokens = name.casefold().split()
    owners = {p for p in persons if _ends_in(p, tokens)}
    if not owners and len(tokens) == 1 and label not in PLACE_LABELS:
        full = [(p, [w.casefold() for w in _name_words(p)]) for p in persons]
        owners = {p for p, words in full if len(words) > 1 and words[0] == tokens[0]}
    return owners.pop() if len(owners) == 1 else None


_INITIAL = re.compile(r"^[A-Z]\.$")
_NAME_WORD = re.compile(r"^[A-Z][\w'’-]*\.?$")


def starts_like_person(name: str) -> bool:
    """A name written as a person's: a known first name or an initial ("M. Cagney") first."""
    words = name.split()
    return bool(words) and (name_gender(name) is not None or bool(_INITIAL.match(words[0])))


def may_start_person(name: str) -> bool:
    """A name spaCy tagged a person's that reads as one: an initial, or a first name of the wider
    dictionary (``may_be_first_name``: "Kiichi Miyazawa"), first ("Wilayat Twitter" does not)."""
    words = name.split()
    return bool(words) and (bool(_INITIAL.match(words[0])) or may_be_first_name(words[0]))


def _looks_like_full_name(name: str, person_words: frozenset[str] = frozenset()) -> bool:
    """Two or three capitalised words read as a person's name when the first is a known first
    name or an initial ("M. Cagney"), or when the last is a name the article tags PERSON on its
    own or ends another PERSON name with ("Glyn Davies" beside "Davies")."""
    words = name.split()
    if not 2 <= len(words) <= 3 or not all(_NAME_WORD.match(w) for w in words) or is_acronym(words[-1]):
        return False
    if starts_like_person(name):
        return True
    # a first name (and a middle initial) before a surname the article uses alone for a person
    plain = len(words) == 2 or bool(_INITIAL.match(words[1]))
    return plain and words[-1].casefold() in person_words


def _person_words(items: Sequence[_Named]) -> frozenset[str]:
    """One-word names the article tags PERSON (acronyms aside): surnames used alone."""
    return frozenset(
        i.name.casefold() for i in items if i.label == "PERSON" and len(i.name.split()) == 1 and not is_acronym(i.name)
    )


def _vote(items: Sequence[_Named]) -> None:
    """Each name takes the label most of its mentions carry (a tie: ``_LABEL_PREFERENCE``)."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    person_words = _person_words(items)
    for item in items:
        votes[item.name.casefold()][item.label] += 1
        # "Bernie Ebbers", "Jose Mourinho": a known first name and a surname is a person's name
        if item.label != "PERSON" and alias(item.name) is None and _looks_like_full_name(item.name, person_words):
            votes[item.name.casefold()]["PERSON"] += 1
    for item in items:
        counts = votes[item.name.casefold()]
        top = max(counts.values())
        item.label = next(lbl for lbl in _LABEL_PREFERENCE if counts.get(lbl) == top)


def _candidates(name: str, full: Sequence[str]) -> list[str]:
    """The article's full PERSON names that ``name`` abbreviates (its last words, or one first word)."""
    tokens = name.split()
    found = [f for f in full if _ends_in(f, tokens)]
    if not found and len(tokens) == 1:
        found = [f for f in full if _begins(f, tokens[0])]
    return found


def _honorific_gender(span: Span) -> str | None:
    """The gender of an honorific or gendered role word just before the name ("Mrs. Clinton")."""
    if span.start == 0:
        return None
    word = span.doc[span.start - 1].lower_
    return MALE if word in MALE_WORDS else FEMALE if word in FEMALE_WORDS else None


def _gender_clash(span: Span, full: str, presidents: AbstractSet[str] = frozenset()) -> bool:
    """"Mr. Dorrit" in a story naming only Nancy Dorrit is not her: the honorific's gender and the
    full name's first name disagree (a husband or a son the story names by surname only). Nor is
    "President Dorrit" when the story never calls her president (``presidents``: the full names
    it does): a first lady's story names the president by title and surname."""
    named = name_gender(full)
    if named is None or full.split()[0].casefold() in UNISEX_NAMES:
        return False
    said = _honorific_gender(span)
    if said is not None:
        return said != named
    return named == FEMALE and _titled_president(span) and full not in presidents


def _titled_president(span: Span) -> bool:
    return span.start > 0 and span.doc[span.start - 1].lower_ == "president"


def _drop_glued_words(items: Sequence[_Named]) -> None:
    """A capitalised common word glued before a person's name goes ("Stop Trump", "Team Clinton",
    "Asserting Clinton" in a headline): a first word that is no known first name or initial, that
    the article also writes in lower case, before the surname of another PERSON of the article."""
    if not items:
        return
    lower = _lower_words(items[0].span.doc)
    for item in items:
        words = item.name.split()
        if item.label != "PERSON" or len(words) < 2 or starts_like_person(item.name):
            continue
        rest = words[1:]
        others = {i.name.split()[-1] for i in items if i.label == "PERSON" and i is not item and i.name != item.name}
        if words[0].lower() in lower and rest[0][:1].isupper() and rest[-1] in others:
            item.name = " ".join(rest)


def _resolve_namesakes(items: Sequence[_Named]) -> None:
    """A surname the article shares among several full names ("Clinton" beside Hillary and Bill
    Clinton) goes, mention by mention, to the one its honorific's gender allows ("Mrs. Clinton"),
    then to the one the article gives its title ("President Clinton"); else to the one the article
    names in full most often, then first: the story's subject."""
    written: dict[str, list[int]] = defaultdict(list)
    titles: dict[str, set[str]] = defaultdict(set)
    for item in items:
        if item.label == "PERSON" and len(item.name.split()) > 1:
            written[item.name].append(item.span.start)
            titles[item.name].add(_title(item.span))
    full = sorted(written)
    for item in items:
        if item.label != "PERSON":
            continue
        candidates = _candidates(item.name, full)
        if len(candidates) < 2:
            continue
        gender = _honorific_gender(item.span)
        if gender is not None:
            same = [c for c in candidates if name_gender(c) == gender]
            candidates = same or [c for c in candidates if name_gender(c) is None]
        # "President Clinton" is the one the article titles so ("former President Bill Clinton")
        title = _title(item.span)
        titled = [c for c in candidates if title and title in titles[c]]
        if len(titled) == 1:
            candidates = titled
        if candidates:
            item.name = min(candidates, key=lambda c: (-len(written[c]), written[c][0]))


def _title(span: Span) -> str:
    """The role word just before a name ("President", "Sen."), lower case; "" for none (an
    honorific is the gender's business)."""
    if span.start == 0:
        return ""
    word = span.doc[span.start - 1].lower_.rstrip(".")
    return word if word in _ROLE_WORDS and word not in PERSON_HONORIFICS and word not in _NO_TITLE else ""


# role words that tell nobody apart
_NO_TITLE = frozenset({"the", "former", "acting", "u.s", "us"})


# a dateline's place: capitals opening a paragraph near the top, then an agency, a comma or a dash
_DATELINE_AFTER = re.compile(r"^\s*(?:\(|,|[-\u2013\u2014]\s)")
DATELINE_REACH = 400


def _is_dateline(span: Span, text: str) -> bool:
    """"WASHINGTON (AP) -", "TOKYO, March 3 -": a place, whatever spaCy called it (``text``: the
    doc's, made once per article: ``Doc.text`` joins every token)."""
    opens = span.start_char == 0 or text[span.start_char - 1] == "\n"
    letters = [c for c in span.text if c.isalpha()]
    return (
        opens
        and span.start_char < DATELINE_REACH
        and len(letters) >= 3
        and all(c.isupper() for c in letters)
        and bool(_DATELINE_AFTER.match(text[span.end_char : span.end_char + 3]))
    )


# share of a line's letters in capitals for it to read as a headline in capitals
CAPITALS_SHARE = 0.9


def _in_capitals(span: Span, text: str) -> bool:
    """A span in capitals, on a line of ``text`` (the doc's) written in capitals ("LAWSON SAYS
    BRITISH ECONOMY STRONG")."""
    start = text.rfind("\n", 0, span.start_char) + 1
    end = text.find("\n", span.end_char)
    line = text[start : end if end >= 0 else len(text)]
    letters = [c for c in line if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return span.text.isupper() and len(letters) > 1 and upper >= CAPITALS_SHARE * len(letters)


def _read_capitals(items: Sequence[_Named], text: str) -> list[_Named]:
    """Names in a headline in capitals, read by the article's own spelling: spaCy reads capitals
    poorly ("LAWSON SAYS" and "DOLLAR STABLE" come out as people). A span there that holds words of
    a person the article names in mixed case becomes that person, trimmed to those words and
    spelt as the article spells them ("LAWSON" -> "Lawson"); any other PERSON span there goes.
    An article written all in capitals is left as spaCy read it."""
    caps = [_in_capitals(i.span, text) for i in items]
    if all(caps):
        return list(items)
    spelled = {w.casefold(): w for i, c in zip(items, caps, strict=True) if not c and i.label == "PERSON" for w in _name_words(i.name)}
    out: list[_Named] = []
    for item, in_caps in zip(items, caps, strict=True):
        if not in_caps:
            out.append(item)
            continue
        runs: list[list[Token]] = [[]]
        for token in item.span:
            if token.lower_ in spelled:
                runs[-1].append(token)
            elif runs[-1]:
                runs.append([])
        run = max(runs, key=len)
        if run:
            span = Span(item.span.doc, run[0].i, run[-1].i + 1, label="PERSON")
            out.append(_Named(span, "PERSON", " ".join(spelled[t.lower_] for t in run)))
        elif item.label != "PERSON":
            out.append(item)
    return out


def name_mentions(spans: Sequence[Span]) -> list[_Named]:
    """Each span's label and canonical name, decided across the article.

    Honorifics go for every label and make a PERSON; declared aliases and acronyms of a full name
    in the article take that name; a name that is the surname of one PERSON in the article is
    that person, whatever spaCy called it; then each name takes the label most of its mentions
    carry.
    """
    items: list[_Named] = []
    doc_text = spans[0].doc.text if spans else ""
    for span in spans:
        label = "GPE" if span.label_ != "GPE" and _is_dateline(span, doc_text) and alias(span.text) is None else span.label_
        text = " ".join(span.text.split())
        text, had_honorific = strip_honorifics(text)
        if had_honorific or _is_person_span(span):
            label = "PERSON"
        name = canonical_text(text, label)
        known = alias(name)
        if known is not None:
            name, label = known
        items.append(_Named(span, label, name))
    items = _read_capitals(items, doc_text)
    _vote(items)  # first: "Todd Van Poppel" (ORG) is a person before his surname is looked up
    for item in items:
        if item.label == "PERSON":
            item.name = canonical_text(item.name, "PERSON")
    _drop_glued_words(items)
    persons = resolve_person_names([i.name for i in items if i.label == "PERSON"])
    _resolve_namesakes(items)
    full_persons = [n for n in set(persons.values()) if len(n.split()) > 1]
    full_names = {i.name for i in items if i.label != "PERSON" and len(i.name.split()) > 1}
    presidents = {i.name for i in items if i.label == "PERSON" and len(i.name.split()) > 1 and _titled_president(i.span)}
    for item in items:
        if item.label == "PERSON":
            full = persons.get(item.name, item.name)
            if not _gender_clash(item.span, full, presidents):
                item.name = full
            continue
        owner = _surname_owner(item.name, full_persons, item.label) if not is_acronym(item.name) else None
        if owner is not None:
            item.label, item.name = "PERSON", owner
            continue
        expanded = expand_acronym(item.name, full_names)
        if expanded is not None:
            item.name = expanded
    _vote(items)
    _one_spelling(items)
    return items


def _one_spelling(items: Sequence[_Named]) -> None:
    """Each name takes its most frequent spelling in the article, a headline's capitals last
    ("CLINTON" beside "Clinton"): an entity's name should not depend on which mention came first."""
    spellings: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for item in items:
        spellings[(item.label, item.name.casefold())][item.name] += 1
    for item in items:
        counts = spellings[(item.label, item.name.casefold())]
        item.name = max(counts, key=lambda n: (not n.isupper(), counts[n], n))


def extract_mentions(doc: Doc, sentence_of_token: Sequence[int]) -> list[Mention]:
    return [
        Mention(
            sentence_idx=sentence_of_token[item.span.start],
            start_char=item.span.start_char,
            end_char=item.span.end_char,
            text=item.span.text,
            label=item.label,
            entity_id=ids.entity_id(item.label, item.name),
            canonical_name=item.name,
        )
        for item in name_mentions(list(named_spans(doc)))
    ]
