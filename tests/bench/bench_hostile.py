"""Benchmark: peak memory of a run over 20 good stories plus issue 13's hostile files.

Two runs in child processes, in the same session: the 20 good stories alone (the reference), then
the same stories with every hostile file (200 MB line, 50 MB CSV field, 300 MiB gzip bombs, a
1.2M-character article, ...). For each: exit code, seconds, rejects, the peak RSS of the largest
process (``os.wait4`` rusage) and of the run's processes together (main and spaCy workers, sampled
from /proc every 0.1 s). The goal is a peak under 1.5 GB whatever the input; ratio = hostile/good.

    .venv/bin/python tests/bench/bench_hostile.py [--processes 2] [--db URL]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.fixtures.hostile import MeasuredRun, build_hostile_corpus, run_measured  # noqa: E402

LIMIT_MB = 1500


def _row(label: str, run: MeasuredRun) -> dict[str, object]:
    summary = run.summary or {}
    return {
        "run": label,
        "exit": run.returncode,
        "seconds": round(run.seconds, 1),
        "articles": summary.get("articles"),
        "rejects": summary.get("rejects"),
        "peak_process_mb": round(run.peak_rss_bytes / 1e6),
        "peak_all_processes_mb": round(run.peak_tree_bytes / 1e6),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--db", default=None, help="database URL (default: SQLite in a temporary warehouse)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="news-etl-hostile-") as tmp:
        corpus = build_hostile_corpus(Path(tmp) / "in")
        good = Path(tmp) / "good-only"
        shutil.copytree(corpus.root / "good", good / "good")
        rows = []
        for label, inputs in (("good", [good]), ("good+hostile", [corpus.root])):
            warehouse = Path(tmp) / f"wh-{label}"
            run = run_measured(inputs, warehouse, args.db, processes=args.processes)
            if run.returncode != 0:
                print(run.stderr[-3000:], file=sys.stderr)
            rows.append(_row(label, run))
    for row in rows:
        print(json.dumps(row))
    ref, hostile = rows
    ratio = hostile["peak_all_processes_mb"] / max(1, ref["peak_all_processes_mb"])  # type: ignore[operator]
    verdict = "ok" if hostile["peak_all_processes_mb"] < LIMIT_MB and hostile["exit"] == 0 else "OVER"  # type: ignore[operator]
    print(f"peak memory, hostile/good: {ratio:.2f}; hostile run peak {hostile['peak_all_processes_mb']} MB "
          f"(goal < {LIMIT_MB} MB): {verdict}")  # fmt: skip
    return 0 if verdict == "ok" else 1


if __name__ == "__main__":
    raise SystemExit(main())
