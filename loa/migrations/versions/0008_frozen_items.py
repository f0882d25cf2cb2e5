"""publications: the exact item a publication sends, frozen when it is claimed

Revision ID: 0008_frozen_items
Revises: 0007_entry_flags
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_frozen_items"
down_revision = "0007_entry_flags"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.add_column(sa.Column("item", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("publications") as batch:
        batch.drop_column("item")
