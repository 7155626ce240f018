"""platform state

Keyed records adapters keep across restarts and replicas (Telegram poll ids, long button
payloads, sent questions), each with an expiry.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "platform_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("workspace", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("expires_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_state")),
        sa.UniqueConstraint("platform", "workspace", "kind", "key", name="uq_platform_state"),
    )
    with op.batch_alter_table("platform_state", schema=None) as batch_op:
        batch_op.create_index("ix_platform_state_expires_at", ["expires_at"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("platform_state", schema=None) as batch_op:
        batch_op.drop_index("ix_platform_state_expires_at")
    op.drop_table("platform_state")
