"""publications: when the next look-up or attempt is due, and how many look-ups failed

Revision ID: 0006_uncertain
Revises: 0005_zones
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_uncertain"
down_revision = "0005_zones"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.add_column(sa.Column("next_at", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("waits", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.create_index("ix_publications_next_at", ["next_at"])


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_index("ix_publications_next_at")
        batch.drop_column("waits")
        batch.drop_column("next_at")
