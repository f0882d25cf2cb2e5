"""The Zalo OA channel against a fake Zalo OpenAPI + OAuth v4 server on 127.0.0.1: articles once
only, token rotation stored before use, a lost answer reconciled, broadcasts and their quota,
and no secret ever in output, logs or the database."""

from __future__ import annotations

import json
import logging
import random
import stat
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from loa.app.publish import publish_message, reconcile
from loa.channels.base import PermanentError, TransientError, marker
from loa.channels.models import AsRunRecord, Publication
from loa.channels.outbox import claim
from loa.channels.publish import check_channels, configured_channels
from loa.channels.runtime import Runtime
from loa.channels.zalo import SECRETS_FILE, FileStore, TokenPair, ZaloChannel
from loa.channels.zalo_login import login
from loa.core.i18n import set_language
from loa.core.station import Station
from tests.channels.conftest import NOW, add_message, configure
from tests.channels.fake_zalo import FakeZalo

pytestmark = pytest.mark.usefixtures("no_keyring")


def runtime(sleeps: list[float]) -> Runtime:
    return Runtime(sleep=sleeps.append, rng=random.Random(7))


def stored(station: Station, zalo: FakeZalo) -> TokenPair:
    text = FileStore(station.root / SECRETS_FILE, zalo.app_secret).get()
    assert text is not None
    return TokenPair.from_json(text)


def creates(zalo: FakeZalo) -> int:
    return sum(1 for m, p in zalo.requests if p.endswith("/article/create"))


# ------------------------------------------------------------------------------- articles


def test_publish_creates_one_article_then_nothing_on_repeat(
    zalo_station: Station, zalo: FakeZalo
) -> None:
    mid = add_message(zalo_station)
    pub = publish_message(zalo_station, mid, "zalo", now=NOW)
    assert pub.status == "published"
    assert [a["id"] for a in zalo.articles] == [pub.remote_id]
    article = zalo.articles[0]
    assert article["title"] == "Đăng ký khai sinh trực tuyến"
    assert article["status"] == "show" and article["type"] == "normal"
    assert article["cover"]["photo_url"] == "https://example.org/cover.jpg"
    assert "Cổng dịch vụ công quốc gia" in article["body"][0]["content"]
    assert article["body"][-1]["content"].endswith(marker(pub.key))
    again = publish_message(zalo_station, mid, "zalo", now=NOW + timedelta(minutes=5))
    assert again.id == pub.id and again.remote_id == pub.remote_id
    assert len(zalo.articles) == 1 and creates(zalo) == 1
    assert zalo.broadcasts == []  # a normal-priority message is not broadcast
    with zalo_station.transaction() as s:
        runs = s.scalars(select(AsRunRecord)).all()
        assert [(r.channel, r.remote_id) for r in runs] == [("zalo", pub.remote_id)]


def test_zalo_is_registered_and_configured_only_with_an_oa(
    station: Station, zalo_station: Station
) -> None:
    from loa.core.registry import channel_label, channel_words

    assert channel_label("zalo") == "Zalo OA"
    assert channel_words()["zalo oa"] == "zalo"
    assert "zalo" in configured_channels(zalo_station)
    configure(zalo_station, "channels.zalo", enabled=False)
    assert "zalo" not in configured_channels(zalo_station)


def test_transient_errors_are_retried(
    zalo_station: Station, zalo: FakeZalo, sleeps: list[float]
) -> None:
    zalo.fail("article/create", "500", times=2)  # Zalo's own error body: nothing made
    mid = add_message(zalo_station)
    pub = publish_message(zalo_station, mid, "zalo", now=NOW, runtime=runtime(sleeps))
    assert pub.status == "published" and pub.attempts == 3
    assert len(zalo.articles) == 1 and len(sleeps) == 2


def test_a_rate_limit_puts_the_article_off(
    zalo_station: Station, zalo: FakeZalo, sleeps: list[float]
) -> None:
    zalo.fail("article/create", "rate")
    mid = add_message(zalo_station)
    with pytest.raises(TransientError, match="giới hạn"):
        publish_message(zalo_station, mid, "zalo", now=NOW, runtime=runtime(sleeps))
    assert sleeps == [] and creates(zalo) == 1
    later = NOW + timedelta(seconds=5)
    pub = publish_message(zalo_station, mid, "zalo", now=later, runtime=runtime(sleeps))
    assert pub.status == "published" and len(zalo.articles) == 1


def test_permission_refusal_is_permanent_and_explained(
    zalo_station: Station, zalo: FakeZalo, sleeps: list[float]
) -> None:
    zalo.fail("article/create", "permission")
    mid = add_message(zalo_station)
    with pytest.raises(PermanentError) as info:
        publish_message(zalo_station, mid, "zalo", now=NOW, runtime=runtime(sleeps))
    assert "-224" in str(info.value) and "quyền" in str(info.value) and sleeps == []
    set_language("en")
    zalo.fail("article/create", "moderation")
    other = add_message(zalo_station, title="Khác")
    with pytest.raises(PermanentError, match="moderation refused"):
        publish_message(zalo_station, other, "zalo", now=NOW, runtime=runtime(sleeps))


def test_a_missing_cover_is_explained(zalo_station: Station, zalo: FakeZalo) -> None:
    configure(zalo_station, "channels.zalo", cover_url="")
    mid = add_message(zalo_station)
    with pytest.raises(PermanentError, match="ảnh bìa"):
        publish_message(zalo_station, mid, "zalo", now=NOW)
    assert zalo.articles == []


# --------------------------------------------------------------------------------- tokens


def test_token_expiry_mid_run_refreshes_once_and_retries(
    zalo_station: Station, zalo: FakeZalo
) -> None:
    first_refresh = zalo.refresh_token
    one, two = add_message(zalo_station), add_message(zalo_station, title="Tin hai")
    rt = Runtime()
    try:
        publish_message(zalo_station, one, "zalo", now=NOW, runtime=rt)
        zalo.expire()  # the access token dies between two posts of the same run
        pub = publish_message(zalo_station, two, "zalo", now=NOW, runtime=rt)
    finally:
        rt.close()
    assert pub.status == "published" and len(zalo.articles) == 2
    assert zalo.used_refresh[0] == first_refresh and len(zalo.used_refresh) == 2
    pair = stored(zalo_station, zalo)
    assert pair.refresh_token == zalo.refresh_token  # the latest single-use token is kept
    assert pair.access_token in zalo.access_tokens


def test_rotation_is_stored_before_the_new_token_is_used(
    zalo_station: Station, zalo: FakeZalo
) -> None:
    seen: list[tuple[str, str | None, bool]] = []

    def on_new_token(token: str) -> None:  # called by the fake on the token's first use
        pair = stored(zalo_station, zalo)
        seen.append((token, pair.access_token, pair.refresh_token == zalo.refresh_token))

    zalo.on_new_token = on_new_token
    mid = add_message(zalo_station)
    publish_message(zalo_station, mid, "zalo", now=NOW)
    zalo.expire()
    publish_message(zalo_station, add_message(zalo_station, title="Hai"), "zalo", now=NOW)
    assert len(seen) == 2
    for token, stored_access, refresh_is_current in seen:
        assert stored_access == token
        assert refresh_is_current  # the stored refresh token is the one that still works


def test_the_environment_refresh_token_is_used_once(zalo_station: Station, zalo: FakeZalo) -> None:
    publish_message(zalo_station, add_message(zalo_station), "zalo", now=NOW)
    # LOA_ZALO_REFRESH_TOKEN still holds the used token: the stored pair is what counts now
    zalo.expire()
    pub = publish_message(zalo_station, add_message(zalo_station, title="Hai"), "zalo", now=NOW)
    assert pub.status == "published"


def test_a_refused_refresh_says_to_log_in_again(
    zalo_station: Station, zalo: FakeZalo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOA_ZALO_REFRESH_TOKEN", "REFRESH-stale-SECRET-9")
    mid = add_message(zalo_station)
    with pytest.raises(PermanentError) as info:
        publish_message(zalo_station, mid, "zalo", now=NOW)
    text = str(info.value)
    assert "loa channels zalo login" in text and "-14014" in text
    assert "REFRESH-stale-SECRET-9" not in text
    with zalo_station.transaction() as s:
        assert s.scalars(select(Publication)).one().status == "failed"


def test_no_secret_is_explained(
    zalo_station: Station, zalo: FakeZalo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOA_ZALO_APP_SECRET")
    with pytest.raises(PermanentError, match="LOA_ZALO_APP_SECRET"):
        publish_message(zalo_station, add_message(zalo_station), "zalo", now=NOW)


def test_login_stores_the_refresh_token_and_rotates_it(
    zalo_station: Station, zalo: FakeZalo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOA_ZALO_REFRESH_TOKEN")
    first = zalo.refresh_token
    text = login(zalo_station, first + "\n")
    assert zalo.used_refresh == [first] and first not in text
    assert stored(zalo_station, zalo).refresh_token == zalo.refresh_token
    path = zalo_station.root / SECRETS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    raw = path.read_bytes()
    assert all(s.encode() not in raw for s in zalo.secrets())
    pub = publish_message(zalo_station, add_message(zalo_station), "zalo", now=NOW)
    assert pub.status == "published"


def test_pkce_login_prints_the_address_and_exchanges_the_code(
    zalo_station: Station, zalo: FakeZalo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from urllib.parse import parse_qs, urlsplit

    from loa.channels.zalo import PKCE_FILE, code_challenge
    from loa.channels.zalo_login import login_url, login_with_code

    monkeypatch.delenv("LOA_ZALO_REFRESH_TOKEN")
    with pytest.raises(PermanentError, match="redirect_uri"):
        login_url(zalo_station)
    configure(zalo_station, "channels.zalo", redirect_uri="https://xa.example.vn/zalo")
    with pytest.raises(PermanentError, match="login --url"):
        login_with_code(zalo_station, "CODE-x")  # nothing started yet
    url, explanation = login_url(zalo_station)
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}" == zalo.url and parts.path == "/v4/oa/permission"
    assert set(query) == {"app_id", "redirect_uri", "code_challenge", "state"}
    assert query["app_id"] == zalo.app_id and query["redirect_uri"] == "https://xa.example.vn/zalo"
    assert "login --code" in explanation
    # the verifier is kept encrypted (0600) next to the tokens, never in the address
    path = zalo_station.root / PKCE_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    waiting = json.loads(FileStore(path, zalo.app_secret).get() or "{}")
    assert code_challenge(waiting["code_verifier"]) == query["code_challenge"]
    assert waiting["code_verifier"] not in url and waiting["code_verifier"].encode() not in (
        path.read_bytes()
    )
    back = zalo.authorise(url)
    # a forged state is refused before anything goes to Zalo
    forged = back.replace(f"state={query['state']}", "state=forged")
    with pytest.raises(PermanentError, match="state"):
        login_with_code(zalo_station, forged)
    text = login_with_code(zalo_station, back)  # the whole return address, pasted
    assert "Đã lưu refresh token" in text
    assert zalo.used_codes and zalo.used_codes[0][1] == waiting["code_verifier"]
    assert stored(zalo_station, zalo).refresh_token == zalo.refresh_token
    assert not path.exists()  # a code works once: the verifier is forgotten
    assert all(s not in text + explanation for s in zalo.secrets())
    pub = publish_message(zalo_station, add_message(zalo_station), "zalo", now=NOW)
    assert pub.status == "published"


def test_pkce_code_refused_is_explained(zalo_station: Station, zalo: FakeZalo) -> None:
    from loa.channels.zalo_login import login_url, login_with_code

    configure(zalo_station, "channels.zalo", redirect_uri="https://xa.example.vn/zalo")
    login_url(zalo_station)
    with pytest.raises(PermanentError, match="login --url") as info:
        login_with_code(zalo_station, "CODE-never-issued")
    assert "-14019" in str(info.value)


def test_cli_login_url_and_code(
    zalo_station: Station, zalo: FakeZalo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from loa.cli.main import app

    monkeypatch.delenv("LOA_ZALO_REFRESH_TOKEN")
    runner = CliRunner(env={"COLUMNS": "200"})
    args = ["--station", str(zalo_station.root), "channels", "zalo", "login"]
    result = runner.invoke(app, [*args, "--url", "--redirect-uri", "https://xa.example.vn/cb"])
    assert result.exit_code == 0, result.output
    url = next(line for line in result.output.splitlines() if "/v4/oa/permission?" in line)
    assert "Quản trị viên OA mở địa chỉ sau" in result.output
    code = parse_code_of(zalo.authorise(url.strip()))
    done = runner.invoke(app, [*args, "--code"], input=code + "\n")
    assert done.exit_code == 0, done.output
    assert "Đã lưu refresh token" in done.output and code not in done.output
    assert stored(zalo_station, zalo).refresh_token == zalo.refresh_token


def parse_code_of(address: str) -> str:
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(address).query)["code"][0]


# ------------------------------------------------------------------------ lost answers


def test_an_answer_lost_after_create_is_found_not_posted_again(
    zalo_station: Station, zalo: FakeZalo, sleeps: list[float]
) -> None:
    from loa.channels.outbox import Uncertain

    zalo.fail("article/create", "lost")
    mid = add_message(zalo_station)
    with pytest.raises(Uncertain):
        publish_message(zalo_station, mid, "zalo", now=NOW, runtime=runtime(sleeps))
    later = NOW + timedelta(seconds=10)
    pub = publish_message(zalo_station, mid, "zalo", now=later, runtime=runtime(sleeps))
    assert pub.status == "published"
    assert len(zalo.articles) == 1 and pub.remote_id == zalo.articles[0]["id"]


def _crash_after_article(station: Station, mid: int) -> tuple[Publication, str]:
    """A process claimed the key (freezing its item), created the article, and died before
    recording it. Returns the claimed publication and its key."""
    from loa.channels.items import message_item
    from loa.content.models import Message

    key = f"manual:{mid}:zalo"
    with station.transaction() as s:
        item = message_item(s.get(Message, mid), "zalo", key, due_at=NOW)  # type: ignore[arg-type]
    publication, _ = claim(
        station,
        key,
        channel="zalo",
        now=NOW,
        message_id=mid,
        plan_entry_id=None,
        due_at=NOW,
        item=item,
    )
    channel = ZaloChannel.from_station(station)
    try:
        channel.create_article(item, now=NOW)
    finally:
        channel.close()
    return publication, key


def test_reconcile_after_a_crash_finds_the_article(zalo_station: Station, zalo: FakeZalo) -> None:
    mid = add_message(zalo_station)
    publication, _key = _crash_after_article(zalo_station, mid)
    changed = reconcile(zalo_station, now=NOW + timedelta(minutes=10))
    assert [(p.id, p.status, p.remote_id) for p in changed] == [
        (publication.id, "published", zalo.articles[0]["id"])
    ]
    again = publish_message(zalo_station, mid, "zalo", now=NOW + timedelta(minutes=11))
    assert again.status == "published" and len(zalo.articles) == 1 and creates(zalo) == 1


def test_an_article_found_by_a_look_up_still_gets_its_broadcast(
    zalo_station: Station, zalo: FakeZalo
) -> None:
    """The answer to the article was lost; the reconcile finds it, and its broadcast then goes
    out under its own key, once (before, a found article was never broadcast)."""
    from loa.app.publish import reconcile as app_reconcile

    mid = add_message(zalo_station, priority="urgent")
    _publication, key = _crash_after_article(zalo_station, mid)
    assert zalo.broadcasts == []
    changed = app_reconcile(zalo_station, now=NOW + timedelta(minutes=10))
    assert [p.status for p in changed] == ["published"]
    assert len(zalo.broadcasts) == 1 and len(zalo.articles) == 1
    with zalo_station.transaction() as s:
        broadcast = s.scalars(
            select(Publication).where(Publication.key == f"{key}:broadcast")
        ).one()
    assert broadcast.status == "published" and broadcast.item is not None
    assert broadcast.item["extra"]["article_id"] == zalo.articles[0]["id"]
    app_reconcile(zalo_station, now=NOW + timedelta(minutes=20))
    publish_message(zalo_station, mid, "zalo", now=NOW + timedelta(minutes=21))
    assert len(zalo.broadcasts) == 1 and len(zalo.articles) == 1


# ----------------------------------------------------------------------------- broadcasts


def test_a_high_priority_message_is_broadcast_once(zalo_station: Station, zalo: FakeZalo) -> None:
    configure(zalo_station, "channels.zalo.target", cities="4", platform="1")
    mid = add_message(zalo_station, priority="high")
    pub = publish_message(zalo_station, mid, "zalo", now=NOW)
    assert pub.status == "published"
    assert zalo.broadcasts == [
        {"article_id": pub.remote_id, "target": {"cities": "4", "platform": "1"}}
    ]
    quota_calls = [i for i, (m, p) in enumerate(zalo.requests) if p.endswith("/quota/message")]
    send_calls = [i for i, (m, p) in enumerate(zalo.requests) if p.endswith("/oa/message")]
    assert quota_calls and quota_calls[0] < send_calls[0]  # quota is checked first
    publish_message(zalo_station, mid, "zalo", now=NOW + timedelta(hours=1))
    with zalo_station.transaction() as s:
        rows = {p.key: p.status for p in s.scalars(select(Publication))}
    assert rows == {f"manual:{mid}:zalo": "published", f"manual:{mid}:zalo:broadcast": "published"}
    assert len(zalo.broadcasts) == 1 and zalo.quota_remain == 3
    # the report counts one Zalo post for the message, and its broadcast apart
    from loa.report.figures import build_report

    report = build_report(zalo_station, NOW.date(), NOW.date(), now=NOW + timedelta(hours=2))
    assert report.totals.posts.get("zalo") == 1 and report.totals.broadcasts == {"zalo": 1}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_reports_show_broadcasts_next_to_the_zalo_posts(
    zalo_station: Station, zalo: FakeZalo, tmp_path, lang: str
) -> None:
    from docx import Document
    from openpyxl import load_workbook

    from loa.report import build_report, write_report

    for priority in ("high", "normal"):
        publish_message(zalo_station, add_message(zalo_station, priority=priority), "zalo", now=NOW)
    set_language(lang)
    try:
        report = build_report(zalo_station, NOW.date(), NOW.date(), now=NOW + timedelta(hours=2))
        files = write_report(report, tmp_path / "out")
    finally:
        set_language("vi")
    text = "\n".join(p.text for p in Document(str(files.docx)).paragraphs)
    rows = {
        r[0]: r[1:] for r in load_workbook(files.xlsx).worksheets[0].iter_rows(values_only=True)
    }
    if lang == "vi":
        assert "Zalo OA: 2 bài (1 lần gửi tới người quan tâm)" in text
        assert rows["broadcasts.zalo"] == ("Số lần gửi tới người quan tâm trên Zalo OA", 1)
    else:
        assert "Zalo OA: 2 posts (1 sent to followers)" in text
        assert rows["broadcasts.zalo"] == ("Sent to followers on Zalo OA", 1)
    assert rows["posts.zalo"][1] == 2


def test_quota_exhausted_refuses_the_broadcast_and_says_why(
    zalo_station: Station, zalo: FakeZalo
) -> None:
    zalo.quota_remain = 0
    mid = add_message(zalo_station, priority="urgent")
    pub = publish_message(zalo_station, mid, "zalo", now=NOW)
    assert pub.status == "published" and len(zalo.articles) == 1
    assert zalo.broadcasts == []
    with zalo_station.transaction() as s:
        broadcast = s.scalars(
            select(Publication).where(Publication.key == f"manual:{mid}:zalo:broadcast")
        ).one()
        note = s.scalars(select(AsRunRecord.note)).one()
    assert broadcast.status == "failed" and "hết lượt gửi" in (broadcast.error or "")
    assert note is not None and "chưa gửi tới người quan tâm" in note


def test_no_broadcast_outside_zalo_hours(zalo_station: Station, zalo: FakeZalo) -> None:
    mid = add_message(zalo_station, priority="high")
    late = NOW.replace(hour=21)
    pub = publish_message(zalo_station, mid, "zalo", now=late)
    assert pub.status == "published" and zalo.broadcasts == []
    with zalo_station.transaction() as s:
        broadcast = s.scalars(select(Publication).where(Publication.key.like("%:broadcast"))).one()
    assert broadcast.status == "skipped" and "06:00 đến 20:00" in (broadcast.error or "")


def test_the_monthly_broadcast_budget_is_kept_when_sending(
    zalo_station: Station, zalo: FakeZalo
) -> None:
    configure(zalo_station, "channels.zalo", broadcasts_per_month=1)
    first = add_message(zalo_station, priority="high")
    second = add_message(zalo_station, priority="urgent")
    publish_message(zalo_station, first, "zalo", now=NOW)
    pub = publish_message(zalo_station, second, "zalo", now=NOW + timedelta(hours=1))
    assert pub.status == "published" and len(zalo.articles) == 2
    assert len(zalo.broadcasts) == 1
    with zalo_station.transaction() as s:
        broadcast = s.scalars(
            select(Publication).where(Publication.key == f"manual:{second}:zalo:broadcast")
        ).one()
    assert broadcast.status == "skipped" and "đã gửi 1/1 lần" in (broadcast.error or "")


def test_the_planners_article_only_decision_binds_the_channel(
    zalo_station: Station, zalo: FakeZalo
) -> None:
    """A high-priority entry the planner left out of the month's budget (broadcast False) is
    posted as an article and never broadcast, although its priority would broadcast."""
    from loa.app.publish import publish_entry
    from loa.planning.models import PlanEntry

    mids = [add_message(zalo_station, priority="high") for _ in range(2)]
    with zalo_station.transaction() as s:
        entries = [
            PlanEntry(message_id=mid, channel="zalo", scheduled_at=NOW, broadcast=decided)
            for mid, decided in zip(mids, (False, True), strict=True)
        ]
        s.add_all(entries)
        s.flush()
        ids = [e.id for e in entries]
    for entry_id in ids:
        assert publish_entry(zalo_station, entry_id, now=NOW).status == "published"
    assert len(zalo.articles) == 2 and len(zalo.broadcasts) == 1
    with zalo_station.transaction() as s:
        keys = set(s.scalars(select(Publication.key)))
    assert keys == {f"plan:{ids[0]}:zalo", f"plan:{ids[1]}:zalo", f"plan:{ids[1]}:zalo:broadcast"}


def test_a_broadcast_interrupted_is_never_sent_twice(zalo_station: Station, zalo: FakeZalo) -> None:
    zalo.fail("oa/message", "lost")  # Zalo sent it; the answer never came back
    mid = add_message(zalo_station, priority="high")
    publish_message(zalo_station, mid, "zalo", now=NOW)
    assert len(zalo.broadcasts) == 1
    with zalo_station.transaction() as s:
        broadcast = s.scalars(select(Publication).where(Publication.key.like("%:broadcast"))).one()
    assert broadcast.status == "uncertain"  # the officer confirms it; never sent blindly
    publish_message(zalo_station, mid, "zalo", now=NOW + timedelta(hours=1))
    assert len(zalo.broadcasts) == 1


# ------------------------------------------------------------------------- check, secrets


def test_check_shows_the_oa_token_expiry_and_quota(zalo_station: Station, zalo: FakeZalo) -> None:
    results = [r for r in check_channels(zalo_station) if r.channel == "zalo"]
    text = " | ".join(r.detail for r in results)
    assert all(r.ok for r in results), text
    assert "UBND Xã Thử Nghiệm" in text and "1234 người quan tâm" in text
    assert "còn hạn đến" in text and "còn 4/4" in text


def test_a_refresh_token_about_to_lapse_is_an_alert_and_a_rotation_renews_it(
    zalo_station: Station, zalo: FakeZalo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The refresh token lives about 90 days from the rotation that issued it: from 14 days
    before, the Today page and `loa today` say so (offline); a rotation clears the alert."""
    from datetime import UTC, datetime

    from loa.app.dashboard import credential_alerts

    assert check_channels(zalo_station)  # logs in: a rotation stores the issue time
    pair = stored(zalo_station, zalo)
    assert pair.issued_at is not None and credential_alerts(zalo_station) == []
    store = FileStore(zalo_station.root / SECRETS_FILE, zalo.app_secret)
    requests = len(zalo.requests)
    for age, expected in ((80, "còn 10 ngày"), (91, "đã hết hạn ngày")):
        aged = TokenPair(
            pair.refresh_token,
            pair.access_token,
            pair.expires_at,
            datetime.now(UTC) - timedelta(days=age),
        )
        store.put(aged.to_json())
        alerts = credential_alerts(zalo_station)
        assert [a.kind for a in alerts] == ["credentials"], alerts
        assert alerts[0].text.startswith("Zalo OA: Mã làm mới") and expected in alerts[0].text
        assert pair.refresh_token not in alerts[0].text
    assert len(zalo.requests) == requests  # the alert made no call to Zalo
    store.put(TokenPair(pair.refresh_token, None, None, aged.issued_at).to_json())
    assert check_channels(zalo_station)  # the access token is gone: rotates
    assert credential_alerts(zalo_station) == []
    monkeypatch.delenv("LOA_ZALO_APP_SECRET")
    alerts = credential_alerts(zalo_station)
    assert len(alerts) == 1 and "LOA_ZALO_APP_SECRET" in alerts[0].text, alerts


def test_no_secret_in_output_logs_or_database(
    zalo_station: Station, zalo: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    mid = add_message(zalo_station, priority="high")
    publish_message(zalo_station, mid, "zalo", now=NOW)
    zalo.expire()
    zalo.fail("article/create", "expired", times=2)  # refused even after the refresh
    with pytest.raises(PermanentError) as info:
        publish_message(zalo_station, add_message(zalo_station, title="Hai"), "zalo", now=NOW)
    assert "-216" in str(info.value)
    results = check_channels(zalo_station)
    texts = [str(info.value), caplog.text, json.dumps([r.__dict__ for r in results])]
    secrets = zalo.secrets()
    assert len(secrets) >= 5
    for secret in secrets:
        assert all(secret not in t for t in texts), secret
    db = (zalo_station.root / "loa.db").read_bytes()
    toml = (zalo_station.root / "loa.toml").read_bytes()
    for secret in secrets:
        assert secret.encode() not in db and secret.encode() not in toml


# ---------------------------------------------------------------------------------- CLI


def test_cli_login_reads_the_token_from_stdin_and_check_lists_unconfigured(
    zalo_station: Station, zalo: FakeZalo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from loa.cli.main import app

    monkeypatch.delenv("LOA_ZALO_REFRESH_TOKEN")
    runner = CliRunner(env={"COLUMNS": "200"})
    first = zalo.refresh_token
    args = ["--station", str(zalo_station.root), "channels"]
    result = runner.invoke(app, [*args, "zalo", "login"], input=first + "\n")
    assert result.exit_code == 0, result.output
    assert "Đã lưu refresh token" in result.output and first not in result.output
    assert zalo.used_refresh == [first]
    empty = runner.invoke(app, [*args, "zalo", "login"], input="\n")
    assert empty.exit_code != 0 and "loa channels zalo login <" in empty.output
    check = runner.invoke(app, [*args, "check"])
    assert "UBND Xã Thử Nghiệm" in check.output and "còn 4/4" in check.output, check.output
    assert "facebook: chưa cấu hình" in check.output
    assert all(s not in check.output + result.output for s in zalo.secrets())


def test_check_says_zalo_is_not_configured_on_the_sample(sample_station: Station) -> None:
    from typer.testing import CliRunner

    from loa.cli.main import app

    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app, ["--station", str(sample_station.root), "channels", "check"]
    )
    assert "zalo: chưa cấu hình" in result.output, result.output


# ------------------------------------------------------------------- SIGKILL of a real loa


def _loa_env(station: Station, zalo: FakeZalo, first_refresh: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("LOA_")}
    env.update(
        {
            "LOA_STATION": str(station.root),
            "LOA_ZALO_APP_SECRET": zalo.app_secret,
            "LOA_ZALO_REFRESH_TOKEN": first_refresh,
            "COLUMNS": "200",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }
    )
    return env


def _midday_somewhere(station: Station) -> None:
    """Put the station in a timezone where it is about noon now, so broadcasts are allowed."""
    from datetime import UTC, datetime

    offset = (12 - datetime.now(UTC).hour) % 24
    offset = offset - 24 if offset > 14 else offset
    zone = "Etc/GMT" + (f"-{offset}" if offset > 0 else f"+{-offset}" if offset else "")
    configure(station, "station", timezone=zone)


@pytest.mark.slow
@pytest.mark.parametrize("route", ["article/create", "oa/message"])
def test_sigkill_between_the_remote_call_and_the_record(
    zalo_station: Station, zalo: FakeZalo, route: str
) -> None:
    """A real `loa publish` dies after Zalo acted (the article made, or the broadcast sent)
    and before the record: afterwards exactly one article and at most one broadcast."""
    import os
    import signal
    import subprocess

    from tests.channels.test_channels_cli import loa_cmd

    _midday_somewhere(zalo_station)
    env = _loa_env(zalo_station, zalo, zalo.refresh_token)
    mid = add_message(zalo_station, priority="high")
    publish = [*loa_cmd(), "publish", "--message", str(mid), "--channel", "zalo", "--now"]
    zalo.hold = {route}
    proc = subprocess.Popen(publish, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert zalo.received.wait(60), "the publishing process never reached the fake Zalo"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        zalo.hold = set()
        zalo.release.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert len(zalo.articles) == 1
    run = {"env": env, "capture_output": True, "text": True, "timeout": 120}
    time.sleep(2.2)  # the settle time: deadline_s 1.5 + feed_lag_s 0.5
    outbox = subprocess.run([*loa_cmd(), "outbox"], **run)  # type: ignore[call-overload]
    assert outbox.returncode == 0, outbox.stdout + outbox.stderr
    again = subprocess.run(publish, **run)  # type: ignore[call-overload]
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(zalo.articles) == 1 and len(zalo.broadcasts) <= 1
    with zalo_station.transaction() as s:
        rows = {p.key: (p.status, p.remote_id) for p in s.scalars(select(Publication))}
    assert rows[f"manual:{mid}:zalo"] == ("published", zalo.articles[0]["id"])
    if route == "oa/message":
        assert len(zalo.broadcasts) == 1
        assert rows[f"manual:{mid}:zalo:broadcast"][0] == "uncertain"  # the officer confirms
    texts = outbox.stdout + outbox.stderr + again.stdout + again.stderr
    assert all(secret not in texts for secret in zalo.secrets())
