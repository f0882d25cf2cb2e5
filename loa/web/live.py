"""The dashboard's "Phát trực tiếp" (operator and officer): the browser's microphone on the air.

The page records with MediaRecorder (WebM/Opus) and sends a chunk every 250 ms in order, one
POST at a time (`/radio/live/ID/audio`, with the CSRF header like every other action);
`loa.app.live.BrowserFeed` puts them on the air through the same path as `loa live`. A page
that stops sending (closed, its connection dropped) is off the air within 5 s.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, JSONResponse

from loa.app.users import Account, Action
from loa.core.errors import LoaError
from loa.core.i18n import Catalog, decimal
from loa.web.context import Operator, client_address, for_people, page, role, web_of

router = APIRouter(include_in_schema=False)

Radio = Annotated[Account, Depends(role(Action.RADIO))]

#: The longest a chunk of the browser's stream may be (250 ms of Opus is ~1 KB; a slow
#: phone may send several seconds at once).
MAX_CHUNK = 512 * 1024

T = Catalog(
    {
        "title": ("Phát trực tiếp", "Live broadcast"),
        "help": (
            "Nói trực tiếp ra loa bằng micrô của máy này. Chọn vùng, bấm Phát trực tiếp: "
            "một hồi chuông báo trước, rồi giọng của bạn lên loa; chương trình đang phát "
            "tiếp tục sau khi bạn bấm Dừng. Buổi phát được ghi lại trong nhật ký phát sóng.",
            "Speak live on the loudspeakers with this device's microphone. Choose the zones "
            "and press Go live: a short tone first, then your voice; the programme resumes "
            "after you press Stop. The broadcast is kept in the as-run log.",
        ),
        "zones": ("Vùng loa", "Zones"),
        "all_zones": ("Tất cả các vùng", "All zones"),
        "start": ("Phát trực tiếp", "Go live"),
        "stop": ("Dừng phát", "Stop"),
        "on_air": ("ĐANG PHÁT TRỰC TIẾP", "ON AIR"),
        "starting": (
            "Đang mở micrô và chờ lên sóng…",
            "Opening the microphone and waiting to go on air…",
        ),
        "asking": (
            "Cho phép trang dùng micrô khi trình duyệt hỏi.",
            "Allow the page to use the microphone when the browser asks.",
        ),
        "denied": (
            "Trình duyệt không cho dùng micrô. Cho phép micrô cho trang này (biểu tượng ổ khóa "
            "cạnh địa chỉ) rồi bấm lại.",
            "The browser did not allow the microphone. Allow it for this page (the padlock "
            "beside the address) and press again.",
        ),
        "unsupported": (
            "Trình duyệt này không ghi được âm thanh từ micrô (cần Chrome, Firefox, Edge mới và "
            "trang mở bằng https hoặc trên chính máy đài).",
            "This browser cannot record the microphone (a recent Chrome, Firefox or Edge is "
            "needed, and the page opened over https or on the station's own machine).",
        ),
        "lost": (
            "Mất kết nối với máy đài: buổi phát đã dừng.",
            "The connection to the station was lost: the broadcast has stopped.",
        ),
        "ended": (
            "Đã dừng phát trực tiếp: {seconds} giây trên vùng {zones}. Bản ghi được lưu "
            "trong nhật ký phát sóng.",
            "Live broadcast stopped: {seconds} s on zones {zones}. The recording is kept in "
            "the as-run log.",
        ),
        "elapsed": ("Thời gian", "Elapsed"),
    }
)


def _zones(request: Request) -> list[tuple[str, str]]:
    from loa.app.live import live_zones

    return live_zones(web_of(request).station)


def _answer(feed: Any) -> dict[str, Any]:
    """A feed's state for the page, with what to tell the person."""
    data: dict[str, Any] = feed.to_dict()
    if feed.state == "starting":
        data["message"] = T("starting")
    elif feed.state == "error":
        data["message"] = for_people(feed.error or "")
    elif feed.state == "ended":
        seconds = feed.result.seconds if feed.result else feed.on_air_s
        zones = ", ".join(data["zones"]) or T("all_zones")
        data["message"] = T("ended", seconds=decimal(seconds), zones=zones)
    else:
        data["message"] = ""
    return data


def _refused(exc: LoaError, status: int = 409) -> JSONResponse:
    return JSONResponse({"state": "error", "message": for_people(str(exc))}, status_code=status)


@router.get("/radio/live")
def live_page(request: Request, user: Radio) -> HTMLResponse:
    from loa.app.live import holder

    current = holder(web_of(request).station)
    return page(
        request,
        "live.html",
        lt=T,
        zones=_zones(request),
        held=current.message() if current else "",
    )


@router.post("/radio/live/start")
async def start(request: Request, user: Operator) -> JSONResponse:
    from loa.app.live import start_browser_live

    try:
        body = await request.json()
    except ValueError:
        body = {}
    wanted = body.get("zones") if isinstance(body, dict) else None
    zones = [str(z) for z in wanted] if isinstance(wanted, list) else []
    station = web_of(request).station
    try:
        feed = await run_in_threadpool(
            lambda: start_browser_live(
                station, by=user.name, zones=zones or None, address=client_address(request)
            )
        )
    except LoaError as exc:
        return _refused(exc)
    return JSONResponse(_answer(feed))


def _feed(request: Request, feed_id: str, user: Account) -> Any:
    from loa.app.live import browser_feed

    return browser_feed(web_of(request).station, feed_id[:64], user.name)


@router.post("/radio/live/{feed_id}/audio")
async def audio(request: Request, user: Operator, feed_id: str) -> JSONResponse:
    try:
        feed = _feed(request, feed_id, user)
    except LoaError as exc:
        return _refused(exc, 404)
    data = await request.body()
    if len(data) > MAX_CHUNK:
        return JSONResponse(_answer(feed), status_code=413)
    feed.feed(data)
    return JSONResponse(_answer(feed))


@router.post("/radio/live/{feed_id}/stop")
async def stop(request: Request, user: Operator, feed_id: str) -> JSONResponse:
    try:
        feed = _feed(request, feed_id, user)
    except LoaError as exc:
        return _refused(exc, 404)
    feed.stop()
    await run_in_threadpool(feed.wait, 20)
    return JSONResponse(_answer(feed))


@router.get("/radio/live/{feed_id}")
def status(request: Request, user: Radio, feed_id: str) -> JSONResponse:
    try:
        feed = _feed(request, feed_id, user)
    except LoaError as exc:
        return _refused(exc, 404)
    return JSONResponse(_answer(feed))
