"""moderation of answers and follow-ups: hidden answers, held follow-ups

Revision ID: 0008_answer_hiding
Revises: 0007_lead_flow
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_answer_hiding"
down_revision = "0007_lead_flow"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("hidden_reason", sa.String(length=200), nullable=False,
                                   server_default=""))
    with op.batch_alter_table("follow_ups") as batch:
        batch.add_column(sa.Column("status", sa.String(length=16), nullable=False,
                                   server_default="published"))
        batch.add_column(sa.Column("hold_reason", sa.String(length=200), nullable=False,
                                   server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("follow_ups") as batch:
        batch.drop_column("hold_reason")
        batch.drop_column("status")
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("hidden_reason")
