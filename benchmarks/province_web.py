"""Memory of one `loa province web` serving a whole province, against one `loa web` per commune.

A province of N sample communes (default 20) in a scratch PostgreSQL database. Measured in the
same run: the resident memory (RSS) of a commune's own `loa web` after its main pages were
opened (the baseline: today one such process per commune), then of one `loa province web`
after the same pages of 1 commune, and of all N communes, were opened by a province user; and
each page's time.

Run: .venv/bin/python benchmarks/province_web.py [--communes 20]
     [--database postgresql://postgres@127.0.0.1:5432/postgres]
(a scratch database is created on that server and dropped at the end).
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAGES = ("/", "/messages", "/plan", "/radio", "/outbox", "/reports", "/province")
PASSWORD = "mat-khau-do-thu"


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(args: list[str], cwd: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "loa", *args, "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            if proc.poll() is not None:
                message = proc.stderr.read().decode() if proc.stderr else "exited"
                raise SystemExit(message) from None
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def _log_in(client, login: str, name: str) -> None:  # type: ignore[no-untyped-def]
    client.get(login)
    answer = client.post(
        login,
        data={
            "username": name,
            "password": PASSWORD,
            "csrf": client.cookies.get("loa_csrf"),
            "next": "/",
        },
    )
    assert answer.status_code == 303, answer.text[:300]


def _open(client, prefix: str, times: list[float]) -> None:  # type: ignore[no-untyped-def]
    for page in PAGES:
        t = time.perf_counter()
        answer = client.get(prefix + page)
        times.append(time.perf_counter() - t)
        assert answer.status_code == 200, (prefix + page, answer.status_code)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--communes", type=int, default=20)
    ap.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = ap.parse_args()

    import httpx
    import psycopg
    from sqlalchemy.engine import make_url

    from loa.app import users
    from loa.app.setup import load_sample
    from loa.province.registry import init_province
    from loa.province.stations import add_station, open_station
    from loa.province.users import add_user

    admin = make_url(args.database)
    name = f"loa_bench_{secrets.token_hex(4)}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(drivername="postgresql+psycopg", database=name).render_as_string(
        hide_password=False
    )
    procs: list[subprocess.Popen[bytes]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            province = init_province(Path(tmp) / "tinh", name="Tỉnh Đo", database=url)
            idents = [f"xa_{k:03d}" for k in range(args.communes)]
            for ident in idents:
                add_station(province, ident, name=f"Xã {ident[-3:]}")
                opened = open_station(province, ident)
                load_sample(opened)
                users.add_user(opened, "can.bo", "officer", PASSWORD, now=opened.now())
                opened.engine.dispose()
            add_user(province, "tinh.do", "viewer", PASSWORD, now=province.now())

            # the baseline: the commune's own loa web
            port = _free_port()
            single = _serve(["web"], province.stations_dir / idents[0], port)
            procs.append(single)
            base = f"http://127.0.0.1:{port}"
            single_times: list[float] = []
            with httpx.Client(base_url=base, timeout=60) as client:
                _log_in(client, "/login", "can.bo")
                _open(client, "", single_times)
                _open(client, "", single_times)
            single_rss = _rss_mib(single.pid)
            single.terminate()
            single.wait(10)

            # one process for the province
            port = _free_port()
            whole = _serve(["province", "web", "--province", str(province.root)], Path(tmp), port)
            procs.append(whole)
            base = f"http://127.0.0.1:{port}"
            first_times: list[float] = []
            all_times: list[float] = []
            with httpx.Client(base_url=base, timeout=60) as client:
                _log_in(client, "/login", "tinh.do")
                _open(client, f"/x/{idents[0]}", first_times)
                _open(client, f"/x/{idents[0]}", first_times)
                one_rss = _rss_mib(whole.pid)
                t = time.perf_counter()
                for ident in idents:
                    _open(client, f"/x/{ident}", all_times)
                for ident in idents:
                    _open(client, f"/x/{ident}", all_times)
                every_s = time.perf_counter() - t
                all_rss = _rss_mib(whole.pid)
                t = time.perf_counter()
                assert client.get("/").status_code == 200
                now_page_s = time.perf_counter() - t
            whole.terminate()
            whole.wait(10)

            def ms(times: list[float]) -> str:
                ordered = sorted(times)
                return (
                    f"median {ordered[len(ordered) // 2] * 1000:.0f} ms, "
                    f"p95 {ordered[int(len(ordered) * 0.95)] * 1000:.0f} ms"
                )

            n = args.communes
            print(f"pages per commune: {', '.join(PAGES)} (each opened twice)")
            print(f"one commune's own loa web: RSS {single_rss:.0f} MiB; pages {ms(single_times)}")
            print(f"loa province web, 1 commune opened: RSS {one_rss:.0f} MiB; {ms(first_times)}")
            print(
                f"loa province web, {n} communes opened: RSS {all_rss:.0f} MiB "
                f"(+{(all_rss - one_rss) / max(n - 1, 1):.1f} MiB per further commune); "
                f"{ms(all_times)}; {every_s:.1f} s for all"
            )
            print(f"province page (every commune now, alerts): {now_page_s * 1000:.0f} ms")
            print(
                f"{n} communes: one process {all_rss:.0f} MiB vs {n} × loa web "
                f"{n * single_rss:.0f} MiB (ratio {all_rss / (n * single_rss):.3f})"
            )
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
