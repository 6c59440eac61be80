-- One row per article with how much the pipeline found in it.
-- Portable SQL: SQLite and PostgreSQL (migration 0002) and DuckDB (news-etl sql) run this file as is.
CREATE VIEW article_overview AS
SELECT
    a.article_id,
    a.source_uri,
    a.title,
    a.outlet,
    a.published_at,
    a.published_at_source,
    a.language,
    a.word_count,
    a.near_duplicate_of,
    (SELECT COUNT(*) FROM sentences s WHERE s.article_id = a.article_id) AS sentence_count,
    (SELECT COUNT(*) FROM mentions m WHERE m.article_id = a.article_id) AS mention_count,
    (SELECT COUNT(*) FROM quotes q WHERE q.article_id = a.article_id) AS quote_count
FROM articles a
