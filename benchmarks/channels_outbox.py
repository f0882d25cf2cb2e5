"""What the crash-safe outbox costs: posts per second through `publish_message` (record, commit,
post, complete, as-run) against the bare Facebook channel posting the same items, both to an
in-process Graph API stand-in (httpx.MockTransport), on a temporary station.

Run: .venv/bin/python benchmarks/channels_outbox.py [N]
"""

from __future__ import annotations

import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

import httpx


def graph_transport() -> httpx.MockTransport:
    ids = itertools.count(1)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps({"id": f"1_{next(ids)}"}))

    return httpx.MockTransport(handler)


def main(n: int) -> None:
    import loa.channels.models  # noqa: F401
    from loa.app.publish import publish_message
    from loa.app.setup import init_station
    from loa.channels.facebook import FacebookChannel
    from loa.channels.items import message_item
    from loa.channels.runtime import Runtime
    from loa.content.models import Message

    with tempfile.TemporaryDirectory() as tmp:
        station = init_station(Path(tmp) / "bench", name="Xã Đo")
        station.config.setdefault("channels", {})["facebook"] = {"page_id": "1"}
        with station.transaction() as s:
            messages = [
                Message(
                    title=f"Tin {i}",
                    body="Nội dung " * 40,
                    topic_code="procedures",
                    status="approved",
                )
                for i in range(n)
            ]
            s.add_all(messages)
            s.flush()
            ids = [m.id for m in messages]
        now = station.now()
        with station.transaction() as s:
            items = [message_item(s.get(Message, i), "facebook", f"bench:{i}") for i in ids]
        client = httpx.Client(transport=graph_transport())
        bare = FacebookChannel("1", "token", http=client)
        started = time.perf_counter()
        for item in items:
            bare.publish(item, now=now)
        bare_s = time.perf_counter() - started
        runtime = Runtime(http=client, env={"LOA_FACEBOOK_TOKEN": "token"})
        started = time.perf_counter()
        for i in ids:
            publish_message(station, i, "facebook", now=now, runtime=runtime)
        outbox_s = time.perf_counter() - started
        started = time.perf_counter()
        for i in ids:  # everything already published: the idempotent no-op path
            publish_message(station, i, "facebook", now=now, runtime=runtime)
        again_s = time.perf_counter() - started
    print(f"posts: {n}")
    print(f"bare channel (baseline): {n / bare_s:8.1f} posts/s  {1000 * bare_s / n:6.2f} ms/post")
    print(
        f"through the outbox:      {n / outbox_s:8.1f} posts/s  {1000 * outbox_s / n:6.2f} ms/post"
    )
    print(f"repeat (no post):        {n / again_s:8.1f} calls/s  {1000 * again_s / n:6.2f} ms/call")
    print(f"ratio outbox/baseline: {outbox_s / bare_s:.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
