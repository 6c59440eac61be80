"""analyst views: article_overview, who_said_what, entity_mentions

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS = ("article_overview", "who_said_what", "entity_mentions")
# The views as this revision made them (later revisions recreate them from sql/views/).
VIEW_SQL = {
    "article_overview": "-- One row per article with how much the pipeline found in it.\nCREATE VIEW article_overview AS\nSELECT\n    a.article_id,\n    a.source_uri,\n    a.title,\n    a.outlet,\n    a.published_at,\n    a.language,\n    a.word_count,\n    a.near_duplicate_of,\n    (SELECT COUNT(*) FROM sentences s WHERE s.article_id = a.article_id) AS sentence_count,\n    (SELECT COUNT(*) FROM mentions m WHERE m.article_id = a.article_id) AS mention_count,\n    (SELECT COUNT(*) FROM quotes q WHERE q.article_id = a.article_id) AS quote_count\nFROM articles a\n",
    "who_said_what": "-- Every attributed statement with its speaker and where and when it was published.\nCREATE VIEW who_said_what AS\nSELECT\n    q.quote_id,\n    COALESCE(q.speaker_name, q.speaker_text) AS speaker,\n    q.speaker_entity_id,\n    q.kind,\n    q.cue_text,\n    q.quote_text,\n    q.confidence,\n    a.article_id,\n    a.title,\n    a.outlet,\n    a.published_at,\n    a.source_uri\nFROM quotes q\nJOIN articles a ON a.article_id = q.article_id\n",
    "entity_mentions": "-- Each entity with how often, and in how many articles, it is mentioned.\nCREATE VIEW entity_mentions AS\nSELECT\n    e.entity_id,\n    e.canonical_name,\n    e.label,\n    COUNT(m.entity_id) AS mention_count,\n    COUNT(DISTINCT m.article_id) AS article_count\nFROM entities e\nLEFT JOIN mentions m ON m.entity_id = e.entity_id\nGROUP BY e.entity_id, e.canonical_name, e.label\n",
}


def upgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
        op.execute(VIEW_SQL[name])


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
