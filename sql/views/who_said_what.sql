-- Every attributed statement with its speaker and where and when it was published.
-- Portable SQL: SQLite and PostgreSQL (migration 0002) and DuckDB (news-etl sql) run this file as is.
CREATE VIEW who_said_what AS
SELECT
    q.quote_id,
    COALESCE(q.speaker_name, q.speaker_text) AS speaker,
    q.speaker_entity_id,
    q.kind,
    q.cue_text,
    q.quote_text,
    q.confidence,
    a.article_id,
    a.title,
    a.outlet,
    a.published_at,
    a.source_uri
FROM quotes q
JOIN articles a ON a.article_id = q.article_id
