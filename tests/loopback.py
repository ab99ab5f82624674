"""A real HTTP server on the loopback interface for tests.

    from loopback import LoopbackServer, Reply, sequence

    with LoopbackServer() as srv:
        srv.route("/a.html", Reply(body="<p>Hallo</p>"))
        srv.route("/flaky", sequence(Reply(status=503), Reply(body="ok")))
        ... fetch srv.url("/a.html") ...
        assert srv.paths() == ["/robots.txt", "/a.html"]

A route is a :class:`Reply` or a callable ``(Recorded) -> Reply``. Every request is recorded
(method, path, headers, start and end time on ``time.monotonic``), so tests can check
conditional headers and the spacing of requests. :func:`loopback_hosts` starts servers on
127.0.0.1, 127.0.0.2, ... to stand in for several hosts (the whole 127.0.0.0/8 range is
loopback on Linux; :func:`alias_available` tells whether it is here).

Misbehaving replies for fault tests: ``Reply(stream=...)`` sends a lazily generated body (a 2 GB
body never exists in memory; see :func:`endless_body`, :func:`lazy_gzip_bomb`), ``truncate_at``
stops the body early (after an optional ``stall``) and closes the connection, ``raw`` writes bytes
that are not HTTP at all.
"""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import http.server
import io
import itertools
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

__all__ = [
    "LoopbackServer", "Recorded", "Reply", "alias_available", "conditional", "endless_body", "gzip_bomb",
    "lazy_gzip_bomb", "loopback_hosts", "max_overlap", "redirect", "sequence", "slow_body", "start_gaps",
]


@dataclass
class Reply:
    """What the server answers; every field has a harmless default."""

    status: int = 200
    body: bytes | str = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0               # seconds before the status line
    chunk_size: int = 0              # > 0: write the body in chunks of this size ...
    chunk_delay: float = 0.0         # ... sleeping this long between them
    content_length: bool = True      # False: no Content-Length, body ends when the connection closes
    reset: bool = False              # drop the connection with a TCP RST instead of answering
    stream: Callable[[], Iterable[bytes]] | None = None  # a lazily generated body (instead of ``body``)
    stream_length: int | None = None  # Content-Length to declare for ``stream`` (None: chunked or close)
    chunked: bool = False            # ``stream`` without length: Transfer-Encoding chunked (else close-delimited)
    truncate_at: int | None = None   # send only this many body bytes (Content-Length says more), then close
    stall: float = 0.0               # with ``truncate_at``: wait this long before closing
    raw: bytes | None = None         # write these bytes instead of an HTTP response, then close

    def body_bytes(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str                        # with the query string
    headers: dict[str, str]          # lower-case names
    time: float                      # time.monotonic() when the request line had been read
    host: str                        # the server address that received it
    end: float | None = None         # time.monotonic() when the answer was written

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


Route = Reply | Callable[[Recorded], Reply]


# --------------------------------------------------------------------------- canned replies


def sequence(*replies: Reply) -> Callable[[Recorded], Reply]:
    """Successive replies, one per request; the last one repeats."""
    lock = threading.Lock()
    it = iter(replies)
    last = [replies[-1]]

    def route(_: Recorded) -> Reply:
        with lock:
            nxt = next(it, None)
            if nxt is not None:
                last[0] = nxt
            return last[0]

    return route


def redirect(location: str, status: int = 302) -> Reply:
    return Reply(status=status, headers={"Location": location}, content_type=None)


def conditional(body: bytes | str, *, etag: str | None = '"v1"', last_modified: str | None = None,
                content_type: str = "text/html; charset=utf-8") -> Callable[[Recorded], Reply]:
    """A page with validators that answers 304 to a matching If-None-Match / If-Modified-Since."""
    last_modified = last_modified or email.utils.formatdate(time.time() - 3600, usegmt=True)
    headers = {"Last-Modified": last_modified}
    if etag:
        headers["ETag"] = etag

    def route(req: Recorded) -> Reply:
        inm, ims = req.header("if-none-match"), req.header("if-modified-since")
        if (etag and inm and etag in [t.strip() for t in inm.split(",")]) or (not inm and ims == last_modified):
            return Reply(status=304, headers=headers, content_type=None)
        return Reply(body=body, headers=headers, content_type=content_type)

    return route


def gzip_bomb(decompressed_size: int) -> Reply:
    """A small gzip-encoded body that expands to ``decompressed_size`` zero bytes."""
    return Reply(body=_bomb(decompressed_size), headers={"Content-Encoding": "gzip"}, content_type="text/html")


_BOMBS: dict[int, bytes] = {}


def _bomb(size: int) -> bytes:
    if size not in _BOMBS:
        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as f:
            block = b"\0" * (1 << 20)
            left = size
            while left > 0:
                f.write(block[: min(left, len(block))])
                left -= len(block)
        _BOMBS[size] = buf.getvalue()
    return _BOMBS[size]


def endless_body(total: int, *, declare_length: bool = True, chunked: bool = False,
                 content_type: str = "text/html; charset=utf-8") -> Reply:
    """A ``total``-byte HTML-ish body generated piece by piece (2 GB never exists in memory).

    ``declare_length``: send Content-Length (the fetcher can refuse before reading); otherwise
    the body is chunked (``chunked=True``) or ends when the connection closes.
    """
    piece = (b"<p>" + b"Ruhrgebiet " * 5950 + b"</p>\n")[: 1 << 16]

    def gen() -> Iterator[bytes]:
        left = total
        while left > 0:
            yield piece[: min(left, len(piece))]
            left -= len(piece)

    return Reply(stream=gen, stream_length=total if declare_length else None, chunked=chunked,
                 content_type=content_type)


def lazy_gzip_bomb(decompressed_size: int, *, content_encoding: bool = True,
                   content_type: str = "text/html") -> Reply:
    """A gzip stream of ``decompressed_size`` zero bytes (at least 2 MiB), generated lazily (~1 KB per MiB).

    One MiB of zeros is deflated once; with a full window of zeros every further MiB compresses
    to the same bytes after a sync flush, so the stream is repeated, not recomputed.
    ``content_encoding``: send ``Content-Encoding: gzip`` (else the body is a .gz file).
    """
    mib = 1 << 20
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = comp.compress(b"\0" * mib) + comp.flush(zlib.Z_SYNC_FLUSH)
    middle = comp.compress(b"\0" * mib) + comp.flush(zlib.Z_SYNC_FLUSH)
    again = comp.compress(b"\0" * mib) + comp.flush(zlib.Z_SYNC_FLUSH)
    assert again == middle, "deflate output of zeros did not settle"
    n = max(2, decompressed_size // mib)

    def gen() -> Iterator[bytes]:
        yield first
        for _ in range(n - 1):
            yield middle
        # no gzip trailer: a client that read it all would see a truncated stream; it must stop first

    headers = {"Content-Encoding": "gzip"} if content_encoding else {}
    return Reply(stream=gen, headers=headers, content_type=content_type, chunked=True)


def slow_body(total: int, chunk: int, chunk_delay: float, content_type: str = "text/html") -> Reply:
    """A body of ``total`` bytes, dripped ``chunk`` bytes at a time."""
    return Reply(body=b"x" * total, chunk_size=chunk, chunk_delay=chunk_delay, content_type=content_type)


# --------------------------------------------------------------------------- analysis helpers


def start_gaps(requests: list[Recorded]) -> list[float]:
    """Seconds between consecutive request starts (sorted by start)."""
    times = sorted(r.time for r in requests)
    return [b - a for a, b in itertools.pairwise(times)]


def max_overlap(requests: list[Recorded]) -> int:
    """Largest number of requests being served at the same moment."""
    events = []
    for r in requests:
        events.append((r.time, 1))
        events.append((r.end if r.end is not None else float("inf"), -1))
    events.sort(key=lambda e: (e[0], e[1]))
    best = cur = 0
    for _, d in events:
        cur += d
        best = max(best, cur)
    return best


# --------------------------------------------------------------------------- the server


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # idle keep-alive connections end after this
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._serve()

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def _serve(self, head: bool = False) -> None:
        owner = self.server.owner
        rec = Recorded(method=self.command, path=self.path,
                       headers={k.lower(): v for k, v in self.headers.items()},
                       time=time.monotonic(), host=owner.host)
        owner._record(rec)
        try:
            reply = owner._resolve(rec)
            self._answer(rec, reply, head)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True
        finally:
            if rec.end is None:
                rec.end = time.monotonic()

    def _answer(self, rec: Recorded, reply: Reply, head: bool) -> None:
        # rec.end is set just before the last write: once the client has the answer it may
        # start its next request, which must not look as if it overlapped with this one.
        if reply.delay:
            time.sleep(reply.delay)
        if reply.reset:
            rec.end = time.monotonic()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if reply.raw is not None:
            rec.end = time.monotonic()
            self.close_connection = True
            self.wfile.write(reply.raw)
            self.wfile.flush()
            return
        if reply.stream is not None:
            self._answer_stream(rec, reply, head)
            return
        body = reply.body_bytes()
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        if reply.content_length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        if head or reply.status in (204, 304) or not body:
            rec.end = time.monotonic()
            self.end_headers()
            return
        self.end_headers()
        if reply.truncate_at is not None:
            self.wfile.write(body[:reply.truncate_at])
            self.wfile.flush()
            self._pause(reply.stall)
            rec.end = time.monotonic()
            self.close_connection = True
            return
        if reply.chunk_size > 0:
            for i in range(0, len(body), reply.chunk_size):
                if self.server.owner.stopping.is_set():
                    self.close_connection = True
                    return
                if i + reply.chunk_size >= len(body):
                    rec.end = time.monotonic()
                self.wfile.write(body[i:i + reply.chunk_size])
                self.wfile.flush()
                if reply.chunk_delay:
                    time.sleep(reply.chunk_delay)
        else:
            rec.end = time.monotonic()
            self.wfile.write(body)


    def _pause(self, seconds: float) -> None:
        """Sleep up to ``seconds``, waking early when the server stops."""
        self.server.owner.stopping.wait(seconds)

    def _answer_stream(self, rec: Recorded, reply: Reply, head: bool) -> None:
        """Send ``reply.stream()`` piece by piece; the client may hang up at any time."""
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        if reply.stream_length is not None:
            self.send_header("Content-Length", str(reply.stream_length))
        elif reply.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
        self.close_connection = True
        self.end_headers()
        if head:
            return
        for piece in reply.stream():
            if self.server.owner.stopping.is_set():
                return
            if not piece:
                continue
            if reply.chunked and reply.stream_length is None:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                self.wfile.write(piece)
            if reply.chunk_delay:
                self.wfile.flush()
                time.sleep(reply.chunk_delay)
        if reply.chunked and reply.stream_length is None:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        rec.end = time.monotonic()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: LoopbackServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up early are part of the tests


class LoopbackServer:
    """An HTTP server on ``host`` (a loopback address) and a random free port, in a thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, routes: dict[str, Route] | None = None) -> None:
        self.host = host
        self.routes: dict[str, Route] = routes if routes is not None else {}
        self.requests: list[Recorded] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd = _Server((host, port), _Handler, bind_and_activate=True)
        self._httpd.owner = self
        self.port: int = self._httpd.server_address[1]
        self._thread: threading.Thread | None = None

    # -- routing and records

    def route(self, path: str, reply: Route | None = None, **fields: object) -> Route:
        """Serve ``reply`` (or ``Reply(**fields)``) at ``path`` (exact; may include a query)."""
        if reply is None:
            reply = Reply(**fields)  # type: ignore[arg-type]
        self.routes[path] = reply
        return reply

    def _resolve(self, rec: Recorded) -> Reply:
        route = self.routes.get(rec.path) or self.routes.get(rec.path.split("?", 1)[0])
        if route is None:
            return Reply(status=404, body="not found", content_type="text/plain; charset=utf-8")
        return route(rec) if callable(route) else route

    def _record(self, rec: Recorded) -> None:
        with self._lock:
            self.requests.append(rec)

    def requests_to(self, path: str) -> list[Recorded]:
        """Recorded requests for ``path`` (query included if given)."""
        with self._lock:
            return [r for r in self.requests if r.path == path or ("?" not in path and r.path.split("?", 1)[0] == path)]

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    # -- addresses

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # -- lifecycle

    def start(self) -> LoopbackServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01},
                                            name=f"loopback-{self.host}:{self.port}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def alias_available(host: str = "127.0.0.2") -> bool:
    """True if this machine can listen on ``host`` (Linux: all of 127.0.0.0/8)."""
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return True
    return False


@contextlib.contextmanager
def loopback_hosts(n: int, *, share_routes: bool = False) -> Iterator[list[LoopbackServer]]:
    """``n`` servers on 127.0.0.1 ... 127.0.0.n, each with a random port (and, optionally, one routing table)."""
    routes: dict[str, Route] | None = {} if share_routes else None
    servers: list[LoopbackServer] = []
    try:
        for i in range(1, n + 1):
            servers.append(LoopbackServer(f"127.0.0.{i}", routes=routes).start())
        yield servers
    finally:
        for s in servers:
            s.stop()
