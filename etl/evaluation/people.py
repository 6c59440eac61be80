"""One entity per person: how consistently a story's mentions of a person resolve, on CoNLL-2003.

A "person" is the gold PER mentions of one document sharing a last word. For each, the entities
the pipeline's mentions overlapping them belong to (after the corpus-wide links of
``etl.warehouse.aliases``, computed over the documents' entities), and whether that is one entity
named in full: ``python -m etl.evaluation.people --conll ../shared/data/conll2003/conllpp_dev.txt``.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from etl.clean import clean
from etl.evaluation.ner import read_conll
from etl.evaluation.quotes import align
from etl.nlp.runner import analyse_batch
from etl.records import AnalysedArticle, CleanArticle, RawArticle
from etl.settings import DEFAULT_MODEL
from etl.warehouse.aliases import EntityCount, compute_aliases


def evaluate(conll: Path, model: str = DEFAULT_MODEL) -> dict[str, object]:
    docs = read_conll(conll)
    articles = []
    for i, d in enumerate(docs):
        article = clean(RawArticle(source_uri=f"conll#{i}", text=d.text, is_extracted=True))
        assert isinstance(article, CleanArticle)
        articles.append(article)
    results = [r for r in analyse_batch(articles, model) if isinstance(r, AnalysedArticle)]
    names: dict[str, tuple[str, str]] = {}
    counts: Counter[str] = Counter()
    for r in results:
        for m in r.mentions:
            names[m.entity_id] = (m.canonical_name, m.label)
            counts[m.entity_id] += 1
    aliases = compute_aliases(EntityCount(e, n, lbl, counts[e]) for e, (n, lbl) in names.items())
    links = {str(a["alias_entity_id"]): str(a["canonical_entity_id"]) for a in aliases}
    out: dict[str, object] = {"documents": len(docs)}
    for linked in (False, True):
        people = one_full = entity_total = 0
        for d, r in zip(docs, results, strict=True):
            to_conll = align(d.text, r.article.body_text)
            spans = [(to_conll[m.start_char], to_conll[m.end_char - 1] + 1, m.entity_id) for m in r.mentions]
            by_person: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for s, e, label in d.gold:
                if label == "PER":
                    by_person[d.text[s:e].split()[-1]].append((s, e))
            for gold_spans in by_person.values():
                found = {
                    links.get(eid, eid) if linked else eid
                    for s, e in gold_spans
                    for ms, me, eid in spans
                    if ms < e and s < me
                }
                if not found:
                    continue
                people += 1
                entity_total += len(found)
                if len(found) == 1:
                    name, label = names[next(iter(found))]
                    one_full += label == "PERSON" and len(name.split()) > 1
        out["with_links" if linked else "in_article"] = {
            "people": people,
            "one_entity_named_in_full": round(one_full / people, 4) if people else 0.0,
            "entities_per_person": round(entity_total / people, 4) if people else 0.0,
        }
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conll", type=Path, required=True)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    args = parser.parse_args(argv)
    print(json.dumps(evaluate(args.conll, args.model), indent=1))  # noqa: T201 - the command's output


if __name__ == "__main__":
    main()
