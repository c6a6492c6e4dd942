"""staff side: why a moderator hid a question (shown to its asker and in the API); paused
feeds; unpublished picks

Revision ID: 0100_staffui
Revises: 0100_effects
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0100_staffui"
down_revision = "0100_effects"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("hidden_reason", sa.String(length=200), nullable=False,
                                   server_default=""))
    with op.batch_alter_table("feeds") as batch:
        batch.add_column(sa.Column("paused", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table("curated_picks") as batch:
        batch.add_column(sa.Column("unpublished_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("curated_picks") as batch:
        batch.drop_column("unpublished_at")
    with op.batch_alter_table("feeds") as batch:
        batch.drop_column("paused")
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("hidden_reason")
