"""Alembic environment: run against the connection loa hands in, or the configured URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import loa.channels.models  # noqa: F401  (registers every table on Base.metadata: channels'

# models import the planning and content models their foreign keys point to)
from loa.core.db import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///loa.db")
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
