-- Every extracted quote, attributed or not, for whoever wants recall: speaker_status says whether
-- the speaker is named (speaker holds the full name), unresolved (a pronoun or noun phrase with no
-- antecedent found, shown only as speaker_as_written) or none. Filter on confidence for precision.
-- Portable SQL: SQLite and PostgreSQL (the migrations) and DuckDB (news-etl sql) run this file as is.
CREATE VIEW all_quotes AS
SELECT
    q.quote_id,
    q.speaker_status,
    q.speaker_name AS speaker,
    q.speaker_text AS speaker_as_written,
    q.speaker_entity_id,
    q.kind,
    q.cue_text,
    q.quote_text,
    q.confidence,
    q.said_on,
    a.article_id,
    a.title,
    a.outlet,
    a.published_at,
    a.source_uri
FROM quotes q
JOIN articles a ON a.article_id = q.article_id
