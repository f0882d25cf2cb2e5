"""zones: slots, messages and as-run rows name the loudspeaker zones (Icecast mounts) they
target or aired on ([] = every zone); a message may ask for a number of urgent repeats

Revision ID: 0005_zones
Revises: 0004_users
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_zones"
down_revision = "0004_users"
branch_labels = None
depends_on = None

_TABLES = ("slots", "messages", "as_run")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("zones", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
            )
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("repeats", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("repeats")
    for table in reversed(_TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("zones")
