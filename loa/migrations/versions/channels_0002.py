"""channels: who is sending a publication and since when

Revision ID: channels_0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "channels_0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.add_column(sa.Column("attempted_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("owner", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("owner")
        batch.drop_column("attempted_at")
