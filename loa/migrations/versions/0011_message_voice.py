"""messages: a message's own voice and speaking rate

Revision ID: 0011_message_voice
Revises: 0010_insights
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_message_voice"
down_revision = "0010_insights"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("voice", sa.String(100), nullable=True))
        batch.add_column(sa.Column("voice_rate", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("voice_rate")
        batch.drop_column("voice")
