"""How well article bodies are extracted from news HTML: 4-gram shingle F1 against hand-checked bodies.

Each ``NAME.html`` in the folder has its hand-checked body in ``NAME.txt`` (paragraphs one a
line). Text is compared as multisets of word 4-grams (lower-cased ``\\w+`` tokens), so paragraph
splits and whitespace do not matter but boilerplate kept and text lost both do.

    python -m etl.evaluation.html_bodies [tests/fixtures/html]

prints per-page and mean precision/recall/F1 for trafilatura alone (default settings) and for the
project's extractor (``etl.ingest.html.extract``).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "html"
N = 4
_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = N) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text.casefold())
    if len(tokens) < n:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def score(predicted: str, gold: str) -> Score:
    pred, ref = shingles(predicted), shingles(gold)
    overlap = sum((pred & ref).values())
    precision = overlap / sum(pred.values()) if pred else 0.0
    recall = overlap / sum(ref.values()) if ref else 0.0
    return Score(precision, recall)


def trafilatura_alone(html: bytes) -> str:
    import trafilatura

    return trafilatura.extract(html) or ""


def project_extractor(html: bytes) -> str:
    from etl.ingest.html import extract

    got = extract(html)
    return got.text if got else ""


EXTRACTORS: dict[str, Callable[[bytes], str]] = {
    "trafilatura alone": trafilatura_alone,
    "news-etl": project_extractor,
}


def evaluate(folder: Path) -> dict[str, dict[str, Score]]:
    results: dict[str, dict[str, Score]] = {name: {} for name in EXTRACTORS}
    for page in sorted(folder.glob("*.html")):
        gold_path = page.with_suffix(".txt")
        if not gold_path.exists():
            continue
        gold = gold_path.read_text(encoding="utf-8")
        html = page.read_bytes()
        for name, fn in EXTRACTORS.items():
            results[name][page.stem] = score(fn(html), gold)
    return results


def mean_f1(scores: dict[str, Score]) -> float:
    return sum(s.f1 for s in scores.values()) / len(scores) if scores else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_DIR)
    args = parser.parse_args(argv)
    results = evaluate(args.folder)
    names = list(results)
    pages = sorted(next(iter(results.values())))
    if not pages:
        print(f"no NAME.html + NAME.txt pairs in {args.folder}", file=sys.stderr)
        return 1
    width = max(len(p) for p in pages)
    print(f"{'page':<{width}}  " + "  ".join(f"{n:>26}" for n in names))
    print(f"{'':<{width}}  " + "  ".join(f"{'P     R     F1':>26}" for _ in names))
    for page in pages:
        cells = [results[n][page] for n in names]
        print(f"{page:<{width}}  " + "  ".join(f"{s.precision:>14.3f}{s.recall:>6.3f}{s.f1:>6.3f}" for s in cells))
    print(f"{'mean F1':<{width}}  " + "  ".join(f"{mean_f1(results[n]):>26.3f}" for n in names))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
