"""effects: one outbox for after-write effects (events, mails)

Revision ID: 0100_effects
Revises: 0100_reader
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0100_effects"
down_revision = "0100_reader"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "effects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_index("ix_effects_done_at", "effects", ["done_at"])


def downgrade() -> None:
    op.drop_index("ix_effects_done_at", table_name="effects")
    op.drop_table("effects")
