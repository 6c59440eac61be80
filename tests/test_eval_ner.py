"""Entity mentions must be at least as accurate as the bare model (CoNLL-2003 dev, from ../shared/data)."""

from __future__ import annotations

from pathlib import Path

from etl.evaluation.ner import evaluate, read_conll
from etl.evaluation.quotes import align
from etl.settings import DEFAULT_MODEL
from tests.conftest import SHARED_DATA

CONLL = SHARED_DATA / "conll2003" / "conllpp_dev.txt"


def test_eval_ner_reads_iob2_into_character_spans(tmp_path: Path) -> None:
    sample = tmp_path / "c.txt"
    sample.write_text(
        "-DOCSTART- -X- -X- O\n\nPeter NNP B-NP B-PER\nBlackburn NNP I-NP I-PER\nvisited VBD B-VP O\n"
        "Bonn NNP B-NP B-LOC\n. . O O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n"
    )
    (doc,) = read_conll(sample)
    assert doc.text == "Peter Blackburn visited Bonn .\nEU rejects"
    assert {doc.text[s:e] + "/" + label for s, e, label in doc.gold} == {"Peter Blackburn/PER", "Bonn/LOC", "EU/ORG"}


def test_eval_ner_offset_map_skips_folded_whitespace() -> None:
    original = "A b\nC d"
    body = "A b\n\nC d"
    mapping = align(original, body)
    assert original[mapping[5]] == "C" and original[mapping[7]] == "d"


def test_eval_ner_pipeline_is_at_least_as_accurate_as_bare_spacy() -> None:
    scores = evaluate(CONLL, DEFAULT_MODEL, limit=40)
    bare, ours = scores["bare"], scores["pipeline"]
    assert isinstance(bare, dict) and isinstance(ours, dict)
    assert ours["f1"] >= bare["f1"], (ours, bare)
    assert ours["f1"] > 0.5
