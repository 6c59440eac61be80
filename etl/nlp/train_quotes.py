"""Train the quote extractor's cue lexicon from PolNeAR train (the recipe; never run in CI).

    python -m etl.nlp.train_quotes --gold ../shared/data/polnear/train [--out etl/nlp/data/cue_lexicon.json]

Every verb outside quotation marks in the parsed training articles is counted per stem
(``etl.nlp.cues.cue_key``) and frame (does it govern a ``ccomp`` clause, an ``xcomp``, or an
object); the rate at which it was (part of) a gold Cue is the learned score, smoothed towards
zero for rare stems. Only these rates are written: no text from the corpus is kept. The
output is small (a few KB) and is described in ``etl/nlp/data/MODEL_CARD.md``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from spacy.tokens import Doc

from etl.nlp.cues import FRAMES, cue_key

DEFAULT_OUT = Path(__file__).parent / "data" / "cue_lexicon.json"
MIN_COUNT = 3
PRIOR = 2.0  # pseudo-count of negatives: rare stems need evidence


def verb_frame(tok) -> str | None:  # type: ignore[no-untyped-def]
    deps = {c.dep_ for c in tok.children}
    if "ccomp" in deps or "parataxis" in deps:
        return "ccomp"
    right = {c.dep_ for c in tok.children if c.i > tok.i}
    if "xcomp" in right:
        return "xcomp"
    if right & {"dobj", "oprd", "attr"}:
        return "dobj"
    return None


def count(examples: Iterable[tuple[Doc, set[int]]]) -> dict[str, dict[str, list[int]]]:
    """(doc, character offsets inside gold cues) -> frame -> stem -> [cue count, total]."""
    from etl.nlp.quotes import find_quote_spans

    table: dict[str, dict[str, Counter[bool]]] = {f: defaultdict(Counter) for f in FRAMES}
    for doc, cue_chars in examples:
        spans = find_quote_spans(doc.text)
        inside = set()
        for q in spans:
            inside.update(range(q.start, q.end))
        for tok in doc:
            if not tok.tag_.startswith("VB") or tok.idx in inside:
                continue
            frame = verb_frame(tok)
            if frame is None:
                continue
            table[frame][cue_key(tok.text)][tok.idx in cue_chars] += 1
    return {f: {k: [c[True], c[True] + c[False]] for k, c in t.items()} for f, t in table.items()}


def rates(counts: dict[str, dict[str, list[int]]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for frame, table in counts.items():
        out[frame] = {
            k: round(cue / (total + PRIOR), 3)
            for k, (cue, total) in sorted(table.items())
            if cue >= MIN_COUNT and cue / (total + PRIOR) >= 0.2
        }
    return out


def gold_examples(gold_dir: Path, model: str, processes: int) -> Iterable[tuple[Doc, set[int]]]:
    from etl.evaluation.quotes import align, load_gold, to_article
    from etl.nlp.model import get_nlp

    docs = load_gold(gold_dir)
    articles = [to_article(d.name, d.text) for d in docs]
    nlp = get_nlp(model)
    for gold, article, doc in zip(
        docs, articles, nlp.pipe((a.body_text for a in articles), batch_size=32, n_process=processes), strict=True
    ):
        mapping = align(gold.text, article.body_text)
        raw_cues: set[int] = set()
        for att in gold.attributions:
            for a, b in att.cue:
                raw_cues.update(range(a, b))
        yield doc, {i for i in range(len(article.body_text)) if mapping[i] in raw_cues}


def main(argv: list[str] | None = None) -> int:
    from etl.settings import DEFAULT_MODEL

    parser = argparse.ArgumentParser(description="learn the cue lexicon from PolNeAR train")
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args(argv)
    counts = count(gold_examples(args.gold, args.model, args.processes))
    table = rates(counts)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "source": "PolNeAR v1.0 train (Newell, Margolin, Ruths, LREC 2018)",
        "recipe": "python -m etl.nlp.train_quotes --gold <polnear>/train",
        "min_count": MIN_COUNT,
        "prior": PRIOR,
        "rates": table,
    }
    args.out.write_text(json.dumps(payload, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: " + ", ".join(f"{f} {len(t)} stems" for f, t in table.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
