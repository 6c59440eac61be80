"""analyst views: article_overview, who_said_what, entity_mentions

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from alembic import op

from etl.warehouse.migrate import view_sql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS = ("article_overview", "who_said_what", "entity_mentions")


def upgrade() -> None:
    for name in VIEWS:
        op.execute(f"DROP VIEW IF EXISTS {name}")
        op.execute(view_sql(name))


def downgrade() -> None:
    for name in reversed(VIEWS):
        op.execute(f"DROP VIEW IF EXISTS {name}")
