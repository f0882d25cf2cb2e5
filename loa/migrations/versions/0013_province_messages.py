"""messages: the province message a commune's message was delivered from (its text is the
province's: the commune cannot edit it)

Revision ID: 0013_province_messages
Revises: 0012_web_sessions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_province_messages"
down_revision = "0012_web_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("province_message_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_messages_province_message_id"), ["province_message_id"])


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_index(batch.f("ix_messages_province_message_id"))
        batch.drop_column("province_message_id")
