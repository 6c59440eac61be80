"""dates, roles and quote entities: articles.published_at_source, quotes.said_on(_source),
entity_roles, quote_entities, entity_aliases, and the views that show them (who_said_what, entity_overview)

Revision ID: 0004
Revises: 0003_ledger
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from etl.warehouse.migrate import view_sql

revision: str = "0004"
down_revision: str | None = "0003_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_VIEWS = ("article_overview", "who_said_what", "entity_mentions")
VIEWS = (*OLD_VIEWS, "entity_overview")
NEW_TABLES = ("entity_roles", "quote_entities", "entity_aliases")
# frozen: who_said_what as of this revision (0005 reads columns this revision does not have yet)
FROZEN_SQL = {
    "who_said_what": "-- Every attributed statement with its speaker (and the full-name entity a surname speaker stands\n-- for across the corpus), the speaker's role in the article, and when it was said and published.\n-- Portable SQL: SQLite and PostgreSQL (the migrations) and DuckDB (news-etl sql) run this file as is.\nCREATE VIEW who_said_what AS\nSELECT\n    q.quote_id,\n    COALESCE(q.speaker_name, q.speaker_text) AS speaker,\n    q.speaker_entity_id,\n    COALESCE(ea.canonical_entity_id, q.speaker_entity_id) AS speaker_linked_entity_id,\n    (\n        SELECT r.role_norm FROM entity_roles r\n        WHERE r.entity_id = q.speaker_entity_id AND r.article_id = q.article_id\n        ORDER BY r.start_char\n        LIMIT 1\n    ) AS speaker_role,\n    q.kind,\n    q.cue_text,\n    q.quote_text,\n    q.confidence,\n    q.said_on,\n    q.said_on_source,\n    a.article_id,\n    a.title,\n    a.outlet,\n    a.published_at,\n    a.published_at_source,\n    a.source_uri\nFROM quotes q\nJOIN articles a ON a.article_id = q.article_id\nLEFT JOIN entity_aliases ea ON ea.alias_entity_id = q.speaker_entity_id\n",
}


def upgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "published_at_source",
                sa.String(),
                nullable=True,
                comment="Where published_at came from (a date without a time is stored as midnight UTC): metadata (the source's field), html (page metadata or htmldate), dateline, text (a date in the lede), path (a date in the path or URL), landing (the day before the nightly landing folder's day: stories land the morning after), run (the run's --published-on), none.",
            )
        )
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "said_on",
                sa.Date(),
                nullable=True,
                comment='Day of the statement when the text dates it ("said Tuesday"), resolved against the article\'s date, preferring the past.',
            )
        )
        batch_op.add_column(
            sa.Column(
                "said_on_source",
                sa.String(),
                nullable=True,
                comment="What dated the statement: cue (a date attached to the reporting verb), sentence (a date in the cue's sentence), speaker (the speaker's earlier dated statement in the article); null when undated.",
            )
        )
    op.create_table(
        "entity_roles",
        sa.Column("article_id", sa.String(), nullable=False, comment="Article giving the role."),
        sa.Column("entity_id", sa.String(), nullable=False, comment="The entity holding the role."),
        sa.Column("role", sa.Text(), nullable=False, comment="The role as written."),
        sa.Column(
            "role_norm",
            sa.String(),
            nullable=False,
            comment="The role lower-cased, without nationality, organisation and article words: foreign minister, secretary of state, spokeswoman.",
        ),
        sa.Column("start_char", sa.BigInteger(), nullable=False, comment="Offset of the role in body_text."),
        sa.Column("end_char", sa.BigInteger(), nullable=False, comment="Offset just past the role in body_text."),
        sa.Column(
            "role_on",
            sa.Date(),
            nullable=True,
            comment="The article's publication day: when the role was held, as far as the text says.",
        ),
        sa.Column(
            "batch_id", sa.String(), nullable=False, comment="Load batch that wrote the row (Parquet partition key)."
        ),
        sa.PrimaryKeyConstraint("article_id", "entity_id", "start_char"),
        comment='Roles the text gives an entity: titles before names ("Russian Foreign Minister Sergei Lavrov"), appositions ("Patrick Ventrell, a State Department spokesman").',
    )
    with op.batch_alter_table("entity_roles", schema=None) as batch_op:
        batch_op.create_index("ix_entity_roles_article_id", ["article_id"], unique=False)
        batch_op.create_index("ix_entity_roles_entity_id", ["entity_id"], unique=False)
        batch_op.create_index("ix_entity_roles_batch_id", ["batch_id"], unique=False)
    op.create_table(
        "quote_entities",
        sa.Column("quote_id", sa.String(), nullable=False, comment="The quote."),
        sa.Column("article_id", sa.String(), nullable=False, comment="Article holding the quote."),
        sa.Column("entity_id", sa.String(), nullable=False, comment="An entity mentioned in the quote's content."),
        sa.Column("start_char", sa.BigInteger(), nullable=False, comment="Offset of the mention in body_text."),
        sa.Column("end_char", sa.BigInteger(), nullable=False, comment="Offset just past the mention in body_text."),
        sa.Column(
            "batch_id", sa.String(), nullable=False, comment="Load batch that wrote the row (Parquet partition key)."
        ),
        sa.PrimaryKeyConstraint("quote_id", "start_char"),
        comment="Entities mentioned inside a quote's content: what the statement is about.",
    )
    with op.batch_alter_table("quote_entities", schema=None) as batch_op:
        batch_op.create_index("ix_quote_entities_article_id", ["article_id"], unique=False)
        batch_op.create_index("ix_quote_entities_entity_id", ["entity_id"], unique=False)
        batch_op.create_index("ix_quote_entities_batch_id", ["batch_id"], unique=False)
    op.create_table(
        "entity_aliases",
        sa.Column(
            "alias_entity_id",
            sa.String(),
            nullable=False,
            comment="The entity named in part (a surname, or a title and surname).",
        ),
        sa.Column(
            "canonical_entity_id", sa.String(), nullable=False, comment="The full-name PERSON entity it stands for."
        ),
        sa.Column("alias_name", sa.Text(), nullable=False, comment="Canonical name of the alias entity."),
        sa.Column("canonical_name", sa.Text(), nullable=False, comment="Canonical name of the full-name entity."),
        sa.Column(
            "rule",
            sa.String(),
            nullable=False,
            comment="surname (the only full name ending so), dominant surname (namesakes, one holding at least 90% of their mentions) or role (the one namesake sharing a role with the alias).",
        ),
        sa.Column("candidates", sa.BigInteger(), nullable=False, comment="Full names the alias could stand for."),
        sa.PrimaryKeyConstraint("alias_entity_id"),
        comment='Corpus-wide links from an entity to the full-name entity it abbreviates ("Blair" -> "Tony Blair"), recomputed over the whole warehouse after each run, so they do not depend on load order; entity ids never change. Not partitioned by batch.',
    )
    with op.batch_alter_table("entity_aliases", schema=None) as batch_op:
        batch_op.create_index("ix_entity_aliases_canonical_entity_id", ["canonical_entity_id"], unique=False)
    for name in VIEWS:
        op.execute(FROZEN_SQL.get(name) or view_sql(name))


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    for name in reversed(NEW_TABLES):
        op.drop_table(name)
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_column("said_on_source")
        batch_op.drop_column("said_on")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("published_at_source")
