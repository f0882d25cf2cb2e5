"""Shared fixtures: a real temporary station with its own SQLite file per test, or its own
PostgreSQL schema for the modules in BOTH_STORES (each of their tests runs on both)."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from loa.app.setup import SAMPLE_DAY, init_station
from loa.core.i18n import set_language
from loa.core.station import Station


@pytest.fixture(autouse=True)
def _vietnamese(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run in Vietnamese (the default) unless they set LOA_LANG themselves."""
    monkeypatch.delenv("LOA_LANG", raising=False)
    monkeypatch.delenv("LOA_STATION", raising=False)
    monkeypatch.delenv("LOA_FACEBOOK_TOKEN", raising=False)
    monkeypatch.delenv("LOA_DATABASE_URL", raising=False)
    monkeypatch.delenv("LOA_DATABASE_SCHEMA", raising=False)
    set_language("vi")


@pytest.fixture(autouse=True)
def _root_logging() -> Iterator[None]:
    """An in-process command that sets up logging (loa run, loa worker, loa scheduler through
    CliRunner) points the root logger at that run's captured stream, closed afterwards: put
    the handlers and level back so the next test does not write into a closed file."""
    import logging

    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


#: Test modules whose every station test runs twice: on SQLite and on PostgreSQL.
BOTH_STORES = {
    "tests/planning/test_planner.py",
    "tests/planning/test_slots.py",
    "tests/planning/test_views.py",
    "tests/planning/test_calendar.py",
    "tests/channels/test_outbox_and_others.py",
    "tests/channels/test_facebook_publish.py",
    "tests/channels/test_insights.py",
    "tests/report/test_figures.py",
    "tests/report/test_periods.py",
    "tests/report/test_invariants.py",
    "tests/report/test_with_channels.py",
    "tests/province/test_both_stores.py",
}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store" not in metafunc.fixturenames:
        return
    for mark in metafunc.definition.iter_markers("parametrize"):
        if mark.args and mark.args[0] == "store":
            return  # the test chose its stores itself
    path = Path(str(metafunc.definition.fspath)).resolve()
    relative = path.relative_to(Path(__file__).resolve().parent.parent).as_posix()
    stores = ["sqlite", "postgresql"] if relative in BOTH_STORES else ["sqlite"]
    metafunc.parametrize("store", stores, indirect=True)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of this test run's own (its URL), dropped at the end."""
    from tests.pgserver import scratch_database

    with scratch_database() as url:
        yield url


@pytest.fixture
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Where the test's stations keep their data: "sqlite" (a file in the station folder) or
    "postgresql" (a schema of their own in the run's database, through LOA_DATABASE_URL and
    LOA_DATABASE_SCHEMA, dropped after the test)."""
    kind = getattr(request, "param", "sqlite")
    if kind != "postgresql":
        yield kind
        return
    url = request.getfixturevalue("pg_database")
    schema = f"t_{secrets.token_hex(6)}"
    monkeypatch.setenv("LOA_DATABASE_URL", url)
    monkeypatch.setenv("LOA_DATABASE_SCHEMA", schema)
    yield kind
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


#: The environment a template station is built in: none of the test's own settings.
_STATION_ENV = (
    "LOA_LANG",
    "LOA_STATION",
    "LOA_DATABASE_URL",
    "LOA_DATABASE_SCHEMA",
    "LOA_FACEBOOK_TOKEN",
)

#: What each kind of template station is: the arguments of `init_station` after the folder.
_TEMPLATES: dict[str, dict[str, Any]] = {
    "empty": {"name": "Xã Thử Nghiệm"},
    "sample": {"name": "Xã Cẩm Nhượng", "sample": True, "today": SAMPLE_DAY},
}


@pytest.fixture(scope="session")
def station_template(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """The folder of a SQLite station made once per test run by `init_station` (all migrations),
    for each kind in _TEMPLATES. Tests never open it: they get a copy (`_copy_station`)."""
    made: dict[str, Path] = {}

    def template(kind: str) -> Path:
        if kind not in made:
            folder = tmp_path_factory.mktemp(f"template-{kind}") / "station"
            with pytest.MonkeyPatch.context() as env:
                for name in _STATION_ENV:
                    env.delenv(name, raising=False)
                set_language("vi")
                built = init_station(folder, **_TEMPLATES[kind])
                built.engine.dispose()  # WAL checkpointed: the database is one whole file
            leftovers = sorted(p.name for p in folder.glob("*-wal")) + sorted(
                p.name for p in folder.glob("*-journal")
            )
            assert not leftovers, f"template station not closed cleanly: {leftovers}"
            made[kind] = folder
        return made[kind]

    return template


def _new_station(request: pytest.FixtureRequest, store: str, kind: str, root: Path) -> Station:
    """A station of its own at `root`: on SQLite a copy of the run's template (its own folder,
    loa.toml and database file, about 20 ms instead of 0.5 s of migrations); on PostgreSQL made
    by `init_station` in the test's own schema."""
    if store != "sqlite":
        return init_station(root, **_TEMPLATES[kind])
    template: Callable[[str], Path] = request.getfixturevalue("station_template")
    shutil.copytree(template(kind), root)
    return Station.load(root)


@pytest.fixture
def station(request: pytest.FixtureRequest, tmp_path: Path, store: str) -> Station:
    """An empty station (taxonomy seeded, no messages)."""
    return _new_station(request, store, "empty", tmp_path / "station")


@pytest.fixture
def sample_station(request: pytest.FixtureRequest, tmp_path: Path, store: str) -> Station:
    """A station filled with the built-in sample messages, all approved."""
    return _new_station(request, store, "sample", tmp_path / "sample")


#: How long the processes a test run started get to end by themselves after the last test.
LEFTOVER_GRACE_S = 5.0


def pytest_configure(config: pytest.Config) -> None:
    """Make this process the "subreaper" of what the tests start (Linux): a process a test's
    subprocess leaves behind (a render worker of a stopped `loa run`, a player) is then
    reparented here instead of to PID 1, so the check at the end of the run sees it."""
    import ctypes
    import sys

    if sys.platform.startswith("linux"):
        pr_set_child_subreaper = 36
        try:
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_child_subreaper, 1, 0, 0, 0)
        except (OSError, AttributeError):  # not available: the check sees direct children only
            pass


def _leftover_processes(grace: float) -> list[Any]:
    """The processes still running under this one after `grace` seconds (zombies reaped)."""
    import os
    import time

    import psutil

    me = psutil.Process()
    end = time.monotonic() + grace
    while True:
        left = []
        for child in me.children(recursive=True):
            try:
                if child.status() == psutil.STATUS_ZOMBIE:
                    if child.ppid() == me.pid:
                        os.waitpid(child.pid, os.WNOHANG)
                    continue
                left.append(child)
            except (psutil.NoSuchProcess, ChildProcessError):
                continue
        if not left or time.monotonic() >= end:
            return left
        time.sleep(0.1)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """(pytest-xdist, in the controller) Keep what a worker's own check found: a worker ends
    the processes its tests left behind and says so in its output."""
    left = getattr(node, "workeroutput", {}).get("loa_leftovers", [])
    node.config.stash.setdefault(_WORKER_LEFTOVERS, []).extend(left)


_WORKER_LEFTOVERS = pytest.StashKey[list[str]]()


@pytest.hookimpl(trylast=True)  # after the session fixtures' teardown (servers, browsers)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop the multiprocessing fork server and resource tracker that rendering tests started
    in this process (both are private, stable since Python 3.8), then fail the run if any test
    left a process behind, naming each (and end them). Under pytest-xdist each worker checks
    its own tests' processes and hands the list to the controller, which checks too (a worker
    that ended leaves its orphans to the controller, the next subreaper) and fails the run."""
    import multiprocessing.forkserver as forkserver
    import multiprocessing.resource_tracker as resource_tracker

    import psutil

    for helper in (
        getattr(forkserver, "_forkserver", None),
        getattr(resource_tracker, "_resource_tracker", None),
    ):
        stop = getattr(helper, "_stop", None)
        if stop is not None:
            try:
                stop()
            except Exception:  # best effort: the check below names what is left
                pass
    config = session.config
    worker = getattr(config, "workerinput", None)
    lines = []
    for process in _leftover_processes(LEFTOVER_GRACE_S):
        try:
            where = f" (worker {worker['workerid']})" if worker else ""
            lines.append(f"  {process.pid}{where}: {' '.join(process.cmdline())[:200]}")
            process.kill()
        except psutil.NoSuchProcess:
            continue
    if worker is not None:
        config.workeroutput["loa_leftovers"] = lines  # type: ignore[attr-defined]
        return
    lines = config.stash.get(_WORKER_LEFTOVERS, []) + lines
    if lines:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        text = "\ntests left processes behind (now killed):\n" + "\n".join(lines)
        if reporter is not None:
            reporter.write_line(text, red=True)
        else:
            print(text)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
