"""question states: follow-up waiting and accepted are states of their own

An answered thread the asker replied to was stored as ``open`` (and vanished from every
"answered" list); it is ``follow_up`` now. A thread with an accepted answer is ``accepted``.
Threads readers may not see (held, rejected, hidden) are queued for the search indexer,
which drops them: earlier indexers kept them searchable.

Revision ID: 0100_reader
Revises: 0008_answer_hiding
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0100_reader"
down_revision = "0008_answer_hiding"
branch_labels = None
depends_on = None

questions = sa.table("questions", sa.column("id", sa.Integer), sa.column("status", sa.String),
                     sa.column("accepted_answer_id", sa.Integer))
answers = sa.table("answers", sa.column("question_id", sa.Integer))
outbox = sa.table("search_outbox", sa.column("kind", sa.String), sa.column("ref", sa.String),
                  sa.column("created_at", sa.DateTime), sa.column("done_at", sa.DateTime))
has_answer = sa.exists().where(answers.c.question_id == questions.c.id)


def upgrade() -> None:
    op.execute(questions.update().where(questions.c.status == "open", has_answer)
               .values(status="follow_up"))
    op.execute(questions.update().where(questions.c.status == "answered",
                                        questions.c.accepted_answer_id.is_not(None))
               .values(status="accepted"))
    hidden = sa.select(sa.literal("thread"), sa.cast(questions.c.id, sa.String),
                       sa.func.current_timestamp()).where(
        questions.c.status.in_(("held", "rejected", "hidden")))
    op.execute(outbox.insert().from_select(["kind", "ref", "created_at"], hidden))


def downgrade() -> None:
    op.execute(questions.update().where(questions.c.status == "follow_up").values(status="open"))
    op.execute(questions.update().where(questions.c.status == "accepted")
               .values(status="answered"))
