"""search: on PostgreSQL, the documents' title words indexed on their own

A query's candidates are the documents holding its words in the title (a title hit outranks
any body hit) plus a bounded few others, so ranking no longer reads every matching row;
the title lexemes are the 'A'-weighted part of ``tsv``, kept in step by PostgreSQL itself.

Revision ID: 0102_search_title
Revises: 0101_webhook_question
Create Date: 2026-12-03
"""

from alembic import op

revision = "0102_search_title"
down_revision = "0101_webhook_question"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE search_documents ADD COLUMN title_tsv tsvector "
                   "GENERATED ALWAYS AS (ts_filter(tsv, '{a}')) STORED")
        op.execute("CREATE INDEX ix_search_documents_title_tsv ON search_documents "
                   "USING gin (title_tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE search_documents DROP COLUMN title_tsv")
