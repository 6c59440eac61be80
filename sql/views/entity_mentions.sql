-- Each entity with how often, and in how many articles, it is mentioned.
-- Portable SQL: SQLite and PostgreSQL (migration 0002) and DuckDB (news-etl sql) run this file as is.
CREATE VIEW entity_mentions AS
SELECT
    e.entity_id,
    e.canonical_name,
    e.label,
    COUNT(m.entity_id) AS mention_count,
    COUNT(DISTINCT m.article_id) AS article_count
FROM entities e
LEFT JOIN mentions m ON m.entity_id = e.entity_id
GROUP BY e.entity_id, e.canonical_name, e.label
