"""The NLP runner: no article stops it, batches are bounded, workers die with their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import spacy
from spacy.language import Language

from etl.clean import clean
from etl.nlp.model import get_nlp
from etl.nlp.runner import MAX_BATCH_CHARS, analyse_batch, parse_articles, text_batches
from etl.processes import process_alive
from etl.records import AnalysedArticle, CleanArticle, RawArticle, Reject
from etl.settings import DEFAULT_MODEL


def article(uri: str, text: str) -> CleanArticle:
    result = clean(RawArticle(uri, text=text))
    assert isinstance(result, CleanArticle)
    return result


STORY = "The mayor said on Tuesday that the plan would go ahead. Critics were not convinced."


def test_runner_text_over_max_length_is_rejected_by_name_and_size(monkeypatch: pytest.MonkeyPatch) -> None:
    nlp = get_nlp(DEFAULT_MODEL)
    long = article("long.txt", STORY + " The council met again later that week to discuss it.")
    monkeypatch.setattr(nlp, "max_length", len(STORY) + 5)  # spaCy's own E088 limit, lowered to stay fast
    items = [article("a.txt", STORY), long, Reject("x.txt", "ingest", "empty file")]
    first, rejected, passed = analyse_batch(items, DEFAULT_MODEL)
    assert isinstance(first, AnalysedArticle) and first.sentences
    assert isinstance(rejected, Reject) and (rejected.source_uri, rejected.stage) == ("long.txt", "nlp")
    assert rejected.reason == (
        f"too long for spaCy: {len(long.body_text):,} characters (the model's max_length is {len(STORY) + 5:,})"
    )
    assert passed == items[2]


@Language.component("test_fails_on_boom")
def _fails_on_boom(doc):  # type: ignore[no-untyped-def]
    if "BOOM" in doc.text:
        raise ValueError("cannot parse this")
    return doc


def test_runner_spacy_failure_rejects_that_article_only() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("test_fails_on_boom")
    docs = parse_articles(nlp, [article("a.txt", STORY), article("b.txt", "BOOM " + STORY), article("c.txt", STORY)])
    assert [type(d).__name__ for d in docs] == ["Doc", "Reject", "Doc"]
    assert docs[1] == Reject("b.txt", "nlp", "spaCy failed: ValueError: cannot parse this")


@pytest.mark.parametrize(
    ("sizes", "groups"),
    [
        ([10, 10, 10], [[0, 1, 2]]),
        ([60_000, 50_000, 10], [[0], [1, 2]]),
        ([250_000, 10, 10], [[0], [1, 2]]),  # longer than a batch: alone
        ([10] * 5, [[0, 1], [2, 3], [4]]),  # at most max_texts
    ],
)
def test_runner_text_batches_bounded_by_characters(sizes: list[int], groups: list[list[int]]) -> None:
    todo = [(i, CleanArticle("id", "h", f"{i}.txt", "x" * n, ())) for i, n in enumerate(sizes)]
    got = [[i for i, _ in group] for group in text_batches(todo, max_texts=2 if len(sizes) == 5 else 32)]
    assert got == groups
    assert MAX_BATCH_CHARS == 100_000


_PARENT = f"""
import sys, time
from etl.clean import clean
from etl.nlp.runner import NlpRunner
from etl.records import RawArticle
with NlpRunner({DEFAULT_MODEL!r}, processes=2) as runner:
    list(runner.analyse([clean(RawArticle("a.txt", text={STORY!r}))]))
    print("ready", flush=True)
    time.sleep(600)
"""


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


@pytest.mark.slow
def test_runner_workers_exit_when_the_parent_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _PARENT], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None and parent.stdout.readline().strip() == "ready"
        workers = _descendants(parent.pid)
        assert len(workers) >= 2  # the forkserver and its two workers (and maybe a resource tracker)
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(process_alive(pid) for pid in workers):
        time.sleep(0.2)
    left = [pid for pid in workers if process_alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)  # leave nothing behind even when the test fails
    assert not left, f"processes still alive 10 s after their parent was killed: {left}"
