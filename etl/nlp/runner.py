"""Run the NLP stages over a stream of articles on every core.

Each worker process loads the model once and returns compact records, not Docs: shipping a
parsed Doc between processes costs more than extracting from it where it was parsed.

No article stops the stage: one over the model's ``max_length`` (spaCy's E088) is rejected by name
and size, and an article spaCy or an extractor fails on is rejected alone. spaCy parses a batch of
texts together and needs about 3 KB of memory per character of it, so batches are cut at
``MAX_BATCH_CHARS`` as well as at ``nlp_batch_size`` texts. Each worker watches the process that
started the pool and exits when it dies (a ``kill -9`` of the run), instead of lingering orphaned.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

from spacy.language import Language
from spacy.tokens import Doc

from etl.nlp.analyse import analyse, skip_nlp
from etl.nlp.model import get_nlp
from etl.processes import process_alive
from etl.records import AnalysedArticle, CleanArticle, Reject

logger = logging.getLogger(__name__)

ENGLISH = "en"
STAGE = "nlp"
# characters of text parsed together; one longer article still goes alone
MAX_BATCH_CHARS = 100_000
# how often a worker checks that the process that started it is alive (seconds)
PARENT_POLL_SECONDS = 0.5
# what flows through the NLP stage: articles to analyse, and rejects passing through in order
Item = CleanArticle | Reject
Analysed = AnalysedArticle | Reject

_worker_model: str | None = None


def needs_nlp(article: CleanArticle) -> bool:
    return article.language in (None, ENGLISH)


def analyse_batch(items: Sequence[Item], model: str, nlp_batch_size: int = 32) -> list[Analysed]:
    """Analyse the articles among ``items``; anything else (a reject, say) passes through in place."""
    nlp = get_nlp(model)
    out: list[Analysed | None] = [None] * len(items)
    todo: list[tuple[int, CleanArticle]] = []
    for i, item in enumerate(items):
        if not isinstance(item, CleanArticle):
            out[i] = item
        elif not needs_nlp(item):
            out[i] = skip_nlp(item)
        elif len(item.body_text) > nlp.max_length:
            reason = f"too long for spaCy: {len(item.body_text):,} characters (the model's max_length is {nlp.max_length:,})"
            out[i] = Reject(item.source_uri, STAGE, reason)
        else:
            todo.append((i, item))
    for group in text_batches(todo, nlp_batch_size):
        for (i, article), doc in zip(group, parse_articles(nlp, [a for _, a in group]), strict=True):
            out[i] = doc if isinstance(doc, Reject) else _analyse_one(article, doc)
    return [item for item in out if item is not None]


def text_batches(
    todo: list[tuple[int, CleanArticle]], max_texts: int, max_chars: int = MAX_BATCH_CHARS
) -> Iterator[list[tuple[int, CleanArticle]]]:
    """Consecutive groups of (position, article) of at most ``max_texts`` articles and ``max_chars``
    characters; an article longer than ``max_chars`` goes alone."""
    group: list[tuple[int, CleanArticle]] = []
    chars = 0
    for entry in todo:
        size = len(entry[1].body_text)
        if group and (len(group) >= max_texts or chars + size > max_chars):
            yield group
            group, chars = [], 0
        group.append(entry)
        chars += size
    if group:
        yield group


def parse_articles(nlp: Language, articles: list[CleanArticle]) -> list[Doc | Reject]:
    """Docs of the articles, parsed together; if spaCy fails on the batch, one at a time."""
    try:
        return list(nlp.pipe((a.body_text for a in articles), batch_size=len(articles)))
    except Exception:  # noqa: BLE001 - find the article spaCy fails on and reject it alone
        logger.warning("spaCy failed on a batch of %d articles; parsing them one at a time", len(articles))
    docs: list[Doc | Reject] = []
    for article in articles:
        try:
            docs.append(nlp(article.body_text))
        except Exception as exc:  # noqa: BLE001 - one article must not stop the run
            logger.exception("spaCy failed on %s", article.source_uri)
            message = " ".join(str(exc).split())[:200]
            docs.append(Reject(article.source_uri, STAGE, f"spaCy failed: {type(exc).__name__}: {message}"))
    return docs


def _analyse_one(article: CleanArticle, doc: Doc) -> AnalysedArticle | Reject:
    """One article's extraction; a failure rejects that article, not the batch."""
    try:
        return analyse(article, doc)
    except Exception as exc:  # noqa: BLE001 - an extractor bug must not stop the run
        logger.exception("NLP failed on %s", article.source_uri)
        return Reject(article.source_uri, STAGE, f"extraction failed: {type(exc).__name__}: {exc}")


def _watch_parent(parent_pid: int, poll: float = PARENT_POLL_SECONDS) -> None:
    """Exit this worker as soon as ``parent_pid`` dies: nobody would ever read its results."""

    def watch() -> None:
        while process_alive(parent_pid):
            time.sleep(poll)
        logger.warning("process %d that started this worker is gone; worker %d exits", parent_pid, os.getpid())
        os._exit(1)

    threading.Thread(target=watch, name="news-etl-parent-watch", daemon=True).start()


def _init_worker(model: str, parent_pid: int | None = None) -> None:
    global _worker_model
    if parent_pid is not None:
        _watch_parent(parent_pid)
    _worker_model = model
    get_nlp(model)


def _work(items: list[Item], nlp_batch_size: int) -> list[Analysed]:
    assert _worker_model is not None
    return analyse_batch(items, _worker_model, nlp_batch_size)


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class NlpRunner:
    """Analyse articles in order, spreading chunks over ``processes`` workers.

    At most two chunks per worker are in flight, so memory does not grow with the corpus.
    """

    def __init__(self, model: str, processes: int = 1, chunk_size: int = 16, nlp_batch_size: int = 32):
        self.model = model
        self.processes = processes
        self.chunk_size = chunk_size
        self.nlp_batch_size = nlp_batch_size
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> NlpRunner:
        if self.processes > 1:
            ctx = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(
                self.processes, mp_context=ctx, initializer=_init_worker, initargs=(self.model, os.getpid())
            )
        else:
            get_nlp(self.model)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def analyse(self, items: Iterable[Item]) -> Iterator[Analysed]:
        """Analysed articles in input order; items that are not articles pass through unchanged."""
        if self._pool is None:
            for chunk in _chunks(items, self.chunk_size):
                yield from analyse_batch(chunk, self.model, self.nlp_batch_size)
            return
        pending: deque[Future[list[Analysed]]] = deque()
        for chunk in _chunks(items, self.chunk_size):
            pending.append(self._pool.submit(_work, chunk, self.nlp_batch_size))
            if len(pending) >= 2 * self.processes:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
