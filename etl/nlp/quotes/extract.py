"""The extractor: rules over the parse and the small trained models, in passes linear in the
article's tokens.

1. Quotation marks (``marks``) and the token tagger's readings (``tagger``) give the context.
2. Cue rules (``cue_rules``): every word outside quotation marks the cue scorer (``frames``)
   picks, ``according to``, a speech verb closing its sentence, ``X said:``; then ``NAME:``
   opening a paragraph.
3. Quotation rules (``quotation_rules``) attribute each quotation still unattributed.
4. Nesting (``nesting``), headlines (``headlines``), the tagger's own contents and widening
   (``tagged``), the speaker review (``review``) and the calibrated confidence
   (``calibration``) finish the rows (``output``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from spacy.attrs import LOWER
from spacy.tokens import Doc

import etl.nlp.quotes.cue_rules  # noqa: F401 - registers its rules
import etl.nlp.quotes.quotation_rules  # noqa: F401 - registers its rules
from etl.nlp.quotes.calibration import calibrated, shipped_threshold
from etl.nlp.quotes.candidate import Candidate, covering, kind_of
from etl.nlp.quotes.config import DEFAULT_CONFIG, QuoteConfig
from etl.nlp.quotes.context import Context
from etl.nlp.quotes.cues import tagged_indices
from etl.nlp.quotes.frames import choose_frames
from etl.nlp.quotes.headlines import keep_headline_quotes
from etl.nlp.quotes.marks import is_title
from etl.nlp.quotes.nesting import inside_quotation, resolve_nesting
from etl.nlp.quotes.output import Attribution, to_attributions
from etl.nlp.quotes.registry import Draft, Quotation, rules_for
from etl.nlp.quotes.review import review
from etl.nlp.quotes.scorer import Scorer
from etl.nlp.quotes.tagged import tagged_contents, widen_by_tags
from etl.records import Mention


def find_candidates(
    doc: Doc,
    mentions: Sequence[Mention],
    tags: np.ndarray | None = None,
    config: QuoteConfig = DEFAULT_CONFIG,
    text: str | None = None,
    cue_model: tuple[Scorer, float] | None = None,
) -> tuple[Context, list[Candidate]]:
    """Every rule, the nesting and headline rules, then the tagger's own contents: one candidate
    per distinct content, before review. ``tags``: the tagger's output if already known (the
    training recipe passes out-of-fold ones); ``cue_model``: the cue scorer and its
    threshold instead of the shipped ones (the recipe's cross-validation)."""
    q = Context(doc, mentions, tags, text)
    d = Draft(q, config, choose_frames(q, config, cue_model))

    token_rules = rules_for("token", config)
    # in token order, the only tokens the rules act on: "according", chosen frames, verbs
    according = np.flatnonzero(doc.to_array([LOWER]) == doc.vocab.strings.add("according")).tolist()
    for i in sorted({*according, *d.frames, *tagged_indices(doc, ("VB",))}):
        if q.in_quote[i] >= 0:
            continue
        tok = doc[i]
        for rule in token_rules:
            if rule.fn(d, tok):
                break

    paragraph_rules = rules_for("paragraph", config)
    for p_start, p_end in q.paragraphs:
        for rule in paragraph_rules:
            if rule.fn(d, p_start, p_end):
                break

    for c in d.cands:
        for qi in c.quote_ids:
            d.used_quotes.setdefault(qi, c)
    d.sents = list(doc.sents)
    d.sent_starts = [s.start_char for s in d.sents]
    quotation_rules_ = rules_for("quotation", config)
    for qi, qs in enumerate(q.spans):
        if qi in d.used_quotes:
            continue
        host = covering(d.cands, qs.start, qs.end)
        if host is not None:
            d.used_quotes[qi] = host
            continue
        quotation = Quotation(
            qi,
            qs,
            is_title(q.text[qs.start : qs.end]),
            d.sentence_index(qs.start),
            d.sentence_index(max(qs.start, qs.end - 1)),
        )
        for rule in quotation_rules_:
            if (rule.titles or not quotation.title) and rule.fn(d, quotation):
                break

    out: list[Candidate] = []
    seen: set[tuple[int, int]] = set()
    for c in keep_headline_quotes(q, resolve_nesting(q, d.cands, config)):
        c.pieces.sort()
        if (c.start, c.end) not in seen:
            seen.add((c.start, c.end))
            out.append(c)
    tagged = [c for c in tagged_contents(q, out, config) if not inside_quotation(q, c)]
    if tagged:
        out = sorted(out + keep_headline_quotes(q, tagged), key=lambda c: c.start)
    if q.tagged_content is not None:
        widen_by_tags(q, q.tagged_content, out)
    return q, out


def extract(
    doc: Doc,
    mentions: Sequence[Mention],
    config: QuoteConfig = DEFAULT_CONFIG,
    text: str | None = None,
    tags: np.ndarray | None = None,
    cue_model: tuple[Scorer, float] | None = None,
) -> list[Attribution]:
    """Every attributed statement in ``doc``; offsets index ``doc.text`` (the clean body, which
    the caller may pass as ``text`` to save rebuilding it)."""
    if not len(doc):
        return []
    q, cands = find_candidates(doc, mentions, tags, config, text, cue_model)
    kinds = [kind_of(q, c) for c in cands]
    speaker_p = review(q, cands, kinds, config.review_threshold)
    if not config.calibrate:
        return to_attributions(q, cands, [c.confidence for c in cands])
    confidences = calibrated(q, cands, kinds, speaker_p)
    floor = shipped_threshold() if config.min_confidence is None else config.min_confidence
    kept = [k for k, p in enumerate(confidences) if p >= floor]
    return to_attributions(q, [cands[k] for k in kept], [confidences[k] for k in kept])
