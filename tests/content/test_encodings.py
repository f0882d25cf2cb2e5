"""Which encoding a file is in: UTF-8 (BOM or not), UTF-16 with BOM, CP1258, TCVN3, VNI; and
refusing what is not text without ever claiming a conversion that did not happen."""

from __future__ import annotations

import hashlib
import random
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from loa.cli.main import app
from loa.content.importer import import_file
from loa.content.vnencoding import decode_bytes, unicode_to_tcvn3, unicode_to_vni
from loa.core.errors import UserError
from loa.core.station import Station

TITLE = "Thông báo lịch tiêm phòng"
BODY = (
    "Ủy ban nhân dân xã thông báo: trạm y tế tổ chức tiêm phòng cho trẻ em vào sáng thứ Hai. "
    "Đề nghị các hộ gia đình đưa trẻ đến đúng giờ, mang theo sổ tiêm chủng. Người dân cần hỗ trợ "
    "liên hệ trưởng thôn."
)
TEXT = f"{TITLE}\nChủ đề: one_stop\n\n{BODY}\n"
TONES = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str, *, precomposed: bool) -> bytes:
    """Text as Windows writes CP1258: tone marks as combining characters after the letter (the
    code page has ă â ê ô ơ ư đ but no toned letters beyond Latin-1's); with `precomposed`, the
    Latin-1 toned letters (á, à, ò...) as their own codes where the code page has them."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if precomposed:
            try:
                out += ch.encode("cp1258")
                continue
            except UnicodeEncodeError:
                pass
        nfd = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in TONES))
        out += (base + "".join(c for c in nfd if c in TONES)).encode("cp1258")
    return bytes(out)


def digest(station: Station) -> str:
    return hashlib.sha256((station.root / "loa.db").read_bytes()).hexdigest()


def imported(station: Station, path: Path) -> tuple[str, str, str]:
    with station.transaction() as s:
        report = import_file(s, path)
        (message,) = report.created
        return message.title, message.body, report.encoding


@pytest.mark.parametrize("precomposed", [False, True])
def test_cp1258_file_imports_as_vietnamese(
    station: Station, tmp_path: Path, precomposed: bool
) -> None:
    data = cp1258(TEXT, precomposed=precomposed)
    with pytest.raises(UnicodeEncodeError):
        TEXT.encode("cp1258")  # NFC Vietnamese has no CP1258 codes: the bytes above are real
    assert b"\xcc" in data or b"\xec" in data  # combining grave / hook below are in the bytes
    path = tmp_path / "cp1258.txt"
    path.write_bytes(data)
    title, body, encoding = imported(station, path)
    assert (title, body) == (TITLE, BODY)
    assert unicodedata.is_normalized("NFC", body)
    assert encoding == "cp1258"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom_is_unicode_not_a_conversion(
    station: Station, tmp_path: Path, codec: str
) -> None:
    bom = b"\xff\xfe" if codec.endswith("le") else b"\xfe\xff"
    path = tmp_path / "utf16.txt"
    path.write_bytes(bom + TEXT.replace("\n", "\r\n").encode(codec))
    assert imported(station, path) == (TITLE, BODY, "unicode")


def test_utf16_csv(station: Station, tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_bytes(f"tiêu đề,nội dung,chủ đề\n{TITLE},Bà con chú ý.,one_stop\n".encode("utf-16"))
    assert imported(station, path) == (TITLE, "Bà con chú ý.", "unicode")


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_utf8_with_and_without_bom(station: Station, tmp_path: Path, bom: bytes) -> None:
    path = tmp_path / "utf8.txt"
    path.write_bytes(bom + unicodedata.normalize("NFD", TEXT).encode("utf-8"))
    assert imported(station, path) == (TITLE, BODY, "unicode")


def test_tcvn3_and_vni_files_still_convert(station: Station, tmp_path: Path) -> None:
    lower = "thông báo lịch tiêm phòng\nchủ đề: one_stop\n\nđề nghị bà con đưa trẻ đến đúng giờ.\n"
    tcvn3 = tmp_path / "tcvn3.txt"
    tcvn3.write_bytes(unicode_to_tcvn3(lower).encode("latin-1"))
    assert imported(station, tcvn3) == (
        "thông báo lịch tiêm phòng",
        "đề nghị bà con đưa trẻ đến đúng giờ.",
        "tcvn3",
    )
    vni = tmp_path / "vni.txt"
    vni.write_bytes(unicode_to_vni(TEXT).encode("latin-1"))
    assert imported(station, vni) == (TITLE, BODY, "vni")


def random_bytes(size: int, *, nul: bool) -> bytes:
    rng = random.Random(17)
    data = bytes(rng.randrange(256) for _ in range(size))
    return data if nul else data.replace(b"\x00", b"\x01")


@pytest.mark.parametrize("nul", [True, False])
@pytest.mark.parametrize("suffix", [".txt", ".csv", ".md", ".yaml"])
def test_random_bytes_are_refused_and_change_nothing(
    sample_station: Station, tmp_path: Path, nul: bool, suffix: str
) -> None:
    path = tmp_path / f"rac{suffix}"
    path.write_bytes(random_bytes(4096, nul=nul))
    before = digest(sample_station)
    with pytest.raises(UserError, match=rf"rac\{suffix} không phải tệp văn bản"):
        with sample_station.transaction() as s:
            import_file(s, path)
    assert digest(sample_station) == before


def test_text_with_a_nul_byte_is_binary() -> None:
    assert decode_bytes(TEXT.encode() + b"\x00") is None
    assert decode_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256))) is None


def test_decode_names_what_it_did() -> None:
    assert decode_bytes(TEXT.encode()) == (TEXT, "utf-8")
    assert decode_bytes(TEXT.encode("utf-16")) == (TEXT, "utf-16")
    assert decode_bytes(b"") == ("", "utf-8")
    assert decode_bytes("Café crème".encode("latin-1")) == ("Café crème", "cp1258")


runner = CliRunner()


def test_cli_never_claims_a_conversion_that_did_not_happen(
    station: Station, tmp_path: Path
) -> None:
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes(TEXT.encode("utf-16"))
    result = runner.invoke(app, ["--station", str(station.root), "msg", "import", str(utf16)])
    assert result.exit_code == 0, result.output
    assert "bảng mã" not in result.output
    legacy = tmp_path / "cp1258.txt"
    legacy.write_bytes(cp1258(TEXT.replace(TITLE, "Họp dân"), precomposed=False))
    result = runner.invoke(app, ["--station", str(station.root), "msg", "import", str(legacy)])
    assert result.exit_code == 0, result.output
    assert "CP1258" in result.output
    junk = tmp_path / "rac.txt"
    junk.write_bytes(random_bytes(2048, nul=True))
    result = runner.invoke(app, ["--station", str(station.root), "msg", "import", str(junk)])
    assert result.exit_code == 2
    assert "không phải tệp văn bản" in result.output
    assert "TCVN3" not in result.output.split("(")[0]
