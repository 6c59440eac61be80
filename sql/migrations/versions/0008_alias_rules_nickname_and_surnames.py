"""entity_aliases.rule documents the nickname rule ("Chuck Grassley" to Charles Grassley) and
that the label rule also links a surname under another label ("the Reagan administration") to the
full name its PERSON tag links to (the column is unchanged; only its comment, which PostgreSQL
keeps, says more)

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# frozen: the comment as of this revision and the one before
_SPELLING = "spelling (the same name under another spelling, accents aside, to its most frequent one), "
_NICKNAME = 'nickname (a name under a nickname to the more usual one it shortens, "Chuck Grassley" to Charles Grassley), '
_RULES = 'prefixed name ("Billionaire Donald Trump" to Donald Trump), middle name ("Hillary Rodham Clinton" to Hillary Clinton), first name (a first name alone to the one usual full name it begins), surname (the only full name ending so), dominant surname (namesakes, one holding at least 90% of their mentions), role (the one namesake sharing a role with the alias), context (the one namesake its stories point to by the other entities they name, their outlet and their year) or label (a name to the same name under the label the corpus gives it at least as often: the one-word PERSON tag "Politico" to the ORG, the ORG "Bernie Ebbers" to the PERSON'
RULE_DOC = _SPELLING + _NICKNAME + _RULES + '; a surname under another label, "the Reagan administration", to the full name its PERSON tag links to).'
OLD_RULE_DOC = _SPELLING + _RULES + ")."


def _comment(rule: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("entity_aliases", "rule", existing_type=sa.String(), existing_nullable=False, comment=rule)


def upgrade() -> None:
    _comment(RULE_DOC)


def downgrade() -> None:
    _comment(OLD_RULE_DOC)
