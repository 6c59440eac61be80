-- Each entity with the names it is written as (kind alias) and the roles it is given (kind role),
-- how often, in how many articles, and the first and last publication day they appear;
-- linked_entity_id/linked_name are the full-name entity a surname entity stands for across the
-- corpus (entity_aliases), else the entity itself.
CREATE VIEW entity_overview AS
WITH facts AS (
    SELECT m.entity_id, m.article_id, 'alias' AS kind, m.text AS value FROM mentions m
    UNION ALL
    SELECT r.entity_id, r.article_id, 'role' AS kind, r.role_norm AS value FROM entity_roles r
)
SELECT
    e.entity_id,
    e.canonical_name,
    e.label,
    COALESCE(ea.canonical_entity_id, e.entity_id) AS linked_entity_id,
    COALESCE(ea.canonical_name, e.canonical_name) AS linked_name,
    f.kind,
    f.value,
    COUNT(*) AS mention_count,
    COUNT(DISTINCT f.article_id) AS article_count,
    MIN(a.published_at) AS first_seen,
    MAX(a.published_at) AS last_seen
FROM entities e
JOIN facts f ON f.entity_id = e.entity_id
JOIN articles a ON a.article_id = f.article_id
LEFT JOIN entity_aliases ea ON ea.alias_entity_id = e.entity_id
GROUP BY e.entity_id, e.canonical_name, e.label, ea.canonical_entity_id, ea.canonical_name, f.kind, f.value
