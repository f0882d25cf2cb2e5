"""insights: the figures channels give back for each publication or airing

Revision ID: 0010_insights
Revises: 0009_recordings
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_insights"
down_revision = "0009_recordings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "insights",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ref", sa.String(240), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("publication_id", sa.Integer(), sa.ForeignKey("publications.id"), nullable=True),
        sa.Column("as_run_id", sa.Integer(), sa.ForeignKey("as_run.id"), nullable=True),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("messages.id"), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("metric", sa.String(40), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("measured_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("ref", "metric", "source", name="uq_insight"),
    )
    op.create_index("ix_insights_ref", "insights", ["ref"])
    op.create_index("ix_insights_channel", "insights", ["channel"])
    op.create_index("ix_insights_at", "insights", ["at"])


def downgrade() -> None:
    op.drop_index("ix_insights_at", "insights")
    op.drop_index("ix_insights_channel", "insights")
    op.drop_index("ix_insights_ref", "insights")
    op.drop_table("insights")
