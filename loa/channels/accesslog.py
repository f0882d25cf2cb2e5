"""A web server's access log in the combined format (Apache, nginx): who fetched which page.

    203.0.113.7 - - [23/Nov/2026:20:01:12 +0700] "GET /tin/12-abc.html HTTP/1.1" 200 5120 "-" "Mozilla/5.0"

`read_log` parses a file into hits by path (successful GETs, robots left out), so the website
channel counts the hits and distinct visitors of each page or podcast episode since it went out.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

LINE = re.compile(
    r'^(?P<host>\S+) \S+ \S+ \[(?P<time>[^\]]+)\] "(?P<method>[A-Z]+) (?P<target>\S+)'
    r'(?: [^"]*)?" (?P<status>\d{3}) (?P<size>\S+)(?: "(?P<referer>[^"]*)" "(?P<agent>[^"]*)")?'
)
#: Answers that delivered the page (206: part of an episode, 304: the cached copy).
DELIVERED = frozenset({200, 206, 304})
ROBOTS = re.compile(r"bot|spider|crawl|slurp|preview|monitor|curl|wget", re.IGNORECASE)


@dataclass(frozen=True)
class Hit:
    at: datetime  # aware (the log's own offset)
    host: str


def read_log(path: Path) -> tuple[dict[str, list[Hit]], int]:
    """(path -> hits, lines that could not be read) of a combined-format log. Raises OSError
    when the file cannot be read."""
    hits: dict[str, list[Hit]] = defaultdict(list)
    bad = 0
    with path.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if not line.strip():
                continue
            match = LINE.match(line)
            if match is None:
                bad += 1
                continue
            if match["method"] != "GET" or int(match["status"]) not in DELIVERED:
                continue
            if ROBOTS.search(match["agent"] or ""):
                continue
            try:
                at = datetime.strptime(match["time"], "%d/%b/%Y:%H:%M:%S %z")
            except ValueError:
                bad += 1
                continue
            target = unquote(urlsplit(match["target"]).path)
            hits[target].append(Hit(at, match["host"]))
    return dict(hits), bad
