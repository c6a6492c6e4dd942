"""webhook deliveries name the question they are about, so erasing it erases them

Revision ID: 0101_webhook_question
Revises: 0100_identity
Create Date: 2026-12-03
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0101_webhook_question"
down_revision = "0100_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.add_column(sa.Column("question_id", sa.Integer(), nullable=True))
        batch.create_index("ix_webhook_deliveries_question_id", ["question_id"])
    deliveries = sa.table("webhook_deliveries", sa.column("id", sa.Integer),
                          sa.column("payload", sa.Text), sa.column("question_id", sa.Integer))
    conn = op.get_bind()
    for row_id, payload in conn.execute(sa.select(deliveries.c.id, deliveries.c.payload)).all():
        data = json.loads(payload or "{}")
        question = data.get("question", {}).get("id") or data.get("answer", {}).get("question_id")
        if question:
            conn.execute(deliveries.update().where(deliveries.c.id == row_id)
                         .values(question_id=question))


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries") as batch:
        batch.drop_index("ix_webhook_deliveries_question_id")
        batch.drop_column("question_id")
