"""Quote extraction: who said what.

Rules over the dependency parse plus small trained models, in three passes, all linear in the
article's tokens:

1. **Quotation marks.** Every paragraph is scanned for quoted stretches: curly and straight
   double marks and ``''doubled apostrophes''`` (a mismatched pair such as ``"...”`` still
   pairs), single curly marks at word edges (an apostrophe inside a word, as in ``Syrians’``,
   never closes a quote), and an opening mark left open at the paragraph's end, which carries
   the quote into the next paragraph.
2. **Cues.** Every verb, noun or adjective outside quotation marks is a candidate cue for each
   dependent that could be its content (``etl.nlp.cues.frames``): a clause (``said that ...``),
   an infinitive (``urged X to ...``), an object (``called the talks “constructive”``), a
   preposition's object (``called for ...``), a noun's clause (``a proposal to ...``), or the
   clause around a parenthetical cue (``The effects, she said, are ...``). The trained scorer
   (``etl.nlp.cue_model``: the pipeline's own token vectors plus the ``stem|path`` rates learned
   from PolNeAR) keeps, per cue word, its best frame above the threshold. The content is that
   dependent's subtree, widened to whole quotations it touches; the speaker is the verb's
   subject (inherited through ``conj``/``advcl``/``xcomp``; the noun a ``relcl``/``acl``
   modifies; a noun cue's possessor). ``according to X``, ``NAME:`` (headlines, transcripts),
   ``X said:`` before a quotation, ``..., police said.`` closing a sentence and ``— NAME`` after
   a quote are cues too.
3. **Direct quotes without a parse link** attach to the nearest reporting verb of their
   sentence (or of the short sentence right after: ``“...?” Biden said.``), to any verb right
   next to them with a subject (``“...,” Toomey fumed``), to the clause before a colon, to the
   attribution just before them in the same paragraph (``“A,” he said. “B.”`` is one quote),
   or to the quote they continue from the previous paragraph. A quoted title or short phrase
   with no speech verb (``the so-called “Geneva Agreement”``) is not a quote.

Attributions may nest ("X said Y argued that Z" is two rows), except that a direct quote whose
cue sits inside another candidate's indirect content wins over it; of two candidates claiming
mostly the same text, the more confident one stays. A trained token tagger
(``etl.nlp.quote_tagger``) reads the whole article: its content, cue and source probabilities
are features of the cue scorer; a run of tokens it reads as content that no candidate covers
becomes a quote of its own, with the cue and the speaker it reads in the same sentences (or
none); and a rule's unquoted content grows over the tagged content right next to it. Last, a trained review
(``etl.nlp.speaker_review``) clears the speakers it doubts: a quote with no speaker is better
than one with the wrong speaker.

A quote with several pieces (``“A,” he said. “B.”``) is one row: its offsets run from the first
piece's start to the last piece's end, and ``quote_text`` joins the pieces with a space.
``kind`` is ``direct`` when the content is quotation throughout, ``mixed`` when it holds a
quotation that is not just a title, ``indirect`` otherwise. Speakers resolve through
``etl.nlp.coref``: the PERSON mention in the speaker phrase (whose canonical name already
resolves surnames and drops titles), a pronoun's antecedent, a relative pronoun's noun, or the
person last introduced with a role noun (``the spokeswoman``).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from spacy.attrs import IDX, IS_SPACE, LOWER
from spacy.tokens import Doc, Span, Token

from etl import ids
from etl.nlp import quote_tagger
from etl.nlp.coref import PERSONAL_PRONOUNS, RELATIVE_PRONOUNS, PersonIndex
from etl.nlp.cue_model import extra_features, feature_matrix, lexicon_rate, load_model, probabilities, score
from etl.nlp.cues import CUE_TAGS, SPEECH_VERBS, cue_key, cue_stem, frame_score, frames, path_score, tagged_indices
from etl.nlp.entities import strip_roles
from etl.nlp.speaker_review import feature_matrix as review_features
from etl.nlp.speaker_review import load_review_model
from etl.records import Mention, Quote
from etl.when.statements import date_statements

DOUBLE_MARKS = '"“”„«»'
DOUBLE_CLOSERS = '"”»'
OPENERS = "\"“„«‘'"
SUBJECT_DEPS = ("nsubj", "nsubjpass", "csubj")
MIN_TAGGED_TOKENS = 4  # a shorter run of tagged content is not a quote on its own
N_TAG_FEATURES = 9
MIN_DIRECT_WORDS = 4  # a quote with fewer words and no cue is a scare quote or a title
# lexicon-rate thresholds, used when the trained scorer is unavailable (no tensor, no weights)
CCOMP_THRESHOLD = 0.4
OTHER_THRESHOLD = 0.4
NEAR_CUE_THRESHOLD = 0.6  # a learned cue claiming an unattached quotation in its sentence
# added to the scorer's threshold per path: passive subjects are rarely what was said
_PATH_OFFSETS: dict[str, float] = {"nsubjpass": 0.3}
# development switches (all on in production) and a hook collecting (start, end, frame) rows
_FLAGS = {
    "adjacent": True,
    "colon": True,
    "nearest": True,
    "para_merge": True,
    "tail": True,
    "name_fallback": True,
    "reclaim": True,
}
_DEBUG: list[tuple[int, int, str]] | None = None
REPORTING = frozenset({"report", "accord"})
# "The Latest: ...", "Contributing: ...", "BYLINE: ...": labels before a colon that name no speaker
SECTION_LABELS = frozenset(
    {
        "the latest",
        "latest",
        "breaking",
        "breaking news",
        "contributing",
        "byline",
        "revealed",
        "update",
        "updated",
        "updates",
        "correction",
        "editor's note",
        "editor’s note",
        "watch",
        "related",
        "read more",
        "photos",
        "video",
        "exclusive",
        "name",
        "in",
    }
)
ACCORDING_CONFIDENCE = 0.95  # "according to X" outranks a cue found inside its clause
OVERLAP_LIMIT = 0.5  # two candidates sharing more than this share of the shorter: one goes
NAME_LABELS = ("PERSON", "ORG", "GPE", "NORP")


@dataclass(slots=True)
class QSpan:
    """A quoted stretch of text, marks included; ``open_end`` when its paragraph ends first."""

    start: int
    end: int
    paragraph: int
    open_end: bool = False
    words: int = 0


@dataclass(slots=True)
class Candidate:
    pieces: list[tuple[int, int]]
    cue: Token | None
    cue_text: str
    speaker: Span | None
    confidence: float
    reporting: bool = False
    quote_ids: set[int] = field(default_factory=set)
    speaker_head: Token | None = None
    origin: str = ""  # which rule made it: a frame path ("ccomp", "prep:for"), "according", "near_verb", ...

    @property
    def start(self) -> int:
        return min(a for a, _ in self.pieces)

    @property
    def end(self) -> int:
        return max(b for _, b in self.pieces)


# --- pass 1: quotation marks --------------------------------------------------------------------


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


# --- helpers ------------------------------------------------------------------------------------


def _trim(doc: Doc, start: int, end: int) -> tuple[int, int] | None:
    """Token range [start, end) without edge punctuation and spaces (quotation marks stay)."""
    while start < end and (doc[start].is_space or (doc[start].is_punct and doc[start].text[0] not in OPENERS + "‘“")):
        start += 1
    while end > start and (
        doc[end - 1].is_space or (doc[end - 1].is_punct and doc[end - 1].text[-1] not in DOUBLE_CLOSERS + "’'")
    ):
        end -= 1
    if start >= end:
        return None
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1].text)


def _has_clause(q: Quotes, start: int, end: int) -> bool:
    """Whether a stretch of text holds a finite verb (a clause, not just a noun phrase)."""
    span = q.doc.char_span(start, end, alignment_mode="contract")
    return span is not None and any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in span)


def _trim_chars(q: Quotes, start: int, end: int) -> tuple[int, int] | None:
    span = q.doc.char_span(start, end, alignment_mode="contract")
    if span is None or not len(span):
        return None
    return _trim(q.doc, span.start, span.end)


def _subtree_chars(tok: Token) -> tuple[int, int] | None:
    return _trim(tok.doc, tok.left_edge.i, tok.right_edge.i + 1)


class Quotes:
    """Per-article state: quote spans, token lookups, the person index."""

    def __init__(
        self, doc: Doc, mentions: Sequence[Mention], tags: np.ndarray | None = None, text: str | None = None
    ):
        self.doc = doc
        # ``doc.text`` joins every token anew: take the caller's copy when it has the right length
        fits = text is not None and len(doc) and len(text) == doc[-1].idx + len(doc[-1].text_with_ws)
        self.text = text if fits and text is not None else doc.text
        self.spans = find_quote_spans(self.text)
        self.span_starts = [q.start for q in self.spans]
        self.people = PersonIndex(doc, mentions)
        self.mentions = sorted(mentions, key=lambda m: m.start_char)
        self.mention_starts = [m.start_char for m in self.mentions]
        self.paragraphs = paragraph_bounds(self.text)
        self.para_starts = [a for a, _ in self.paragraphs]
        self._resolved: dict[tuple[int, int, int], tuple[str | None, str | None]] = {}
        self.in_quote = quote_index(doc, self.spans, self._token_starts)
        # per token: the tagger's probabilities of content, cue and source (None without weights)
        self.tags = tags if tags is not None else quote_tagger.tag(doc, self.in_quote, self.text)
        # tokens the tagger reads as content (never a space token: no run crosses a line break)
        self.tagged_content = (
            None if self.tags is None else (self.tags[:, 0] >= 0.5) & ~doc.to_array([IS_SPACE]).astype(bool)
        )

    @property
    def _token_starts(self) -> list[int]:
        if not hasattr(self, "_tok_starts"):
            self._tok_starts = self.doc.to_array([IDX]).tolist()
        return self._tok_starts

    def paragraph_of(self, char: int) -> int:
        return bisect.bisect_right(self.para_starts, char) - 1

    def quotes_in(self, start: int, end: int) -> list[int]:
        lo = bisect.bisect_left(self.span_starts, start)
        while lo > 0 and self.spans[lo - 1].end > start:
            lo -= 1
        out = []
        for qi in range(lo, len(self.spans)):
            q = self.spans[qi]
            if q.start >= end:
                break
            if q.end > start:
                out.append(qi)
        return out

    def widen(self, start: int, end: int) -> tuple[int, int, set[int]]:
        """Widen a content span to the whole of any quotation it mostly covers."""
        used = set()
        for qi in self.quotes_in(start, end):
            q = self.spans[qi]
            inner = max(1, q.end - q.start - 2)
            covered = min(end, q.end) - max(start, q.start)
            inside = q.start <= start and end <= q.end
            if inside or covered >= 0.5 * inner or (start <= q.start + 1 and end >= q.end - 3):
                start, end = min(start, q.start), max(end, q.end)
                used.add(qi)
            elif q.start >= start and q.end > end:
                pass
        for qi in self.quotes_in(start, end):
            q = self.spans[qi]
            if q.start >= start and q.end <= end:
                used.add(qi)
        return start, end, used

    # --- speakers -------------------------------------------------------------------------------

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

    def speaker_phrase(self, head: Token) -> Span:
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

    def resolve(self, span: Span | None, head: Token | None) -> tuple[str | None, str | None]:
        """(speaker_name, speaker_entity_id) for a speaker phrase (once per phrase: the review
        and the rows ask for the same ones)."""
        if span is None or head is None:
            return None, None
        key = (span.start, span.end, head.i)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(span, head)
        return self._resolved[key]

    def _resolve(self, span: Span, head: Token) -> tuple[str | None, str | None]:
        lower = head.lower_
        if lower in PERSONAL_PRONOUNS:
            p = self.people.resolve_pronoun(head)
            return (p.name, p.entity_id) if p else (None, None)
        if lower in RELATIVE_PRONOUNS and head.head is not head:
            noun = head.head.head if head.head.dep_ in ("relcl", "acl") else None
            if noun is not None and noun is not head:
                return self.resolve(self.speaker_phrase(noun), noun)
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
            return name, None
        if m is not None:
            return m.canonical_name, m.entity_id
        if head.pos_ == "NOUN":
            p = self.people.resolve_role(head)
            if p is not None:
                return p.name, p.entity_id
        return None, None


def _sentence_before_tail_cue(q: Quotes, tok: Token, subj: Token | None) -> tuple[int, int] | None:
    """ "..., a girl was pepper-sprayed by a bystander, police said.": a speech verb closing its
    sentence after a comma, with no clause of its own, reports everything before the comma."""
    if subj is None or tok.dep_ != "ROOT" or cue_stem(tok) not in SPEECH_VERBS or subj.i > tok.i:
        return None
    if any(c.dep_ in ("ccomp", "parataxis", "dobj") for c in tok.children):
        return None
    doc = q.doc
    start = q.speaker_phrase(subj).start
    if start < 1 or doc[start - 1].text != ",":
        return None
    sent = tok.sent
    rest = [t for t in doc[tok.i + 1 : sent.end] if not (t.is_punct or t.is_space)]
    if len(rest) > 4:  # "police said on Tuesday" is fine, a new clause is not
        return None
    if start - 1 - sent.start < 3:
        return None
    return _trim(doc, sent.start, start - 1)


def _sentence_ends_with_colon(sent: Span) -> bool:
    for t in reversed(sent):
        if t.is_space:
            continue
        return t.text == ":"
    return False


@dataclass(slots=True)
class FrameCandidate:
    tok: Token
    stem: str
    path: str
    root: Token
    lo: int
    hi: int
    rate: float | None


def frame_candidates(q: Quotes) -> list[FrameCandidate]:
    """Every (cue word, path, content root) the scorer considers, outside quotation marks."""
    out = []
    doc = q.doc
    for i in tagged_indices(doc, CUE_TAGS):  # frames() only takes these
        if q.in_quote[i] >= 0:
            continue
        tok = doc[i]
        if tok.lower_ == "according":
            continue
        stem = cue_stem(tok)
        for path, root, lo, hi in frames(tok):
            if q.in_quote[root.i] >= 0 and path not in ("ccomp", "parataxis<"):
                continue
            out.append(FrameCandidate(tok, stem, path, root, lo, hi, lexicon_rate(stem, path)))
    return out


def candidate_features(q: Quotes, cands: Sequence[FrameCandidate], rates: Sequence[float | None] | None = None):  # type: ignore[no-untyped-def]
    rows = []
    for k, c in enumerate(cands):
        rate = c.rate if rates is None else rates[k]
        subj = q.agent_of(c.tok) if c.path == "nsubjpass" else q.speaker_of(c.tok)
        extra = extra_features(c.tok, c.path, c.root, c.lo, c.hi, rate, subj, q.in_quote[c.root.i] >= 0)
        rows.append((c.tok.i, c.root.i, subj.i if subj is not None else -1, extra))
    x = feature_matrix(q.doc, rows)
    return x if q.tags is None else np.hstack([x, tag_features(q.tags, rows, cands)])


def tag_features(
    tags: np.ndarray, rows: Sequence[tuple[int, int, int, list[float]]], cands: Sequence[FrameCandidate]
) -> np.ndarray:
    """What the tagger reads in each frame candidate: content over its span (mean, minimum,
    share above one half), at its root and just outside its two edges; content and cue at the
    cue; source at the subject."""
    if not cands:
        return np.zeros((0, N_TAG_FEATURES), dtype=np.float32)
    n = len(tags)
    content = tags[:, 0]
    lo = np.fromiter((c.lo for c in cands), dtype=np.int64, count=len(cands))
    hi = np.fromiter((c.hi for c in cands), dtype=np.int64, count=len(cands))
    cue, root, subj = (np.fromiter((r[k] for r in rows), dtype=np.int64, count=len(rows)) for k in range(3))
    empty = hi <= lo  # a span of its root alone
    lo, hi = np.where(empty, root, lo), np.where(empty, root + 1, hi)
    total = np.concatenate([[0.0], np.cumsum(content)])
    above = np.concatenate([[0], np.cumsum(content >= 0.5)])
    # the minimum over each [lo, hi): reduceat over the bounds, every other result
    minimum = np.minimum.reduceat(np.append(content, 0.0), np.stack([lo, hi], axis=1).ravel())[0::2]
    padded = np.concatenate([[0.0], content, [0.0]])  # padded[i + 1] == content[i]
    columns = (
        (total[hi] - total[lo]) / (hi - lo),
        minimum,
        (above[hi] - above[lo]) / (hi - lo),
        content[root],
        padded[lo],  # just before the span
        padded[np.minimum(hi, n) + 1],  # just after it
        tags[cue, 1],
        np.where(subj >= 0, tags[np.maximum(subj, 0), 2], 0.0),
        content[cue],
    )
    return np.stack(columns, axis=1).astype(np.float32)


def choose_frames(q: Quotes) -> dict[int, tuple[float, str, int, int]]:
    """For each cue token, its best-scoring frame above the threshold."""
    cands = frame_candidates(q)
    if not cands:
        return {}
    probs = None
    model = load_model()
    if model is not None and q.doc.tensor is not None and q.doc.tensor.size:
        probs = score(candidate_features(q, cands))
    best: dict[int, tuple[float, str, int, int]] = {}
    for k, c in enumerate(cands):
        if probs is not None:
            p = float(probs[k])
            threshold = model[1] if model is not None else 0.5
            threshold += _PATH_OFFSETS.get(c.path.split(":")[0], 0.0)
        else:
            p = path_score(c.stem, c.path)
            threshold = CCOMP_THRESHOLD if c.path in ("ccomp", "parataxis<") else OTHER_THRESHOLD
        if p >= threshold and (c.tok.i not in best or p > best[c.tok.i][0]):
            best[c.tok.i] = (p, c.path, c.lo, c.hi)
    if _FLAGS.get("prep_with_object", True):
        for i, (p, path, lo, hi) in best.items():
            if path.startswith("prep:"):
                # "criticized the governor for his handling": the object belongs to the content
                obj = [c for c in q.doc[i].children if c.dep_ in ("dobj", "dative") and i < c.i < lo]
                if obj:
                    best[i] = (p, path, min(c.left_edge.i for c in obj), hi)
    return best


def extract_quotes(
    doc: Doc, article_id: str, mentions: Sequence[Mention], text: str | None = None, published: date | None = None
) -> list[Quote]:
    """Every attributed statement in ``doc``; offsets index ``doc.text`` (the clean body, which
    the caller may pass as ``text`` to save rebuilding it). ``published``, the article's day,
    dates the statements the text dates (``said_on``)."""
    if not len(doc):
        return []
    q, cands = find_candidates(doc, mentions, text=text)
    kinds = [_kind(q, c) for c in cands]
    return _to_records(q, review(q, cands, kinds), kinds, article_id, published)


def find_candidates(
    doc: Doc,
    mentions: Sequence[Mention],
    tags: np.ndarray | None = None,
    run_threshold: float | None = None,
    text: str | None = None,
) -> tuple[Quotes, list[Candidate]]:
    """The three passes and the nesting rules, then the tagger's own contents: one candidate
    per distinct content, before review. ``tags``: the tagger's output if already known;
    ``run_threshold``: instead of the shipped one (the training recipe chooses it)."""
    q = Quotes(doc, mentions, tags, text)
    cands: list[Candidate] = []
    used_quotes: dict[int, Candidate] = {}
    cue_tokens: set[int] = set()

    def add(
        pieces: tuple[int, int] | None,
        cue: Token | None,
        cue_text: str,
        subj: Token | None,
        conf: float,
        reporting: bool = False,
        origin: str = "",
    ) -> Candidate | None:
        if pieces is None:
            return None
        start, end, used = q.widen(*pieces)
        if end - start < 2:
            return None
        speaker = q.speaker_phrase(subj) if subj is not None else None
        c = Candidate([(start, end)], cue, cue_text, speaker, conf, reporting, used, subj, origin)
        cands.append(c)
        if cue is not None:
            cue_tokens.add(cue.i)
        return c

    # pass 2: cue words governing a clause, infinitive or object, scored by the trained model
    best_frames = choose_frames(q)
    # in token order, the only tokens the loop acts on: "according", chosen frames, verbs
    according = np.flatnonzero(doc.to_array([LOWER]) == doc.vocab.strings.add("according")).tolist()
    for i in sorted({*according, *best_frames, *tagged_indices(doc, ("VB",))}):
        if q.in_quote[i] >= 0:
            continue
        tok = doc[i]
        lower = tok.lower_
        if lower == "according":
            to = next((c for c in tok.children if c.lower_ == "to"), None)
            pobj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
            if to is None or pobj is None:
                continue
            head = tok.head if tok.head is not tok else None
            sent = tok.sent
            if head is not None and head.pos_ in ("VERB", "AUX"):
                lo, hi = head.left_edge.i, head.right_edge.i + 1
            else:
                lo, hi = sent.start, sent.end
            # the clause without the "according to X" phrase
            a0, a1 = tok.left_edge.i, tok.right_edge.i + 1
            if a0 <= lo < a1:
                lo = a1
            if a0 < hi <= a1:
                hi = a0
            if a0 > lo and a1 < hi:
                # in the middle: keep the longer side
                lo, hi = (lo, a0) if a0 - lo >= hi - a1 else (a1, hi)
            add(
                _trim(doc, lo, hi),
                tok,
                f"{tok.text} {to.text}",
                pobj,
                ACCORDING_CONFIDENCE,
                reporting=True,
                origin="according",
            )
            continue
        chosen = best_frames.get(tok.i)
        if chosen is not None:
            score, path, lo, hi = chosen
            subj = q.agent_of(tok) if path == "nsubjpass" else q.speaker_of(tok)
            if subj is None and _FLAGS.get("name_fallback", True):
                subj = q.name_before(tok)
            if path == "parataxis<":
                # the cue's own phrase is a hole in the content: two pieces around it
                left = _trim(doc, lo, tok.left_edge.i)
                right = _trim(doc, tok.right_edge.i + 1, hi)
                made = add(left or right, tok, tok.text, subj, score, origin=path)
                if made is not None and left is not None and right is not None:
                    made.pieces.append(right)
            else:
                if _FLAGS.get("cut_tail", True):
                    hi = _cut_tail(q, lo, hi)
                made = add(
                    _trim(doc, lo, hi), tok, tok.text, subj, score, reporting=cue_stem(tok) in REPORTING, origin=path
                )
            continue
        if not tok.tag_.startswith("VB"):
            continue
        subj = q.subject_of(tok)
        tail = _sentence_before_tail_cue(q, tok, subj) if _FLAGS["tail"] else None
        if tail is not None:
            add(tail, tok, tok.text, subj, 0.8, origin="tail")
            continue
        # "X said:" / "X continued:" before a quoted paragraph
        if frame_score(cue_stem(tok), "ccomp") >= CCOMP_THRESHOLD and subj is not None:
            sent = tok.sent
            if _sentence_ends_with_colon(sent):
                end = sent.end_char
                nxt = bisect.bisect_left(q.span_starts, end)
                if nxt < len(q.spans) and q.spans[nxt].start - end <= 3:
                    qs = q.spans[nxt]
                    add((qs.start, qs.end), tok, tok.text, subj, 0.8, origin="said_colon")
                elif q.paragraph_of(end) == q.paragraph_of(tok.idx):
                    p_end = q.paragraphs[q.paragraph_of(tok.idx)][1]
                    if p_end - end > 10:
                        add((end + 1, p_end), tok, tok.text, subj, 0.6, origin="said_colon")

    # NAME: at a paragraph start (headlines, transcripts)
    for p_start, p_end in q.paragraphs:
        colon = q.text.find(":", p_start, min(p_end, p_start + 60))
        if colon < 0 or p_end - colon < 15:
            continue
        span = doc.char_span(p_start, colon, alignment_mode="expand")
        if span is None or not 1 <= len(span) <= 5 or not all(t.text[:1].isupper() for t in span):
            continue
        if any(c.start <= colon < c.end for c in cands) or span.text.lower() in SECTION_LABELS:
            continue
        head = span[-1]
        add((colon + 1, p_end), None, ":", head, 0.7, origin="name_colon")

    # pass 3: quotes not yet attributed
    for c in cands:
        for qi in c.quote_ids:
            used_quotes.setdefault(qi, c)
    sents = list(doc.sents)
    sent_starts = [s.start_char for s in sents]
    for qi, qs in enumerate(q.spans):
        if qi in used_quotes:
            continue
        host = _covering(cands, qs.start, qs.end)
        if host is not None:
            used_quotes[qi] = host
            continue
        # continuation of an open quote from the previous paragraph
        if (
            qi > 0
            and q.spans[qi - 1].open_end
            and q.spans[qi - 1].paragraph == qs.paragraph - 1
            and qi - 1 in used_quotes
        ):
            prev = used_quotes[qi - 1]
            prev.pieces.append((qs.start, qs.end))
            used_quotes[qi] = prev
            continue
        # a title or a scare quote ("the so-called “Geneva Agreement”") needs a speech verb
        title = is_title(q.text[qs.start : qs.end])
        s_idx = bisect.bisect_right(sent_starts, qs.start) - 1
        s_last = bisect.bisect_right(sent_starts, max(qs.start, qs.end - 1)) - 1
        verb = _cue_near(q, sents[s_idx].start_char, sents[s_last].end_char, cue_tokens, speech_only=title, quote=qs)
        if verb is None and not title and _FLAGS["adjacent"]:
            verb = _adjacent_verb(q, qs, cue_tokens)
        if verb is None and s_last + 1 < len(sents):
            # “...?” Biden said. -- the quote's own punctuation ended the sentence
            next_sent = sents[s_last + 1]
            if next_sent.start_char - qs.end <= 2 and q.paragraph_of(next_sent.start_char) == qs.paragraph:
                verb = _cue_near(
                    q, next_sent.start_char, next_sent.end_char, cue_tokens, need_subject=True, speech_only=title
                )
        if verb is None and not title and _FLAGS["reclaim"]:
            # “...,” Paradis said with a smirk: a speech verb that went to a lesser frame
            # ("with a smirk") takes the quotation next to it instead
            verb = _reclaim(q, qs, cands, sents[s_idx].start_char, sents[s_last].end_char, cue_tokens)
            if verb is None and s_last + 1 < len(sents):
                next_sent = sents[s_last + 1]
                if next_sent.start_char - qs.end <= 2 and q.paragraph_of(next_sent.start_char) == qs.paragraph:
                    verb = _reclaim(q, qs, cands, next_sent.start_char, next_sent.end_char, cue_tokens, near=False)
        if verb is not None:
            subj = q.subject_of(verb)
            if subj is None and _FLAGS["name_fallback"]:
                subj = q.name_before(verb)
            made = add((qs.start, qs.end), verb, verb.text, subj, 0.75, origin="near_verb")
            if made is not None:
                used_quotes[qi] = made
            continue
        if title:
            continue
        intro = _colon_speaker(q, qs, cue_tokens, cands) if _FLAGS["colon"] else None
        if intro is not None:
            intro_cue, intro_speaker = intro
            made = add(
                (qs.start, qs.end),
                intro_cue,
                intro_cue.text if intro_cue is not None else ":",
                intro_speaker,
                0.7,
                origin="colon_intro",
            )
            if made is not None:
                used_quotes[qi] = made
            continue
        dash = _dash_speaker(q, qs)
        if dash is not None:
            made = add((qs.start, qs.end), None, "—", dash, 0.7, origin="dash")
            if made is not None:
                used_quotes[qi] = made
            continue
        inner = q.text[qs.start : qs.end].rstrip(DOUBLE_CLOSERS + "’' ")
        if qs.words < MIN_DIRECT_WORDS and inner[-1:] not in (".", "?", "!", ","):
            continue  # a scare quote or a title
        # "A," he said. "B." -- the attribution just before, in the same paragraph
        prev_c = _previous_in_paragraph(q, cands, qs)
        if prev_c is None and _FLAGS["para_merge"]:
            prev_c = _previous_paragraph_quote(q, cands, qs)
        if prev_c is not None:
            prev_c.pieces.append((qs.start, qs.end))
            used_quotes[qi] = prev_c
            continue

    out: list[Candidate] = []
    seen: set[tuple[int, int]] = set()
    for c in _resolve_nesting(q, cands):
        c.pieces.sort()
        if (c.start, c.end) not in seen:
            seen.add((c.start, c.end))
            out.append(c)
    tagged = _tagged_contents(q, out, run_threshold)
    if tagged:
        out = sorted(out + tagged, key=lambda c: c.start)
    if q.tagged_content is not None:
        _widen_by_tags(q, q.tagged_content, out)
    return q, out


def _widen_by_tags(q: Quotes, content: np.ndarray, cands: list[Candidate]) -> None:
    """A rule's content that is one unquoted piece grows over the tokens next to it that the
    tagger reads as content (the clause the parse cut off, the sentence that goes on), up to a
    line break, a quotation or another candidate."""
    doc = q.doc
    starts = q._token_starts
    taken = np.zeros(len(doc), dtype=bool)
    bounds = []
    for c in cands:
        first = bisect.bisect_right(starts, c.start) - 1
        end = bisect.bisect_left(starts, c.end)
        taken[first:end] = True
        bounds.append((first, end))
    blocked = taken | ~content | (np.asarray(q.in_quote) >= 0)
    for c, (first, end) in zip(cands, bounds, strict=True):
        if len(c.pieces) != 1 or c.origin == "tagger" or end - first < 4 or q.in_quote[first] >= 0:
            continue
        lo, hi = first, end
        while hi < len(doc) and not blocked[hi]:
            hi += 1
        while lo > 0 and not blocked[lo - 1]:
            lo -= 1
        if (lo, hi) != (first, end):
            c.pieces = [(doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1]))]
            taken[lo:hi] = True
            blocked[lo:hi] = True


def _tagged_contents(q: Quotes, cands: Sequence[Candidate], threshold: float | None = None) -> list[Candidate]:
    """Runs of tokens the tagger reads as content (inside one paragraph, at least
    ``MIN_TAGGED_TOKENS`` long, mean probability at least the shipped threshold) that overlap no
    candidate: contents no rule reached. Their cue and speaker are what the tagger reads as such
    in the same sentences, if anything."""
    if threshold is None:
        loaded = quote_tagger.load_tagger()
        threshold = float(loaded[1]["run_threshold"]) if loaded is not None else None
    if q.tags is None or q.tagged_content is None or threshold is None:
        return []
    doc = q.doc
    inside = np.concatenate([[False], q.tagged_content, [False]])
    edges = np.flatnonzero(inside[1:] != inside[:-1])
    taken = [(c.start, c.end) for c in cands]
    out = []
    for first, end in zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True):
        if end - first < MIN_TAGGED_TOKENS:
            continue
        mean = float(q.tags[first:end, 0].mean())
        a, b = doc[first].idx, doc[end - 1].idx + len(doc[end - 1])
        if mean >= threshold and not any(s < b and a < e for s, e in taken):
            made = Candidate([(a, b)], None, "", None, mean, origin="tagger")
            _tagged_speaker(q, q.tags, made, first, end)
            out.append(made)
    return out


def review(q: Quotes, cands: list[Candidate], kinds: Sequence[str]) -> list[Candidate]:
    """Clear the speakers the trained review doubts (``etl.nlp.speaker_review``); without its
    weights every speaker stays."""
    model = load_review_model()
    if model is None or not cands:
        return cands
    weights, threshold = model
    x = review_features(q, cands, kinds)
    if x.shape[1] != weights.shape[0]:
        return cands
    for c, p in zip(cands, probabilities(x, weights), strict=True):
        if c.speaker is not None and p < threshold:
            c.speaker, c.speaker_head = None, None
    return cands


def _tagged_speaker(q: Quotes, tags: np.ndarray, c: Candidate, first: int, end: int) -> None:
    """The cue and the speaker of a tagged content: the tokens of its sentences, outside it, that
    the tagger reads as most cue-like and (nearest) source-like, when it reads them so at all."""
    doc = q.doc
    lo, hi = doc[first].sent.start, doc[end - 1].sent.end
    around = [i for i in range(lo, hi) if not first <= i < end]
    if not around:
        return
    cues = [i for i in around if tags[i, 1] >= 0.5]
    if cues:
        cue = doc[max(cues, key=lambda i: tags[i, 1])]
        c.cue, c.cue_text = cue, cue.text
    sources = [i for i in around if tags[i, 2] >= 0.5]
    if sources:
        head = doc[min(sources, key=lambda i: min(abs(i - first), abs(i - end)))]
        while head.dep_ in ("compound", "flat", "amod", "det") and lo <= head.head.i < hi and not first <= head.head.i < end:
            head = head.head
        c.speaker, c.speaker_head = q.speaker_phrase(head), head


def _covering(cands: list[Candidate], start: int, end: int) -> Candidate | None:
    for c in cands:
        for a, b in c.pieces:
            if a <= start and end <= b:
                return c
    return None


def _reclaim(
    q: Quotes, qs: QSpan, cands: list[Candidate], lo_char: int, hi_char: int, used: set[int], near: bool = True
) -> Token | None:
    """A speech verb in the quotation's sentence already holding a content with no quotation in
    it: the quotation is what it introduced; its earlier candidate goes. A verb of the next
    sentence (``near`` false) keeps its own clause after a quotation closed by a full stop
    (“...” Cruz says he isn’t familiar with ...)."""
    verb = _cue_near(q, lo_char, hi_char, set(), speech_only=True, quote=qs)
    if verb is None or verb.i not in used:
        return None
    holders = [c for c in cands if c.cue is not None and c.cue.i == verb.i]
    if any(
        c.quote_ids or (c.origin == "ccomp" and not near and (_closes_sentence(q, qs) or not _opens_sentence(q, verb)))
        for c in holders
    ):
        return None
    for c in holders:
        cands.remove(c)
    return verb


TAIL_MARKS = frozenset({",", "—", "–", "―", "--"})


def _cut_tail(q: Quotes, lo: int, hi: int) -> int:
    """The content without a trailing aside that is the writer's, not the speaker's: a
    non-restrictive relative clause (“..., which passed the Senate in 2013”) or an appositive
    (“... — a play on words with ...”) running to the content's end."""
    doc = q.doc
    for k in range(lo + 2, hi - 1):
        if doc[k].text not in TAIL_MARKS or q.in_quote[k] >= 0:
            continue
        n = doc[k + 1]
        if n.is_space:
            continue
        if n.lower_ in ("which", "who", "where", "whose") and n.head.dep_ == "relcl" and n.head.right_edge.i >= hi - 2:
            return k
        if n.left_edge.i == k + 1:
            a = n
            while a.head.i != a.i and a.head.left_edge.i == k + 1 and a.head.i < hi:
                a = a.head
            if a.dep_ == "appos" and a.right_edge.i >= hi - 2 and a.head.i < k:
                return k
    return hi


def _closes_sentence(q: Quotes, qs: QSpan) -> bool:
    """Whether a quotation ends in a full stop (“... the people.”), not a comma or a question."""
    return q.text[qs.start : qs.end].rstrip(DOUBLE_CLOSERS + "’' ")[-1:] == "."


def _opens_sentence(q: Quotes, verb: Token) -> bool:
    """Whether a verb comes first in its sentence, after nothing but its subject: “...?” Biden
    said / said Biden; not “...?” Later, Rubio claimed that ..."""
    first = next((t for t in verb.sent if not t.is_space), verb)
    if first.i == verb.i:
        return True
    subj = q.subject_of(verb)
    if subj is None or subj.left_edge.i != first.i or subj.i > verb.i:
        return False
    return not any(t.is_punct for t in q.doc[subj.right_edge.i + 1 : verb.i])


def _adjacent_verb(q: Quotes, qs: QSpan, used: set[int]) -> Token | None:
    """Any verb right next to a quotation, with its subject: “...,” Toomey fumed /
    “...,” fumed Toomey / Hillary shot back, “...”."""
    doc = q.doc
    inner = q.text[qs.start : qs.end].rstrip(DOUBLE_CLOSERS + "’' ")
    after = doc.char_span(qs.end, min(len(q.text), qs.end + 80), alignment_mode="expand")
    if after is not None and inner[-1:] in (",", "?", "!"):
        for t in list(after)[:7]:
            if t.is_space or (t.is_punct and t.text in ",—–"):
                continue
            if q.in_quote[t.i] >= 0 or t.i in used:
                break
            if t.tag_.startswith("VB") and t.dep_ not in ("amod", "compound", "aux", "auxpass"):
                subj = q.subject_of(t)
                if subj is not None and q.in_quote[subj.i] < 0 and t.i - after.start <= 6:
                    return t
                break
            if not (t.tag_.startswith(("NN", "DT", "PRP", "JJ")) or t.dep_ in ("compound", "poss", "case")):
                break
    before = doc.char_span(max(0, qs.start - 60), qs.start, alignment_mode="contract")
    if before is not None and len(before):
        toks = [t for t in reversed(list(before)) if not t.is_space]
        if not toks or toks[0].text not in ",:":
            return None
        k = 0
        while k < len(toks) and (toks[k].text in ",:" or toks[k].dep_ in ("prt", "advmod") or toks[k].lower_ == "it"):
            k += 1
        if k < len(toks) and k <= 3 and toks[k].tag_.startswith("VB") and toks[k].i not in used:
            t = toks[k]
            if (
                q.in_quote[t.i] < 0
                and q.subject_of(t) is not None
                and not any(c.dep_ in ("ccomp", "dobj") for c in t.children if c.i < qs.start and c.i > t.i)
            ):
                return t
    return None


def _colon_speaker(q: Quotes, qs: QSpan, used: set[int], cands: list[Candidate]) -> tuple[Token | None, Token] | None:
    """A quotation after a colon: "Transcript as follows:", "More from Jones:", "Philip Bump:".
    The clause before the colon gives the cue and speaker, or its last name does."""
    text = q.text
    i = qs.start - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    if i < 0 or text[i] != ":":
        return None
    colon = q.doc.char_span(i, i + 1, alignment_mode="expand")
    if colon is None:
        return None
    sent = colon[0].sent
    root = sent.root
    if root.tag_.startswith("VB") and root.i < colon[0].i and q.in_quote[root.i] < 0:
        subj = q.subject_of(root)
        holders = [c for c in cands if c.cue is not None and c.cue.i == root.i]
        if subj is not None and not any(c.quote_ids for c in holders):
            # "the committee said about its platform:" -- the quotation is what was said
            for c in holders:
                cands.remove(c)
            return root, subj
    prev = colon[0].i - 1
    while prev >= sent.start and (q.doc[prev].is_punct or q.doc[prev].is_space):
        prev -= 1
    if prev >= sent.start and q.people.person_at(q.doc[prev]) is not None:
        return None, q.doc[prev]
    return None


def _cue_near(
    q: Quotes,
    lo_char: int,
    hi_char: int,
    used: set[int],
    need_subject: bool = False,
    speech_only: bool = False,
    quote: QSpan | None = None,
) -> Token | None:
    """The reporting verb outside quotation marks nearest the quote in its sentence(s), not yet a cue."""
    doc = q.doc
    span = doc.char_span(lo_char, hi_char, alignment_mode="expand")
    if span is None:
        return None
    best = None
    best_distance = 1 << 30
    for t in span:
        if q.in_quote[t.i] >= 0 or not t.tag_.startswith("VB") or t.i in used or t.dep_ in ("amod", "compound"):
            continue  # "so-called" is no reporting verb
        key = cue_key(t.text)
        if key in SPEECH_VERBS or (not speech_only and frame_score(key, "ccomp") >= NEAR_CUE_THRESHOLD):
            if need_subject and q.subject_of(t) is None:
                continue
            distance = (
                0 if quote is None or not _FLAGS["nearest"] else min(abs(t.idx - quote.start), abs(t.idx - quote.end))
            )
            if distance < best_distance:
                best, best_distance = t, distance
    return best


def _dash_speaker(q: Quotes, qs: QSpan) -> Token | None:
    """``“...” — Name`` or ``“...” ― Name``: the name after a dash right after the quote."""
    text = q.text
    i = qs.end
    while i < len(text) and text[i].isspace() and i - qs.end < 4:
        i += 1
    if i >= len(text) or text[i] not in "—―–-":
        return None
    span = q.doc.char_span(i + 1, min(len(text), i + 60), alignment_mode="expand")
    if span is None:
        return None
    names: list[Token] = []
    for t in span:
        if t.is_space and not names:
            continue
        person = q.people.person_at(t)
        if person is not None:
            last = q.doc.char_span(person.start_char, person.end_char, alignment_mode="expand")
            return last[-1] if last is not None else t
        if t.tag_ == "NNP":
            names.append(t)
            continue
        break
    # "— Sanders." closing a paragraph: a proper name the tagger did not call a person
    if names and (t.is_punct or t.is_space or t is span[-1]) and len(names) <= 4:
        return names[-1]
    return None


def _previous_paragraph_quote(q: Quotes, cands: list[Candidate], qs: QSpan) -> Candidate | None:
    """A paragraph that is only a quotation, right after a paragraph ending in an attributed
    direct quote: the same speaker goes on."""
    p_start, p_end = q.paragraphs[qs.paragraph]
    if qs.paragraph == 0 or qs.start - p_start > 1 or p_end - qs.end > 2:
        return None
    prev_start, prev_end = q.paragraphs[qs.paragraph - 1]
    best = None
    for c in cands:
        if prev_start <= c.start and c.end <= prev_end and c.quote_ids and (best is None or c.end > best.end):
            best = c
    return best


def _previous_in_paragraph(q: Quotes, cands: list[Candidate], qs: QSpan) -> Candidate | None:
    best = None
    for c in cands:
        end = c.end
        if end <= qs.start and q.paragraph_of(c.start) == qs.paragraph and c.quote_ids:
            if best is None or end > best.end:
                best = c
    if best is None:
        return None
    # no other reporting verb between the two
    return best


def _resolve_nesting(q: Quotes, cands: list[Candidate]) -> list[Candidate]:
    """Nested attributions stay ("X said Y argued that Z" is two), except a direct quote whose
    cue sits inside another, non-direct content ("Asked about X, Lavrov said, “...”"): the
    direct quote wins and the other keeps the clause before it, or goes. Then, of two
    candidates claiming mostly the same text, the more confident stays."""
    cands = sorted(cands, key=lambda c: (c.start, -c.end))
    drop: set[int] = set()
    for i, inner in enumerate(cands):
        if inner.cue is None:
            continue
        pos = inner.cue.idx
        for j, outer in enumerate(cands):
            if i == j or j in drop or i in drop:
                continue
            if not any(a <= pos < b for a, b in outer.pieces):
                continue
            if _kind(q, inner) == "direct" and _kind(q, outer) != "direct":
                cut = min(pos, inner.start)
                if inner.speaker is not None and 0 <= inner.cue.i - inner.speaker.end <= 2:
                    cut = min(cut, inner.speaker.start_char)
                a, b = outer.pieces[0]
                before = _trim_chars(q, a, cut) if cut > a else None
                if (
                    before is not None
                    and before[1] - before[0] >= 12
                    and len(outer.pieces) == 1
                    and _has_clause(q, *before)
                ):
                    outer.pieces = [before]
                else:
                    drop.add(j)
    kept = [c for k, c in enumerate(cands) if k not in drop]
    # "According to AP, Nuland said ...", "..., Lavrov said, RIA Novosti reported": the named
    # speaker inside outranks the outlet reporting it
    # (below the 0.5 it used to be capped at, and below each such speaker's own confidence)
    for outer in kept:
        if not outer.reporting:
            continue
        inner_named = [
            inner.confidence
            for inner in kept
            if not inner.reporting and inner.cue is not None and any(a <= inner.cue.idx < b for a, b in outer.pieces)
        ]
        if inner_named:
            outer.confidence = min(outer.confidence, 0.5, min(inner_named) - 0.001)
    # overlapping contents (two cues claiming one quote): keep the more confident
    kept.sort(key=lambda c: -c.confidence)
    out: list[Candidate] = []
    for c in kept:
        if any(c.start < o.end and o.start < c.end and _overlap(c, o) > OVERLAP_LIMIT for o in out):
            continue
        out.append(c)
    out.sort(key=lambda c: c.start)
    return out


def _overlap(a: Candidate, b: Candidate) -> float:
    """Shared characters of two candidates' pieces, over the shorter one's length."""
    inter = sum(max(0, min(ae, be) - max(a_s, b_s)) for a_s, ae in a.pieces for b_s, be in b.pieces)
    length_a = sum(e - s for s, e in a.pieces)
    length_b = sum(e - s for s, e in b.pieces)
    return inter / max(1, min(length_a, length_b))


def is_title(quoted: str) -> bool:
    """A short quoted name in title case (the so-called “Geneva Agreement”): a title or a scare
    quote, not somebody's words."""
    words = quoted.strip(DOUBLE_MARKS + "‘’' ,.").split()
    return 0 < len(words) <= 4 and all(w[:1].isupper() or not w[:1].isalpha() for w in words)


def _kind(q: Quotes, c: Candidate) -> str:
    quoted = 0
    total = 0
    titles_only = True
    for a, b in c.pieces:
        total += b - a
        for qi in q.quotes_in(a, b):
            s = q.spans[qi]
            quoted += max(0, min(b, s.end) - max(a, s.start))
            titles_only = titles_only and is_title(q.text[s.start : s.end])
    if total and quoted >= total - 3 * len(c.pieces):
        return "direct"
    return "mixed" if quoted and not titles_only else "indirect"


def _to_records(
    q: Quotes, cands: list[Candidate], kinds: Sequence[str], article_id: str, published: date | None = None
) -> list[Quote]:
    out: list[tuple[Quote, Token | None]] = []
    for c, kind in zip(cands, kinds, strict=True):
        start, end = c.start, c.end
        if _DEBUG is not None:
            _DEBUG.append((start, end, c.origin or c.cue_text))
        text = " ".join(q.text[a:b] for a, b in c.pieces)
        name, entity = q.resolve(c.speaker, c.speaker_head)
        out.append((
            Quote(
                quote_id=ids.quote_id(article_id, start, end),
                quote_start=start,
                quote_end=end,
                quote_text=text,
                kind=kind,
                speaker_text=c.speaker.text if c.speaker is not None else None,
                speaker_start=c.speaker.start_char if c.speaker is not None else None,
                speaker_end=c.speaker.end_char if c.speaker is not None else None,
                speaker_name=name,
                speaker_entity_id=entity,
                cue_text=c.cue_text or None,
                confidence=round(min(1.0, c.confidence), 3),
            ),
            c.cue,
        ))
    return date_statements(out, published)
