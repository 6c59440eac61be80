"""Benchmark: what scale costs. Flat memory (1x vs 4x a corpus) and the cost of PostgreSQL.

**Memory.** Two runs in child processes, in the same session: the corpus (1x), then 4x its size.
The 4x corpus is the corpus plus three sets of new articles, each the first half of one story's
paragraphs followed by the second half of another's, so none is a duplicate or a near-duplicate of
another and every one goes through the NLP. Reported: the peak RSS of the run's processes
together (main and spaCy workers, sampled from /proc every 0.1 s). Goal: ratio 4x/1x <= 1.1.

**PostgreSQL.** The same files run with the embedded SQLite store and with a PostgreSQL server
(a throwaway cluster started here), alternately, ``--repeat`` times each, in fresh warehouses.
Reported: the median seconds of each and their ratio. Goal: PostgreSQL/SQLite <= 1.05.

    .venv/bin/python tests/bench/bench_scale.py --corpus ../shared/data/bbc_news/bbc [--only memory|db]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests import pg  # noqa: E402
from tests.fixtures.hostile import run_measured  # noqa: E402

MEMORY_GOAL = 1.1
DB_GOAL = 1.05


def _stories(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*.txt") if p.name.upper() != "README.TXT")


def _paragraphs(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def build_scaled(corpus: Path, out: Path, factor: int) -> Path:
    """The corpus plus ``factor - 1`` sets of spliced articles (first half of i, second half of j)."""
    stories = _stories(corpus)
    n = len(stories)
    for path in stories:
        dest = out / "x0" / path.relative_to(corpus)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(path.read_bytes())
    for k in range(1, factor):
        step = (k * 7919) % n or 1
        for i, path in enumerate(stories):
            head, tail = _paragraphs(path), _paragraphs(stories[(i + step) % n])
            body = head[: max(2, len(head) // 2)] + tail[len(tail) // 2 :]
            dest = out / f"x{k}" / path.relative_to(corpus)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text("\n\n".join(body) + "\n", encoding="utf-8")
    return out


def memory(corpus: Path, processes: int, tmp: Path) -> dict[str, object]:
    rows = []
    for factor in (1, 4):
        inputs = build_scaled(corpus, tmp / f"in-{factor}x", factor)
        run = run_measured([inputs], tmp / f"wh-mem-{factor}x", None, processes=processes)
        if run.returncode != 0:
            print(run.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"the {factor}x run failed")
        summary = run.summary or {}
        rows.append({"corpus": f"{factor}x", "files": summary.get("files"), "articles": summary.get("articles"),
                     "seconds": round(run.seconds, 1), "peak_all_processes_mb": round(run.peak_tree_bytes / 1e6),
                     "peak_process_mb": round(run.peak_rss_bytes / 1e6)})  # fmt: skip
        print(json.dumps(rows[-1]), flush=True)
    ratio = rows[1]["peak_all_processes_mb"] / max(1, rows[0]["peak_all_processes_mb"])  # type: ignore[operator]
    return {"measure": "peak RSS 4x / 1x corpus", "ratio": round(ratio, 3), "goal": f"<= {MEMORY_GOAL}", "met": ratio <= MEMORY_GOAL}


def db_cost(corpus: Path, processes: int, limit: int, repeat: int, tmp: Path) -> dict[str, object]:
    inputs = tmp / "in-db"
    for path in _stories(corpus)[:limit]:
        dest = inputs / path.relative_to(corpus)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(path.read_bytes())
    seconds: dict[str, list[float]] = {"sqlite": [], "postgresql": []}
    with pg.server_url() as server:
        for i in range(repeat):
            for kind in ("sqlite", "postgresql"):
                url = pg.create_database(server) if kind == "postgresql" else None
                run = run_measured([inputs], tmp / f"wh-db-{kind}-{i}", url, processes=processes)
                if run.returncode != 0:
                    print(run.stderr[-3000:], file=sys.stderr)
                    raise SystemExit(f"the {kind} run failed")
                seconds[kind].append(run.seconds)
                print(json.dumps({"store": kind, "round": i, "seconds": round(run.seconds, 1),
                                  "articles": (run.summary or {}).get("articles")}), flush=True)  # fmt: skip
    med = {k: statistics.median(v) for k, v in seconds.items()}
    ratio = med["postgresql"] / med["sqlite"]
    return {"measure": "run with PostgreSQL / run with the embedded SQLite", "files": limit,
            "median_seconds": {k: round(v, 1) for k, v in med.items()}, "ratio": round(ratio, 3),
            "goal": f"<= {DB_GOAL}", "met": ratio <= DB_GOAL}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--db-files", type=int, default=400, help="files in each PostgreSQL/SQLite run")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each store")
    parser.add_argument("--only", choices=("memory", "db"))
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    results = []
    with tempfile.TemporaryDirectory(prefix="news-etl-scale-") as tmp:
        if args.only in (None, "db"):
            results.append(db_cost(args.corpus, args.processes, args.db_files, args.repeat, Path(tmp)))
            print(json.dumps(results[-1]), flush=True)
        if args.only in (None, "memory"):
            results.append(memory(args.corpus, args.processes, Path(tmp)))
            print(json.dumps(results[-1]), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
