"""Size limits: one message, one import file, YAML alias bombs; `normalize -f` streams."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from loa.cli.main import app
from loa.content import importer
from loa.content.fields import MAX_TEXT_CHARS, MAX_TITLE_CHARS
from loa.content.importer import MAX_IMPORT_BYTES, import_file
from loa.content.models import Message
from loa.content.queue import create
from loa.core.errors import UserError
from loa.core.station import Station


def count(station: Station) -> int:
    with station.transaction() as s:
        return int(s.scalar(select(func.count(Message.id))) or 0)


def db_digest(station: Station) -> str:
    return hashlib.sha256((station.root / "loa.db").read_bytes()).hexdigest()


BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{','.join([f'*{prev}'] * 9)}]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
)


def test_body_over_the_limit_is_refused_naming_it(station: Station) -> None:
    raw = {"title": "Dài quá", "topic": "one_stop", "body": "chữ " * (MAX_TEXT_CHARS // 4 + 1)}
    with (
        pytest.raises(UserError, match=r"nội dung.*tối đa 100\.000 ký tự"),
        station.transaction() as s,
    ):
        create(s, raw, "Tin thử")


def test_body_at_the_limit_is_kept(station: Station) -> None:
    body = "a" * MAX_TEXT_CHARS
    with station.transaction() as s:
        message = create(s, {"title": "Vừa đủ", "topic": "one_stop", "body": body})
        assert len(message.body) == MAX_TEXT_CHARS


def test_title_limit_is_named(station: Station) -> None:
    with pytest.raises(UserError, match="tối đa 300"), station.transaction() as s:
        create(s, {"title": "x" * (MAX_TITLE_CHARS + 1), "topic": "one_stop"})


def test_large_import_file_is_refused_before_reading(
    station: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "lon.txt"
    with open(path, "wb") as fh:  # sparse: no need to write 20 MB
        fh.write("Tiêu đề\n".encode())
        fh.truncate(MAX_IMPORT_BYTES + 1)
    before = db_digest(station)
    with pytest.raises(UserError, match=r"lon\.txt.*giới hạn 20,0 MB"), station.transaction() as s:
        monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("file was read"))
        import_file(s, path)
    monkeypatch.undo()
    assert db_digest(station) == before


def test_text_file_with_a_huge_body_changes_nothing(station: Station, tmp_path: Path) -> None:
    path = tmp_path / "dai.txt"
    path.write_text("Tiêu đề\n" + ("Bà con chú ý. " * 8000 + "\n") * 2, encoding="utf-8")
    with pytest.raises(UserError, match=r"100\.000"), station.transaction() as s:
        import_file(s, path)
    assert count(station) == 0


def test_yaml_alias_bomb_is_refused_fast(station: Station, tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_text(BOMB, encoding="utf-8")
    assert len(BOMB.encode()) < 400
    started = time.perf_counter()
    with pytest.raises(UserError, match=r"bom\.yaml.*bí danh.*10\.000"), station.transaction() as s:
        import_file(s, path)
    assert time.perf_counter() - started < 0.5
    assert count(station) == 0


def test_yaml_alias_cycle_and_front_matter_bomb(station: Station, tmp_path: Path) -> None:
    cyclic = tmp_path / "vong.yaml"
    cyclic.write_text("- &a [*a]\n", encoding="utf-8")
    with pytest.raises(UserError, match="bí danh"), station.transaction() as s:
        import_file(s, cyclic)
    md = tmp_path / "bom.md"
    md.write_text("---\n" + BOMB + "title: x\n---\nNội dung\n", encoding="utf-8")
    with pytest.raises(UserError, match="bí danh"), station.transaction() as s:
        import_file(s, md)


def test_modest_yaml_aliases_still_work(station: Station, tmp_path: Path) -> None:
    path = tmp_path / "chung.yaml"
    path.write_text(
        "chung: &chung {topic: one_stop, priority: high}\n"
        "messages:\n"
        "  - {<<: *chung, title: Tin một}\n"
        "  - {<<: *chung, title: Tin hai}\n",
        encoding="utf-8",
    )
    with station.transaction() as s:
        created = import_file(s, path).created
        assert [m.topic_code for m in created] == ["one_stop", "one_stop"]


def test_expansion_counter_counts_shared_nodes_once() -> None:
    import yaml

    node = yaml.compose("a: &x [1, 2, 3]\nb: [*x, *x]\n")
    assert importer._expanded_extra(node) == 8  # two more copies of a 4-node list


runner = CliRunner()


def test_normalize_file_answers_each_line_before_the_next_arrives(tmp_path: Path) -> None:
    """Streaming: with standard input still open, the first line's answer is already out."""
    import os
    import selectors
    import subprocess
    import sys

    env = {**os.environ, "LOA_STATION": "", "LOA_LANG": "vi"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "loa", "normalize", "-f", "-"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write("UBND xã\n".encode())
        proc.stdin.flush()
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            assert selector.select(timeout=30), "no output while input is still open"
        assert proc.stdout.readline().decode() == "Ủy ban nhân dân xã\n"
        proc.stdin.write(b"80%")
        proc.stdin.close()
        assert proc.stdout.read().decode() == "tám mươi phần trăm\n"
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()


def test_normalize_file_keeps_one_line_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "dai.txt"
    path.write_text("UBND\n" * 2000 + "80%", encoding="utf-8")
    seen: list[int] = []
    import loa.content.normalize as library  # the command imports it when it runs

    original = library.normalize_lines

    def spy(lines: list[str], dictionary: object = None) -> list[str]:
        seen.append(len(lines))
        return original(lines, dictionary)  # type: ignore[arg-type]

    monkeypatch.setattr(library, "normalize_lines", spy)
    result = runner.invoke(app, ["normalize", "-f", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 2001
    assert set(seen) == {1} and len(seen) == 2001


def test_normalize_file_bad_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "hong.txt"
    path.write_bytes("UBND\nxã\n".encode() + b"\xff\xfe hong\n")
    result = runner.invoke(app, ["normalize", "-f", str(path)])
    assert result.exit_code == 2
    assert "dòng 3" in result.output
    assert result.stdout.startswith("Ủy ban nhân dân\nxã\n")


def test_normalize_explain_refuses_a_huge_file(tmp_path: Path) -> None:
    path = tmp_path / "lon.txt"
    path.write_bytes(b"UBND\n" * 300_000)
    result = runner.invoke(app, ["normalize", "--explain", "-f", str(path)])
    assert result.exit_code == 2
    assert "--explain" in result.output
