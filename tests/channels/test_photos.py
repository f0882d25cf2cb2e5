"""A message's photo file: found from the station folder wherever loa runs, uploaded once per
photo to the station's photo host (WordPress's media library, or the website when it has a
public base_url) and used from there as the Zalo article's cover, which Zalo takes only as an
address. Zalo's fake fetches each cover on 127.0.0.1 the way Zalo would."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from loa.app.publish import publish_message
from loa.channels.base import PermanentError
from loa.channels.media import CACHE_FILE, local_photo, photo_reference
from loa.channels.publish import check_channels
from loa.core.errors import UserError
from loa.core.station import Station
from tests.channels.conftest import NOW, add_message, configure
from tests.channels.fake_graph import FakeGraph
from tests.channels.fake_wordpress import FakeWordPress
from tests.channels.fake_zalo import FakeZalo


def jpeg(path: Path, colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """Write a real 32x24 JPEG and answer its bytes."""
    out = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(out, "JPEG")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())
    return out.getvalue()


@pytest.fixture
def with_wordpress(
    zalo_station: Station, wordpress: FakeWordPress, monkeypatch: pytest.MonkeyPatch
) -> Station:
    configure(zalo_station, "channels.wordpress", url=wordpress.url, user=wordpress.user)
    monkeypatch.setenv("LOA_WORDPRESS_PASSWORD", wordpress.password)
    return zalo_station


@pytest.fixture
def served_site(zalo_station: Station) -> Iterator[tuple[Path, str]]:
    """The website folder served over HTTP on 127.0.0.1, as the commune's web server would."""
    folder = zalo_station.root / "site"
    folder.mkdir()
    handler = partial(SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None  # type: ignore[method-assign,assignment]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield folder, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


# ---------------------------------------------------------------------------------- zalo


def test_a_photo_file_becomes_the_zalo_cover_through_wordpress_uploaded_once(
    with_wordpress: Station, wordpress: FakeWordPress, zalo: FakeZalo, tmp_path: Path
) -> None:
    station = with_wordpress
    data = jpeg(station.root / "anh" / "hop-dan.jpg")
    first = add_message(station, title="Họp dân thôn Đông", image="anh/hop-dan.jpg")
    second = add_message(station, title="Họp dân thôn Tây", image="anh/hop-dan.jpg")
    publish_message(station, first, "zalo", now=NOW)
    publish_message(station, second, "zalo", now=NOW)
    assert len(wordpress.media) == 1  # one photo, one upload
    media = wordpress.media[0]
    assert media["data"] == data and media["mime_type"] == "image/jpeg"
    assert media["slug"] == local_photo(station.root, "anh/hop-dan.jpg").stem
    for article in zalo.articles:
        assert article["cover"]["photo_url"] == media["source_url"]
        assert article["cover_bytes"] == data  # Zalo could fetch it, and it is the photo
        assert article["body"][0] == {"type": "image", "url": media["source_url"]}
    # Without the station's record the upload is still found, by its content-hash slug.
    (station.media_dir / CACHE_FILE).unlink()
    third = add_message(station, title="Họp dân thôn Nam", image="anh/hop-dan.jpg")
    publish_message(station, third, "zalo", now=NOW)
    assert len(wordpress.media) == 1 and len(zalo.articles) == 3
    # A different photo is a different upload.
    jpeg(station.root / "anh" / "khac.jpg", colour=(10, 120, 10))
    fourth = add_message(station, title="Tin khác", image="anh/khac.jpg")
    publish_message(station, fourth, "zalo", now=NOW)
    assert len(wordpress.media) == 2


def test_a_photo_file_becomes_the_zalo_cover_through_the_website(
    zalo_station: Station, zalo: FakeZalo, served_site: tuple[Path, str]
) -> None:
    folder, address = served_site
    configure(zalo_station, "channels.website", folder="site", base_url=address)
    data = jpeg(zalo_station.root / "anh.jpg")
    mid = add_message(zalo_station, image="anh.jpg")
    publish_message(zalo_station, mid, "zalo", now=NOW)
    stem = local_photo(zalo_station.root, "anh.jpg").stem
    article = zalo.articles[0]
    assert article["cover"]["photo_url"] == f"{address}/anh/{stem}.jpg"
    assert article["cover_bytes"] == data
    assert (folder / "anh" / f"{stem}.jpg").read_bytes() == data
    # The website's own page of the message shows the same copy.
    post = publish_message(zalo_station, mid, "website", now=NOW)
    page = (folder / str(post.remote_id)).read_text(encoding="utf-8")
    assert f'<img src="../anh/{stem}.jpg"' in page
    assert sorted(p.name for p in (folder / "anh").iterdir()) == [f"{stem}.jpg"]
    # The site folder wiped (a re-deploy): the next article puts the photo back, never an
    # address of a file that is gone.
    (folder / "anh" / f"{stem}.jpg").unlink()
    again = add_message(zalo_station, title="Tin sau", image="anh.jpg")
    publish_message(zalo_station, again, "zalo", now=NOW)
    assert zalo.articles[-1]["cover_bytes"] == data


def test_with_no_photo_host_the_default_cover_is_used_or_the_refusal_explained(
    zalo_station: Station, zalo: FakeZalo
) -> None:
    jpeg(zalo_station.root / "anh.jpg")
    mid = add_message(zalo_station, image="anh.jpg")  # no WordPress, website without base_url
    publish_message(zalo_station, mid, "zalo", now=NOW)
    article = zalo.articles[0]
    assert article["cover"]["photo_url"] == "https://example.org/cover.jpg"
    assert all(block["type"] == "text" for block in article["body"])
    configure(zalo_station, "channels.zalo", cover_url="")
    other = add_message(zalo_station, title="Tin thứ hai", image="anh.jpg")
    with pytest.raises(PermanentError, match=r"tệp trên máy.*base_url"):
        publish_message(zalo_station, other, "zalo", now=NOW)
    assert len(zalo.articles) == 1


def test_a_missing_or_wrong_photo_is_explained_before_anything_is_posted(
    zalo_station: Station, zalo: FakeZalo, wordpress: FakeWordPress, monkeypatch
) -> None:
    configure(zalo_station, "channels.wordpress", url=wordpress.url, user=wordpress.user)
    monkeypatch.setenv("LOA_WORDPRESS_PASSWORD", wordpress.password)
    gone = add_message(zalo_station, image="anh/khong-co.jpg")
    with pytest.raises(PermanentError, match=r"Không tìm thấy ảnh .*khong-co\.jpg"):
        publish_message(zalo_station, gone, "zalo", now=NOW)
    (zalo_station.root / "ghi-chu.txt").write_text("không phải ảnh", encoding="utf-8")
    text = add_message(zalo_station, title="Tin hai", image="ghi-chu.txt")
    with pytest.raises(PermanentError, match="không phải ảnh"):
        publish_message(zalo_station, text, "wordpress", now=NOW)
    assert zalo.articles == [] and wordpress.media == [] and wordpress.posts == []


def test_a_named_photo_host_that_is_not_set_up_is_refused(
    zalo_station: Station, zalo: FakeZalo
) -> None:
    from loa.core.errors import UserError as Refused

    configure(zalo_station, "channels.zalo", photo_host="wordpress")
    jpeg(zalo_station.root / "anh.jpg")
    mid = add_message(zalo_station, image="anh.jpg")
    with pytest.raises(PermanentError, match=r"\[channels.wordpress\]"):
        publish_message(zalo_station, mid, "zalo", now=NOW)
    results = [r for r in check_channels(zalo_station) if r.channel == "zalo"]
    assert any(not r.ok and "[channels.wordpress]" in r.detail for r in results)
    configure(zalo_station, "channels.zalo", photo_host="ftp")
    with pytest.raises(Refused, match="photo_host"):
        publish_message(zalo_station, mid, "zalo", now=NOW)


def test_check_names_the_photo_host(
    with_wordpress: Station, zalo: FakeZalo, wordpress: FakeWordPress
) -> None:
    results = [r for r in check_channels(with_wordpress) if r.channel == "zalo"]
    assert any(r.ok and "wordpress" in r.detail and wordpress.url in r.detail for r in results)
    configure(with_wordpress, "channels.zalo", photo_host="none")
    results = [r for r in check_channels(with_wordpress) if r.channel == "zalo"]
    assert any("Không có nơi đưa ảnh" in r.detail for r in results)


# ------------------------------------------------------------------ wordpress, facebook


def test_a_wordpress_post_carries_the_photo_as_its_featured_image(
    station: Station, wordpress: FakeWordPress, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(station, "channels.wordpress", url=wordpress.url, user=wordpress.user)
    monkeypatch.setenv("LOA_WORDPRESS_PASSWORD", wordpress.password)
    jpeg(station.root / "anh.png")  # a JPEG saved as .png: its content says what it is
    mid = add_message(station, image="anh.png")
    publish_message(station, mid, "wordpress", now=NOW)
    assert [m["mime_type"] for m in wordpress.media] == ["image/jpeg"]
    assert wordpress.media[0]["source_url"].endswith(".jpg")
    assert wordpress.posts[0]["featured_media"] == wordpress.media[0]["id"]


def test_facebook_finds_the_photo_in_the_station_folder_from_any_folder(
    fb_station: Station, graph: FakeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = jpeg(fb_station.root / "anh" / "mot-cua.jpg")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the daemon's folder is not the station's
    mid = add_message(fb_station, image="anh/mot-cua.jpg")
    publish_message(fb_station, mid, "facebook", now=NOW)
    upload = graph.posts[0]["upload"]
    assert upload == {"filename": "mot-cua.jpg", "size": len(data), "type": "image/jpeg"}


# ------------------------------------------------------------------------- msg --image


def test_a_photo_named_on_the_command_line_is_checked_and_stored_from_the_station(
    station: Station, tmp_path: Path
) -> None:
    jpeg(station.root / "anh" / "a.jpg")
    # Typed from inside the station folder, or relative to it from elsewhere: stored relative.
    assert photo_reference("anh/a.jpg", cwd=station.root, root=station.root) == "anh/a.jpg"
    assert photo_reference("a.jpg", cwd=station.root / "anh", root=station.root) == "anh/a.jpg"
    assert photo_reference("anh/a.jpg", cwd=tmp_path, root=station.root) == "anh/a.jpg"
    outside = tmp_path / "ngoai" / "b.jpg"
    jpeg(outside)
    assert photo_reference("b.jpg", cwd=outside.parent, root=station.root) == str(outside)
    assert photo_reference(" https://x.vn/a.jpg ", cwd=tmp_path, root=station.root) == (
        "https://x.vn/a.jpg"
    )
    assert photo_reference(None, cwd=tmp_path, root=station.root) is None
    with pytest.raises(UserError, match="Không tìm thấy ảnh"):
        photo_reference("khong-co.jpg", cwd=tmp_path, root=station.root)
    (tmp_path / "van-ban.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "gia.jpg").write_text("không phải ảnh", encoding="utf-8")
    for name in ("van-ban.docx", "gia.jpg"):
        with pytest.raises(UserError, match="không phải ảnh"):
            photo_reference(name, cwd=tmp_path, root=station.root)


def test_msg_add_refuses_a_missing_photo_and_keeps_the_queue(
    station: Station, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import func, select
    from typer.testing import CliRunner

    from loa.cli.main import app
    from loa.content.models import Message

    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"COLUMNS": "200"})
    args = ["--station", str(station.root), "msg", "add", "--title", "Tin có ảnh"]
    args += ["--body", "Nội dung.", "--topic", "papi"]
    bad = runner.invoke(app, [*args, "--image", "khong-co.jpg"])
    assert bad.exit_code == 2 and "Không tìm thấy ảnh" in bad.output
    assert "Traceback" not in bad.output
    with station.transaction() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 0
    jpeg(tmp_path / "that.jpg")
    good = runner.invoke(app, [*args, "--image", "that.jpg"])
    assert good.exit_code == 0, good.output
    with station.transaction() as s:
        assert s.scalars(select(Message.image)).one() == str(tmp_path / "that.jpg")


def test_an_import_file_finds_its_photos_beside_it_or_refuses_the_whole_file(
    station: Station, tmp_path: Path
) -> None:
    from sqlalchemy import select
    from typer.testing import CliRunner

    from loa.cli.main import app
    from loa.content.models import Message

    folder = tmp_path / "gui-tu-xa"
    jpeg(folder / "anh" / "mot-cua.jpg")
    table = folder / "tin.csv"
    rows = [
        "tiêu đề,nội dung,chủ đề,ảnh",
        "Bộ phận một cửa,Tiếp nhận hồ sơ cả ngày thứ Bảy.,papi,anh/mot-cua.jpg",
        "Nộp hồ sơ trực tuyến,Qua Cổng dịch vụ công.,papi,anh/khong-co.jpg",
    ]
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    runner = CliRunner(env={"COLUMNS": "200"})
    bad = runner.invoke(app, ["--station", str(station.root), "msg", "import", str(table)])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
    assert "tin.csv" in bad.output and "khong-co.jpg" in bad.output
    with station.transaction() as s:
        assert s.scalars(select(Message)).all() == []  # all or nothing
    table.write_text("\n".join(rows[:2]) + "\n", encoding="utf-8")
    good = runner.invoke(app, ["--station", str(station.root), "msg", "import", str(table)])
    assert good.exit_code == 0, good.output
    with station.transaction() as s:
        assert s.scalars(select(Message.image)).all() == [str(folder / "anh" / "mot-cua.jpg")]
