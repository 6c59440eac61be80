"""Data-quality checks run after a load: the warehouse's invariants, as SQL, plus the Parquet copy.

Each SQL check is one query that counts violating rows (0 means pass) and, when it fails, a second
query shows a few examples. Checks are scoped to the batches a run loaded where that is enough
(offsets, counts) and global where one run can break another's rows (orphans, duplicates).
``check_load`` runs them all and raises :class:`~etl.errors.DataQualityError` listing every
failure, so a DAG run fails with a message that says what is wrong and where.

The queries use only ``length``, ``substr`` and plain joins, so they run unchanged on PostgreSQL
and on the embedded SQLite warehouse.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from etl.errors import DataQualityError
from etl.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SqlCheck:
    name: str
    description: str  # what a failure means, completed by the count
    count_sql: str  # one integer: violating rows
    sample_sql: str  # a few violating rows
    scoped: bool  # filtered to the run's batches (``:batches`` placeholder)


def _in_batches(alias: str) -> str:
    return f"{alias}.batch_id IN :batches"


SQL_CHECKS: tuple[SqlCheck, ...] = (
    SqlCheck(
        "quote_offsets_inside_article",
        "quotes with offsets outside their article's body_text (or no article)",
        f"""SELECT COUNT(*) FROM quotes q LEFT JOIN articles a ON a.article_id = q.article_id
            WHERE {_in_batches('q')} AND (a.article_id IS NULL OR q.quote_start < 0 OR q.quote_end <= q.quote_start
               OR q.quote_end > LENGTH(a.body_text)
               OR (q.speaker_start IS NOT NULL AND (q.speaker_start < 0 OR q.speaker_end <= q.speaker_start
                   OR q.speaker_end > LENGTH(a.body_text))))""",
        f"""SELECT q.batch_id, q.quote_id, q.article_id, q.quote_start, q.quote_end, q.speaker_start, q.speaker_end,
                   LENGTH(a.body_text) AS body_length
            FROM quotes q LEFT JOIN articles a ON a.article_id = q.article_id
            WHERE {_in_batches('q')} AND (a.article_id IS NULL OR q.quote_start < 0 OR q.quote_end <= q.quote_start
               OR q.quote_end > LENGTH(a.body_text)
               OR (q.speaker_start IS NOT NULL AND (q.speaker_start < 0 OR q.speaker_end <= q.speaker_start
                   OR q.speaker_end > LENGTH(a.body_text))))
            ORDER BY q.quote_id LIMIT 5""",
        True,
    ),
    SqlCheck(
        "sentence_text_matches_offsets",
        "sentences whose text is not body_text[start_char:end_char] of their article",
        f"""SELECT COUNT(*) FROM sentences s LEFT JOIN articles a ON a.article_id = s.article_id
            WHERE {_in_batches('s')} AND (a.article_id IS NULL OR s.start_char < 0 OR s.end_char > LENGTH(a.body_text)
               OR SUBSTR(a.body_text, CAST(s.start_char + 1 AS INTEGER), CAST(s.end_char - s.start_char AS INTEGER)) <> s.text)""",
        f"""SELECT s.batch_id, s.article_id, s.sentence_idx, s.start_char, s.end_char FROM sentences s
            LEFT JOIN articles a ON a.article_id = s.article_id
            WHERE {_in_batches('s')} AND (a.article_id IS NULL OR s.start_char < 0 OR s.end_char > LENGTH(a.body_text)
               OR SUBSTR(a.body_text, CAST(s.start_char + 1 AS INTEGER), CAST(s.end_char - s.start_char AS INTEGER)) <> s.text)
            ORDER BY s.article_id, s.sentence_idx LIMIT 5""",
        True,
    ),
    SqlCheck(
        "mention_offsets_inside_article",
        "mentions with offsets outside their article's body_text",
        f"""SELECT COUNT(*) FROM mentions m JOIN articles a ON a.article_id = m.article_id
            WHERE {_in_batches('m')} AND (m.start_char < 0 OR m.end_char <= m.start_char OR m.end_char > LENGTH(a.body_text))""",
        f"""SELECT m.batch_id, m.article_id, m.start_char, m.end_char, LENGTH(a.body_text) AS body_length
            FROM mentions m JOIN articles a ON a.article_id = m.article_id
            WHERE {_in_batches('m')} AND (m.start_char < 0 OR m.end_char <= m.start_char OR m.end_char > LENGTH(a.body_text))
            ORDER BY m.article_id, m.start_char LIMIT 5""",
        True,
    ),
    SqlCheck(
        "no_orphan_mentions",
        "mentions whose article is not in articles",
        "SELECT COUNT(*) FROM mentions m WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = m.article_id)",
        """SELECT m.batch_id, m.article_id, m.start_char, m.text FROM mentions m
           WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = m.article_id) ORDER BY m.article_id LIMIT 5""",
        False,
    ),
    SqlCheck(
        "no_mentions_of_unknown_entities",
        "mentions whose entity_id is not in entities",
        "SELECT COUNT(*) FROM mentions m WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.entity_id = m.entity_id)",
        """SELECT m.batch_id, m.article_id, m.entity_id, m.text FROM mentions m
           WHERE NOT EXISTS (SELECT 1 FROM entities e WHERE e.entity_id = m.entity_id) ORDER BY m.entity_id LIMIT 5""",
        False,
    ),
    SqlCheck(
        "no_orphan_sentences",
        "sentences whose article is not in articles",
        "SELECT COUNT(*) FROM sentences s WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = s.article_id)",
        """SELECT s.batch_id, s.article_id, s.sentence_idx FROM sentences s
           WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = s.article_id) ORDER BY s.article_id LIMIT 5""",
        False,
    ),
    SqlCheck(
        "no_orphan_quotes",
        "quotes whose article is not in articles",
        "SELECT COUNT(*) FROM quotes q WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = q.article_id)",
        """SELECT q.batch_id, q.quote_id, q.article_id FROM quotes q
           WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.article_id = q.article_id) ORDER BY q.quote_id LIMIT 5""",
        False,
    ),
    SqlCheck(
        "no_duplicate_articles",
        "article bodies stored more than once (same content_hash)",
        "SELECT COUNT(*) FROM (SELECT content_hash FROM articles GROUP BY content_hash HAVING COUNT(*) > 1) d",
        """SELECT content_hash, COUNT(*) AS copies FROM articles GROUP BY content_hash HAVING COUNT(*) > 1
           ORDER BY content_hash LIMIT 5""",
        False,
    ),
)


GLOBAL_CHECKS: tuple[SqlCheck, ...] = tuple(c for c in SQL_CHECKS if not c.scoped)
SCOPED_CHECKS: tuple[SqlCheck, ...] = tuple(c for c in SQL_CHECKS if c.scoped)


def check_query(check: SqlCheck) -> str:
    """A global check as one query returning 1 when it passes, 0 when not: the form of common-sql's SQLCheckOperator."""
    if check.scoped:
        raise ValueError(f"{check.name} needs the run's batch ids: run it through check_load")
    return f"SELECT CASE WHEN ({check.count_sql}) = 0 THEN 1 ELSE 0 END AS {check.name}"


class Report:
    def __init__(self) -> None:
        self.results: dict[str, int | str] = {}
        self.failures: list[str] = []

    def ok(self, name: str) -> None:
        self.results[name] = "ok"

    def fail(self, name: str, message: str) -> None:
        self.results[name] = message
        self.failures.append(f"{name}: {message}")


def _bind_batches(sql: str, batches: list[str]):  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    stmt = sa.text(sql)
    if ":batches" in sql:
        stmt = stmt.bindparams(sa.bindparam("batches", value=batches or [""], expanding=True))
    return stmt


def run_sql_checks(
    url: str, batches: list[str], report: Report, checks: Iterable[SqlCheck] = SQL_CHECKS
) -> dict[str, dict[str, int]]:
    """The SQL checks, plus the per-batch counts (the ``batches`` rows and the actual rows)."""
    import sqlalchemy as sa

    from etl.warehouse.schema import COUNTED
    from etl.warehouse.sql import make_engine

    engine = make_engine(url)
    stored: dict[str, dict[str, int]] = {}
    try:
        with engine.connect() as conn:
            for check in checks:
                bad = int(conn.execute(_bind_batches(check.count_sql, batches)).scalar_one())
                if bad:
                    rows = conn.execute(_bind_batches(check.sample_sql, batches)).mappings().all()
                    examples = "; ".join(", ".join(f"{k}={v}" for k, v in row.items()) for row in rows)
                    report.fail(check.name, f"{bad} {check.description}, e.g. {examples}")
                else:
                    report.ok(check.name)
            if batches:
                markers = conn.execute(
                    _bind_batches(f"SELECT batch_id, {', '.join(COUNTED)} FROM batches WHERE batch_id IN :batches", batches)
                ).mappings().all()
                marker = {m["batch_id"]: {k: int(m[k]) for k in COUNTED} for m in markers}
                actual: dict[str, dict[str, int]] = {b: dict.fromkeys(COUNTED, 0) for b in batches}
                for table in COUNTED:
                    sql = f"SELECT batch_id, COUNT(*) AS n FROM {table} WHERE batch_id IN :batches GROUP BY batch_id"
                    for row in conn.execute(_bind_batches(sql, batches)).mappings():
                        actual[row["batch_id"]][table] = int(row["n"])
                problems = []
                for batch in batches:
                    if batch not in marker:
                        problems.append(f"{batch} has no batches row (load incomplete)")
                    elif marker[batch] != actual[batch]:
                        diff = {t: (marker[batch][t], actual[batch][t]) for t in COUNTED if marker[batch][t] != actual[batch][t]}
                        problems.append(f"{batch} rows differ from its batches row (recorded, actual): {diff}")
                if problems:
                    report.fail("sql_rows_match_batch_records", "; ".join(problems[:5]))
                else:
                    report.ok("sql_rows_match_batch_records")
                stored = actual
            else:
                report.ok("sql_rows_match_batch_records")
    except sa.exc.OperationalError as exc:
        from etl.errors import WarehouseUnavailable

        raise WarehouseUnavailable(f"data-quality checks could not reach the database: {exc.orig}") from exc
    finally:
        engine.dispose()
    return stored


def parquet_counts(root: Any, batches: list[str]) -> dict[str, dict[str, int]]:
    """Rows per batch and table in the committed Parquet copy."""
    from etl.warehouse.parquet import row_counts
    from etl.warehouse.schema import COUNTED

    return row_counts(root, batches, COUNTED)


def _parquet_duplicates(root: Any) -> int:
    import pyarrow.compute as pc

    from etl.warehouse.parquet import read_table

    ids = read_table(root, "articles", ["article_id"])["article_id"]
    return len(ids) - len(pc.unique(ids))


def check_load(
    settings: Settings,
    loaded: dict[str, Any],
    shards: Iterable[dict[str, Any]] = (),
    sql_checks: Iterable[SqlCheck] = SQL_CHECKS,
) -> dict[str, Any]:
    """Check a load (the dict ``etl.shards.load`` returned); raise DataQualityError on any failure.

    Checks: quote, sentence and mention offsets inside their article; no orphan sentences, mentions or
    quotes, no mention of an unknown entity; no article body stored twice (SQL and Parquet); every
    shard loaded; per batch, the stored rows equal the batch's recorded counts in SQL and in Parquet;
    articles stored plus articles skipped as already stored equal what the shards produced.
    ``sql_checks`` narrows the SQL checks (the DAGs run the global ones as SQLCheckOperator tasks).
    """
    batches = list(loaded.get("batches", []))
    expected: dict[str, dict[str, int]] = dict(loaded.get("expected", {}))
    for shard in shards:
        if shard:
            expected.setdefault(shard["batch_id"], shard.get("rows", {}))
    report = Report()

    missing = sorted(set(expected) - set(batches))
    if missing:
        report.fail("every_shard_loaded", f"{len(missing)} shard(s) were processed but not loaded: {missing[:5]}")
    else:
        report.ok("every_shard_loaded")

    stored = run_sql_checks(settings.db_url, batches, report, sql_checks)
    pq_counts = parquet_counts(settings.parquet_root, batches)
    diff = [f"{b}: SQL {stored.get(b)} vs Parquet {pq_counts[b]}" for b in batches if stored.get(b) != pq_counts[b]]
    if diff:
        report.fail("parquet_matches_sql", "; ".join(diff[:3]))
    else:
        report.ok("parquet_matches_sql")
    dups = _parquet_duplicates(settings.parquet_root)
    if dups:
        report.fail("no_duplicate_articles_parquet", f"{dups} article_id values stored more than once in Parquet")
    else:
        report.ok("no_duplicate_articles_parquet")

    # the shards' summaries against what was stored
    counts = loaded.get("counts", {})
    produced = sum(int(e.get("articles", 0)) for e in expected.values())
    kept = sum(s.get("articles", 0) for s in stored.values())
    skipped = int(loaded.get("skipped_in_load", counts.get("skipped_existing", 0)))
    problems = []
    if kept + skipped != produced:
        problems.append(f"shards produced {produced} articles but {kept} were stored and {skipped} skipped as already stored")
    if kept != int(counts.get("articles", kept)):
        problems.append(f"the load reported {counts.get('articles')} articles stored, the warehouse holds {kept} for its batches")
    for batch in batches:
        exp, got = expected.get(batch, {}), stored.get(batch, {})
        if exp and int(exp.get("rejects", 0)) != got.get("rejects"):
            problems.append(f"{batch}: shard produced {exp.get('rejects')} rejects, {got.get('rejects')} stored")
        if exp and got.get("articles", 0) > int(exp.get("articles", 0)):
            problems.append(f"{batch}: {got.get('articles')} articles stored, more than the {exp.get('articles')} the shard produced")
    if problems:
        report.fail("row_counts_match_shard_summaries", "; ".join(problems[:5]))
    else:
        report.ok("row_counts_match_shard_summaries")

    if report.failures:
        message = f"data-quality checks failed for {len(batches)} batch(es) of run {loaded.get('run_id')}:\n  " + "\n  ".join(report.failures)
        raise DataQualityError(message)
    logger.info("data-quality checks passed for %d batches: %s", len(batches), report.results)
    return {"checks": report.results, "batches": len(batches), "articles": kept}
