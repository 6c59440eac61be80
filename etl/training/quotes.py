"""Train the quote extractor's small models from PolNeAR train (the recipe; never run in CI).

    python -m etl.training.quotes --gold ../shared/data/polnear/train [--out etl/nlp/quotes/data/cue_lexicon.json]
    news-etl train quotes --gold ../shared/data/polnear/train

1. the cue lexicon: every word outside quotation marks in the parsed training articles is
   counted per stem (``etl.nlp.quotes.cues.cue_key``) and frame (does it govern a ``ccomp`` clause, an
   ``xcomp``, an object, ...); the rate at which it was (part of) a gold Cue is the learned
   score, smoothed towards zero for rare stems;
2. the token tagger (``quote_tagger.bin``, ``etl.nlp.quotes.tagger``): content, cue and source
   per token. It is trained twice on half of the articles, each half tagged by the tagger that
   did not see it (these out-of-fold tags stand in for the tagger's output on unseen text in
   the steps below), then once on all of them for shipping;
3. the cue scorer (``cue_model.json``, ``etl.nlp.quotes.cue_model``) over every frame candidate, with
   the tagger's features;
4. the threshold for the tagger's own contents (``quote_tagger.json``): the one with the best
   content F1 over train;
5. the speaker review (``speaker_review.json``, ``etl.nlp.quotes.review``) over every quote the
   extractor, with the new files, finds with a speaker; its threshold is chosen on out-of-fold
   probabilities within train;
6. the calibration (``calibration.json``, ``etl.nlp.quotes.calibration``) over every row the
   finished extractor makes (out-of-fold tags): the probability that the row is right, with its
   reliability table from 5-fold out-of-fold probabilities; dev is never read.

This module sits above the runtime code: it imports ``etl.evaluation`` (gold readers, scorer),
which imports ``etl.nlp``; nothing imports it but the CLI.

Only rates and weights are written: no text from the corpus is kept. The files are small and are
described in ``etl/nlp/quotes/data/MODEL_CARD.md``.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from etl.evaluation.quotes import (
    GoldDocument,
    PredictedQuote,
    align,
    format_reliability,
    match,
    predicted,
    reliability,
    speaker_matches,
)
from etl.nlp.analyse import quote_rows
from etl.nlp.quotes import (
    Candidate,
    Context,
    QuoteConfig,
    extract,
    find_candidates,
    find_quote_spans,
    kind_of,
    quote_index,
    to_attributions,
)
from etl.nlp.quotes import tagger as quote_tagger
from etl.nlp.quotes.calibration import FILE as CALIBRATION_FILE
from etl.nlp.quotes.context import trim
from etl.nlp.quotes.cue_model import N_EXTRA
from etl.nlp.quotes.cues import cue_stem, frames, learned_lexicon
from etl.nlp.quotes.frames import N_TAG_FEATURES, candidate_features, frame_candidates
from etl.nlp.quotes.review import N_EXTRA as SPEAKER_EXTRA
from etl.nlp.quotes.review import feature_matrix as review_features
from etl.nlp.quotes.scorer import Scorer
from etl.records import CleanArticle, Mention
from etl.training.calibration import train_calibration
from etl.training.files import write_model
from etl.training.fit import REVIEW_HIDDEN, train_network

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "nlp" / "quotes" / "data" / "cue_lexicon.json"
MIN_COUNT = 3
PRIOR = 2.0  # pseudo-count of negatives: rare stems need evidence
RATE_FLOOR = 0.15  # rates below this are not kept
SPAN_LABELS = True  # a candidate is positive when its span, not just its root, matches the gold
THRESHOLD = 0.25  # probability above which a candidate is a cue (chosen by five-fold content F1 over train)
TAGGER_EPOCHS = 16
TAGGER_FOLDS = 2  # out-of-fold tagger outputs feed the cue scorer and the threshold choices
RUN_THRESHOLDS = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
Roles = tuple[set[int], set[int], set[int]]  # cue, content and source characters of one attribution


def lexicon_rates_cache_clear() -> None:
    learned_lexicon.cache_clear()


def count(examples: Iterable[tuple[Doc, list[Roles]]]) -> dict[str, list[int]]:
    """(doc, [(cue, content, source chars) per gold attribution]) -> ``stem|path`` -> [cue count, total]."""
    table: dict[str, Counter[bool]] = defaultdict(Counter)
    for doc, attributions in examples:
        inside: set[int] = set()
        for q in find_quote_spans(doc.text):
            inside.update(range(q.start + 1, q.end - 1))
        cue_of: dict[int, list[set[int]]] = defaultdict(list)
        for cue_chars, content_chars, _ in attributions:
            for ch in cue_chars:
                cue_of[ch].append(content_chars)
        for tok in doc:
            if tok.idx in inside:
                continue
            stem = cue_stem(tok)
            for path, root, _, _ in frames(tok):
                hit = any(root.idx in content for content in cue_of.get(tok.idx, ()))
                table[f"{stem}|{path}"][hit] += 1
    return {k: [c[True], c[True] + c[False]] for k, c in table.items()}


def rates(counts: dict[str, list[int]]) -> dict[str, float]:
    return {
        k: round(cue / (total + PRIOR), 3)
        for k, (cue, total) in sorted(counts.items())
        if cue >= MIN_COUNT and cue / (total + PRIOR) >= RATE_FLOOR
    }


def model_examples(
    examples: Sequence[tuple[Doc, list[Roles]]], counts: dict[str, list[int]], tags: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Feature rows and labels for the cue scorer. The lexicon rate feature is computed
    leave-one-out (without the candidate's own label), so the model cannot learn to trust it more
    than it deserves on unseen text; ``tags`` are the tagger's out-of-fold outputs, for the same
    reason."""
    xs, ys = [], []
    for (doc, attributions), doc_tags in zip(examples, tags, strict=True):
        q = Context(doc, [], doc_tags)
        cands = frame_candidates(q)
        if not cands:
            continue
        cue_of: dict[int, list[set[int]]] = defaultdict(list)
        for cue_chars, content_chars, _ in attributions:
            for ch in cue_chars:
                cue_of[ch].append(content_chars)
        labels, rates_loo = [], []
        for c in cands:
            y = any(c.root.idx in content for content in cue_of.get(c.tok.idx, ()))
            target = y
            if SPAN_LABELS and y:
                # the frame is right only if its span would match the gold content
                trimmed = trim(doc, c.lo, c.hi)
                target = False
                if trimmed is not None:
                    a, b, _ = q.widen(*trimmed)
                    span = set(range(a, b))
                    target = any(
                        2 * len(span & content) / (len(span) + len(content)) >= 0.5
                        for content in cue_of.get(c.tok.idx, ())
                        if content
                    )
            cue, total = counts.get(f"{c.stem}|{c.path}", [0, 0])
            cue, total = cue - int(y), total - 1
            rate = cue / (total + PRIOR) if total >= 0 else 0.0
            keep = cue >= MIN_COUNT and rate >= RATE_FLOOR
            rates_loo.append(round(rate, 3) if keep else None)
            labels.append(float(target))
        xs.append(candidate_features(q, cands, rates_loo))
        ys.append(np.asarray(labels, dtype=np.float32))
    return np.concatenate(xs), np.concatenate(ys)


def parse_gold(gold_dir: Path, model: str, processes: int) -> Iterable[tuple[GoldDocument, CleanArticle, Doc]]:
    """Each gold article as the pipeline sees it, parsed."""
    from etl.evaluation.quotes import load_gold, to_article
    from etl.nlp.model import get_nlp

    docs = load_gold(gold_dir)
    articles = [to_article(d.name, d.text) for d in docs]
    from etl.nlp.quotes import NAME

    nlp = get_nlp(model)
    with nlp.select_pipes(disable=[NAME]):  # the recipe runs the extractor itself, with its own tags
        parsed = list(nlp.pipe((a.body_text for a in articles), batch_size=32, n_process=processes))
    yield from zip(docs, articles, parsed, strict=True)


def cue_examples(
    parsed: Iterable[tuple[GoldDocument, CleanArticle, Doc]],
) -> Iterable[tuple[Doc, list[Roles]]]:
    """(doc, [(cue, content, source chars) per gold attribution]) in the body's offsets."""
    for gold, article, doc in parsed:
        mapping = align(gold.text, article.body_text)
        inverse: dict[int, int] = {}
        for i in range(len(article.body_text)):
            inverse.setdefault(mapping[i], i)
        yield (
            doc,
            [
                (_chars(att.cue, inverse), _chars(att.content, inverse), _chars(att.source, inverse))
                for att in gold.attributions
            ],
        )


def article_mentions(parsed: Sequence[tuple[GoldDocument, CleanArticle, Doc]]) -> list[list[Mention]]:
    """Each article's entity mentions, as ``analyse`` finds them (computed once for every pass
    of the extractor over train)."""
    from etl.nlp.entities import extract_mentions
    from etl.nlp.sentences import sentence_of_token

    return [extract_mentions(doc, sentence_of_token(doc)) for _, _, doc in parsed]


def extracted(
    parsed: Sequence[tuple[GoldDocument, CleanArticle, Doc]],
    mentions: Sequence[list[Mention]],
    tags: Sequence[np.ndarray],
    run_threshold: float | None = None,
) -> Iterator[tuple[GoldDocument, Context, list[Candidate], list[str], list[PredictedQuote]]]:
    """Each article's candidates before review, their kinds, and its quotes as the evaluation
    reads them (``tags``: the tagger's out-of-fold outputs)."""
    config = QuoteConfig(run_threshold=run_threshold)
    for (gold, article, doc), found, doc_tags in zip(parsed, mentions, tags, strict=True):
        q, cands = find_candidates(doc, found, doc_tags, config, text=article.body_text)
        kinds = [kind_of(q, c) for c in cands]
        body = article.body_text
        rows = quote_rows(doc, to_attributions(q, cands, [c.confidence for c in cands]), article.article_id, body)
        yield gold, q, cands, kinds, predicted(rows, align(gold.text, body))


def run_threshold(
    parsed: Sequence[tuple[GoldDocument, CleanArticle, Doc]], mentions: Sequence[list[Mention]], tags: Sequence[np.ndarray]
) -> float:
    """The tagger-run threshold with the best content F1 over train (out-of-fold tags)."""
    from etl.evaluation.quotes import Counts, scores_of

    best, best_f1 = RUN_THRESHOLDS[-1], -1.0
    for threshold in RUN_THRESHOLDS:
        counts = Counts()
        for gold, *_, preds in extracted(parsed, mentions, tags, threshold):
            counts.add(preds, gold.attributions)
        f1 = float(scores_of(counts, len(parsed))["content_f1"])
        print(f"  tagger runs at {threshold}: content F1 {f1:.4f}")
        if f1 > best_f1:
            best, best_f1 = threshold, f1
    return best


def speaker_examples(
    parsed: Sequence[tuple[GoldDocument, CleanArticle, Doc]], mentions: Sequence[list[Mention]], tags: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Review features of every quote the extractor finds with a speaker, whether that speaker
    is right (the quote matches a gold Content and the speaker its Source, as the evaluation
    scores it), each row's article index, and the number of gold Sources."""

    xs, ys, groups = [], [], []
    sources = 0
    for k, (gold, q, cands, kinds, preds) in enumerate(extracted(parsed, mentions, tags)):
        sources += sum(1 for att in gold.attributions if att.source)
        if not cands:
            continue
        x = review_features(q, cands, kinds)
        pairs = dict(match(preds, gold.attributions))
        for i, p in enumerate(preds):
            if p.speaker is None and not p.speaker_name:
                continue
            j = pairs.get(i)
            xs.append(x[i])
            ys.append(float(j is not None and speaker_matches(p, gold.attributions[j])))
            groups.append(k)
    return np.asarray(xs, dtype=np.float32), np.asarray(ys, dtype=np.float32), np.asarray(groups), sources


def tagger_data(examples: Sequence[tuple[Doc, list[Roles]]]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The tagger's inputs and gold labels (content, cue, source) for every article."""
    inputs, labels = [], []
    for doc, attributions in examples:
        x = quote_tagger.token_inputs(doc, quote_index(doc, find_quote_spans(doc.text)))
        if x is None:
            raise ValueError("the tagger needs the pipeline's tok2vec tensor (doc.tensor)")
        inputs.append(x)
        contents: set[int] = set()
        cues: set[int] = set()
        sources: set[int] = set()
        for cue, content, source in attributions:
            contents |= content
            cues |= cue
            sources |= source
        labels.append(quote_tagger.token_labels(doc, (contents, cues, sources)))
    return inputs, labels


def out_of_fold_tags(inputs: Sequence[np.ndarray], labels: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Each article tagged by a tagger trained on the other folds (articles split by index)."""
    tags: list[np.ndarray | None] = [None] * len(inputs)
    for k in range(TAGGER_FOLDS):
        rest = [i for i in range(len(inputs)) if i % TAGGER_FOLDS != k]
        model = quote_tagger.train([inputs[i] for i in rest], [labels[i] for i in rest], TAGGER_EPOCHS)
        held = [i for i in range(len(inputs)) if i % TAGGER_FOLDS == k]
        for i, p in zip(held, model.predict([inputs[i] for i in held]), strict=True):
            tags[i] = np.asarray(p)
    return [t for t in tags if t is not None]


def token_f1(tags: Sequence[np.ndarray], labels: Sequence[np.ndarray]) -> dict[str, float]:
    p = np.concatenate(tags) >= 0.5
    y = np.concatenate(labels) > 0
    return {
        label: round(float(2 * (p[:, k] & y[:, k]).sum() / max(1, p[:, k].sum() + y[:, k].sum())), 3)
        for k, label in enumerate(quote_tagger.LABELS)
    }


def train_review(x: np.ndarray, y: np.ndarray) -> Scorer:
    """The speaker review: a smaller network than the cue scorer's (fewer rows to learn from)."""
    return train_network(x, y, hidden=REVIEW_HIDDEN)


def speaker_threshold(x: np.ndarray, y: np.ndarray, groups: np.ndarray, sources: int, folds: int = 5) -> float:
    """The threshold with the best speaker F1 on out-of-fold probabilities (folds by article)."""
    probs = np.zeros(len(y))
    for k in range(folds):
        held = groups % folds == k
        probs[held] = train_review(x[~held], y[~held]).probabilities(x[held])
    best, best_f1 = 0.0, -1.0
    for t in np.arange(0.0, 0.7, 0.05):
        kept = probs >= t
        hits = float(y[kept].sum())
        f1 = 2 * hits / (kept.sum() + sources)
        if f1 > best_f1:
            best, best_f1 = round(float(t), 2), f1
    return best


def _chars(spans: tuple[tuple[int, int], ...], inverse: dict[int, int]) -> set[int]:
    """Gold-text spans to the set of body offsets they cover."""
    return {inverse[r] for a, b in spans for r in range(a, b) if r in inverse}


CV_FOLDS = 5


def cross_validate(
    parsed: Sequence[tuple[GoldDocument, CleanArticle, Doc]], folds: int = CV_FOLDS
) -> dict[str, float | int | str]:
    """The extractor's scores over train with its learned parts out of fold: the tagger's
    readings from the two-fold taggers, the cue scorer refitted ``folds`` times (folds by
    article) and each article extracted with the one that did not see it. The lexicon, the
    speaker review and the calibration stay as shipped (fitted on all of train). Writes nothing."""
    from etl.evaluation.quotes import Counts, scores_of

    examples = list(cue_examples(parsed))
    counts = count(examples)
    inputs, labels = tagger_data(examples)
    tags = out_of_fold_tags(inputs, labels)
    print(f"tagger, {TAGGER_FOLDS}-fold out-of-fold token F1: {token_f1(tags, labels)}")
    rows: list[tuple[np.ndarray, np.ndarray] | None] = []
    for example, doc_tags in zip(examples, tags, strict=True):
        try:
            rows.append(model_examples([example], counts, [doc_tags]))
        except ValueError:  # an article without a frame candidate
            rows.append(None)
    mentions = article_mentions(parsed)
    scored = Counts()
    for k in range(folds):
        fitted = [r for i, r in enumerate(rows) if i % folds != k and r is not None]
        scorer = train_network(np.concatenate([x for x, _ in fitted]), np.concatenate([y for _, y in fitted]))
        for i in range(k, len(parsed), folds):
            gold, article, doc = parsed[i]
            body = article.body_text
            found = extract(doc, mentions[i], text=body, tags=tags[i], cue_model=(scorer, THRESHOLD))
            quotes = quote_rows(doc, found, article.article_id, body)
            scored.add(predicted(quotes, align(gold.text, body)), gold.attributions, [q.confidence for q in quotes])
    scores: dict[str, float | int | str] = dict(scores_of(scored, len(parsed)))
    scores["reliability"] = format_reliability(reliability(scored.rows))
    return scores


def main(argv: list[str] | None = None) -> int:
    from etl.settings import DEFAULT_MODEL

    parser = argparse.ArgumentParser(description="train the quote extractor's models on PolNeAR train")
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument(
        "--cross-validate", action="store_true", help="score the extractor over train out of fold; write nothing"
    )
    args = parser.parse_args(argv)
    if args.cross_validate:
        from etl.evaluation.quotes import format_report

        scores = cross_validate(list(parse_gold(args.gold, args.model, args.processes)))
        print(format_report(scores))  # type: ignore[arg-type]
        return 0
    train(args.gold, args.out, args.model, args.processes)
    return 0


def train(gold: Path, out: Path = DEFAULT_OUT, model: str | None = None, processes: int = 2) -> None:
    """The whole recipe: lexicon, tagger, cue scorer, tagger-run threshold, speaker review and
    calibration, written next to ``out`` (the lexicon's path)."""
    from argparse import Namespace

    from etl.settings import DEFAULT_MODEL

    args = Namespace(gold=gold, out=out, model=model or DEFAULT_MODEL, processes=processes)
    parsed = list(parse_gold(args.gold, args.model, args.processes))
    examples = list(cue_examples(parsed))
    counts = count(examples)
    table = rates(counts)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "source": "PolNeAR v1.0 train (Newell, Margolin, Ruths, LREC 2018)",
        "recipe": "python -m etl.training.quotes --gold <polnear>/train",
        "min_count": MIN_COUNT,
        "prior": PRIOR,
        "rates": table,
    }
    args.out.write_text(json.dumps(payload, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(table)} stem|path rates")
    lexicon_rates_cache_clear()

    started = time.perf_counter()
    inputs, labels = tagger_data(examples)
    tags = out_of_fold_tags(inputs, labels)
    print(f"tagger, {TAGGER_FOLDS}-fold out-of-fold token F1: {token_f1(tags, labels)}")
    tagger = quote_tagger.train(inputs, labels, TAGGER_EPOCHS)
    tagger_out = args.out.with_name(f"{quote_tagger.FILE}.bin")
    tagger_out.write_bytes(tagger.to_bytes())
    print(f"wrote {tagger_out} ({time.perf_counter() - started:.0f} s)")

    x, y = model_examples(examples, counts, tags)
    scorer = train_network(x, y)
    model_out = args.out.with_name("cue_model.json")
    features = (
        f"tok2vec(cue) + tok2vec(root) + tok2vec(subject) + {N_EXTRA} path/lexicon/subject features"
        f" + {N_TAG_FEATURES} tagger features"
    )
    write_model(model_out, features, y, scorer, THRESHOLD)
    print(f"wrote {model_out}: a network of {x.shape[1]} inputs from {len(y)} candidates ({int(y.sum())} cues)")

    mentions = article_mentions(parsed)
    threshold = run_threshold(parsed, mentions, tags)
    meta = {
        "source": "PolNeAR v1.0 train (Newell, Margolin, Ruths, LREC 2018)",
        "recipe": "python -m etl.training.quotes --gold <polnear>/train",
        "labels": list(quote_tagger.LABELS),
        "inputs": int(inputs[0].shape[1]),
        "width": quote_tagger.WIDTH,
        "depth": quote_tagger.DEPTH,
        "epochs": TAGGER_EPOCHS,
        "articles": len(inputs),
        "tokens": int(sum(len(x) for x in inputs)),
        "out_of_fold_token_f1": token_f1(tags, labels),
        "run_threshold": threshold,
        "run_threshold_chosen_by": f"content F1 over train with {TAGGER_FOLDS}-fold out-of-fold tags",
    }
    args.out.with_name(f"{quote_tagger.FILE}.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    quote_tagger.load_tagger.cache_clear()
    print(f"tagger runs threshold {threshold}")

    x, y, groups, sources = speaker_examples(parsed, mentions, tags)
    threshold = speaker_threshold(x, y, groups, sources)
    review_scorer = train_review(x, y)
    review_out = args.out.with_name("speaker_review.json")
    features = f"tok2vec(cue) + tok2vec(speaker) + {SPEAKER_EXTRA} quote/speaker features"
    chosen = "speaker F1 on 5-fold out-of-fold probabilities over train"
    write_model(review_out, features, y, review_scorer, threshold, threshold_chosen_by=chosen)
    print(
        f"wrote {review_out}: a network of {x.shape[1]} inputs from {len(y)} speakers ({int(y.sum())} right), threshold {threshold}"
    )

    reliability_table = train_calibration(parsed, mentions, tags, args.out.with_name(CALIBRATION_FILE))
    print(f"wrote {args.out.with_name(CALIBRATION_FILE)}; out-of-fold reliability over train:\n{reliability_table}")


if __name__ == "__main__":
    raise SystemExit(main())
