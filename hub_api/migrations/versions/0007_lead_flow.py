"""lead flow: response targets, owners, assignment, reminders, contact requests, outreach

Revision ID: 0007_lead_flow
Revises: 0003_search
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_lead_flow"
down_revision = "0003_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("topics") as batch:
        batch.add_column(sa.Column("response_target_hours", sa.Integer(), nullable=False,
                                   server_default="4"))
        batch.add_column(sa.Column("working_hours", sa.String(length=120), nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("quiet_days", sa.Integer(), nullable=False,
                                   server_default="14"))
        batch.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_topics_owner", "persons", ["owner_id"], ["id"],
                                 ondelete="SET NULL")
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("assignee_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("reminded_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("escalated_at", sa.DateTime(), nullable=True))
        batch.create_foreign_key("fk_questions_assignee", "persons", ["assignee_id"], ["id"],
                                 ondelete="SET NULL")
        batch.create_index("ix_questions_assignee_id", ["assignee_id"])
    # A question asked of a named person is theirs until someone reassigns it.
    op.execute("UPDATE questions SET assignee_id = person_id WHERE person_id IS NOT NULL")
    with op.batch_alter_table("notification_emails") as batch:
        batch.add_column(sa.Column("topic_news", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        "contact_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("company", sa.String(length=120), nullable=False),
        sa.Column("job_role", sa.String(length=120), nullable=False),
        sa.Column("consented_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["question_id"], ["questions.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["answer_id"], ["answers.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_contact_requests_question_id", "contact_requests", ["question_id"])
    op.create_index("ix_contact_requests_person_id", "contact_requests", ["person_id"])
    op.create_index("ix_contact_requests_created_at", "contact_requests", ["created_at"])
    op.create_table(
        "outreach",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=True),
        sa.Column("item_kind", sa.String(length=16), nullable=False),
        sa.Column("item_ref", sa.String(length=255), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["sender_id"], ["persons.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_outreach_created_at", "outreach", ["created_at"])
    op.create_table(
        "outreach_recipients",
        sa.Column("outreach_id", sa.Integer(), nullable=False),
        sa.Column("consent_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["outreach_id"], ["outreach.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["consent_id"], ["notification_emails.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("outreach_id", "consent_id"),
    )


def downgrade() -> None:
    op.drop_table("outreach_recipients")
    op.drop_table("outreach")
    op.drop_table("contact_requests")
    with op.batch_alter_table("notification_emails") as batch:
        batch.drop_column("topic_news")
    with op.batch_alter_table("questions") as batch:
        batch.drop_index("ix_questions_assignee_id")
        batch.drop_constraint("fk_questions_assignee", type_="foreignkey")
        batch.drop_column("escalated_at")
        batch.drop_column("reminded_at")
        batch.drop_column("assignee_id")
    with op.batch_alter_table("topics") as batch:
        batch.drop_constraint("fk_topics_owner", type_="foreignkey")
        batch.drop_column("owner_id")
        batch.drop_column("quiet_days")
        batch.drop_column("working_hours")
        batch.drop_column("response_target_hours")
