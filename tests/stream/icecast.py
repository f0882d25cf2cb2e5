"""A real Icecast 2.4 server (Debian's icecast2) on a free 127.0.0.1 port with a generated
config in a temporary folder, and a listener that decodes what it hears to PCM.

Used by the stream tests and benchmarks/urgent.py; never touches the system service.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

SOURCE_PASSWORD = "kiem-thu-nguon"  # a throwaway server's password

CONFIG = """<icecast>
  <location>loa tests {token}</location>
  <admin>test@localhost</admin>
  <limits>
    <clients>50</clients><sources>10</sources>
    <queue-size>524288</queue-size><client-timeout>30</client-timeout>
    <header-timeout>15</header-timeout><source-timeout>5</source-timeout>
    <burst-on-connect>0</burst-on-connect><burst-size>0</burst-size>
  </limits>
  <authentication>
    <source-password>{password}</source-password>
    <relay-password>{password}-relay</relay-password>
    <admin-user>admin</admin-user><admin-password>{password}-admin</admin-password>
  </authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>{port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <fileserve>1</fileserve>
  <paths>
    <basedir>/usr/share/icecast2</basedir>
    <logdir>{logdir}</logdir>
    <webroot>/usr/share/icecast2/web</webroot>
    <adminroot>/usr/share/icecast2/admin</adminroot>
    <pidfile>{logdir}/icecast.pid</pidfile>
  </paths>
  <logging>
    <accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>3</loglevel>
  </logging>
  <security>
    <chroot>0</chroot>
    {owner}
  </security>
</icecast>
"""


def icecast_binary() -> str | None:
    return shutil.which("icecast2") or shutil.which("icecast")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class IcecastServer:
    """`start()`, `stop()`, `restart()` a private icecast2 on 127.0.0.1:port."""

    def __init__(self, folder: Path, port: int | None = None) -> None:
        # Run as root, icecast drops to nobody, who cannot enter pytest's private tmp folders:
        # it then gets a folder of its own under /tmp, removed by stop().
        self._own = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="loa-icecast-")) if self._own else folder
        self.port = port or free_port()
        self.password = SOURCE_PASSWORD
        #: In the server's <location>: tells this server from another test's (an xdist worker's)
        #: that took the same port between free_port() and icecast's bind.
        self.token = secrets.token_hex(6)
        self._fixed_port = port is not None
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _config(self) -> Path:
        logdir = self.folder / "log"
        logdir.mkdir(parents=True, exist_ok=True)
        owner = ""
        if os.geteuid() == 0:  # icecast refuses to run as root
            owner = "<changeowner><user>nobody</user><group>nogroup</group></changeowner>"
            os.chmod(self.folder, 0o777)
            os.chmod(logdir, 0o777)
        path = self.folder / "icecast.xml"
        path.write_text(
            CONFIG.format(
                password=self.password,
                port=self.port,
                logdir=logdir,
                owner=owner,
                token=self.token,
            ),
            encoding="utf-8",
        )
        os.chmod(path, 0o644)
        return path

    def start(self, timeout: float = 10.0) -> IcecastServer:
        """Start the server and wait until it answers; on a port another server took in the
        meantime, again on a new free port (unless the port was given)."""
        for _ in range(4):
            if self._start(timeout):
                return self
            self._halt()
            if self._fixed_port:
                break
            self.port = free_port()
        raise RuntimeError(f"icecast2 could not listen on a port of its own ({self.port})")

    def _start(self, timeout: float) -> bool:
        """True once this server answers; False when another one holds the port."""
        binary = icecast_binary()
        assert binary is not None, "icecast2 is not installed (.ci/run installs it)"
        self.proc = subprocess.Popen(
            [binary, "-c", str(self._config())],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                answer = httpx.get(f"{self.url}/status-json.xsl", timeout=0.5)
                # (the first answers of a starting icecast lack its <location>: ask again)
                if answer.status_code == 200 and '"location"' in answer.text:
                    return self.token in answer.text
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                log = self.folder / "log" / "error.log"
                text = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                if "bind" in text.lower() or "could not create listener" in text.lower():
                    return False
                raise RuntimeError(f"icecast2 exited with {self.proc.returncode}: {text}")
            time.sleep(0.05)
        raise RuntimeError("icecast2 did not answer in time")

    def _halt(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def restart(self) -> None:
        """Stop and start again on the same port (the station's URL names it)."""
        self._halt()
        if not self._start(10.0):
            raise RuntimeError(f"another server took port {self.port} during the restart")

    def stop(self) -> None:
        self._halt()
        if self._own:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _source(self, mount: str) -> dict[str, object] | None:
        from loa.channels.icecast import status_json

        data = status_json(httpx.get(f"{self.url}/status-json.xsl", timeout=2).text)
        sources = data.get("icestats", {}).get("source", [])
        for source in [sources] if isinstance(sources, dict) else sources:
            if str(source.get("listenurl", "")).endswith(mount):
                return dict(source)
        return None

    def listeners(self, mount: str) -> int | None:
        source = self._source(mount)
        return None if source is None else int(str(source.get("listeners", 0)))

    def source_started(self, mount: str) -> str | None:
        """When the mount's current source connected (None: no source): a new value means a
        new source, e.g. a standby that took the mount over."""
        source = self._source(mount)
        return None if source is None else str(source.get("stream_start_iso8601", ""))


class Listener:
    """An IP receiver: ffmpeg plays the mount's HTTP MP3 stream and decodes it to 16-bit mono
    PCM; `pcm()` is everything heard so far, with `times` the monotonic time each block came."""

    def __init__(self, url: str, rate: int = 22050) -> None:
        from loa.audio.ffmpeg import ffmpeg_exe

        self.rate = rate
        self._data = bytearray()
        self.blocks: list[tuple[float, int]] = []  # (arrival time, byte offset after it)
        self._lock = threading.Lock()
        self.proc = subprocess.Popen(
            [
                ffmpeg_exe(),
                *("-hide_banner", "-loglevel", "error", "-nostdin"),
                *("-fflags", "nobuffer", "-probesize", "2048", "-analyzeduration", "0"),
                *("-reconnect", "1", "-reconnect_streamed", "1", "-reconnect_delay_max", "2"),
                *("-f", "mp3", "-i", url, "-ac", "1", "-ar", str(rate)),
                *("-flush_packets", "1", "-f", "s16le", "pipe:1"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
        )
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while True:
            data = os.read(fd, 2048)
            if not data:
                return
            with self._lock:
                self._data += data
                self.blocks.append((time.monotonic(), len(self._data)))

    def pcm(self) -> np.ndarray:
        with self._lock:
            data = bytes(self._data[: len(self._data) // 2 * 2])
        return np.frombuffer(data, dtype="<i2").astype(np.float32) / 32768.0

    def heard_seconds(self) -> float:
        with self._lock:
            return len(self._data) / 2 / self.rate

    def tone_level(self, freq: float, start_s: float, end_s: float) -> float:
        """The RMS amplitude of `freq` (Hz) in [start_s, end_s) of what was heard."""
        x = self.pcm()[int(start_s * self.rate) : int(end_s * self.rate)]
        if len(x) < self.rate // 10:
            return 0.0
        t = np.arange(len(x)) / self.rate
        ref = np.exp(-2j * np.pi * freq * t)
        return float(2 * abs(np.dot(x, ref)) / len(x) / np.sqrt(2))

    def first_time(
        self, predicate_window: float, freq: float, level: float, after_s: float = 0.0
    ) -> float | None:
        """The monotonic arrival time of the first window (of `predicate_window` s) after
        `after_s` in which `freq` is louder than `level`; None when not heard yet."""
        x = self.pcm()
        step = int(predicate_window * self.rate)
        start = int(after_s * self.rate)
        for lo in range(start, len(x) - step, step // 2):
            if self.tone_level(freq, lo / self.rate, (lo + step) / self.rate) > level:
                byte = (lo + step) * 2
                with self._lock:
                    for when, offset in self.blocks:
                        if offset >= byte:
                            return when
                return None
        return None

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._thread.join(2)
