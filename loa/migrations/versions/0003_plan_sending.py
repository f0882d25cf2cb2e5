"""plan entries handed to a channel are "sending" (locked) instead of "planned + a publication"

Revision ID: 0003
Revises: channels_0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "channels_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # An entry whose publication is still open (sending, or uncertain and waiting for the
    # officer) is locked; entries whose publication finished already carry its outcome.
    op.execute(
        "UPDATE plan_entries SET status = 'sending' WHERE status = 'planned' AND id IN "
        "(SELECT plan_entry_id FROM publications WHERE plan_entry_id IS NOT NULL "
        "AND status IN ('sending', 'uncertain'))"
    )


def downgrade() -> None:
    op.execute("UPDATE plan_entries SET status = 'planned' WHERE status = 'sending'")
