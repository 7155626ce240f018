"""daily post counts

The delivery log keeps the sent post's platform id and when its counts were last changed and
last edited in; daily_responses holds each learner's "knew" or "new" for a post.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("message_id", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("counted_at", storage.models.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("edited_at", storage.models.UtcDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "daily_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("verb", sa.String(length=8), nullable=False),
        sa.Column("at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["deliveries.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["learner_id"], ["learners.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("delivery_id", "learner_id", name="uq_daily_response"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("daily_responses")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("edited_at")
        batch_op.drop_column("counted_at")
        batch_op.drop_column("message_id")
