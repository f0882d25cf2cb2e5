"""Province fixtures: a PostgreSQL database of the test's own, and a province folder on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from loa.province.registry import Province, init_province
from tests.pgserver import scratch_database


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A new, empty PostgreSQL database (its URL), dropped after the test."""
    with scratch_database() as url:
        yield url


@pytest.fixture
def province(tmp_path: Path, pg_url: str) -> Province:
    return init_province(tmp_path / "tinh", name="Tỉnh Thử Nghiệm", database=pg_url)
