"""A photo for a message from the dashboard: uploaded with the form (kept once in the station's
anh/ folder, named by its content), or an address; shown on the message's page; removed; and a
form that names a file outside the station folder is refused."""

from __future__ import annotations

import io
import re
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from loa.content.models import Message
from loa.core.station import Station
from tests.web.conftest import csrf_of, log_in


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 90, 200)).save(out, "PNG")
    return out.getvalue()


def fields(client: TestClient, **extra: str) -> dict[str, str]:
    return {
        "csrf": csrf_of(client),
        "title": "Ngày hội dịch vụ công",
        "body": "Cán bộ xã hướng dẫn nộp hồ sơ trực tuyến.",
        "topic": "procedures",
        "priority": "normal",
        "airings": "2",
        "channels": "radio, website",
        **extra,
    }


def image_of(station: Station, message_id: int) -> str | None:
    with station.transaction() as session:
        message = session.get(Message, message_id)
        assert message is not None
        return message.image


def count(station: Station) -> int:
    with station.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Message)) or 0)


def test_a_photo_uploaded_with_a_new_message_is_kept_once_and_shown(
    client: TestClient, web_station: Station
) -> None:
    log_in(client, "lan")
    data = png()
    r = client.post(
        "/messages/new",
        data=fields(client),
        files={"photo": ("ảnh hội nghị.png", data, "image/png")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    message_id = int(re.search(r"/messages/(\d+)", r.headers["location"]).group(1))  # type: ignore[union-attr]
    image = image_of(web_station, message_id)
    assert image is not None and re.fullmatch(r"anh/loa-[0-9a-f]{16}\.png", image)
    assert (web_station.root / image).read_bytes() == data
    page = client.get(f"/messages/{message_id}").text
    assert f'src="/messages/{message_id}/photo"' in page and image in page
    served = client.get(f"/messages/{message_id}/photo")
    assert served.status_code == 200 and served.content == data
    assert served.headers["content-type"] == "image/png"
    # the same photo for a second message is the same file
    again = client.post(
        "/messages/new",
        data=fields(client, title="Tin thứ hai"),
        files={"photo": ("khac-ten.png", data, "image/png")},
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert len(list((web_station.root / "anh").iterdir())) == 1


def test_a_file_that_is_not_a_photo_keeps_the_form_and_saves_nothing(
    client: TestClient, web_station: Station
) -> None:
    log_in(client, "lan")
    before = count(web_station)
    r = client.post(
        "/messages/new",
        data=fields(client),
        files={"photo": ("anh.jpg", b"%PDF-1.4 not a photo", "image/jpeg")},
    )
    assert r.status_code == 400
    assert "không phải ảnh" in r.text and 'value="Ngày hội dịch vụ công"' in r.text
    assert count(web_station) == before and not (web_station.root / "anh").exists()


def test_edit_keeps_replaces_or_removes_the_photo(client: TestClient, web_station: Station) -> None:
    log_in(client, "lan")
    r = client.post(
        "/messages/new",
        data=fields(client, image_url="https://xa.gov.vn/anh/hoi-nghi.jpg"),
        follow_redirects=False,
    )
    message_id = int(r.headers["location"].split("/")[2].split("?")[0])
    assert image_of(web_station, message_id) == "https://xa.gov.vn/anh/hoi-nghi.jpg"
    assert client.get(f"/messages/{message_id}/photo").status_code == 404  # not ours to serve
    edit = f"/messages/{message_id}/edit"
    same = fields(client, image="https://xa.gov.vn/anh/hoi-nghi.jpg")
    assert client.post(edit, data=same, follow_redirects=False).status_code == 303
    assert image_of(web_station, message_id) == "https://xa.gov.vn/anh/hoi-nghi.jpg"
    client.post(edit, data=fields(client), files={"photo": ("a.png", png(), "image/png")})
    kept = image_of(web_station, message_id)
    assert kept is not None and kept.startswith("anh/loa-")
    client.post(edit, data=fields(client, image=kept, image_remove="1"))
    assert image_of(web_station, message_id) is None
    # a new photo given with "remove" ticked is the new photo
    new = fields(client, image_url="https://xa.gov.vn/moi.jpg", image_remove="1")
    client.post(edit, data=new)
    assert image_of(web_station, message_id) == "https://xa.gov.vn/moi.jpg"


def test_a_form_naming_a_photo_outside_the_station_folder_is_refused(
    client: TestClient, web_station: Station, tmp_path: Path
) -> None:
    outside = tmp_path / "ngoai.png"
    outside.write_bytes(png())
    log_in(client, "lan")
    before = count(web_station)
    r = client.post("/messages/new", data=fields(client, image=str(outside)))
    assert r.status_code == 400 and "thư mục đài" in r.text
    assert count(web_station) == before
