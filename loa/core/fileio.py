"""Atomic file writes: a crash never leaves a half-written file under the final name.

Files get the mode a plain `open()` would give them (0666 less the umask), not the 0600 of a
temporary file, so a web server running as another user can serve the website and reports.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from loa.core.i18n import Catalog

T = Catalog(
    {
        "EACCES": (
            "không có quyền truy cập {path}. Kiểm tra quyền (ls -l {path}) hoặc chạy bằng tài "
            "khoản sở hữu đài",
            "permission denied for {path}. Check its permissions (ls -l {path}) or run as the "
            "account that owns the station",
        ),
        "EISDIR": (
            "{path} là một thư mục, không phải tệp. Hãy ghi rõ tên tệp, ví dụ {path}/ten-tep",
            "{path} is a folder, not a file. Give a file name, e.g. {path}/file-name",
        ),
        "ENOTDIR": (
            "một phần của đường dẫn {path} là tệp chứ không phải thư mục. Chọn đường dẫn khác",
            "part of the path {path} is a file, not a folder. Choose another path",
        ),
        "EEXIST": (
            "{path} đã có và là một tệp, không phải thư mục. Chọn thư mục khác hoặc đổi tên tệp đó",
            "{path} already exists as a file, not a folder. Choose another folder or rename it",
        ),
        "ENOENT": (
            "không tìm thấy {path}. Kiểm tra lại đường dẫn",
            "{path} does not exist. Check the path",
        ),
        "ENOSPC": (
            "đĩa đầy khi ghi {path}. Giải phóng chỗ trống rồi chạy lại",
            "the disk is full writing {path}. Free some space and run again",
        ),
        "EROFS": (
            "{path} nằm trên ổ đĩa chỉ đọc. Chọn nơi khác để ghi",
            "{path} is on a read-only disk. Choose another place to write",
        ),
        "other": (
            "lỗi hệ thống tệp ở {path} (mã {code}). Kiểm tra ổ đĩa và đường dẫn",
            "a file system error at {path} (code {code}). Check the disk and the path",
        ),
        "file_error": (
            "Không đọc hoặc ghi được tệp: {reason}.",
            "Could not read or write a file: {reason}.",
        ),
    }
)

_SAME_REASON = {errno.EPERM: "EACCES", errno.EACCES: "EACCES"}


def os_error_reason(error: OSError, path: Path | str | None = None) -> str:
    """What went wrong, in the user's language, naming the file (`path`, else the error's own
    file name) and what to do: never the C library's English `strerror`."""
    where = str(path if path is not None else error.filename or "?")
    code = error.errno or 0
    key = _SAME_REASON.get(code) or errno.errorcode.get(code, "")
    if key in T.entries:
        return T(key, path=where)
    return T("other", path=where, code=errno.errorcode.get(code, code))


def os_error_message(error: OSError, path: Path | str | None = None) -> str:
    """A whole sentence for an OSError that reached the command line unhandled."""
    return T("file_error", reason=os_error_reason(error, path))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, fsync it, then rename it into place.

    Raises OSError naming `path` (IsADirectoryError when it is a folder) or its folder (when that
    cannot be made or written, e.g. PermissionError), never the temporary file.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as error:
        raise type(error)(error.errno, error.strerror, str(path.parent)) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
            os.fchmod(fh.fileno(), 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def temp_path_for(path: Path) -> Path:
    """A temporary name beside `path` for tools (ffmpeg) that write files themselves;
    rename it onto `path` with os.replace when they succeed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.fchmod(fd, 0o666 & ~_umask())
    os.close(fd)
    return Path(tmp)
