"""The quote tagger: its inputs, its shipped weights, its training step, and the contents it adds."""

from __future__ import annotations

import numpy as np
import pytest
from spacy.tokens import Doc

from etl.nlp.model import get_nlp
from etl.nlp.quotes import QuoteConfig, find_candidates, find_quote_spans, quote_index, to_attributions
from etl.nlp.quotes import tagger as quote_tagger
from etl.settings import DEFAULT_MODEL


def parse(text: str) -> Doc:
    return get_nlp(DEFAULT_MODEL)(text)


def inputs_of(doc: Doc) -> np.ndarray:
    x = quote_tagger.token_inputs(doc, quote_index(doc, find_quote_spans(doc.text)))
    assert x is not None
    return x


def test_quote_tagger_inputs_read_quotes_and_the_clause_a_speech_verb_governs() -> None:
    doc = parse('The minister said the plan would fail. She called it "a disaster for everyone".')
    x = inputs_of(doc)
    assert x.shape == (len(doc), doc.tensor.shape[1] + quote_tagger.N_FLAGS)
    width = doc.tensor.shape[1]
    in_quote = x[:, width + quote_tagger.flag_column("in_quote")]
    inside_speech = x[:, width + quote_tagger.flag_column("in_speech_clause")]
    said = next(t for t in doc if t.text == "said")
    fail = next(t for t in doc if t.text == "fail")
    disaster = next(t for t in doc if t.text == "disaster")
    assert in_quote[disaster.i] == 1.0 and in_quote[fail.i] == 0.0
    # "fail" heads the clause "said" governs; "said" itself and its subject are outside it
    assert inside_speech[fail.i] == 1.0
    assert inside_speech[said.i] == 0.0 and inside_speech[doc[1].i] == 0.0
    assert x[said.i, width + quote_tagger.flag_column("speech_verb")] == 1.0
    after = x[:, width + quote_tagger.flag_column("after_speech")]
    assert after[fail.i] == 1.0 and after[said.i] == 0.0 and after[doc[0].i] == 0.0


def test_quote_tagger_needs_the_tok2vec_tensor() -> None:
    doc = Doc(get_nlp(DEFAULT_MODEL).vocab, words=["He", "said", "so"])
    assert quote_tagger.token_inputs(doc, [-1, -1, -1]) is None
    assert quote_tagger.tag(doc, [-1, -1, -1]) is None


def test_quote_tagger_labels_cover_the_tokens_of_each_role() -> None:
    doc = parse("Smith said taxes would rise.")
    text = doc.text
    content = set(range(text.index("taxes"), len(text) - 1))
    cue = set(range(text.index("said"), text.index("said") + 4))
    source = set(range(0, 5))
    y = quote_tagger.token_labels(doc, (content, cue, source))
    assert y[:, 0].tolist() == [0, 0, 1, 1, 1, 0]
    assert y[:, 1].tolist() == [0, 1, 0, 0, 0, 0]
    assert y[:, 2].tolist() == [1, 0, 0, 0, 0, 0]


def test_quote_tagger_shipped_weights_tell_content_cue_and_source_apart() -> None:
    loaded = quote_tagger.load_tagger()
    assert loaded is not None, "etl/nlp/quotes/data/quote_tagger.bin/.json are not installed with the package"
    doc = parse("The senator told reporters on Tuesday that the bill would not pass before the election.")
    tags = quote_tagger.tag(doc, quote_index(doc, find_quote_spans(doc.text)))
    assert tags is not None and tags.shape == (len(doc), 3)
    assert ((tags >= 0) & (tags <= 1)).all()
    words = {t.text: t.i for t in doc}
    content = [words[w] for w in ("bill", "would", "pass", "election")]
    assert tags[content, 0].min() > 0.5
    assert tags[words["told"], 0] < 0.5 and tags[words["senator"], 0] < 0.5
    assert int(tags[:, 1].argmax()) == words["told"]
    assert int(tags[:, 2].argmax()) in (words["The"], words["senator"])


def test_quote_tagger_training_learns_a_simple_rule() -> None:
    rng = np.random.default_rng(0)
    inputs = [rng.normal(size=(30, 8)).astype(np.float32) for _ in range(40)]
    # content: the first input is positive; cue: never; source: the token after a content token
    labels = []
    for x in inputs:
        y = np.zeros((30, 3), dtype=np.float32)
        y[:, 0] = x[:, 0] > 0
        y[1:, 2] = y[:-1, 0]
        labels.append(y)
    model = quote_tagger.train(inputs, labels, epochs=15)
    probs = np.concatenate(model.predict(inputs))
    truth = np.concatenate(labels)
    assert ((probs[:, 0] >= 0.5) == (truth[:, 0] > 0)).mean() > 0.9
    assert probs[:, 1].max() < 0.5
    assert ((probs[:, 2] >= 0.5) == (truth[:, 2] > 0)).mean() > 0.8  # needs the window layers


def test_quote_tagger_runs_no_rule_reached_become_quotes() -> None:
    text = (
        "The mayor said the budget was balanced.\n\n"
        "Critics of the plan, in a long letter, every single tax rise was a mistake for the city.\n\n"
        "Short run here."
    )
    doc = parse(text)
    tags = np.zeros((len(doc), 3), dtype=np.float32)
    letter = next(t.i for t in doc if t.text == "every")
    city = next(t.i for t in doc if t.text == "city")
    tags[letter : city + 1, 0] = 0.9  # a run the rules do not reach
    budget = next(t.i for t in doc if t.text == "budget")
    tags[budget : budget + 3, 0] = 0.95  # inside the rule's own quote: not added twice
    short = next(t.i for t in doc if t.text == "Short")
    tags[short : short + 2, 0] = 0.99  # too short
    q, cands = find_candidates(doc, [], tags, config=QuoteConfig(run_threshold=0.8))
    tagged = [c for c in cands if c.origin == "tagger"]
    assert [text[c.start : c.end] for c in tagged] == ["every single tax rise was a mistake for the city"]
    (row,) = to_attributions(q, tagged, [c.confidence for c in tagged])
    assert (row.cue_text, row.speaker_text, row.speaker_name, row.kind) == (None, None, None, "indirect")
    assert row.confidence == pytest.approx(0.9, abs=1e-3)
    assert any(text[c.start : c.end].startswith("the budget") for c in cands if c.origin != "tagger")
    # the cue and the speaker are what the tagger reads in the same sentence, outside the run
    critics = next(t.i for t in doc if t.text == "Critics")
    tags[critics, 2] = 0.8
    words = {t.text: t.i for t in doc}
    tags[words["long"], 1] = 0.7
    tags[words["letter"], 1] = 0.9
    q, cands = find_candidates(doc, [], tags, config=QuoteConfig(run_threshold=0.8))
    (tagged,) = [c for c in cands if c.origin == "tagger"]
    assert tagged.cue is not None and tagged.cue.text == "letter"
    assert tagged.speaker is not None and tagged.speaker.text == "Critics"
    # above the threshold only
    _, cands = find_candidates(doc, [], tags, config=QuoteConfig(run_threshold=0.95))
    assert not [c for c in cands if c.origin == "tagger"]


def test_quote_tagger_without_weights_the_rules_still_extract(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quote_tagger, "load_tagger", lambda: None)
    doc = parse("The mayor said the budget was balanced.")
    q, cands = find_candidates(doc, [])
    assert q.tags is None
    assert [doc.text[c.start : c.end] for c in cands] == ["the budget was balanced"]


def test_quote_tagger_widens_a_rule_content_over_tagged_tokens_next_to_it() -> None:
    text = 'The mayor said the budget was balanced. Taxes would not rise "this year" at all.\n\nOther news.'
    doc = parse(text)
    q, cands = find_candidates(doc, [], np.zeros((len(doc), 3), dtype=np.float32), config=QuoteConfig(run_threshold=0.99))
    assert [text[c.start : c.end] for c in cands] == ["the budget was balanced"]
    tags = np.zeros((len(doc), 3), dtype=np.float32)
    the = next(t.i for t in doc if t.text == "the")
    tags[the:, 0] = 0.9  # to the end, across the quotation and the line break
    q, cands = find_candidates(doc, [], tags, config=QuoteConfig(run_threshold=0.99))
    # the next sentence joins; the quotation stops it (the line break would have)
    assert [text[c.start : c.end] for c in cands] == ["the budget was balanced. Taxes would not rise"]
