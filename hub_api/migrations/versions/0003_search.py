"""search: outbox, synonyms, content gaps, imported Q&A; on PostgreSQL the FTS documents

Revision ID: 0003_search
Revises: 0001
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_search"
down_revision = "0004_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_search_outbox_done_at", "search_outbox", ["done_at"])
    op.create_table(
        "search_synonyms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term", sa.String(length=120), nullable=False),
        sa.Column("expansion", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("term", "expansion"),
    )
    op.create_index("ix_search_synonyms_term", "search_synonyms", ["term"])
    op.create_table(
        "search_gaps",
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("misses", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("query"),
    )
    op.create_table(
        "imported_questions",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=120), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("source_url", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["questions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("question_id"),
        sa.UniqueConstraint("site", "source_id"),
    )
    op.create_table(
        "imported_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=120), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("source_url", sa.String(length=255), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("author_url", sa.String(length=255), nullable=True),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["questions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("site", "source_id"),
    )
    op.create_index("ix_imported_answers_question_id", "imported_answers", ["question_id"])
    if op.get_bind().dialect.name == "postgresql":
        # The PostgreSQL search backend's documents: derived, rebuilt by `candor reindex`.
        op.execute("""
            CREATE TABLE search_documents (
                doc_id text PRIMARY KEY,
                kind text NOT NULL,
                title text NOT NULL,
                body text NOT NULL,
                url text NOT NULL,
                meta text NOT NULL DEFAULT '',
                topics text[] NOT NULL DEFAULT '{}',
                answered boolean NOT NULL DEFAULT false,
                tsv tsvector NOT NULL
            )""")
        op.execute("CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS search_documents")
    op.drop_index("ix_imported_answers_question_id", "imported_answers")
    op.drop_table("imported_answers")
    op.drop_table("imported_questions")
    op.drop_table("search_gaps")
    op.drop_index("ix_search_synonyms_term", "search_synonyms")
    op.drop_table("search_synonyms")
    op.drop_index("ix_search_outbox_done_at", "search_outbox")
    op.drop_table("search_outbox")
