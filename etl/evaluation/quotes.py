"""Quote-attribution evaluation against brat-standoff gold (the PolNeAR layout).

``gold_dir`` holds ``text/NAME.txt`` and ``attributions/NAME_ANNOTATOR.ann``; when an article has
several annotators' files the first by name is used. Every ``E`` line is one attribution whose
``Content`` (possibly discontinuous: ``start end;start end``, and possibly continued by a
``Content2`` role) is one gold quote and whose ``Source`` is its speaker.

The texts go through the real article path: ``etl.clean.clean`` (the detected headline is put
back as the first paragraph, since the gold annotates headlines too), the spaCy pass in
``NlpRunner`` and ``extract_quotes``; predicted offsets index the clean body and are mapped back
to the gold text through a character alignment (cleaning only changes whitespace and controls).

Scores:

* content P/R/F1: a predicted quote matches a gold Content when their character-overlap F1 is at
  least 0.5, one to one (greedy, best overlap first); a quote in several pieces counts only its
  pieces' characters (the stored ``quote_pieces``), as a gold Content in several spans does;
* speaker P/R/F1: a matched pair counts when the predicted speaker span overlaps the gold Source,
  or the predicted speaker name shares a name word with it; precision is over predicted quotes
  with a speaker, recall over gold Contents with a Source;
* direct recall: matched share of the gold Contents that open with a quotation mark.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from etl.records import AnalysedArticle, CleanArticle, Paragraph, Quote, RawArticle

QUOTE_OPENERS = "\"'“‘«„‹"
MATCH_THRESHOLD = 0.5
_WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*")
_NAME_STOP = frozenset({"the", "a", "an", "of", "and", "mr", "mrs", "ms", "dr", "he", "she", "they", "it", "i", "we"})


@dataclass(frozen=True, slots=True)
class GoldAttribution:
    content: tuple[tuple[int, int], ...]
    content_text: str
    source: tuple[tuple[int, int], ...] = ()
    source_text: str = ""
    cue: tuple[tuple[int, int], ...] = ()
    cue_text: str = ""

    @property
    def is_direct(self) -> bool:
        return self.content_text.lstrip()[:1] in QUOTE_OPENERS


@dataclass(slots=True)
class GoldDocument:
    name: str
    text: str
    attributions: list[GoldAttribution] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PredictedQuote:
    """A predicted quote mapped onto the gold text's offsets."""

    start: int
    end: int
    text: str
    kind: str
    speaker: tuple[int, int] | None
    speaker_name: str | None
    pieces: tuple[tuple[int, int], ...] = ()


# --- gold ---------------------------------------------------------------------------------------


def _spans(field_text: str) -> tuple[tuple[int, int], ...]:
    out = []
    for part in field_text.split(";"):
        a, b = part.split()
        out.append((int(a), int(b)))
    return tuple(out)


def parse_ann(ann: str, text: str) -> list[GoldAttribution]:
    spans: dict[str, tuple[str, tuple[tuple[int, int], ...]]] = {}
    events: list[dict[str, str]] = []
    for line in ann.splitlines():
        if line.startswith("T"):
            parts = line.split("\t")
            if len(parts) < 2:
                continue
            label, _, offsets = parts[1].partition(" ")
            try:
                spans[parts[0]] = (label, _spans(offsets))
            except ValueError:
                continue
        elif line.startswith("E"):
            parts = line.split("\t")
            if len(parts) < 2:
                continue
            roles: dict[str, str] = {}
            for arg in parts[1].split():
                role, _, ref = arg.partition(":")
                roles[role] = ref
            events.append(roles)
    out: list[GoldAttribution] = []
    seen: set[str] = set()
    for roles in events:
        crefs = [roles[r] for r in sorted(roles) if r.startswith("Content") and roles[r] in spans]
        if not crefs or crefs[0] in seen:
            continue
        seen.update(crefs)
        content = tuple(sorted(p for ref in crefs for p in spans[ref][1]))
        source = spans[roles["Source"]][1] if roles.get("Source") in spans else ()
        cue = spans[roles["Cue"]][1] if roles.get("Cue") in spans else ()
        out.append(
            GoldAttribution(
                content=content,
                content_text=" ".join(text[a:b] for a, b in content),
                source=source,
                source_text=" ".join(text[a:b] for a, b in source),
                cue=cue,
                cue_text=" ".join(text[a:b] for a, b in cue),
            )
        )
    return out


def load_gold(gold_dir: Path, limit: int | None = None) -> list[GoldDocument]:
    gold_dir = Path(gold_dir)
    ann_dir, text_dir = gold_dir / "attributions", gold_dir / "text"
    first: dict[str, Path] = {}
    for ann in sorted(ann_dir.glob("*.ann")):
        stem = ann.stem.rsplit("_", 1)[0]
        if stem not in first and (text_dir / f"{stem}.txt").exists():
            first[stem] = ann
    docs = []
    for stem in sorted(first):
        text = (text_dir / f"{stem}.txt").read_text(encoding="utf-8")
        docs.append(GoldDocument(stem, text, parse_ann(first[stem].read_text(encoding="utf-8"), text)))
        if limit is not None and len(docs) >= limit:
            break
    return docs


# --- the article path and offset alignment -------------------------------------------------------


def to_article(name: str, text: str) -> CleanArticle:
    """The gold text as the pipeline sees it, with the detected headline kept as paragraph 0."""
    from etl.clean import PARAGRAPH_SEP, clean

    article = clean(RawArticle(source_uri=name, data=text.encode("utf-8")))
    if not isinstance(article, CleanArticle):
        raise ValueError(f"{name}: {article.reason}")
    if article.title:
        shift = len(article.title) + len(PARAGRAPH_SEP)
        paragraphs = (Paragraph(0, 0, len(article.title)),) + tuple(
            Paragraph(p.paragraph_idx + 1, p.start_char + shift, p.end_char + shift) for p in article.paragraphs
        )
        article = dataclasses.replace(
            article, body_text=article.title + PARAGRAPH_SEP + article.body_text, paragraphs=paragraphs, title=None
        )
    return article


def align(raw: str, body: str) -> list[int]:
    """For each body offset (and the end), the matching offset in ``raw``."""
    mapping = [0] * (len(body) + 1)
    j, n = 0, len(raw)
    for i, ch in enumerate(body):
        if ch.isspace():
            mapping[i] = j
            continue
        while j < n and raw[j] != ch and (raw[j].isspace() or not raw[j].isprintable()):
            j += 1
        if j < n and raw[j] != ch:
            k = raw.find(ch, j, j + 8)
            if k >= 0:
                j = k
        mapping[i] = min(j, n)
        j = min(j + 1, n)
    mapping[len(body)] = j
    return mapping


def map_span(mapping: Sequence[int], start: int, end: int) -> tuple[int, int]:
    if end <= start:
        return mapping[start], mapping[start]
    return mapping[start], mapping[end - 1] + 1


def predicted(quotes: Iterable[Quote], mapping: Sequence[int]) -> list[PredictedQuote]:
    """Quote rows on the gold text's offsets, scored by their stored pieces (``quote_pieces``)."""
    out = []
    for q in quotes:
        start, end = map_span(mapping, q.quote_start, q.quote_end)
        pieces = q.pieces or ((q.quote_start, q.quote_end),)
        mapped = tuple(map_span(mapping, a, b) for a, b in pieces)
        speaker = None
        if q.speaker_start is not None and q.speaker_end is not None:
            speaker = map_span(mapping, q.speaker_start, q.speaker_end)
        out.append(PredictedQuote(start, end, q.quote_text, q.kind, speaker, q.speaker_name, mapped))
    return out


# --- scoring ------------------------------------------------------------------------------------


def _length(spans: Iterable[tuple[int, int]]) -> int:
    return sum(b - a for a, b in spans)


def overlap_f1(pred: Sequence[tuple[int, int]], gold: Sequence[tuple[int, int]]) -> float:
    """Character-overlap F1 of two sets of spans (each set non-overlapping)."""
    inter = sum(max(0, min(pb, gb) - max(pa, ga)) for pa, pb in pred for ga, gb in gold)
    if inter == 0:
        return 0.0
    p, r = inter / max(1, _length(pred)), inter / max(1, _length(gold))
    return 2 * p * r / (p + r)


def _name_words(text: str) -> set[str]:
    return {w.lower().strip(".'’") for w in _WORD.findall(text)} - _NAME_STOP


def speaker_matches(pred: PredictedQuote, gold: GoldAttribution) -> bool:
    if not gold.source:
        return False
    if pred.speaker is not None:
        a, b = pred.speaker
        if any(min(b, gb) > max(a, ga) for ga, gb in gold.source):
            return True
    if pred.speaker_name:
        return bool(_name_words(pred.speaker_name) & _name_words(gold.source_text))
    return False


def match(preds: Sequence[PredictedQuote], golds: Sequence[GoldAttribution]) -> list[tuple[int, int]]:
    """One-to-one pairs (pred index, gold index) with overlap F1 >= 0.5, best first."""
    cands = []
    for i, p in enumerate(preds):
        if p.end <= p.start:
            continue
        for j, g in enumerate(golds):
            f = overlap_f1(p.pieces or ((p.start, p.end),), g.content)
            if f >= MATCH_THRESHOLD:
                cands.append((f, i, j))
    cands.sort(reverse=True)
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _, i, j in cands:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        pairs.append((i, j))
    return pairs


@dataclass(slots=True)
class Counts:
    pred: int = 0
    gold: int = 0
    matched: int = 0
    pred_speaker: int = 0
    gold_source: int = 0
    speaker_hits: int = 0
    gold_direct: int = 0
    direct_hits: int = 0
    # per predicted row: (confidence, right), right meaning its content matched and its speaker,
    # if it names one, is the gold Source
    rows: list[tuple[float, bool]] = field(default_factory=list)

    def add(
        self, preds: Sequence[PredictedQuote], golds: Sequence[GoldAttribution], confidences: Sequence[float] = ()
    ) -> list[tuple[int, int]]:
        pairs = match(preds, golds)
        if confidences:
            paired = dict(pairs)
            for i, (p, conf) in enumerate(zip(preds, confidences, strict=True)):
                named = p.speaker is not None or bool(p.speaker_name)
                j = paired.get(i)
                self.rows.append((conf, j is not None and (not named or speaker_matches(p, golds[j]))))
        self.pred += len(preds)
        self.gold += len(golds)
        self.matched += len(pairs)
        self.pred_speaker += sum(1 for p in preds if p.speaker is not None or p.speaker_name)
        self.gold_source += sum(1 for g in golds if g.source)
        self.speaker_hits += sum(1 for i, j in pairs if speaker_matches(preds[i], golds[j]))
        self.gold_direct += sum(1 for g in golds if g.is_direct)
        self.direct_hits += sum(1 for _, j in pairs if golds[j].is_direct)
        return pairs


def _prf(hits: int, npred: int, ngold: int) -> tuple[float, float, float]:
    p = hits / npred if npred else 0.0
    r = hits / ngold if ngold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


RELIABILITY_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0001)


def reliability(rows: Sequence[tuple[float, bool]]) -> list[tuple[float, float, int, float]]:
    """(low, high, rows, share right) per confidence bin, then (0.8, 1.0, rows, share right) of
    the rows at 0.8 or above."""
    out = []
    for lo, hi in zip(RELIABILITY_BINS, RELIABILITY_BINS[1:], strict=False):
        inside = [right for conf, right in rows if lo <= conf < hi]
        out.append((lo, min(hi, 1.0), len(inside), sum(inside) / len(inside) if inside else 0.0))
    high = [right for conf, right in rows if conf >= 0.8]
    out.append((0.8, 1.0, len(high), sum(high) / len(high) if high else 0.0))
    return out


def format_reliability(table: Sequence[tuple[float, float, int, float]]) -> str:
    lines = ["| confidence | rows | right |", "|---|---|---|"]
    for k, (lo, hi, n, share) in enumerate(table):
        label = f"**>= {lo:.1f}**" if k == len(table) - 1 else f"{lo:.1f} - {hi:.1f}"
        lines.append(f"| {label} | {n} | {share:.3f} |")
    return "\n".join(lines)


def scores_of(counts: Counts, documents: int) -> dict[str, float | int]:
    cp, cr, cf = _prf(counts.matched, counts.pred, counts.gold)
    sp, sr, sf = _prf(counts.speaker_hits, counts.pred_speaker, counts.gold_source)
    return {
        "documents": documents,
        "gold_contents": counts.gold,
        "predicted_quotes": counts.pred,
        "matched": counts.matched,
        "content_p": cp,
        "content_r": cr,
        "content_f1": cf,
        "speaker_p": sp,
        "speaker_r": sr,
        "speaker_f1": sf,
        "gold_direct": counts.gold_direct,
        "direct_recall": counts.direct_hits / counts.gold_direct if counts.gold_direct else 0.0,
        "high_confidence_rows": sum(1 for conf, _ in counts.rows if conf >= 0.8),
        "high_confidence_right": (
            sum(right for conf, right in counts.rows if conf >= 0.8) / max(1, sum(1 for conf, _ in counts.rows if conf >= 0.8))
        ),
    }


def evaluate(gold_dir: Path, model: str, processes: int = 2, limit: int | None = None) -> dict[str, float | int]:
    from etl.nlp.runner import NlpRunner

    started = time.perf_counter()
    docs = load_gold(Path(gold_dir), limit)
    articles = [to_article(d.name, d.text) for d in docs]
    counts = Counts()
    rejected = 0
    with NlpRunner(model, processes=processes) as runner:
        for doc, analysed in zip(docs, runner.analyse(articles), strict=True):
            if not isinstance(analysed, AnalysedArticle):
                rejected += 1  # an extraction failure: scored as no predictions
                counts.add([], doc.attributions)
                continue
            body = analysed.article.body_text
            preds = predicted(analysed.quotes, align(doc.text, body))
            counts.add(preds, doc.attributions, [q.confidence for q in analysed.quotes])
    scores = scores_of(counts, len(docs))
    scores["reliability"] = format_reliability(reliability(counts.rows))  # type: ignore[assignment]
    scores["rejected"] = rejected
    scores["seconds"] = round(time.perf_counter() - started, 1)
    return scores


def format_report(scores: dict[str, float | int]) -> str:
    lines = [
        f"documents        {scores['documents']}",
        f"gold contents    {scores.get('gold_contents', '?')}   predicted quotes {scores.get('predicted_quotes', '?')}"
        f"   matched {scores.get('matched', '?')}",
        f"content          P {scores['content_p']:.3f}  R {scores['content_r']:.3f}  F1 {scores['content_f1']:.3f}",
        f"speaker          P {scores['speaker_p']:.3f}  R {scores['speaker_r']:.3f}  F1 {scores['speaker_f1']:.3f}",
        f"direct recall    {scores['direct_recall']:.3f}  (over {scores.get('gold_direct', '?')} direct gold quotes)",
    ]
    if counts_high := scores.get("high_confidence_rows"):
        lines.append(
            f"confidence>=0.8  {counts_high} rows, {float(scores['high_confidence_right']):.3f} right"
            " (content matched, speaker right when named)"
        )
    if "reliability" in scores:
        lines.append(str(scores["reliability"]))
    if scores.get("rejected"):
        lines.append(f"rejected         {scores['rejected']} articles (extraction failed; scored as empty)")
    if "seconds" in scores:
        lines.append(f"seconds          {scores['seconds']}")
    return "\n".join(lines)


def measure_overhead(paths: Sequence[Path], model: str, repeats: int = 3) -> dict[str, float]:
    """Seconds of ``analyse_batch`` over ``paths`` with and without quote extraction (one
    process, best of ``repeats``, the two alternating), and the quote share of the NLP stage."""
    from etl.clean import clean

    articles = [
        a for p in paths if isinstance(a := clean(RawArticle(source_uri=str(p), data=p.read_bytes())), CleanArticle)
    ]
    return overhead_of(articles, model, repeats)


def overhead_of(articles: Sequence[CleanArticle], model: str, repeats: int = 3) -> dict[str, float]:
    """``measure_overhead`` on articles already cleaned (after a warm-up, so that loading the
    models is not counted on either side). Without quotes, the quote component is disabled and
    ``analyse`` extracts none."""
    import contextlib

    import etl.nlp.analyse as analyse_module
    from etl.nlp.model import get_nlp
    from etl.nlp.quotes import NAME, extract
    from etl.nlp.runner import analyse_batch
    from etl.nlp.sentences import sentence_of_token

    analyse_batch(articles[:4], model)  # load the model and warm up
    real = analyse_module.extract_quotes
    nlp = get_nlp(model)

    def timed(with_quotes: bool) -> float:
        context = contextlib.nullcontext() if with_quotes else nlp.select_pipes(disable=[NAME])
        if not with_quotes:
            analyse_module.extract_quotes = lambda *args, **kwargs: []
        try:
            with context:
                started = time.perf_counter()
                analyse_batch(articles, model)
                return time.perf_counter() - started
        finally:
            analyse_module.extract_quotes = real

    # alternate the two, so that a machine slowing down or speeding up weighs on both alike
    without, with_quotes = float("inf"), float("inf")
    for _ in range(repeats):
        without = min(without, timed(False))
        with_quotes = min(with_quotes, timed(True))
    # the extraction alone, on docs parsed once
    from etl.nlp.entities import extract_mentions

    with nlp.select_pipes(disable=[NAME]):
        docs = list(nlp.pipe((a.body_text for a in articles), batch_size=32))
    mentions = [extract_mentions(doc, sentence_of_token(doc)) for doc in docs]
    started = time.perf_counter()
    for article, doc, found in zip(articles, docs, mentions, strict=True):
        extract(doc, found, text=article.body_text)
    extraction = time.perf_counter() - started
    return {
        "articles": len(articles),
        "seconds_without_quotes": round(without, 2),
        "seconds_with_quotes": round(with_quotes, 2),
        "overhead": round(with_quotes / without - 1, 4),
        "extraction_seconds": round(extraction, 2),
        "extraction_share": round(extraction / without, 4),
    }


def main(argv: Sequence[str] | None = None) -> int:
    from etl.settings import Settings, default_processes

    parser = argparse.ArgumentParser(prog="python -m etl.evaluation.quotes", description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, help="directory with text/ and attributions/")
    parser.add_argument("--model", default=Settings().model)
    parser.add_argument("--processes", type=int, default=default_processes())
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument(
        "--overhead",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="instead of scoring, time the NLP stage with and without quote extraction over these text files",
    )
    args = parser.parse_args(argv)
    if args.overhead:
        paths = args.overhead[: args.limit] if args.limit else args.overhead
        for key, value in measure_overhead(paths, args.model).items():
            print(f"{key:24s} {value}")
        return 0
    if args.gold is None:
        parser.error("--gold is required")
    print(format_report(evaluate(args.gold, args.model, args.processes, args.limit)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
