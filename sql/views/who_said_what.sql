-- Every attributed statement: the quotes whose speaker resolved to a person or organisation
-- named in full (speaker_status = 'named'; all_quotes keeps the rest), with the full-name entity
-- a surname speaker stands for across the corpus, the speaker's role in the article, and when it
-- was said and published. Never a pronoun or a bare noun phrase as the speaker.
-- Portable SQL: SQLite and PostgreSQL (the migrations) and DuckDB (news-etl sql) run this file as is.
CREATE VIEW who_said_what AS
SELECT
    q.quote_id,
    q.speaker_name AS speaker,
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
WHERE q.speaker_status = 'named'
