"""A province urgent message (khẩn cấp) to N communes (default 100), each with an IP stream zone
on a real local icecast2: the time from `loa.province.messages.send` (what `loa province msg
add --class khan-cap` calls) to the first commune airing its alert tone and to the last.

Each commune's alert start is its as-run row's `started_at` (the moment its mount switched to
the alert, ≤ 50 ms before the encoder has it); the first commune is also heard by a real
listener (ffmpeg decoding its mount) as a check of that clock.

Two ways the mounts are held:
- "head-end": a `loa province stream` process keeps every commune's mount (issue #33 point 2);
  the `loa worker` processes hand each urgent job to it over the commune's control socket.
- "worker-opens" (the path before the head-end): each urgent job opens the commune's mounts in
  the worker itself (here="stream"), airs, and holds its worker slot until the airing is over.
  Run with --direct N (default 6) communes, as it is slow.

Baseline in the same run: N trivial procrastinate jobs ("ping") through the same workers, the
queue's own cost of a fan-out to N communes. Goal (issue #33): first < 3 s, last < 10 s.

Run: .venv/bin/python benchmarks/province_urgent.py [--communes 100] [--workers 1,2]
     [--direct 6] [--rounds 1]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def big_icecast(folder: Path):  # type: ignore[no-untyped-def]
    """The tests' private icecast2, allowed enough sources and listeners for a province."""
    from tests.stream import icecast as ice

    class Big(ice.IcecastServer):
        def _config(self) -> Path:
            saved = ice.CONFIG
            ice.CONFIG = saved.replace(
                "<clients>50</clients><sources>10</sources>",
                ("<clients>600</clients><sources>400</sources>"),
            )
            try:
                return super()._config()
            finally:
                ice.CONFIG = saved

    return Big(folder).start()


def setup_province(folder: Path, url: str, n: int, icecast) -> object:  # type: ignore[no-untyped-def]
    import tomlkit

    from loa.province.registry import PROVINCE_FILE, init_province
    from loa.province.stations import add_station

    province = init_province(folder / "tinh", name="Tỉnh Đo", database=url)
    path = province.root / PROVINCE_FILE
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    workers = tomlkit.table()
    workers["keep_open"] = 128  # every commune stays open (they share a few connections)
    doc["workers"] = workers
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    for k in range(n):
        ident = f"xa_{k:03d}"
        add_station(province, ident, name=f"Xã {k}")
        conf = province.stations_dir / ident / "loa.toml"
        doc = tomlkit.parse(conf.read_text(encoding="utf-8"))
        doc.setdefault("audio", tomlkit.table())["engine"] = "silent"
        radio = doc.setdefault("radio", tomlkit.table())
        stream = tomlkit.table()
        stream["enabled"] = True
        stream["url"] = icecast.url
        stream["mounts"] = [{"zone": "thon1", "mount": f"/{ident}-thon1.mp3", "name": "Thôn 1"}]
        stream["local_playout"] = False
        stream["urgent_repeats"] = 1
        stream["reconnect_min_s"] = 0.2
        stream["reconnect_max_s"] = 2.0
        radio["stream"] = stream
        conf.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return province


def set_hosted(province, idents: list[str]) -> None:  # type: ignore[no-untyped-def]
    import tomlkit

    from loa.province.registry import PROVINCE_FILE

    path = province.root / PROVINCE_FILE
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    table = tomlkit.table()
    table["communes"] = idents
    doc["stream"] = table
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def spawn(province, *args: str) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
    from tests.stream.icecast import SOURCE_PASSWORD

    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOA_ICECAST_PASSWORD": SOURCE_PASSWORD}
    return subprocess.Popen(
        [sys.executable, "-m", "loa", *args, "--province", str(province.root)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def mounts_up(icecast, idents: list[str], timeout: float) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from loa.channels.icecast import status_json

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        data = status_json(httpx.get(f"{icecast.url}/status-json.xsl", timeout=5).text)
        sources = data.get("icestats", {}).get("source", [])
        sources = [sources] if isinstance(sources, dict) else sources
        have = {str(s.get("listenurl", "")).rsplit("/", 1)[-1] for s in sources}
        if all(f"{i}-thon1.mp3" in have for i in idents):
            return
        time.sleep(0.3)
    raise SystemExit("the head-end did not connect every mount in time")


def aired_at(province, sent, timeout: float) -> dict[str, datetime]:  # type: ignore[no-untyped-def]
    """Each commune's as-run start of its copy of the message, once every one has aired."""
    from sqlalchemy import text

    engine = province.engine(pool_size=1)
    found: dict[str, datetime] = {}
    end = time.monotonic() + timeout
    try:
        while time.monotonic() < end and len(found) < len(sent.delivered):
            with engine.connect() as conn:
                for ident, local_id in sent.delivered.items():
                    if ident in found:
                        continue
                    at = conn.scalar(
                        text(
                            f'SELECT min(started_at) FROM "{ident}".as_run '
                            "WHERE message_id = :m AND channel = 'radio'"
                        ),
                        {"m": local_id},
                    )
                    if at is not None:
                        found[ident] = at
            time.sleep(0.5)
    finally:
        engine.dispose()
    return found


def cpu_of(pid: int) -> float:
    """CPU seconds of `pid` and of its children it has reaped (ffmpeg decoders, renders)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def urgent_round(
    province, targets: list[str], listen, label: str
) -> tuple[float, float, float | None]:  # type: ignore[no-untyped-def]
    """Send one khẩn cấp message to `targets`; (first, last, heard by the listener) in s."""
    from loa.province.messages import Priority, send

    heard_before = listen.heard_seconds() if listen is not None else 0.0
    t0_wall = province.now()
    t0 = time.monotonic()
    sent = send(
        province,
        title=f"Cảnh báo lũ quét {label}",
        body="Bà con di chuyển lên chỗ cao ngay.",
        priority=Priority.URGENT,
        targets=targets,
        by="benchmark",
        channels=["radio"],
    )
    print(f"{label}: send() took {time.monotonic() - t0:.2f} s for {len(targets)} communes")
    heard = None
    if listen is not None:
        end = time.monotonic() + 60
        while heard is None and time.monotonic() < end:
            found = listen.first_time(0.1, 960.0, 0.05, after_s=heard_before)
            heard = None if found is None else found - t0
            time.sleep(0.05)
    times = aired_at(province, sent, timeout=60 + 25 * len(targets))
    if len(times) < len(targets):
        raise SystemExit(f"{label}: only {len(times)} of {len(targets)} communes aired")
    delays = sorted((t - t0_wall).total_seconds() for t in times.values())
    return delays[0], delays[-1], heard


def ping_round(province, n: int) -> float:  # type: ignore[no-untyped-def]
    """N trivial jobs through the running workers: seconds until the last is done."""
    from sqlalchemy import text

    from loa.province.queue import make_app

    app = make_app(province, sync=True)
    t0 = time.monotonic()
    with app.open():
        ids = [app.tasks["ping"].defer() for _ in range(n)]
    engine = province.engine(pool_size=1)
    try:
        while True:
            with engine.connect() as conn:
                left = conn.scalar(
                    text(
                        "SELECT count(*) FROM procrastinate.procrastinate_jobs "
                        "WHERE id = ANY(:ids) AND status <> 'succeeded'"
                    ),
                    {"ids": ids},
                )
            if not left:
                return time.monotonic() - t0
            time.sleep(0.02)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--communes", type=int, default=100)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--direct", type=int, default=6, help="communes for worker-opens")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=2, help="of each loa worker")
    args = parser.parse_args()
    from tests.pgserver import scratch_database
    from tests.stream.icecast import Listener

    counts = [int(w) for w in args.workers.split(",")]
    worker = ["worker", "--heartbeat", "1", "--concurrency", str(args.concurrency)]
    with tempfile.TemporaryDirectory(prefix="loa-bench-") as tmp, scratch_database() as url:
        icecast = big_icecast(Path(tmp) / "icecast")
        procs: list[subprocess.Popen[bytes]] = []
        listener = None
        try:
            t = time.monotonic()
            province = setup_province(Path(tmp), url, args.communes, icecast)
            idents = [r.ident for r in province.stations()]  # type: ignore[attr-defined]
            print(f"{len(idents)} communes set up in {time.monotonic() - t:.1f} s")
            results: list[tuple[str, int, int, float, float, float | None, float]] = []
            # -- worker-opens (the path without a head-end), on a few communes
            direct = idents[: args.direct]
            for w in counts if direct else []:
                workers = [spawn(province, *worker) for _ in range(w)]
                procs += workers
                time.sleep(3.0)
                ping = ping_round(province, len(direct))
                for r in range(args.rounds):
                    first, last, _ = urgent_round(province, direct, None, f"direct-{w}-{r}")
                    results.append(("worker-opens", w, len(direct), first, last, None, ping))
                stop(workers)
            # -- head-end
            set_hosted(province, idents)
            head = spawn(province, "province", "stream", "--interval", "1")
            procs.append(head)
            t = time.monotonic()
            mounts_up(icecast, idents, timeout=120)
            print(f"head-end: {len(idents)} mounts connected in {time.monotonic() - t:.1f} s")
            listener = Listener(f"{icecast.url}/{idents[0]}-thon1.mp3")
            time.sleep(1.0)
            for w in counts:
                workers = [spawn(province, *worker) for _ in range(w)]
                procs += workers
                time.sleep(3.0)
                ping = ping_round(province, len(idents))
                for r in range(args.rounds):
                    before = [cpu_of(p.pid) for p in [head, *workers]]
                    first, last, heard = urgent_round(province, idents, listener, f"head-{w}-{r}")
                    used = [
                        cpu_of(p.pid) - b for p, b in zip([head, *workers], before, strict=True)
                    ]
                    print(
                        f"head-{w}-{r}: CPU per commune: head-end {used[0] / len(idents) * 1000:.0f} ms"
                        f" (its encoders not counted), workers "
                        f"{sum(used[1:]) / len(idents) * 1000:.0f} ms"
                    )
                    results.append(("head-end", w, len(idents), first, last, heard, ping))
                stop(workers)
        finally:
            if listener is not None:
                listener.close()
            stop(procs)
            icecast.stop()
    print()
    print(
        f"{'mounts held by':<14} {'workers':>7} {'communes':>8} {'first s':>8} {'last s':>8} "
        f"{'heard s':>8} {'ping s':>7} {'last/ping':>9}"
    )
    for how, w, n, first, last, heard, ping in results:
        h = f"{heard:.2f}" if heard is not None else "-"
        print(
            f"{how:<14} {w:>7} {n:>8} {first:>8.2f} {last:>8.2f} {h:>8} {ping:>7.2f} "
            f"{last / ping:>9.1f}"
        )
    best = [r for r in results if r[0] == "head-end"]
    if best:
        ok = all(r[3] < 3 and r[4] < 10 for r in best)
        print(f"goal (first < 3 s, last < 10 s for {best[0][2]}): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
