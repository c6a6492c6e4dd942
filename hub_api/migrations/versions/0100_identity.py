"""staff identity: sessions, one-time account links, audit log, TOTP, recovery codes, passkeys

Revision ID: 0100_identity
Revises: 0100_reader
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0100_identity"
down_revision = "0100_staffui"
branch_labels = None
depends_on = None


def _person_fk() -> sa.Column:
    return sa.Column("person_id", sa.Integer(), sa.ForeignKey("persons.id", ondelete="CASCADE"),
                     nullable=False, index=True)


def upgrade() -> None:
    with op.batch_alter_table("persons") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        _person_fk(),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("device", sa.String(length=80), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("verified_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "account_links",
        sa.Column("id", sa.Integer(), primary_key=True),
        _person_fk(),
        sa.Column("purpose", sa.String(length=8), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("persons.id", ondelete="SET NULL"),
                  nullable=True, index=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False, index=True),
        sa.Column("object_type", sa.String(length=24), nullable=False),
        sa.Column("object_id", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False, index=True),
    )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        _person_fk(),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "passkeys",
        sa.Column("id", sa.Integer(), primary_key=True),
        _person_fk(),
        sa.Column("credential_id", sa.LargeBinary(length=1024), nullable=False, unique=True),
        sa.Column("public_key", sa.LargeBinary(length=2048), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    for table in ("passkeys", "recovery_codes", "audit_events", "account_links",
                  "staff_sessions"):
        op.drop_table(table)
    with op.batch_alter_table("persons") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_secret")
