"""The JSON API under /api: the same library calls as the pages and the CLI."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import JSONResponse

from loa import __version__
from loa.web.context import (
    MAX_ID,
    Editor,
    Id,
    Operator,
    Reader,
    client_address,
    web_of,
)

router = APIRouter(prefix="/api")


@router.get("/health")
def health() -> dict[str, str]:
    """Liveness: no login needed, no database read."""
    return {"status": "ok", "version": __version__}


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, user: Reader) -> dict[str, Any]:
    schema: dict[str, Any] = request.app.openapi()
    return schema


@router.get("/me")
def me(user: Reader) -> dict[str, str]:
    return {"name": user.name, "role": user.role}


@router.get("/messages")
def list_messages(
    request: Request,
    user: Reader,
    status: str | None = None,
    topic: str | None = None,
    audience: str | None = None,
    channel: str | None = None,
    q: str | None = None,
) -> list[dict[str, Any]]:
    from loa.app.messages import find_messages

    return find_messages(
        web_of(request).station,
        status=status,
        topic=topic,
        audience=audience,
        channel=channel,
        text=q,
    )


@router.get("/messages/{message_id}")
def get_message(request: Request, user: Reader, message_id: Id) -> dict[str, Any]:
    from loa.app.messages import message_dict

    return message_dict(web_of(request).station, message_id)


@router.post("/messages", status_code=201)
def create_message(
    request: Request, user: Editor, fields: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """A new draft from the same fields an import file or `loa msg add` takes (title, body,
    topic, audiences, channels, valid_from, valid_until, priority, airings_per_week, ...)."""
    from loa.app.messages import create_message as create
    from loa.web.media import kept_photo

    web = web_of(request)
    if isinstance(fields.get("image"), str) and fields["image"].strip():
        fields = {**fields, "image": kept_photo(web.station, fields["image"].strip())}
    return create(web.station, fields, where="API", now=web.now())


@router.post("/messages/{message_id}/approve")
def approve_message(request: Request, user: Editor, message_id: Id) -> dict[str, Any]:
    from loa.app.approval import approve_message as approve
    from loa.app.messages import message_dict

    web = web_of(request)
    result = approve(
        web.station, message_id, by=user.name, address=client_address(request), now=web.now()
    )
    answer = message_dict(web.station, message_id)
    if result is not None:
        answer["urgent"] = result.to_dict()
    return answer


@router.get("/plan")
def plan(
    request: Request,
    user: Reader,
    start: Annotated[date | None, Query(alias="from")] = None,
    days: Annotated[int, Query(ge=1, le=62)] = 7,
) -> list[dict[str, Any]]:
    from loa.app.messages import schedule_dicts

    web = web_of(request)
    return schedule_dicts(web.station, start or web.now().date(), days)


@router.post("/plan/entries/{entry_id}/pin")
def pin(
    request: Request, user: Editor, entry_id: Id, pinned: Annotated[bool, Body(embed=True)] = True
) -> dict[str, Any]:
    """Pin a planned entry where it is (`{"pinned": false}` unpins it), as `loa plan pin`."""
    from loa.app.plan_edit import pin_entry

    web = web_of(request)
    entry = pin_entry(web.station, entry_id, pinned, now=web.now())
    return {"entry_id": entry.id, "pinned": entry.pinned}


@router.get("/outbox")
def outbox(request: Request, user: Reader, all: bool = False) -> list[dict[str, Any]]:
    from loa.app.outbox_view import outbox as rows

    web = web_of(request)
    return [r.to_dict() for r in rows(web.station, now=web.now(), include_done=all)]


@router.post("/urgent")
def urgent(
    request: Request, user: Operator, body: Annotated[dict[str, int], Body()]
) -> JSONResponse:
    """Air an approved message now and post it on every enabled channel: {"message_id": N}.
    Answers what happened ("aired": daemon, queued, none, failed, no_radio; "problem" when it
    did not air; "posts" by channel); 503 when nothing could air."""
    from loa.app.urgent import air_urgent
    from loa.web.text import T

    web = web_of(request)
    if not 1 <= body.get("message_id", 0) <= MAX_ID:
        return JSONResponse({"error": T("bad_request", fields="message_id")}, status_code=422)
    result = air_urgent(
        web.station,
        body["message_id"],
        by=user.name,
        address=client_address(request),
        now=web.now(),
        here="none",
        must_air=True,
    )
    code = 200 if result.on_air or result.aired == "no_radio" else 503
    return JSONResponse(result.to_dict(), status_code=code)
