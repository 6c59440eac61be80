"""entity_aliases.rule documents every corpus-wide link rule: spelling, prefixed name, middle
name, first name, surname, dominant surname, role and context (the column is unchanged; only its
comment, which PostgreSQL keeps, says more)

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# frozen: the comments as of this revision and the one before
RULE_DOC = 'spelling (the same name under another spelling, accents aside, to its most frequent one), prefixed name ("Billionaire Donald Trump" to Donald Trump), middle name ("Hillary Rodham Clinton" to Hillary Clinton), first name (a first name alone to the one usual full name it begins), surname (the only full name ending so), dominant surname (namesakes, one holding at least 90% of their mentions), role (the one namesake sharing a role with the alias) or context (the one namesake its stories point to by the other entities they name).'
OLD_RULE_DOC = (
    "surname (the only full name ending so), dominant surname (namesakes, one holding at least 90% of their "
    "mentions) or role (the one namesake sharing a role with the alias)."
)


def _comment(comment: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("entity_aliases", "rule", existing_type=sa.String(), existing_nullable=False, comment=comment)


def upgrade() -> None:
    _comment(RULE_DOC)


def downgrade() -> None:
    _comment(OLD_RULE_DOC)
