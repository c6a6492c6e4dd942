"""staff side: why a moderator hid a question (shown to its asker and in the API)

Revision ID: 0100_staffui
Revises: 0008_answer_hiding
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0100_staffui"
down_revision = "0008_answer_hiding"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("hidden_reason", sa.String(length=200), nullable=False,
                                   server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("hidden_reason")
