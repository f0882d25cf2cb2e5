"""Renders are reproducible: the same plan, settings and voice give byte-identical bulletins
whatever the number of workers and whatever each worker spoke before (issue 29)."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date, datetime

import numpy as np
import pytest

from loa.app.render import render_period
from loa.audio.engines import EngineOptions, engine_class
from tests.audio.helpers import add_message
from tests.audio.test_render import plan

MONDAY = date(2026, 11, 23)
TEXTS = (
    "Bà con chú ý: từ ngày mười lăm, bộ phận một cửa tiếp nhận hồ sơ trực tuyến.",
    "Lịch tiêm chủng mở rộng cho trẻ em vào sáng thứ Bảy tại trạm y tế xã.",
    "Đề nghị các hộ gia đình kiểm tra điện, nước trước mùa mưa bão.",
    "Thông báo thu thuế sử dụng đất phi nông nghiệp năm hai nghìn hai mươi sáu.",
    "Cán bộ tư pháp hộ tịch làm việc các ngày trong tuần, giờ hành chính.",
)


def test_espeak_speaks_a_text_the_same_whatever_came_before(tmp_path) -> None:
    """espeak-ng keeps state across calls (the pitch flutter's phase): loa reloads it so a text
    comes out sample for sample the same after any other text."""
    engine = engine_class("espeak")(EngineOptions(root=tmp_path, settings={}))
    target = "Ủy ban nhân dân xã thông báo lịch tiếp công dân"
    first = engine.synthesize(target, "vi", 1.0).samples
    engine.synthesize(TEXTS[0] * 2, "vi-vn-x-south", 1.3)
    after_south = engine.synthesize(target, "vi", 1.0).samples
    engine.synthesize(TEXTS[1], "vi", 0.8)
    after_north = engine.synthesize(target, "vi", 1.0).samples
    assert len(first) > 10000
    assert np.array_equal(first, after_south) and np.array_equal(first, after_north)


def _digests(station) -> dict[str, str]:
    folder = station.media_dir / "bulletins"
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.glob("*/*.mp3"))
    }


@pytest.mark.slow
def test_bulletins_are_byte_identical_with_1_2_and_4_workers(station) -> None:
    ids = [add_message(station, f"Tin {n}", text) for n, text in enumerate(TEXTS)]
    entries = []
    for day in (23, 24, 25):
        for hour in (6, 17):
            chosen = ids[(day + hour) % 5 :] + ids[: (day + hour) % 5]
            entries += [(m, datetime(2026, 11, day, hour, 0), n) for n, m in enumerate(chosen[:3])]
    plan(station, entries)
    runs: dict[int, dict[str, str]] = {}
    for workers in (4, 1, 2):
        shutil.rmtree(station.media_dir, ignore_errors=True)  # from an empty cache each time
        results = render_period(station, MONDAY, 3, workers=workers)
        assert len(results) == 6 and not any(r.cached for r in results)
        runs[workers] = _digests(station)
    assert len(runs[1]) == 6
    assert runs[2] == runs[1] and runs[4] == runs[1]

    # A render that changes nothing is skipped: nothing rewritten, every bulletin up to date.
    stamps = {p: p.stat().st_mtime_ns for p in station.media_dir.rglob("*.mp3")}
    again = render_period(station, MONDAY, 3, workers=4)
    assert all(r.cached for r in again)
    assert {p: p.stat().st_mtime_ns for p in station.media_dir.rglob("*.mp3")} == stamps
    assert _digests(station) == runs[1]
