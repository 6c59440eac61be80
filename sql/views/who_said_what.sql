-- Every attributed statement: the quotes whose speaker resolved to a person or organisation
-- named in full (speaker_status = 'named'; all_quotes keeps the rest), the speaker under the
-- full name its entity links to across the corpus ("Miyazawa", in a story naming him only so, is
-- Kiichi Miyazawa; speaker_in_article keeps the article's own name), the speaker's role in the
-- article, and when it was said and published. Never a pronoun or a bare noun phrase as the speaker.
-- Portable SQL: SQLite and PostgreSQL (the migrations) and DuckDB (news-etl sql) run this file as is.
CREATE VIEW who_said_what AS
SELECT
    q.quote_id,
    COALESCE(le.canonical_name, q.speaker_name) AS speaker,
    q.speaker_name AS speaker_in_article,
    q.speaker_entity_id,
    COALESCE(ea.canonical_entity_id, q.speaker_entity_id) AS speaker_linked_entity_id,
    (
        SELECT r.role_norm FROM entity_roles r
        WHERE r.entity_id = q.speaker_entity_id AND r.article_id = q.article_id
        ORDER BY r.start_char
        LIMIT 1
    ) AS speaker_role,
    q.kind,
    q.cue_text,
    q.quote_text,
    q.confidence,
    q.said_on,
    q.said_on_source,
    a.article_id,
    a.title,
    a.outlet,
    a.published_at,
    a.published_at_source,
    a.source_uri
FROM quotes q
JOIN articles a ON a.article_id = q.article_id
LEFT JOIN entity_aliases ea ON ea.alias_entity_id = q.speaker_entity_id
LEFT JOIN entities le ON le.entity_id = ea.canonical_entity_id
WHERE q.speaker_status = 'named'
