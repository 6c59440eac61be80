"""Publication-date accuracy on PolNeAR, its ``metadata.tsv`` as gold.

The articles are laid out as a nightly feed lands them, ``<landing>/<the next day>/story_<n>.txt``
(file names without the date PolNeAR's names carry, and without the metadata), read and dated by
the pipeline's own stages before the NLP, and scored to the day:
``python -m etl.evaluation.dates --polnear ../shared/data/polnear [--lag 1]``.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import shutil
import tempfile
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from etl.dedup import Deduplicator
from etl.ingest.discover import discover
from etl.pipeline import prepare, read_inputs
from etl.records import CleanArticle, RunCounts

logger = logging.getLogger(__name__)


def gold_dates(polnear: Path) -> dict[str, date]:
    """``filename -> publication date`` from PolNeAR's metadata.tsv."""
    with (polnear / "metadata.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return {r["filename"]: date.fromisoformat(r["publication_date"]) for r in rows if r["publication_date"][:4].isdigit()}


def lay_out(polnear: Path, landing: Path, lag: int = 1) -> dict[str, tuple[date, str]]:
    """Copy every article with a gold date to ``landing/<date + lag>/story_<n>.txt``; returns
    ``source_uri -> (gold date, PolNeAR file name)``."""
    gold = gold_dates(polnear)
    texts = sorted(p for split in ("train", "dev") for p in (polnear / split / "text").glob("*.txt"))
    layout: dict[str, tuple[date, str]] = {}
    for n, path in enumerate(texts):
        day = gold.get(path.stem)
        if day is None:
            continue
        folder = landing / (day + timedelta(days=lag)).isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        name = f"story_{n:04d}.txt"
        shutil.copyfile(path, folder / name)
        layout[f"{folder.name}/{name}"] = (day, path.stem)
    return layout


def evaluate(polnear: Path, lag: int = 1) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        landing = Path(tmp) / "landing"
        layout = lay_out(polnear, landing, lag)
        counts = RunCounts()
        articles = [
            a for a in prepare(read_inputs(discover([landing]), counts), Deduplicator(), counts) if isinstance(a, CleanArticle)
        ]
    by_source: Counter[str] = Counter()
    right: Counter[str] = Counter()
    within_one = 0
    for a in articles:
        gold, _ = layout["/".join(a.source_uri.split("/")[-2:])]  # "<folder>/<name>", however the URI begins
        source = a.published_at_source or "none"
        by_source[source] += 1
        if a.published_at is not None and a.published_at.date() == gold:
            right[source] += 1
        if a.published_at is not None and abs((a.published_at.date() - gold).days) <= 1:
            within_one += 1
    total = len(articles)
    return {
        "articles": total,
        "accuracy": round(sum(right.values()) / total, 4) if total else 0.0,
        "within_one_day": round(within_one / total, 4) if total else 0.0,
        "by_source": {s: {"articles": n, "right": right[s]} for s, n in by_source.most_common()},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--polnear", type=Path, required=True)
    parser.add_argument("--lag", type=int, default=1, help="days between publication and the landing folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    print(json.dumps(evaluate(args.polnear, args.lag), indent=1))  # noqa: T201 - the command's output


if __name__ == "__main__":
    main()
