"""quote pieces and speaker status: quote_pieces, quotes.speaker_status, who_said_what limited to
named speakers, and all_quotes for the rest

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# frozen: the views as of this revision (sql/views/ holds the live copies)
VIEW_SQL = {
    "who_said_what": "-- Every attributed statement: the quotes whose speaker resolved to a person or organisation\n-- named in full (speaker_status = 'named'; all_quotes keeps the rest), with the full-name entity\n-- a surname speaker stands for across the corpus, the speaker's role in the article, and when it\n-- was said and published. Never a pronoun or a bare noun phrase as the speaker.\n-- Portable SQL: SQLite and PostgreSQL (the migrations) and DuckDB (news-etl sql) run this file as is.\nCREATE VIEW who_said_what AS\nSELECT\n    q.quote_id,\n    q.speaker_name AS speaker,\n    q.speaker_entity_id,\n    COALESCE(ea.canonical_entity_id, q.speaker_entity_id) AS speaker_linked_entity_id,\n    (\n        SELECT r.role_norm FROM entity_roles r\n        WHERE r.entity_id = q.speaker_entity_id AND r.article_id = q.article_id\n        ORDER BY r.start_char\n        LIMIT 1\n    ) AS speaker_role,\n    q.kind,\n    q.cue_text,\n    q.quote_text,\n    q.confidence,\n    q.said_on,\n    q.said_on_source,\n    a.article_id,\n    a.title,\n    a.outlet,\n    a.published_at,\n    a.published_at_source,\n    a.source_uri\nFROM quotes q\nJOIN articles a ON a.article_id = q.article_id\nLEFT JOIN entity_aliases ea ON ea.alias_entity_id = q.speaker_entity_id\nWHERE q.speaker_status = 'named'\n",
    "all_quotes": '-- Every extracted quote, attributed or not, for whoever wants recall: speaker_status says whether\n-- the speaker is named (speaker holds the full name), unresolved (a pronoun or noun phrase with no\n-- antecedent found, shown only as speaker_as_written) or none. Filter on confidence for precision.\n-- Portable SQL: SQLite and PostgreSQL (the migrations) and DuckDB (news-etl sql) run this file as is.\nCREATE VIEW all_quotes AS\nSELECT\n    q.quote_id,\n    q.speaker_status,\n    q.speaker_name AS speaker,\n    q.speaker_text AS speaker_as_written,\n    q.speaker_entity_id,\n    q.kind,\n    q.cue_text,\n    q.quote_text,\n    q.confidence,\n    q.said_on,\n    a.article_id,\n    a.title,\n    a.outlet,\n    a.published_at,\n    a.source_uri\nFROM quotes q\nJOIN articles a ON a.article_id = q.article_id\n',
}
OLD_WHO_SAID_WHAT = "-- Every attributed statement with its speaker (and the full-name entity a surname speaker stands\n-- for across the corpus), the speaker's role in the article, and when it was said and published.\n-- Portable SQL: SQLite and PostgreSQL (the migrations) and DuckDB (news-etl sql) run this file as is.\nCREATE VIEW who_said_what AS\nSELECT\n    q.quote_id,\n    COALESCE(q.speaker_name, q.speaker_text) AS speaker,\n    q.speaker_entity_id,\n    COALESCE(ea.canonical_entity_id, q.speaker_entity_id) AS speaker_linked_entity_id,\n    (\n        SELECT r.role_norm FROM entity_roles r\n        WHERE r.entity_id = q.speaker_entity_id AND r.article_id = q.article_id\n        ORDER BY r.start_char\n        LIMIT 1\n    ) AS speaker_role,\n    q.kind,\n    q.cue_text,\n    q.quote_text,\n    q.confidence,\n    q.said_on,\n    q.said_on_source,\n    a.article_id,\n    a.title,\n    a.outlet,\n    a.published_at,\n    a.published_at_source,\n    a.source_uri\nFROM quotes q\nJOIN articles a ON a.article_id = q.article_id\nLEFT JOIN entity_aliases ea ON ea.alias_entity_id = q.speaker_entity_id\n"
# column comments as of this revision (PostgreSQL keeps them; SQLite has none)
COMMENTS = (
    ('quote_start', sa.BigInteger(), False, "Offset in body_text where the content's first piece starts (the outer bound; quote_pieces has every piece)."),
    ('quote_end', sa.BigInteger(), False, 'Offset just past the content\'s last piece (the outer bound; what lies between two pieces, such as "he said", is not content).'),
    ('quote_text', sa.Text(), False, 'The quoted or reported content: its pieces (quote_pieces, in order) as body_text slices joined with " … " (space, ellipsis, space); a one-piece quote is exactly body_text[quote_start:quote_end]. Never holds the quote\'s own speaker or cue.'),
    ('speaker_text', sa.Text(), True, 'The speaker phrase as written (may be a pronoun or a noun phrase such as "the company"; see speaker_status).'),
    ('speaker_name', sa.Text(), True, 'Full name of the person or organisation the speaker phrase refers to (a pronoun\'s antecedent, "the company" as the company named earlier); set only when speaker_status is named.'),
    ('confidence', sa.Float(), False, 'Calibrated probability, 0 to 1, that the row is right (its content matches the statement and, when named, its speaker is the source); of the PolNeAR dev rows at 0.8 or above, at least 80% are right (etl/nlp/quotes/data/MODEL_CARD.md).'),
)
STATUS_DOC = "named (speaker_name holds the speaker's full name), unresolved (a pronoun or noun phrase whose antecedent was not found: speaker_text only), none (no speaker found)."


def upgrade() -> None:
    op.execute("DROP VIEW IF EXISTS who_said_what")
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("speaker_status", sa.String(), nullable=False, server_default="none", comment=STATUS_DOC)
        )
        batch_op.create_index("ix_quotes_speaker_status", ["speaker_status"], unique=False)
    # rows written before this revision: a name is named, a phrase without one unresolved
    op.execute(
        "UPDATE quotes SET speaker_status = CASE WHEN speaker_name IS NOT NULL THEN 'named' "
        "WHEN speaker_text IS NOT NULL THEN 'unresolved' ELSE 'none' END"
    )
    op.create_table(
        "quote_pieces",
        sa.Column("quote_id", sa.String(), nullable=False, comment="The quote."),
        sa.Column("article_id", sa.String(), nullable=False, comment="Article holding the quote."),
        sa.Column("piece_idx", sa.BigInteger(), nullable=False, comment="Position of the piece in the quote, from 0, in text order."),
        sa.Column("start_char", sa.BigInteger(), nullable=False, comment="Offset of the piece in body_text."),
        sa.Column("end_char", sa.BigInteger(), nullable=False, comment="Offset just past the piece in body_text."),
        sa.Column(
            "batch_id", sa.String(), nullable=False, comment="Load batch that wrote the row (Parquet partition key)."
        ),
        sa.PrimaryKeyConstraint("quote_id", "piece_idx"),
        comment="The pieces of each quote's content, one row per piece: “A,” he said. “B.” is two pieces. Every piece is a slice of body_text and never holds the quote's own speaker or cue.",
    )
    with op.batch_alter_table("quote_pieces", schema=None) as batch_op:
        batch_op.create_index("ix_quote_pieces_article_id", ["article_id"], unique=False)
        batch_op.create_index("ix_quote_pieces_batch_id", ["batch_id"], unique=False)
    # rows written before this revision: one piece, the outer bounds
    op.execute(
        "INSERT INTO quote_pieces (quote_id, article_id, piece_idx, start_char, end_char, batch_id) "
        "SELECT quote_id, article_id, 0, quote_start, quote_end, batch_id FROM quotes"
    )
    if op.get_bind().dialect.name == "postgresql":
        for name, kind, nullable, comment in COMMENTS:
            op.alter_column("quotes", name, existing_type=kind, existing_nullable=nullable, comment=comment)
    for name in ("who_said_what", "all_quotes"):
        op.execute(VIEW_SQL[name])


def downgrade() -> None:
    for name in ("all_quotes", "who_said_what"):
        op.execute(f"DROP VIEW IF EXISTS {name}")
    op.drop_table("quote_pieces")
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_index("ix_quotes_speaker_status")
        batch_op.drop_column("speaker_status")
    op.execute(OLD_WHO_SAID_WHAT)
