"""entity_aliases.rule documents the label rule and the context tie-break's outlet and year, and
canonical_entity_id what a label link points to (the columns are unchanged; only their comments,
which PostgreSQL keeps, say more)

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# frozen: the comments as of this revision and the one before
_RULES = 'spelling (the same name under another spelling, accents aside, to its most frequent one), prefixed name ("Billionaire Donald Trump" to Donald Trump), middle name ("Hillary Rodham Clinton" to Hillary Clinton), first name (a first name alone to the one usual full name it begins), surname (the only full name ending so), dominant surname (namesakes, one holding at least 90% of their mentions), role (the one namesake sharing a role with the alias), '
RULE_DOC = _RULES + 'context (the one namesake its stories point to by the other entities they name, their outlet and their year) or label (a name to the same name under the label the corpus gives it at least as often: the one-word PERSON tag "Politico" to the ORG, the ORG "Bernie Ebbers" to the PERSON).'
OLD_RULE_DOC = _RULES.removesuffix(", ") + " or context (the one namesake its stories point to by the other entities they name)."
TARGET_DOC = "The full-name PERSON entity it stands for (for rule label: the same name under its usual label)."
OLD_TARGET_DOC = "The full-name PERSON entity it stands for."


def _comment(rule: str, target: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("entity_aliases", "rule", existing_type=sa.String(), existing_nullable=False, comment=rule)
        op.alter_column("entity_aliases", "canonical_entity_id", existing_type=sa.String(), existing_nullable=False, comment=target)


def upgrade() -> None:
    _comment(RULE_DOC, TARGET_DOC)


def downgrade() -> None:
    _comment(OLD_RULE_DOC, OLD_TARGET_DOC)
