"""HTTP for the channels: every call has a total deadline (connect, send and every read
together), not only httpx's per-read timeout, so a server that drips its answer a byte at a
time, or never ends its body, still ends the call in bounded time.

`new_client` builds an httpx client whose network streams read the calling thread's deadline
(set by `request`) and never wait past it, headers included; `request` also checks the
deadline between body chunks and caps the body size, so a client passed in by a caller is
bounded too once the headers have arrived. Transport failures come out as `CallFailed` with
a `kind` a channel turns into its own message.
"""

from __future__ import annotations

import functools
import ssl
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpcore
import httpx

#: The largest answer any channel API sends us (Graph, WordPress, Zalo JSON).
MAX_BODY = 8 * 1024 * 1024

_local = threading.local()


class CallFailed(Exception):
    """A call that got no usable answer. `kind` is one of:

    - "connect": no connection was made, so nothing reached the server;
    - "timeout": the server did not answer within the per-read timeout;
    - "deadline": the whole call took longer than its total deadline;
    - "dropped": the connection was closed or reset before the whole answer came;
    - "too_large": the answer was longer than MAX_BODY.

    All but "connect" are ambiguous for a write: the server may have acted.
    """

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = detail

    @property
    def ambiguous(self) -> bool:
        return self.kind != "connect"


def _budget(timeout: float | None) -> float | None:
    """The per-operation timeout, shortened to what is left of this thread's deadline."""
    deadline: float | None = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        _local.expired = True
        raise httpcore.ReadTimeout("total deadline passed")
    return left if timeout is None else min(timeout, left)


def _expired() -> bool:
    deadline = getattr(_local, "deadline", None)
    return bool(getattr(_local, "expired", False)) or (
        deadline is not None and time.monotonic() >= deadline
    )


class _Stream(httpcore.NetworkStream):
    """A network stream that never waits past the calling thread's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, _budget(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _budget(timeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self.inner.start_tls(ssl_context, server_hostname, _budget(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """httpcore's own synchronous backend, with streams bounded by the deadline."""

    def __init__(self) -> None:
        self.inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        return _Stream(
            self.inner.connect_tcp(host, port, _budget(timeout), local_address, socket_options)
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.NetworkStream:
        return _Stream(self.inner.connect_unix_socket(path, _budget(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for every client: loading the CA bundle costs ~20 ms, more
    than the rest of a post's work (a province worker makes a client per post)."""
    return httpx.create_ssl_context()


#: httpcore's exceptions as httpx's, most specific first (what httpx's own transport does).
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


def _as_httpx(exc: Exception) -> Exception:
    for theirs, ours in _ERRORS:
        if isinstance(exc, theirs):
            return ours(str(exc))
    return exc


class _Body(httpx.SyncByteStream):
    """A response body from httpcore, its errors raised as httpx's."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self.inner
        except httpcore.TimeoutException as exc:
            raise _as_httpx(exc) from exc
        except (httpcore.NetworkError, httpcore.ProtocolError) as exc:
            raise _as_httpx(exc) from exc

    def close(self) -> None:
        if hasattr(self.inner, "close"):
            self.inner.close()


class DeadlineTransport(httpx.BaseTransport):
    """An httpx transport over httpcore's connection pool (public API of both) whose network
    streams obey the calling thread's deadline (`_Backend`)."""

    def __init__(self) -> None:
        self.pool = httpcore.ConnectionPool(  # httpx's defaults
            ssl_context=_ssl_context(),
            max_connections=100,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            network_backend=_Backend(),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        call = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            answer = self.pool.handle_request(call)
        except (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError) as exc:
            raise _as_httpx(exc) from exc
        except (httpcore.ProxyError, httpcore.UnsupportedProtocol) as exc:
            raise _as_httpx(exc) from exc
        return httpx.Response(
            status_code=answer.status,
            headers=answer.headers,
            stream=_Body(answer.stream),
            extensions=answer.extensions,
        )

    def close(self) -> None:
        self.pool.close()


def new_client(timeout: float) -> httpx.Client:
    """An httpx client (per-phase `timeout`) whose reads obey `request`'s total deadline."""
    return httpx.Client(timeout=timeout, transport=DeadlineTransport())


def request(
    http: httpx.Client,
    method: str,
    url: str,
    *,
    deadline_s: float,
    max_bytes: int = MAX_BODY,
    **kwargs: Any,
) -> httpx.Response:
    """Make one call and read its whole answer within `deadline_s` seconds.

    Returns the response with its body read. Raises CallFailed (see its kinds).
    """
    previous = getattr(_local, "deadline", None)
    deadline = time.monotonic() + deadline_s
    _local.deadline = deadline if previous is None else min(previous, deadline)
    _local.expired = False
    try:
        with http.stream(method, url, **kwargs) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise CallFailed("too_large", f"> {max_bytes} bytes")
                chunks.append(chunk)
                if time.monotonic() > _local.deadline:
                    raise CallFailed("deadline", f"{deadline_s:g} s")
            headers = [
                (k, v)
                for k, v in response.headers.multi_items()
                if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
            ]
            return httpx.Response(
                response.status_code,
                headers=headers,
                content=b"".join(chunks),
                request=response.request,
            )
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        if _expired() and isinstance(exc, httpx.ConnectTimeout):
            raise CallFailed("deadline", f"{deadline_s:g} s") from None
        raise CallFailed("connect", str(exc) or type(exc).__name__) from None
    except httpx.TimeoutException as exc:
        if _expired():
            raise CallFailed("deadline", f"{deadline_s:g} s") from None
        raise CallFailed("timeout", type(exc).__name__) from None
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
        raise CallFailed("dropped", type(exc).__name__) from None
    except httpx.TransportError as exc:
        raise CallFailed("dropped", type(exc).__name__) from None
    finally:
        _local.deadline = previous
        _local.expired = False
