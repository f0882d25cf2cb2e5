"""messages: a recorded announcement (audio); as_run: what kind of sound aired (kind)

Revision ID: 0009_recordings
Revises: 0008_frozen_items
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_recordings"
down_revision = "0008_frozen_items"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("audio", sa.String(80), nullable=True))
        batch.add_column(sa.Column("audio_name", sa.String(300), nullable=True))
        batch.add_column(sa.Column("audio_seconds", sa.Float(), nullable=True))
    with op.batch_alter_table("as_run") as batch:
        batch.add_column(sa.Column("kind", sa.String(12), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("as_run") as batch:
        batch.drop_column("kind")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("audio_seconds")
        batch.drop_column("audio_name")
        batch.drop_column("audio")
