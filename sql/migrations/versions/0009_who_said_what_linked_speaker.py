"""who_said_what names each speaker by the full name its entity links to across the corpus
(speaker), keeping the article's own name as speaker_in_article

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# frozen: the view as of this revision and the one before (sql/views/ holds the live copy)
WHO_SAID_WHAT = '-- Every attributed statement: the quotes whose speaker resolved to a person or organisation\n-- named in full (speaker_status = \'named\'; all_quotes keeps the rest), the speaker under the\n-- full name its entity links to across the corpus ("Miyazawa", in a story naming him only so, is\n-- Kiichi Miyazawa; speaker_in_article keeps the article\'s own name), the speaker\'s role in the\n-- article, and when it was said and published. Never a pronoun or a bare noun phrase as the speaker.\n-- Portable SQL: SQLite and PostgreSQL (the migrations) and DuckDB (news-etl sql) run this file as is.\nCREATE VIEW who_said_what AS\nSELECT\n    q.quote_id,\n    COALESCE(le.canonical_name, q.speaker_name) AS speaker,\n    q.speaker_name AS speaker_in_article,\n    q.speaker_entity_id,\n    COALESCE(ea.canonical_entity_id, q.speaker_entity_id) AS speaker_linked_entity_id,\n    (\n        SELECT r.role_norm FROM entity_roles r\n        WHERE r.entity_id = q.speaker_entity_id AND r.article_id = q.article_id\n        ORDER BY r.start_char\n        LIMIT 1\n    ) AS speaker_role,\n    q.kind,\n    q.cue_text,\n    q.quote_text,\n    q.confidence,\n    q.said_on,\n    q.said_on_source,\n    a.article_id,\n    a.title,\n    a.outlet,\n    a.published_at,\n    a.published_at_source,\n    a.source_uri\nFROM quotes q\nJOIN articles a ON a.article_id = q.article_id\nLEFT JOIN entity_aliases ea ON ea.alias_entity_id = q.speaker_entity_id\nLEFT JOIN entities le ON le.entity_id = ea.canonical_entity_id\nWHERE q.speaker_status = \'named\'\n'
OLD_WHO_SAID_WHAT = "-- Every attributed statement: the quotes whose speaker resolved to a person or organisation\n-- named in full (speaker_status = 'named'; all_quotes keeps the rest), with the full-name entity\n-- a surname speaker stands for across the corpus, the speaker's role in the article, and when it\n-- was said and published. Never a pronoun or a bare noun phrase as the speaker.\n-- Portable SQL: SQLite and PostgreSQL (the migrations) and DuckDB (news-etl sql) run this file as is.\nCREATE VIEW who_said_what AS\nSELECT\n    q.quote_id,\n    q.speaker_name AS speaker,\n    q.speaker_entity_id,\n    COALESCE(ea.canonical_entity_id, q.speaker_entity_id) AS speaker_linked_entity_id,\n    (\n        SELECT r.role_norm FROM entity_roles r\n        WHERE r.entity_id = q.speaker_entity_id AND r.article_id = q.article_id\n        ORDER BY r.start_char\n        LIMIT 1\n    ) AS speaker_role,\n    q.kind,\n    q.cue_text,\n    q.quote_text,\n    q.confidence,\n    q.said_on,\n    q.said_on_source,\n    a.article_id,\n    a.title,\n    a.outlet,\n    a.published_at,\n    a.published_at_source,\n    a.source_uri\nFROM quotes q\nJOIN articles a ON a.article_id = q.article_id\nLEFT JOIN entity_aliases ea ON ea.alias_entity_id = q.speaker_entity_id\nWHERE q.speaker_status = 'named'\n"


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS who_said_what")
    op.execute(WHO_SAID_WHAT)


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS who_said_what")
    op.execute(OLD_WHO_SAID_WHAT)
