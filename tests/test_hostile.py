"""Issue 13's hostile inputs mixed with 20 good stories, through the whole pipeline on PostgreSQL.

The run goes in a child process so that its peak memory can be measured (``os.wait4``'s rusage of
that child): it must stay under 1.5 GB. A second run over the same input must give the same rows.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.fixtures.hostile import HostileCorpus, build_hostile_corpus, run_measured

logger = logging.getLogger(__name__)

PEAK_LIMIT_BYTES = 1_500_000_000


@pytest.fixture
def corpus(tmp_path: Path) -> Iterator[HostileCorpus]:
    built = build_hostile_corpus(tmp_path / "in")
    yield built
    shutil.rmtree(built.root, ignore_errors=True)  # half a gigabyte: do not leave it to pytest's tmp rotation


def _rows(url: str, sql: str) -> list[sa.Row]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(sa.text(sql)))
    finally:
        engine.dispose()


@pytest.mark.slow
def test_hostile_inputs_are_rejected_and_the_rest_loads(corpus: HostileCorpus, tmp_path: Path, pg_url: str) -> None:
    first = run_measured([corpus.root], tmp_path / "warehouse", pg_url, processes=1)
    logger.info(
        "hostile run: exit %s, %.1f s, peak RSS %.0f MB, tree %.0f MB",
        first.returncode, first.seconds, first.peak_rss_bytes / 1e6, first.peak_tree_bytes / 1e6,
    )  # fmt: skip
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.summary is not None and first.summary["status"] == "succeeded"

    articles = {r.source_uri: r for r in _rows(pg_url, "SELECT * FROM articles")}
    for uri, (title, body) in corpus.good.items():
        assert uri in articles, f"good story {uri} not loaded"
        assert (articles[uri].title, articles[uri].body_text) == (title, body)
    for uri, fields in corpus.scrubbed.items():
        assert uri in articles, f"{uri} not loaded"
        for name, value in fields.items():
            assert getattr(articles[uri], name) == value, (uri, name)
    assert set(articles) == set(corpus.good) | set(corpus.scrubbed)

    rejects = {r.source_uri: (r.stage, r.reason) for r in _rows(pg_url, "SELECT * FROM rejects")}
    for uri, (stage, prefix) in corpus.rejects.items():
        assert uri in rejects, f"no reject row for {uri}"
        assert rejects[uri][0] == stage and rejects[uri][1].startswith(prefix), (uri, rejects[uri])
    assert set(rejects) == set(corpus.rejects)
    assert first.summary["rejects"] == len(corpus.rejects)

    assert first.peak_rss_bytes < PEAK_LIMIT_BYTES, f"peak RSS {first.peak_rss_bytes / 1e6:.0f} MB"
    assert first.peak_tree_bytes < PEAK_LIMIT_BYTES, (
        f"peak RSS of the run's processes {first.peak_tree_bytes / 1e6:.0f} MB"
    )

    # the same input again: no file fails the re-run, and the rows are the same
    second = run_measured([corpus.root], tmp_path / "warehouse", pg_url, processes=1)
    assert second.returncode == 0, second.stderr[-3000:]
    again = {r.source_uri: r for r in _rows(pg_url, "SELECT * FROM articles")}
    assert {u: (r.article_id, r.body_text) for u, r in again.items()} == {
        u: (r.article_id, r.body_text) for u, r in articles.items()
    }
    assert {r.source_uri: (r.stage, r.reason) for r in _rows(pg_url, "SELECT * FROM rejects")} == rejects
    runs = _rows(pg_url, "SELECT status, error FROM runs ORDER BY started_at")
    assert [(r.status, r.error) for r in runs] == [("succeeded", None)] * 2
