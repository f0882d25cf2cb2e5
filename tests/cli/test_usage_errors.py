"""Typer/Click's own usage errors speak Vietnamese by default, with the suggestion kept."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from loa.cli.common import vietnamese_usage_error
from loa.cli.main import app
from loa.core.i18n import set_language

runner = CliRunner(env={"COLUMNS": "200"})


@pytest.fixture(autouse=True)
def vietnamese():  # type: ignore[no-untyped-def]
    set_language("vi")
    yield
    set_language("vi")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["msg", "lst"], "Lỗi: Không có lệnh 'lst'. Có phải ý bạn là 'list'?"),
        (["msg", "list", "--bogus"], "Lỗi: Không có tùy chọn --bogus."),
        (["msg", "list", "extra"], "Lỗi: Thừa tham số: extra."),
        (["msg", "show"], "Lỗi: Thiếu tham số 'message_id'."),
        (["plan", "--days", "abc"], "cần một số nguyên."),
        (["plan", "--days", "999"], "cần nhỏ hơn hoặc bằng 366."),
        # (Typer raises this one before it knows the command: no usage line to show)
        (["plan", "--days"], "Lỗi: Tùy chọn '--days' cần một giá trị."),
    ],
)
def test_usage_errors_in_vietnamese(args: list[str], expected: str) -> None:
    result = runner.invoke(app, args, prog_name="loa")
    assert result.exit_code == 2
    assert expected in result.output, result.output
    if args != ["plan", "--days"]:
        assert "Cách dùng: loa" in result.output and "Xem hướng dẫn: loa" in result.output
    assert "Usage:" not in result.output and "Error:" not in result.output


def test_english_when_asked() -> None:
    set_language("en")
    result = runner.invoke(app, ["msg", "lst"], prog_name="loa")
    assert result.exit_code == 2
    assert "No such command 'lst'. Did you mean 'list'?" in result.output
    assert "Usage: loa msg" in result.output


def test_an_unknown_form_passes_through_unchanged() -> None:
    assert vietnamese_usage_error("Something new from Typer.") == "Something new from Typer."
