"""A message's photo where a channel needs it: a file on the commune PC, or a public address.

A message's `image` is either an address (https://...) or a file, relative to the station
folder unless absolute. Facebook takes the file itself; Zalo takes an article cover only as an
address (`cover.photo_url`: its `upload/image` answers an attachment id that messages use, not
articles), so a photo kept on the PC must first be put where Zalo can fetch it. A channel that
can do that is a *photo host* (`host_photo`): the commune's WordPress (its media library) or its
static website when it has a public `base_url`.

Every copy is named after the photo's content hash, so the same photo is uploaded once, whoever
asks and however often, and a host can tell it already holds it after a crash. `hosted_url`
also keeps a remote host's answers in a small file of the station (`media/.photo-hosts.json`,
written atomically), which saves the look-up on each later use; deleting it only costs that.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from loa.channels.base import Channel, PermanentError
from loa.core.errors import UserError
from loa.core.fileio import atomic_write_text
from loa.core.i18n import Catalog
from loa.core.registry import photo_hosts

if TYPE_CHECKING:
    from collections.abc import Mapping

    from loa.core.station import Station

#: The photo types every channel here accepts: their type, the suffix hosts keep them under,
#: and how their first bytes begin (the file's content decides, not its name).
PHOTO_TYPES = {
    "image/jpeg": (".jpg", (b"\xff\xd8\xff",)),
    "image/png": (".png", (b"\x89PNG\r\n\x1a\n",)),
    "image/gif": (".gif", (b"GIF87a", b"GIF89a")),
    "image/webp": (".webp", ()),  # RIFF....WEBP, see photo_type
}
#: Facebook's photo limit; Zalo's covers and WordPress's default upload limit are larger.
MAX_PHOTO_BYTES = 10 * 1024 * 1024
#: Where `hosted_url` keeps what each host answered, under the station's media folder.
CACHE_FILE = ".photo-hosts.json"

T = Catalog(
    {
        "missing": (
            "Không tìm thấy ảnh {path} của tin. Đặt tệp ảnh vào thư mục đài (hoặc sửa đường "
            "dẫn: loa msg edit ID --image ...), rồi gửi lại.",
            "The message's photo {path} was not found. Put the file in the station folder (or "
            "fix the path: loa msg edit ID --image ...), then send again.",
        ),
        "not_found": (
            "Không tìm thấy ảnh {path} (tìm từ thư mục hiện tại, rồi từ thư mục đài {root}). "
            "Kiểm tra tên tệp và đường dẫn.",
            "The photo {path} was not found (looked for from the current folder, then from the "
            "station folder {root}). Check the file name and the path.",
        ),
        "not_photo": (
            "Tệp {path} không phải ảnh loa đăng được (chỉ nhận {types}). Lưu ảnh dạng JPG hoặc "
            "PNG rồi sửa tin.",
            "{path} is not a photo loa can post (only {types}). Save it as JPG or PNG and edit "
            "the message.",
        ),
        "too_big": (
            "Ảnh {path} nặng {size} MB, quá {limit} MB: thu nhỏ ảnh rồi sửa tin.",
            "The photo {path} is {size} MB, over {limit} MB: make it smaller and edit the message.",
        ),
        "unknown_host": (
            'photo_host = "{host}" không đúng: dùng "auto", {hosts} hoặc "none".',
            'photo_host = "{host}" is not valid: use "auto", {hosts} or "none".',
        ),
    }
)


#: Where photos are kept, named by their content: in the station folder (dashboard uploads)
#: and in the website folder (the copies its pages show and Zalo fetches).
PHOTO_FOLDER = "anh"


def photo_filename(digest: str, mime: str) -> str:
    """The name every copy of a photo is kept under ("loa-3f2a….jpg", 16 hex digits)."""
    return f"loa-{digest[:16]}{PHOTO_TYPES[mime][0]}"


@dataclass(frozen=True)
class Photo:
    """A photo file on this machine, checked to be one. Its content hash, which names every
    copy of it, is read only when a host needs it (showing or uploading the file does not)."""

    path: Path
    mime: str

    @cached_property
    def digest(self) -> str:
        digest = hashlib.sha256()
        try:
            with self.path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 16), b""):
                    digest.update(block)
        except OSError:
            raise PermanentError(T("missing", path=self.path)) from None
        return digest.hexdigest()

    @property
    def stem(self) -> str:
        """The name a host keeps it under, without its suffix ("loa-3f2a…")."""
        return self.filename.rsplit(".", 1)[0]

    @property
    def filename(self) -> str:
        return photo_filename(self.digest, self.mime)

    def read(self) -> bytes:
        try:
            return self.path.read_bytes()
        except OSError:
            raise PermanentError(T("missing", path=self.path)) from None


@runtime_checkable
class PhotoHost(Protocol):
    """A channel that can put a photo at a public address (and say which one it is)."""

    name: str
    #: True when finding or putting a photo is a call over the network: `hosted_url` then
    #: keeps its answers (a website folder on this machine is simply looked at each time).
    photo_calls: bool

    def host_identity(self) -> str | None:
        """Where it puts photos (its site address), or None when it cannot give a public one."""

    def host_photo(self, photo: Photo) -> str:
        """The photo's public address, putting it there first when needed (idempotent)."""

    def close(self) -> None:
        """Release its connection (every Channel has this)."""


def is_address(image: str | None) -> bool:
    return bool(image) and str(image).startswith(("http://", "https://"))


def photo_path(root: Path | None, image: str) -> Path:
    """The file a message's `image` names: relative to the station folder unless absolute."""
    path = Path(image).expanduser()
    if not path.is_absolute() and root is not None:
        path = root / path
    return path


def local_photo(root: Path | None, image: str) -> Photo:
    """The photo file of a message, checked to exist and to be a photo of a kind loa posts
    and of a size it takes (PermanentError naming what is wrong and what to do)."""
    path = photo_path(root, image)
    try:
        if not path.is_file():
            raise OSError
        size = path.stat().st_size
        with path.open("rb") as fh:
            mime = photo_type(fh.read(16))
    except OSError:
        raise PermanentError(T("missing", path=path)) from None
    if mime is None:
        types = ", ".join(s.lstrip(".").upper() for s, _ in PHOTO_TYPES.values())
        raise PermanentError(T("not_photo", path=path, types=types))
    if size > MAX_PHOTO_BYTES:
        mb = f"{size / 2**20:.1f}"
        raise PermanentError(T("too_big", path=path, size=mb, limit=MAX_PHOTO_BYTES >> 20))
    return Photo(path=path, mime=mime)


def photo_type(head: bytes) -> str | None:
    """The photo type the file's first bytes show (None: not a photo loa posts)."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for mime, (_suffix, starts) in PHOTO_TYPES.items():
        if any(head.startswith(start) for start in starts):
            return mime
    return None


def photo_reference(image: str | None, *, cwd: Path, root: Path) -> str | None:
    """What to store for a photo an officer names (`msg add --image`): an address as given; a
    file, found from the current folder or else the station folder, as a path relative to the
    station folder when it is inside it (so the daemon finds it from any folder), else
    absolute. UserError (what is wrong, what to do) for a missing file or one that is no photo."""
    if image is None:
        return None
    image = image.strip()
    if not image or is_address(image):
        return image
    typed = Path(image).expanduser()
    candidates = [typed] if typed.is_absolute() else [cwd / typed, root / typed]
    found = next((path.resolve() for path in candidates if path.is_file()), None)
    if found is None:
        raise UserError(T("not_found", path=typed, root=root))
    try:
        local_photo(None, str(found))
    except PermanentError as exc:
        raise UserError(str(exc)) from None
    try:
        return found.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(found)


def photo_host(
    station: Station,
    choice: str,
    *,
    http: Any = None,
    env: Mapping[str, str] | None = None,
) -> PhotoHost | None:
    """The channel that hosts this station's photos: `choice` names one (a channel whose
    descriptor has a `photo_rank`), "auto" takes the first configured one that gives a public address, "none" or no
    such channel gives None. A named host that is not set up raises PermanentError saying so."""
    from loa.channels.base import channel_class, get_channel

    if choice == "none":
        return None
    hosts = photo_hosts()
    if choice not in ("auto", *hosts):
        listed = ", ".join(f'"{h}"' for h in hosts)
        raise PermanentError(T("unknown_host", host=choice, hosts=listed))
    for name in hosts if choice == "auto" else (choice,):
        cls = channel_class(name)
        if choice == "auto" and not _usable(cls, station):
            continue
        try:
            channel = get_channel(station, name, http=http, env=env)
        except UserError as exc:  # the named host is not set up: say so where it is used
            raise PermanentError(str(exc)) from None
        if isinstance(channel, PhotoHost) and channel.host_identity():
            return channel
        channel.close()
    return None


def photo_host_choice(value: str) -> str:
    """A `photo_host` setting, lower case: "auto", "none" or a channel that hosts photos
    (ValueError naming the valid ones otherwise)."""
    value = value.strip().lower()
    hosts = photo_hosts()
    if value not in ("auto", "none", *hosts):
        listed = ", ".join(f'"{h}"' for h in hosts)
        raise ValueError(str(T("unknown_host", host=value, hosts=listed)))
    return value


def _usable(cls: type[Channel], station: Station) -> bool:
    settings = cls.read_settings(station)
    return bool(getattr(settings, "enabled", True)) and cls.is_configured(station)


def hosted_url(station: Station, host: PhotoHost, photo: Photo) -> str:
    """The photo's public address on `host`: from the station's record when this host already
    took it, else from the host (which finds its own copy or uploads one), then recorded."""
    if not host.photo_calls:
        return host.host_photo(photo)
    identity = f"{host.name} {host.host_identity()}"
    cache = station.media_dir / CACHE_FILE
    known = _read_cache(cache)
    url = known.get(identity, {}).get(photo.digest)
    if isinstance(url, str) and url:
        return url
    url = host.host_photo(photo)
    known = _read_cache(cache)  # another process may have written meanwhile
    known.setdefault(identity, {})[photo.digest] = url
    try:
        atomic_write_text(cache, json.dumps(known, ensure_ascii=False, indent=1, sort_keys=True))
    except OSError:
        pass  # only a saving: the host finds its copy next time
    return url


def _read_cache(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, dict)} if isinstance(data, dict) else {}
