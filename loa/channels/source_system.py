"""The seam for a province that runs another vendor's "source information system" (hệ thống
thông tin nguồn, Circular 39/2020/TT-BTTTT): its bulletins come in as province messages, and
what the communes aired goes back out as as-run reports.

`SourceSystem` is the contract; `SOURCE_SYSTEMS` the registry by name (packages may add to it
through the `loa.source_systems` entry point); `JsonHttpSourceSystem` ("json-http") the one
adapter shipped: JSON over HTTP(S), for a platform that can expose (or be given, by a small
bridge) three endpoints:

- ``GET  {url}/bulletins?since=ISO`` -> ``{"bulletins": [{"id", "title", "body", "class"
  ("normal"|"high"|"urgent"), "targets" (["all"] or tags/idents), "valid_until" (ISO date,
  optional), "audio_url" (optional)}]}``
- ``POST {url}/as-run`` with ``{"reports": [...]}`` -> ``{"accepted": N}``
- ``POST {url}/bulletins/{id}/ack`` with ``{"aired_at": ISO or null}``

A bearer token, when the platform wants one, comes from LOA_SOURCE_TOKEN (never from a file).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from loa.core.errors import RuntimeFailure, UserError
from loa.core.i18n import Catalog

TOKEN_ENV = "LOA_SOURCE_TOKEN"

T = Catalog(
    {
        "unknown": (
            'Không có hệ thống thông tin nguồn "{name}". Các loại: {valid}.',
            'There is no source system "{name}". Known: {valid}.',
        ),
        "no_url": (
            '[source_system] cần url, ví dụ url = "https://nguon.tinh.gov.vn/api".',
            '[source_system] needs url, e.g. url = "https://nguon.tinh.gov.vn/api".',
        ),
        "unreachable": (
            "Không kết nối được hệ thống thông tin nguồn {url}: {error}. Kiểm tra mạng và url "
            "trong [source_system].",
            "Could not reach the source system {url}: {error}. Check the network and the url "
            "in [source_system].",
        ),
        "refused": (
            "Hệ thống thông tin nguồn {url} từ chối ({status}). Kiểm tra LOA_SOURCE_TOKEN.",
            "The source system {url} refused ({status}). Check LOA_SOURCE_TOKEN.",
        ),
        "bad_answer": (
            "Hệ thống thông tin nguồn {url} trả lời sai định dạng: {error}.",
            "The source system {url} answered in the wrong format: {error}.",
        ),
    }
)


@dataclass(frozen=True)
class AiredReport:
    """One thing a commune aired, as its as-run log records it."""

    started_at: datetime
    ended_at: datetime | None
    title: str
    priority: str  # "normal" | "high" | "urgent" (thông thường, ưu tiên, khẩn cấp)
    zones: tuple[str, ...]
    duration_s: float
    audio: Path | None = None
    message_id: int | None = None
    #: The commune (station ident) that aired it, and the source's id of the bulletin.
    station: str = ""
    remote_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "station": self.station,
            "bulletin_id": self.remote_id,
            "title": self.title,
            "class": self.priority,
            "started_at": self.started_at.isoformat(timespec="seconds"),
            "ended_at": self.ended_at.isoformat(timespec="seconds") if self.ended_at else None,
            "duration_s": round(self.duration_s, 1),
            "zones": list(self.zones),
        }


@dataclass(frozen=True)
class IncomingBulletin:
    """A bulletin the source system sends down for the communes to air."""

    remote_id: str
    title: str
    priority: str
    body: str = ""
    audio: Path | None = None
    zones: tuple[str, ...] = ()
    targets: tuple[str, ...] = ("all",)
    not_before: datetime | None = None
    not_after: datetime | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class SourceSystem(Protocol):
    """A province's source information system, as loa uses it.

    Every method raises `loa.core.errors.RuntimeFailure` when the remote side cannot be reached
    or refuses (with a message saying what to check) and `loa.core.errors.UserError` when the
    settings for it are wrong. Implementations are idempotent on `AiredReport`
    (same station, start time and title: sent once) and on `IncomingBulletin.remote_id`.
    """

    name: str

    def report_aired(self, reports: list[AiredReport]) -> int:
        """Send what was aired; returns how many the remote side accepted."""
        ...

    def fetch_bulletins(self, since: datetime) -> list[IncomingBulletin]:
        """Bulletins sent down since `since`, with their audio downloaded to local files."""
        ...

    def acknowledge(self, remote_id: str, aired_at: datetime | None) -> None:
        """Tell the remote side a bulletin was aired (or, with None, refused)."""
        ...


class JsonHttpSourceSystem:
    """The "json-http" adapter (see the module docstring). `http`: an httpx.Client (a test's
    transport, or the default with a 20 s timeout); `media_dir`: where audio is downloaded."""

    name: ClassVar[str] = "json-http"

    def __init__(
        self,
        settings: Mapping[str, Any],
        *,
        media_dir: Path,
        http: Any = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        import httpx

        url = str(settings.get("url") or "").rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise UserError(T("no_url"))
        self.url = url
        self.media_dir = media_dir
        token = (env if env is not None else os.environ).get(TOKEN_ENV)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = http or httpx.Client(timeout=float(settings.get("timeout_s", 20.0)))
        self.headers = headers

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        import httpx

        try:
            answer = self.http.request(method, f"{self.url}{path}", headers=self.headers, **kwargs)
        except httpx.HTTPError as exc:
            raise RuntimeFailure(T("unreachable", url=self.url, error=type(exc).__name__)) from None
        if answer.status_code >= 400:
            raise RuntimeFailure(T("refused", url=self.url, status=answer.status_code))
        return answer

    def fetch_bulletins(self, since: datetime) -> list[IncomingBulletin]:
        data = self._call("GET", "/bulletins", params={"since": since.isoformat()})
        try:
            rows = data.json()["bulletins"]
            out = [self._bulletin(row) for row in rows]
        except (ValueError, KeyError, TypeError) as exc:
            raise RuntimeFailure(T("bad_answer", url=self.url, error=exc)) from None
        return out

    def _bulletin(self, row: Mapping[str, Any]) -> IncomingBulletin:
        remote_id = str(row["id"])
        audio = None
        if row.get("audio_url"):
            audio = self.media_dir / f"source-{_safe(remote_id)}.mp3"
            if not audio.exists():
                from loa.core.fileio import atomic_write_bytes

                self.media_dir.mkdir(parents=True, exist_ok=True)
                atomic_write_bytes(audio, self._download(str(row["audio_url"])))
        until = row.get("valid_until")
        return IncomingBulletin(
            remote_id=remote_id,
            title=str(row["title"]),
            priority=str(row.get("class", "normal")),
            body=str(row.get("body", "")),
            audio=audio,
            targets=tuple(str(t) for t in row.get("targets") or ["all"]),
            not_after=datetime.combine(date.fromisoformat(until), datetime.max.time())
            if until
            else None,
        )

    def _download(self, url: str) -> bytes:
        import httpx

        try:
            answer = self.http.get(url, headers=self.headers)
        except httpx.HTTPError as exc:
            raise RuntimeFailure(T("unreachable", url=url, error=type(exc).__name__)) from None
        if answer.status_code >= 400:
            raise RuntimeFailure(T("refused", url=url, status=answer.status_code))
        return bytes(answer.content)

    def report_aired(self, reports: list[AiredReport]) -> int:
        if not reports:
            return 0
        answer = self._call("POST", "/as-run", json={"reports": [r.to_dict() for r in reports]})
        try:
            return int(answer.json()["accepted"])
        except (ValueError, KeyError, TypeError) as exc:
            raise RuntimeFailure(T("bad_answer", url=self.url, error=exc)) from None

    def acknowledge(self, remote_id: str, aired_at: datetime | None) -> None:
        stamp = aired_at.isoformat(timespec="seconds") if aired_at else None
        self._call("POST", f"/bulletins/{_safe(remote_id)}/ack", json={"aired_at": stamp})


def _safe(remote_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in remote_id)[:100]


#: The adapters by name.
SOURCE_SYSTEMS: dict[str, type[JsonHttpSourceSystem]] = {
    JsonHttpSourceSystem.name: JsonHttpSourceSystem,
}


def source_system(
    settings: Mapping[str, Any], *, media_dir: Path, http: Any = None
) -> SourceSystem:
    """The adapter `settings["name"]` names (default "json-http"), from the built-in ones and
    the `loa.source_systems` entry point. Raises UserError for an unknown name."""
    from importlib.metadata import entry_points

    known: dict[str, Any] = dict(SOURCE_SYSTEMS)
    for ep in entry_points(group="loa.source_systems"):
        known.setdefault(ep.name, ep)
    name = str(settings.get("name", JsonHttpSourceSystem.name))
    found = known.get(name)
    if found is None:
        raise UserError(T("unknown", name=name, valid=", ".join(sorted(known))))
    cls = found if isinstance(found, type) else found.load()
    system: SourceSystem = cls(settings, media_dir=media_dir, http=http)
    return system
