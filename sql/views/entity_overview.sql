-- Each entity with the names it is written as (kind alias) and the roles it is given (kind role),
-- how often, in how many articles, and the first and last publication day they appear;
-- linked_entity_id/linked_name are the full-name entity a surname entity stands for across the
-- corpus (entity_aliases), else the entity itself.
CREATE VIEW entity_overview AS
SELECT
    e.entity_id,
    e.canonical_name,
    e.label,
    COALESCE(ea.canonical_entity_id, e.entity_id) AS linked_entity_id,
    COALESCE(ea.canonical_name, e.canonical_name) AS linked_name,
    'alias' AS kind,
    m.text AS value,
    COUNT(*) AS mention_count,
    COUNT(DISTINCT m.article_id) AS article_count,
    MIN(a.published_at) AS first_seen,
    MAX(a.published_at) AS last_seen
FROM entities e
JOIN mentions m ON m.entity_id = e.entity_id
JOIN articles a ON a.article_id = m.article_id
LEFT JOIN entity_aliases ea ON ea.alias_entity_id = e.entity_id
GROUP BY e.entity_id, e.canonical_name, e.label, ea.canonical_entity_id, ea.canonical_name, m.text
UNION ALL
SELECT
    e.entity_id,
    e.canonical_name,
    e.label,
    COALESCE(ea.canonical_entity_id, e.entity_id) AS linked_entity_id,
    COALESCE(ea.canonical_name, e.canonical_name) AS linked_name,
    'role' AS kind,
    r.role_norm AS value,
    COUNT(*) AS mention_count,
    COUNT(DISTINCT r.article_id) AS article_count,
    MIN(a.published_at) AS first_seen,
    MAX(a.published_at) AS last_seen
FROM entities e
JOIN entity_roles r ON r.entity_id = e.entity_id
JOIN articles a ON a.article_id = r.article_id
LEFT JOIN entity_aliases ea ON ea.alias_entity_id = e.entity_id
GROUP BY e.entity_id, e.canonical_name, e.label, ea.canonical_entity_id, ea.canonical_name, r.role_norm
