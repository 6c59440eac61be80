"""Run the NLP stages over a stream of articles on every core.

Each worker process loads the model once and returns compact records, not Docs: shipping a
parsed Doc between processes costs more than extracting from it where it was parsed.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

from spacy.tokens import Doc

from etl.nlp.analyse import analyse, skip_nlp
from etl.nlp.model import get_nlp
from etl.records import AnalysedArticle, CleanArticle, Reject

logger = logging.getLogger(__name__)

ENGLISH = "en"
# what flows through the NLP stage: articles to analyse, and rejects passing through in order
Item = CleanArticle | Reject
Analysed = AnalysedArticle | Reject

_worker_model: str | None = None


def needs_nlp(article: CleanArticle) -> bool:
    return article.language in (None, ENGLISH)


def analyse_batch(items: Sequence[Item], model: str, nlp_batch_size: int = 32) -> list[Analysed]:
    """Analyse the articles among ``items``; anything else (a reject, say) passes through in place."""
    nlp = get_nlp(model)
    todo = [a for a in items if isinstance(a, CleanArticle) and needs_nlp(a)]
    docs = iter(nlp.pipe((a.body_text for a in todo), batch_size=nlp_batch_size))
    out: list[Analysed] = []
    for item in items:
        if isinstance(item, CleanArticle):
            out.append(_analyse_one(item, next(docs)) if needs_nlp(item) else skip_nlp(item))
        else:
            out.append(item)
    return out


def _analyse_one(article: CleanArticle, doc: Doc) -> AnalysedArticle | Reject:
    """One article's extraction; a failure rejects that article, not the batch."""
    try:
        return analyse(article, doc)
    except Exception as exc:  # noqa: BLE001 - an extractor bug must not stop the run
        logger.exception("NLP failed on %s", article.source_uri)
        return Reject(article.source_uri, "nlp", f"extraction failed: {type(exc).__name__}: {exc}")


def _init_worker(model: str) -> None:
    global _worker_model
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
                self.processes, mp_context=ctx, initializer=_init_worker, initargs=(self.model,)
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
