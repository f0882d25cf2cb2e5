"""Rendered page parts kept while the station database is unchanged.

The week grid is the dashboard's most requested and most expensive part (about 180 entries:
a database read and a large template). Twenty people looking at the same week between two
changes get the same HTML, so it is kept under a key (what the page shows, the language, the
minute) and the database's change stamp (`loa.core.db.ChangeWatch`): any commit, by this
process or another (the daemon), makes the next request build it again. Parts are stored with a
placeholder in place of the user's CSRF token, which is put in when the part is served. On
PostgreSQL nothing is kept (no change stamp).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from loa.core.db import ChangeWatch

V = TypeVar("V")

#: Stands for the CSRF token in a kept part (a token never contains it).
CSRF_PLACEHOLDER = "\x00csrf\x00"


class FragmentCache:
    def __init__(self, watch: ChangeWatch, size: int = 256) -> None:
        self.watch = watch
        self.size = size
        self._items: OrderedDict[tuple[int, Hashable], Any] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[tuple[int, Hashable], _Build] = {}
        self.hits = self.misses = 0

    def get(self, key: Hashable, render: Callable[[], str], *, csrf: str) -> str:
        """The part for `key` with `csrf` in place, rendered by `render()` (which writes
        CSRF_PLACEHOLDER for the token) unless kept since the database last changed."""
        return self.value(("part", key), render).replace(CSRF_PLACEHOLDER, csrf)

    def value(self, key: Hashable, compute: Callable[[], V]) -> V:
        """What `compute()` read from the database for `key`, kept until the next commit
        (the account behind a token or a session: a changed role, a removed user or token is
        a commit). `compute` may answer None, which is kept too. After a commit, the first
        request builds it and the others asking at the same time wait for that one build
        instead of each building it (twenty page builds at once hold the GIL for seconds)."""
        stamp = self.watch.stamp()
        if stamp is None:
            return compute()
        full = (stamp, key)
        with self._lock:
            if full in self._items:
                self._items.move_to_end(full)
                self.hits += 1
                found: V = self._items[full]
                return found
            building = self._building.get(full)
            mine = building is None
            if building is None:
                building = self._building[full] = _Build()
        if not mine:
            building.done.wait()
            if building.ok:
                with self._lock:
                    self.hits += 1
                shared: V = building.result
                return shared
            return compute()  # that build failed: this request meets the error itself
        try:
            result = compute()  # read before the stamp changes again: kept under the old one
            building.result, building.ok = result, True
        finally:
            with self._lock:
                if building.ok:
                    self.misses += 1
                    self._items[full] = building.result
                    while len(self._items) > self.size:
                        self._items.popitem(last=False)
                del self._building[full]
            building.done.set()
        return result


class _Build:
    """One build in progress, which the requests for the same part wait for."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Any = None
        self.ok = False
