"""Audio fixtures."""

from __future__ import annotations

import pytest

from tests.audio.helpers import set_audio


@pytest.fixture
def silent_station(station):
    """A station whose voice is the silent engine: the pipeline without synthesis cost."""
    set_audio(station, 'engine = "silent"\nfallback = []')
    return station
