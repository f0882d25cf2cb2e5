"""The province dashboard's shared parts: its texts (P), the state of its home pages (Home:
communes, users, the warm station cache), rendering a page, and who is asking (province user,
CSRF check)."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from jinja2 import Environment
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse

from loa.core.i18n import Catalog, language
from loa.core.station import Station
from loa.province.registry import Province
from loa.province.users import ProvinceAccount, ProvinceUsers
from loa.web.context import Forbidden, LoginRequired, Web
from loa.web.security import (
    CSRF_FIELD,
    Sessions,
    same_token,
)
from loa.web.throttle import LoginThrottle

P = Catalog(
    {
        "title": ("Toàn tỉnh: {name}", "Province: {name}"),
        "nav_now": ("Tình hình các xã", "Communes now"),
        "nav_messages": ("Tin của tỉnh", "Province messages"),
        "nav_new": ("Viết tin", "Write a message"),
        "nav_report": ("Báo cáo", "Report"),
        "r_title": ("Kết quả từ {start} đến {end}", "Results from {start} to {end}"),
        "r_from": ("Từ ngày", "From"),
        "r_to": ("Đến ngày", "To"),
        "r_show": ("Xem", "Show"),
        "r_bulletins": ("Bản tin", "Bulletins"),
        "r_items": ("Lượt tin trên loa", "Radio items"),
        "r_airtime": ("Phút phát", "Minutes aired"),
        "r_total": ("Cả tỉnh", "Whole province"),
        "r_problem": ("Không đọc được số liệu của xã {name}: {why}", "Commune {name}: {why}"),
        "r_own": ("Tin của tỉnh gửi xuống", "Messages the province sent down"),
        "r_sent": ("Tin đã gửi", "Messages sent"),
        "r_deliveries": ("Lượt xã nhận", "Commune deliveries"),
        "r_targeted": ("Số xã nhận", "Communes targeted"),
        "r_aired": ("Số xã đã phát", "Communes that aired them"),
        "r_posted": ("Số xã đã đăng", "Communes that posted them"),
        "r_zones": ("Khu vực loa đã phát", "Loudspeaker zones reached"),
        "r_airings": ("Lượt phát", "Airings"),
        "r_posts": ("Bài đăng", "Posts"),
        "login_title": ("Đăng nhập cán bộ tỉnh", "Province staff login"),
        "communes_login": (
            "Cán bộ xã: chọn xã của mình để đăng nhập bằng tài khoản của xã.",
            "Commune staff: choose your commune to log in with its account.",
        ),
        "login_needed": (
            "Cần đăng nhập với tài khoản của tỉnh (tạo bằng loa province user add).",
            "Log in with a province account (made with loa province user add).",
        ),
        "not_province": (
            "Trang này dành cho cán bộ tỉnh. Tài khoản của xã chỉ xem được xã mình.",
            "This page is for the province's staff. A commune's account sees its commune only.",
        ),
        "other_commune": (
            "Bạn đăng nhập bằng tài khoản của xã {own}; không xem được trang của xã {ident}.",
            "You are logged in with commune {own}'s account; commune {ident}'s pages are not "
            "yours to see.",
        ),
        "back_own": ("Về trang của xã {own}", "Back to commune {own}"),
        "no_commune": (
            "Tỉnh không có xã {ident}. Chọn xã trong danh sách ở trang chính.",
            "The province has no commune {ident}. Choose one from the list on the home page.",
        ),
        "officer_only": (
            "Chỉ cán bộ tỉnh (vai trò officer) được viết tin của tỉnh.",
            "Only a province officer (role officer) may write province messages.",
        ),
        "machinery": ("Máy chạy nền của tỉnh", "The province's machinery"),
        "workers": (
            "loa worker đang chạy: {alive}/{n}",
            "loa worker running: {alive}/{n}",
        ),
        "scheduler": ("loa scheduler: {who}", "loa scheduler: {who}"),
        "scheduler_none": ("loa scheduler: KHÔNG CHẠY", "loa scheduler: NOT RUNNING"),
        "alerts": ("Cảnh báo", "Alerts"),
        "no_alerts": ("Không có cảnh báo nào.", "No alerts."),
        "communes": ("Từng xã lúc {at}", "Each commune at {at}"),
        "c_commune": ("Xã", "Commune"),
        "c_stream": ("Luồng phát", "Stream"),
        "c_last": ("Bản tin phát gần nhất", "Last aired"),
        "c_missed": ("Giờ phát lỡ hôm nay", "Slots missed today"),
        "c_failed": ("Việc lỗi", "Failed"),
        "c_uncertain": ("Bài chưa rõ", "Uncertain posts"),
        "c_listeners": ("Người nghe", "Listeners"),
        "c_open": ("Trang của xã", "Commune's pages"),
        "open": ("Mở", "Open"),
        "stream_none": ("không dùng", "none"),
        "stream_ok": ("{up}/{n} luồng kết nối", "{up}/{n} mounts connected"),
        "stream_down": ("không chạy", "not running"),
        "never": ("chưa phát", "never"),
        "unknown": ("không rõ", "unknown"),
        "m_none": ("Tỉnh chưa gửi tin nào.", "The province has sent no messages yet."),
        "m_id": ("Số", "No."),
        "m_class": ("Mức độ", "Class"),
        "m_title": ("Tiêu đề", "Title"),
        "m_to": ("Gửi tới", "To"),
        "m_communes": ("Xã nhận", "Communes"),
        "m_aired": ("Đã phát ở", "Aired in"),
        "m_posted": ("Đã đăng ở", "Posted in"),
        "m_when": ("Lúc gửi", "Sent"),
        "m_by": ("Người gửi", "By"),
        "m_until": ("Hết hạn", "Valid until"),
        "m_channels": ("Kênh", "Channels"),
        "d_delivered": ("Nhận lúc", "Delivered"),
        "d_aired": ("Phát lúc", "Aired at"),
        "d_zones": ("Khu vực loa", "Zones"),
        "d_posted": ("Đăng", "Posted"),
        "d_problem": ("Trục trặc", "Problem"),
        "not_yet": ("chưa", "not yet"),
        "f_title": ("Tiêu đề", "Title"),
        "f_body": ("Nội dung (đọc trên loa và đăng)", "Text (read on air and posted)"),
        "f_to": (
            "Gửi tới: all (mọi xã), nhãn hoặc mã xã, cách nhau bằng dấu phẩy",
            "Send to: all (every commune), tags or commune ids, separated by commas",
        ),
        "f_to_help": (
            "Nhãn đang dùng: {tags}. Mã xã: {idents}.",
            "Tags: {tags}. Communes: {idents}.",
        ),
        "f_class": ("Mức độ (Thông tư 39)", "Class (Circular 39)"),
        "f_from": ("Hiệu lực từ ngày (dd/mm/yyyy)", "Valid from (dd/mm/yyyy)"),
        "f_until": (
            "Hết hạn sau ngày (dd/mm/yyyy; khẩn cấp: hôm nay)",
            "Valid until (dd/mm/yyyy; urgent: today)",
        ),
        "f_channels": ("Kênh", "Channels"),
        "f_send": ("Gửi xuống các xã", "Send to the communes"),
        "f_urgent_note": (
            "Tin khẩn cấp được phát ngay trên loa của mọi xã nhận.",
            "An urgent message airs at once on every target commune's loudspeakers.",
        ),
        "sent": (
            "Đã gửi tin số {id} vào hàng đợi của {n} xã.",
            "Sent message {id} into the queues of {n} communes.",
        ),
        "no_tags": ("chưa có", "none yet"),
        "logout": ("Đăng xuất", "Log out"),
        "k_normal": ("Thông thường", "Normal"),
        "k_high": ("Ưu tiên", "Priority"),
        "k_urgent": ("Khẩn cấp", "Urgent"),
    }
)

#: The province user's session cookie (signed with the province's key).
PROVINCE_COOKIE = "loa_tinh"
#: Which commune a commune's user logged in to: tells them, not a stranger, that another
#: commune's pages are not theirs (the session itself only opens its own commune's).
COMMUNE_COOKIE = "loa_xa"
#: Paths of a commune that a user of another commune may still open (to log in there).
OPEN_PATHS = ("/login", "/lang", "/static/", "/favicon.ico", "/manifest.webmanifest")

#: Communes whose database connections are kept open between requests (at most 2 each).
WARM = 8

_COMMUNE_PATH = re.compile(r"^/x/([A-Za-z0-9_]{1,63})(/.*)?$")
_LINK = re.compile(
    rb'(\s(?:href|action|src|formaction|hx-get|hx-post|hx-put|hx-delete|hx-patch)=")/(?!/|static/)'
)


@dataclass
class Home:
    """The province door's shared state."""

    province: Province
    env: Environment
    users: ProvinceUsers
    sessions: Sessions
    clock: Callable[[], datetime]
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    login_delay: float = 1.0
    secure_cookies: bool = False
    communes: dict[str, Web] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)  # ident -> name
    #: The communes' pages use `clock` too (a test's fixed time), else each station's own.
    fixed_clock: bool = False
    recent: OrderedDict[str, Web] = field(default_factory=OrderedDict)
    #: The communes' settings as loaded for the province page (no database connection).
    settings: dict[str, Station] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> datetime:
        return self.clock()

    def account(self, request: Request) -> ProvinceAccount | None:
        """The province user behind a request's cookie, or None."""
        cookie = request.cookies.get(PROVINCE_COOKIE)
        if not cookie:
            return None
        found = self.sessions.loads(cookie)
        if found is None:
            return None
        user_id, stamp, key = found
        account = self.users.session_account(key)
        if account is None or -account.id != user_id or account.stamp != stamp:
            return None
        request.state.province_key = key
        return account

    def names(self) -> dict[str, str]:
        """The communes (ident -> name), read again when asked for one not known."""
        if not self.known:
            self.known = {r.ident: r.name for r in self.province.stations()}
        return self.known

    def commune(self, ident: str) -> Web | None:
        """Commune `ident`'s dashboard state, opened on its first request and kept; None when
        the province has no such commune."""
        with self._lock:
            found = self.communes.get(ident)
            if found is not None:
                self._warm(ident, found)
                return found
            if ident not in self.names():
                self.known = {}
                if ident not in self.names():
                    return None
            from loa.province.stations import open_station

            station = open_station(self.province, ident, pool_size=2)
            web = Web.make(station, self.clock if self.fixed_clock else None, env=self.env)
            web.throttle = self.throttle  # one count of guesses, whichever commune is tried
            web.login_delay = self.login_delay
            web.secure_cookies = self.secure_cookies
            web.guest = self.account
            web.extra["province"] = self.province
            self.communes[ident] = web
            self._warm(ident, web)
            return web

    def _warm(self, ident: str, web: Web) -> None:
        """Keep the database connections of the WARM communes used last; the others' are
        closed (reopened on their next request), so a hundred communes do not hold a hundred
        pools of idle PostgreSQL sessions."""
        self.recent.pop(ident, None)
        self.recent[ident] = web
        while len(self.recent) > WARM:
            _, cold = self.recent.popitem(last=False)
            cold.station.engine.dispose()  # connections in use are let go when returned

    def close(self) -> None:
        for web in self.communes.values():
            web.station.engine.dispose()
            if web.fragments is not None:
                web.fragments.watch.close()
        self.users.close()


# --------------------------------------------------------------------------- rendering


def home_of(request: Request) -> Home:
    found: Home = request.app.state.home
    return found


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    from loa.web.text import T as TEXT

    home = home_of(request)
    html = home.env.get_template(template).render(
        t=TEXT,
        p=P,
        lang=language(),
        user=getattr(request.state, "user", None),
        csrf=request.state.csrf,
        path=request.url.path,
        province=home.province,
        **values,
    )
    return HTMLResponse(html, status_code=status_code)


def _error_page(lang_request: Request, status: int, message: str) -> HTMLResponse:
    return render(lang_request, "province_error.html", status, message=message)


# --------------------------------------------------------------------------- who asks


def province_user(request: Request) -> ProvinceAccount:
    """Dependency: a logged-in province user."""
    account = home_of(request).account(request)
    if account is None:
        raise LoginRequired
    request.state.user = account
    return account


async def _csrf(request: Request) -> None:
    sent = request.headers.get("x-csrf-token")
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not same_token(sent, request.state.csrf):
        from loa.web.context import T as CT

        raise Forbidden(CT("csrf"))


async def province_writer(request: Request) -> ProvinceAccount:
    """Dependency: a province user on a request carrying the CSRF token."""
    account = await run_in_threadpool(province_user, request)
    await _csrf(request)
    return account


User = Annotated[ProvinceAccount, Depends(province_user)]
Writer = Annotated[ProvinceAccount, Depends(province_writer)]
