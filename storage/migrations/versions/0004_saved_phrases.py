"""saved phrases

Sentences learners keep from a debrief, reviewed like terms.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "saved_phrases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=400), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("created_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learners.id"],
            name=op.f("fk_saved_phrases_learner_id_learners"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_phrases")),
        sa.UniqueConstraint("learner_id", "text", name="uq_saved_phrase"),
    )
    with op.batch_alter_table("saved_phrases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_saved_phrases_learner_id"), ["learner_id"], unique=False
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("saved_phrases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_phrases_learner_id"))
    op.drop_table("saved_phrases")
