"""plan_entries: pinned by hand (a re-plan never moves it), and the planner's broadcast decision

Revision ID: 0007_entry_flags
Revises: 0006_uncertain
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_entry_flags"
down_revision = "0006_uncertain"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan_entries") as batch:
        batch.add_column(
            sa.Column("pinned", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("broadcast", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan_entries") as batch:
        batch.drop_column("broadcast")
        batch.drop_column("pinned")
