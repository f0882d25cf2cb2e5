"""A radio bulletin as a publishable item, and its video form (a still card plus the audio)."""

from __future__ import annotations

import subprocess
import textwrap
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loa.channels.base import Item, PermanentError
from loa.core.i18n import Catalog

if TYPE_CHECKING:
    from loa.core.station import Station

T = Catalog(
    {
        "title": ("Bản tin {station} {time}", "{station} bulletin {time}"),
        "intro": ("Bản tin phát thanh lúc {time} gồm:", "Radio bulletin of {time}:"),
        "bad_key": ('Khoá bản tin "{key}" không hợp lệ.', 'Bad bulletin key "{key}".'),
        "video_failed": (
            "Không tạo được video bản tin bằng ffmpeg: {error}",
            "Could not make the bulletin video with ffmpeg: {error}",
        ),
        "card_sub": ("Nghe lại bản tin phát thanh", "Listen again to the radio bulletin"),
    }
)


def parse_key(key: str) -> datetime:
    """The slot time inside "bulletin:YYYY-MM-DD HH:MM:<channel>"."""
    try:
        return datetime.strptime(key.split(":", 1)[1][:16], "%Y-%m-%d %H:%M")
    except (IndexError, ValueError):
        raise PermanentError(T("bad_key", key=key)) from None


def bulletin_item(station: Station, key: str, *, due_at: datetime | None = None) -> Item:
    """The bulletin of the slot in `key` as an item: its MP3, a title and the list of items.
    Raises RuntimeFailure when the bulletin is not rendered."""
    from loa.audio.bulletin import sidecar_items
    from loa.audio.ffmpeg import audio_duration
    from loa.channels.playout import bulletin_file

    when = parse_key(key)
    path = bulletin_file(station, when)
    items = sidecar_items(path)
    stamp = when.strftime("%H:%M %d/%m/%Y")
    title = T("title", station=station.name, time=stamp)
    lines = [T("intro", time=stamp)] + [
        f"- {i.get('title', '')}" for i in items if i.get("message_id")
    ]
    return Item(
        key=key,
        title=title,
        text="\n".join(lines),
        kind="bulletin",
        media=path,
        due_at=due_at,
        duration_s=audio_duration(path),
        extra={
            "bulletin": when.strftime("%Y-%m-%d %H:%M"),
            "when": when.isoformat(),
            "station": station.name,
            "items": items,
        },
    )


FONT = "DejaVuSans.ttf"


def _font(size: int, bold: bool = False) -> Any:
    from PIL import ImageFont

    try:
        import matplotlib

        folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
        return ImageFont.truetype(str(folder / ("DejaVuSans-Bold.ttf" if bold else FONT)), size)
    except Exception:
        return ImageFont.load_default(size)


def make_card(path: Path, station: str, title: str, width: int = 1280, height: int = 720) -> Path:
    """A still PNG card: station name, title and a subtitle, Vietnamese-capable font."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (12, 74, 110))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height - 90, width, height), fill=(200, 30, 45))
    draw.text((60, 60), station, font=_font(54, bold=True), fill=(255, 255, 255))
    y = 200
    for line in textwrap.wrap(title, width=34)[:4]:
        draw.text((60, y), line, font=_font(60, bold=True), fill=(255, 235, 160))
        y += 80
    draw.text((60, height - 70), T("card_sub"), font=_font(36), fill=(255, 255, 255))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "PNG")
    return path


def make_video(audio: Path, target: Path, *, station: str, title: str) -> Path:
    """An MP4 of the still card with the bulletin audio (what a Facebook video post needs)."""
    import os

    from loa.audio.ffmpeg import ffmpeg_exe
    from loa.core.fileio import temp_path_for

    card = make_card(target.with_suffix(".png"), station, title)
    tmp = temp_path_for(target)
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-loglevel",
        "error",
        "-nostdin",
        "-y",
        "-loop",
        "1",
        "-framerate",
        "2",
        "-i",
        str(card),
        "-i",
        str(audio),
        "-c:v",
        "libx264",
        "-tune",
        "stillimage",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-shortest",
        "-movflags",
        "+faststart",
        str(tmp),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        raise PermanentError(T("video_failed", error=done.stderr.strip()[-300:]))
    os.replace(tmp, target)
    return target
