"""Polite asynchronous HTTP fetcher (httpx).

Every outcome is a :class:`FetchResult`; network and HTTP errors never raise. The fetcher
identifies itself, obeys robots.txt (Crawl-delay included), limits concurrency globally and
per host, spaces request starts to one host by ``min_delay``, retries transient failures
with exponential backoff and jitter (honouring ``Retry-After`` with one back-off per host that all
its pending requests share), sends conditional requests, follows redirects itself (checking every
hop), and caps body sizes after decompression.

Private, loopback and other non-public addresses are refused unless allowed, and then only on the
hosts allowed (``private_hosts``: a source's own). A host name is resolved once per fetcher, every
address checked, and connections go to exactly those addresses (no second DNS answer: no rebinding).

Bodies are decoded here, not by httpx: gzip/deflate are inflated in bounded steps while streaming
(a decompression bomb never grows past ``max_bytes`` plus one step), a compressed body that ends
early or is not valid is a failure (never a silently shortened page), an encoding that was not
asked for is refused, and binary data (an image, a PDF, random bytes) sent as HTML or XML is
refused rather than stored over a good page.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import math
import random
import socket
import time
import urllib.request
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from pipeline.bounds import MAX_CRAWL_DELAY, SETTING_RANGES, check_setting
from pipeline.urls import ip_is_private, is_http_url, is_private_host

__all__ = ["FetchRequest", "FetchResult", "FetchSettings", "Fetcher", "Resolver", "fetch_all", "system_resolve"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: robots.txt bytes parsed (RFC 9309 asks for at least 500 KiB).
ROBOTS_MAX_BYTES = 512 * 1024
#: A whole attempt (connect, headers, body) may take this many times ``timeout``.
ATTEMPT_DEADLINE_FACTOR = 3.0
#: A connect to one of several addresses of a name may take this long before the next one is tried.
NEXT_ADDRESS_AFTER = 2.0
#: Largest piece of decompressed output produced from one step of inflating (bounds memory per step).
INFLATE_STEP = 256 * 1024
#: Media types that must hold text (HTML, XML, feeds): binary data under them is refused.
TEXT_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xml", "text/xml",
                        "application/rss+xml", "application/atom+xml", "text/plain"})
#: Leading bytes of common binary formats (gzip is absent: a .xml.gz sitemap is fine).
BINARY_MAGIC = ((b"\x89PNG\r\n\x1a\n", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF87a", "GIF image"),
                (b"GIF89a", "GIF image"), (b"%PDF-", "PDF document"), (b"PK\x03\x04", "ZIP archive"),
                (b"\x7fELF", "executable"), (b"OggS\x00", "Ogg media"), (b"\x1a\x45\xdf\xa3", "WebM/Matroska media"))
_BINARY_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20)])

# Last request start per host (time.monotonic), shared by all fetchers of this process so that
# consecutive fetch_all() calls stay polite too.
_LAST_START: dict[str, float] = {}
# when request headers to a host actually started going out (httpcore trace), per host
_LAST_SENT: dict[str, float] = {}

#: Resolves ``(host, port)`` to IP address strings; raises OSError when the name does not resolve.
Resolver = Callable[[str, int], Awaitable[Sequence[str]]]


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` from the system resolver (getaddrinfo), in its order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


@dataclass
class FetchSettings:
    """Fetcher configuration; the defaults are meant for real sites."""

    user_agent: str = "newsmine/0.1 (+https://github.com/newsmine/newsmine; German regional news research)"
    concurrency: int = 16            # global
    per_host: int = 2                # concurrent requests per host
    min_delay: float = 1.0           # seconds between request starts to one host
    timeout: float = 20.0            # connect/read timeout
    retries: int = 3                 # for timeouts, connection errors, 429, 500, 502, 503, 504
    backoff: float = 0.5             # exponential base; honour Retry-After, capped at max_retry_after
    max_retry_after: float = 60.0
    max_redirects: int = 5
    max_bytes: int = 10_000_000      # cap on decompressed body; stream and abort beyond
    allowed_types: tuple = ("text/html", "application/xhtml+xml", "application/xml", "text/xml",
                            "application/rss+xml", "application/atom+xml", "text/plain",
                            "application/x-gzip", "application/gzip", "application/octet-stream")
    respect_robots: bool = True
    allow_private: bool = False

    def __post_init__(self) -> None:
        """Refuse numeric settings outside :data:`SETTING_RANGES` (a huge ``min_delay`` would hang a run)."""
        for f in fields(self):
            if f.name in SETTING_RANGES:
                try:
                    check_setting(f.name, getattr(self, f.name))
                except ValueError as err:
                    raise ValueError(f"FetchSettings: {err}") from None


@dataclass
class FetchRequest:
    """One URL to fetch, with the validators of a previous fetch.

    ``allow_private`` (None: the settings' value) lets this fetch reach private/loopback addresses;
    ``private_hosts``, when given, limits that to these host names (a source's own hosts): a redirect
    or link to another private host is refused.
    """

    url: str
    etag: str | None = None
    last_modified: str | None = None
    allow_private: bool | None = None
    private_hosts: frozenset[str] | None = None


@dataclass
class FetchResult:
    """The outcome of one fetch (after redirects and retries)."""

    url: str                 # requested
    final_url: str | None
    status: int | None       # HTTP status, None if no response
    body: bytes | None       # None for 304 / errors
    content_type: str | None
    charset: str | None      # from Content-Type header
    etag: str | None
    last_modified: str | None
    error: str | None        # short reason, None on success and for 304
    not_modified: bool       # 304
    elapsed_ms: float
    attempts: int
    fetched_at: str          # ISO UTC

    @property
    def ok(self) -> bool:
        """True for a body (2xx) or a 304."""
        return self.error is None


def _utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    media, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'").strip().lower() or None
    return media.strip().lower() or None, charset


def _parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _causes(err: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    cur: BaseException | None = err
    while cur is not None and len(out) < 10:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out


def _transport_error(err: httpx.TransportError) -> str:
    """A short reason for a network failure."""
    if isinstance(err, httpx.TimeoutException):
        return "timeout"
    causes = _causes(err)
    if any(isinstance(c, socket.gaierror) for c in causes):
        return "dns lookup failed"
    if any(isinstance(c, ConnectionRefusedError) for c in causes):
        return "connection refused"
    if any(isinstance(c, ConnectionResetError | BrokenPipeError) for c in causes):
        return "connection reset"
    if any(isinstance(c, TimeoutError) for c in causes):
        return "timeout"
    text = " ".join((str(err) or type(err).__name__).split())[:200]
    if isinstance(err, httpx.RemoteProtocolError):
        low = text.lower()
        if "disconnected" in low or "closed" in low or "incomplete" in low:
            return "connection closed by server"
        return f"protocol error: {text}"
    if isinstance(err, httpx.ConnectError):
        return f"connect error: {text}"
    if isinstance(err, httpx.ReadError | httpx.WriteError):
        return "connection reset" if not str(err) else f"network error: {text}"
    return f"{type(err).__name__}: {text}"


class _BadBody(Exception):
    """A body that cannot be used (bad or unsupported encoding, truncated compressed data)."""


class _Decoder:
    """Content-Encoding decoding in bounded steps, with a check that compressed data is complete."""

    def __init__(self, header: str | None) -> None:
        codings = [c.strip().lower() for c in (header or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1:
            raise _BadBody(f"unsupported content-encoding: {header.strip()}")
        self.coding = codings[0] if codings else None
        if self.coding not in (None, "gzip", "x-gzip", "deflate"):
            raise _BadBody(f"unsupported content-encoding: {self.coding}")
        self._gzip = self.coding in ("gzip", "x-gzip")
        self._inflater: zlib._Decompress | None = (
            zlib.decompressobj(16 + zlib.MAX_WBITS) if self._gzip else None)
        self._head = b""      # deflate: the first bytes, until zlib-wrapped or raw can be told apart
        self._seen = False    # any compressed byte at all
        self._done = False    # the compressed stream ended; anything after it is ignored

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decoded pieces of ``data``, each at most :data:`INFLATE_STEP` bytes."""
        if self.coding is None:
            if data:
                yield data
            return
        if not data or self._done:
            return
        self._seen = True
        if self._inflater is None:  # deflate: RFC 9110 means zlib-wrapped, some servers send raw
            self._head += data
            if len(self._head) < 2:
                return
            data, self._head = self._head, b""
            wrapped = (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        buf = data
        while True:
            try:
                out = self._inflater.decompress(buf, INFLATE_STEP)
            except zlib.error as err:
                raise _BadBody(f"invalid {self._name} body: {err}") from None
            buf = self._inflater.unconsumed_tail
            if out:
                yield out
            if self._inflater.eof:
                rest = self._inflater.unused_data + buf
                if self._gzip and rest[:2] == b"\x1f\x8b":  # another gzip member
                    self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                    buf = rest
                    continue
                self._done = True
                return
            if not buf and len(out) < INFLATE_STEP:
                return

    def finish(self) -> None:
        """Raise :class:`_BadBody` if compressed data ended before its end marker."""
        if self.coding is None or not self._seen or self._done:
            return
        if self._head or (self._inflater is not None and not self._inflater.eof):
            raise _BadBody(f"truncated {self._name} body")

    @property
    def _name(self) -> str:
        return "gzip" if self._gzip else "deflate"


def _binary_kind(body: bytes, media: str | None, charset: str | None) -> str | None:
    """What binary data ``body`` looks like, if it is binary although its media type means text."""
    if media is not None and media not in TEXT_TYPES:
        return None
    if charset and charset.replace("_", "-").startswith(("utf-16", "utf-32", "ucs")):
        return None
    head = body[:4096]
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x1f\x8b")):  # BOMs; a gzip file
        return None
    for magic, kind in BINARY_MAGIC:
        if head.startswith(magic):
            return kind
    controls = len(head) - len(head.translate(None, _BINARY_BYTES))
    return "binary data" if head and controls > 0.05 * len(head) else None


class _Retry(Exception):
    """A transient failure of one attempt."""

    def __init__(self, reason: str, status: int | None = None, retry_after: float | None = None,
                 final_url: str | None = None, headers: httpx.Headers | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self.final_url = final_url
        self.headers = headers


@dataclass
class _Host:
    name: str
    sem: asyncio.Semaphore
    delay: float
    next_start: float = 0.0          # pacing: earliest next request start (min_delay, Crawl-delay)
    backoff_until: float = 0.0       # Retry-After: no request starts before this (time.monotonic)
    backoff_round: int = 0           # counts back-off rounds: a 429 after the deadline opens a new one


@dataclass
class _Robots:
    parser: RobotFileParser | None = None    # None: everything allowed
    unreachable: str | None = None           # set: everything disallowed, with this reason
    crawl_delay: float | None = None


@dataclass
class _Ctx:
    attempts: int = 0        # attempts started (a retry is a new attempt)
    requests: int = 0        # HTTP requests sent, redirects included
    net_seconds: float = 0.0
    # per host: (the host's back-off round when this fetch first queued for it, whether it was running)
    arrived: dict[str, tuple[int, bool]] = field(default_factory=dict)
    # per host: the back-off round this fetch's own Retry-After answer opened or joined
    own_round: dict[str, int] = field(default_factory=dict)


@dataclass
class _Opts:
    allow_private: bool
    robots: bool = True
    check_type: bool = True
    max_bytes: int = 0
    truncate: bool = False
    private_hosts: frozenset[str] | None = None  # where allow_private applies (None: every host)

    def private_ok(self, host: str) -> bool:
        """True if ``host`` may be at a private address for this fetch."""
        return self.allow_private and (self.private_hosts is None or _host_key(host) in self.private_hosts)


def _host_key(host: str) -> str:
    """A host name in the form compared for ``private_hosts`` (lower case, no brackets, no trailing dot)."""
    return host.strip().lower().strip("[]").rstrip(".")


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return None


class Fetcher:
    """Asynchronous fetcher; use as ``async with Fetcher(settings) as f: await f.fetch(url)``."""

    def __init__(self, settings: FetchSettings | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, resolver: Resolver | None = None) -> None:
        """``transport`` replaces the network (tests; no address checks then); ``resolver`` replaces
        the system resolver (:func:`system_resolve`)."""
        self.settings = s = settings or FetchSettings()
        # Address checks against DNS answers and the connected peer only make sense on the real
        # network without a proxy in between.
        self._net_checks = transport is None
        self._peer_check = transport is None and not urllib.request.getproxies()
        self._resolver: Resolver = resolver or system_resolve
        self._pinned: dict[str, tuple[str, ...]] = {}   # host name -> the checked addresses it connects to
        self._dns_locks: dict[str, asyncio.Lock] = {}
        limits = httpx.Limits(max_connections=max(1, s.concurrency), max_keepalive_connections=max(1, s.concurrency))
        if transport is None:
            transport = httpx.AsyncHTTPTransport(limits=limits)
            pool = getattr(transport, "_pool", None)
            if not isinstance(pool, httpcore.AsyncConnectionPool) or not hasattr(pool, "_network_backend"):
                raise RuntimeError("this httpx/httpcore cannot pin connections to checked addresses")
            pool._network_backend = _PinnedBackend(pool._network_backend, self._pinned.get)
        self._client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            event_hooks={"response": [_stash_location]},
            timeout=httpx.Timeout(s.timeout),
            limits=limits,
            headers={
                "User-Agent": s.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,"
                          "application/rss+xml;q=0.9,application/atom+xml;q=0.9,*/*;q=0.5",
                "Accept-Language": "de-DE,de;q=0.9,en;q=0.5",
                "Accept-Encoding": "gzip, deflate",
            },
        )
        self._global = asyncio.Semaphore(max(1, s.concurrency))
        self._hosts: dict[str, _Host] = {}
        self._robots: dict[str, asyncio.Future[_Robots]] = {}

    # ------------------------------------------------------------------ lifecycle

    async def aclose(self) -> None:
        """Close connections and cancel pending robots.txt loads."""
        pending = [fut for fut in self._robots.values() if not fut.done()]
        for fut in pending:
            fut.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
        await self._client.aclose()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    # ------------------------------------------------------------------ public API

    async def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                    allow_private: bool | None = None, private_hosts: Iterable[str] | None = None) -> FetchResult:
        """Fetch ``url``; never raises for network or HTTP errors.

        ``allow_private`` (None: the settings' value) allows private/loopback addresses, on the hosts
        named in ``private_hosts`` only when that is given (see :class:`FetchRequest`).
        """
        allow = self.settings.allow_private if allow_private is None else allow_private
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        scope = None if private_hosts is None else frozenset(_host_key(h) for h in private_hosts)
        opts = _Opts(allow_private=allow, robots=self.settings.respect_robots, max_bytes=self.settings.max_bytes,
                     private_hosts=scope)
        ctx = _Ctx()
        try:
            res = await self._fetch(url, headers, opts, ctx)
        except Exception as err:  # a bug must not end a crawl; report it as this URL's failure
            res = self._result(url, ctx, error=f"internal error: {type(err).__name__}: {err}")
        res.elapsed_ms = round(ctx.net_seconds * 1000, 1)
        res.attempts = ctx.attempts if ctx.requests else 0
        if res.not_modified:
            res.etag = res.etag or etag
            res.last_modified = res.last_modified or last_modified
        return res

    async def fetch_many(self, requests: Iterable[FetchRequest | str]) -> AsyncIterator[FetchResult]:
        """Fetch many URLs concurrently; yields results as they complete.

        The input is consumed lazily and at most ``concurrency * 4`` fetches are scheduled at once.
        """
        async for _, res in self._fetch_indexed(requests):
            yield res

    # ------------------------------------------------------------------ internals

    async def _fetch_indexed(self, requests: Iterable[FetchRequest | str]) -> AsyncIterator[tuple[int, FetchResult]]:
        limit = max(1, self.settings.concurrency * 4)
        it = iter(requests)
        pending: set[asyncio.Task[tuple[int, FetchResult]]] = set()
        exhausted = False
        index = 0

        async def one(i: int, req: FetchRequest) -> tuple[int, FetchResult]:
            return i, await self.fetch(req.url, etag=req.etag, last_modified=req.last_modified,
                                       allow_private=req.allow_private, private_hosts=req.private_hosts)

        try:
            while True:
                while not exhausted and len(pending) < limit:
                    try:
                        req = next(it)
                    except StopIteration:
                        exhausted = True
                        break
                    if isinstance(req, str):
                        req = FetchRequest(req)
                    pending.add(asyncio.create_task(one(index, req)))
                    index += 1
                if not pending:
                    return
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    yield task.result()
        finally:
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)

    def _result(self, url: str, ctx: _Ctx, *, final_url: str | None = None, status: int | None = None,
                body: bytes | None = None, headers: httpx.Headers | None = None, error: str | None = None,
                not_modified: bool = False) -> FetchResult:
        media, charset = _parse_content_type(headers.get("content-type") if headers is not None else None)
        return FetchResult(
            url=url, final_url=final_url, status=status, body=body, content_type=media, charset=charset,
            etag=headers.get("etag") if headers is not None else None,
            last_modified=headers.get("last-modified") if headers is not None else None,
            error=error, not_modified=not_modified, elapsed_ms=round(ctx.net_seconds * 1000, 1),
            attempts=ctx.attempts, fetched_at=_utcnow())

    async def _fetch(self, url: str, headers: dict[str, str], opts: _Opts, ctx: _Ctx) -> FetchResult:
        s = self.settings
        if not isinstance(url, str) or not is_http_url(url):
            scheme = url.split(":", 1)[0].lower() if isinstance(url, str) and ":" in url else ""
            reason = f"unsupported scheme: {scheme}" if scheme and scheme not in ("http", "https") \
                else "invalid url"
            return self._result(url, ctx, error=reason)
        target = url.strip()
        while True:
            ctx.attempts += 1
            try:
                return await self._follow(url, target, headers, opts, ctx)
            except _Retry as retry:
                if ctx.attempts > s.retries:
                    reason = retry.reason
                    if s.retries and retry.status is not None:
                        reason = f"{reason} after {s.retries} retries"
                    return self._result(url, ctx, final_url=retry.final_url, status=retry.status,
                                        headers=retry.headers, error=reason)
                if retry.retry_after is not None:
                    wait = min(retry.retry_after, s.max_retry_after)
                else:
                    wait = min(s.backoff * 2 ** (ctx.attempts - 1) * random.uniform(0.75, 1.25), s.max_retry_after)
                await asyncio.sleep(wait)

    async def _follow(self, url: str, start: str, headers: dict[str, str], opts: _Opts, ctx: _Ctx) -> FetchResult:
        """One attempt: the request and its redirects; raises :class:`_Retry` for transient failures."""
        s = self.settings
        current = start
        for _hop in range(s.max_redirects + 1):
            try:
                target = httpx.URL(current)
            except (httpx.InvalidURL, ValueError):
                return self._result(url, ctx, final_url=current, error="invalid url")
            if target.scheme not in ("http", "https") or not target.host:
                return self._result(url, ctx, final_url=current, error=f"unsupported scheme: {target.scheme}")
            host = target.host.lower()
            port = target.port or (443 if target.scheme == "https" else 80)
            allowed = opts.private_ok(host)
            if not allowed and is_private_host(host):
                return self._result(url, ctx, final_url=current, error="private address not allowed")
            try:  # resolved once per fetcher: the connection goes to exactly these checked addresses
                async with asyncio.timeout(max(s.timeout, 1.0)):
                    private = await self._resolves_private(target.raw_host.decode("ascii"), port)
            except OSError as err:  # TimeoutError included
                ctx.requests += 1  # a failed lookup is a failed attempt on the network, retried like one
                reason = "timeout" if isinstance(err, TimeoutError) else "dns lookup failed"
                raise _Retry(reason, final_url=current) from None
            except ValueError:  # UnicodeError: a name that cannot be looked up
                return self._result(url, ctx, final_url=current, error="dns lookup failed")
            if private and not allowed:
                return self._result(url, ctx, final_url=current, error="private address not allowed")
            if opts.robots:
                robots = await self._robots_for(target, allowed)
                if robots.unreachable:
                    return self._result(url, ctx, final_url=current, error=robots.unreachable)
                if robots.parser is not None and not robots.parser.can_fetch(s.user_agent, current):
                    return self._result(url, ctx, final_url=current, error="robots.txt disallows")
            outcome = await self._hop(url, current, headers, opts, ctx)
            if isinstance(outcome, FetchResult):
                return outcome
            current = outcome
        return self._result(url, ctx, final_url=current, error="too many redirects")

    async def _hop(self, url: str, current: str, headers: dict[str, str], opts: _Opts,
                   ctx: _Ctx) -> FetchResult | str:
        """One request, politely scheduled; a result, or the next URL of a redirect."""
        s = self.settings
        host = self._host(httpx.URL(current).host.lower())
        deadline = max(s.timeout * ATTEMPT_DEADLINE_FACTOR, 1.0)
        ctx.arrived.setdefault(host.name, (host.backoff_round, host.backoff_until > time.monotonic()))
        await self._await_backoff(host, ctx)
        async with host.sem, self._global:
            await self._await_backoff(host, ctx)  # a back-off that began while this fetch queued for a slot
            await self._wait_turn(host)
            started = time.monotonic()
            ctx.requests += 1
            try:
                async with asyncio.timeout(deadline):
                    extensions = {"trace": self._pacer(host)} if host.delay > 0 else None
                    request = self._client.build_request("GET", current, headers=headers, extensions=extensions)
                    response = await self._client.send(request, stream=True)
                    try:
                        return await self._handle(url, current, response, opts, ctx, host)
                    finally:
                        await response.aclose()
            except TimeoutError:
                raise _Retry("timeout", final_url=current) from None
            except httpx.TransportError as err:
                if isinstance(err, httpx.UnsupportedProtocol | httpx.LocalProtocolError | httpx.ProxyError):
                    return self._result(url, ctx, final_url=current, error=_transport_error(err))
                raise _Retry(_transport_error(err), final_url=current) from None
            except httpx.DecodingError as err:
                return self._result(url, ctx, final_url=current, error=f"decoding error: {err}")
            except httpx.InvalidURL:
                return self._result(url, ctx, final_url=current, error="invalid url")
            finally:
                ctx.net_seconds += time.monotonic() - started

    async def _handle(self, url: str, current: str, response: httpx.Response, opts: _Opts, ctx: _Ctx,
                      host: _Host) -> FetchResult | str:
        s = self.settings
        status = response.status_code
        hdrs = response.headers
        if self._peer_check and not opts.private_ok(host.name) and self._peer_is_private(response):
            return self._result(url, ctx, final_url=current, error="private address not allowed")
        if status in REDIRECT_STATUSES:
            location = response.extensions.get(_LOCATION_KEY) or hdrs.get("location")
            if not location:
                return self._result(url, ctx, final_url=current, status=status, headers=hdrs,
                                    error=f"http {status} without Location")
            try:
                nxt = urljoin(current, location.strip())
            except ValueError:  # e.g. "http://[" (a broken IPv6 literal)
                return self._result(url, ctx, final_url=current, status=status, headers=hdrs,
                                    error="invalid redirect")
            if not is_http_url(nxt):
                scheme = nxt.split(":", 1)[0].lower() if ":" in nxt else ""
                return self._result(url, ctx, final_url=current, status=status, headers=hdrs,
                                    error=f"redirect to unsupported scheme: {scheme}" if scheme else "invalid redirect")
            return nxt
        if status == 304:
            return self._result(url, ctx, final_url=current, status=304, headers=hdrs, not_modified=True)
        if status in RETRY_STATUSES:
            retry_after = _parse_retry_after(hdrs.get("retry-after"))
            if retry_after is not None:
                # The host asked everyone to wait: no request to it starts before then (one shared
                # deadline: answers that arrive before it merely extend it).
                now = time.monotonic()
                if now >= host.backoff_until:
                    host.backoff_round += 1
                host.backoff_until = max(host.backoff_until, now + min(retry_after, s.max_retry_after))
                ctx.own_round[host.name] = host.backoff_round
            raise _Retry(f"http {status}", status=status, retry_after=retry_after, final_url=current, headers=hdrs)
        if not 200 <= status < 300:
            return self._result(url, ctx, final_url=current, status=status, headers=hdrs, error=f"http {status}")
        media, _ = _parse_content_type(hdrs.get("content-type"))
        if opts.check_type and media is not None and media not in s.allowed_types:
            return self._result(url, ctx, final_url=current, status=status, headers=hdrs,
                                error=f"content-type {media} not allowed")
        cap = opts.max_bytes
        declared = hdrs.get("content-length", "")
        if not opts.truncate and declared.isdigit() and int(declared) > cap:
            return self._result(url, ctx, final_url=current, status=status, headers=hdrs,
                                error=f"body exceeds {cap} bytes")
        chunks: list[bytes] = []
        size = 0
        full = False
        try:
            decoder = _Decoder(hdrs.get("content-encoding"))
            async for raw in response.aiter_raw():
                for chunk in decoder.feed(raw):  # decompressed in bounded steps: a bomb stops at the cap
                    size += len(chunk)
                    if size > cap:
                        if opts.truncate:
                            chunks.append(chunk[: len(chunk) - (size - cap)])
                            full = True
                            break
                        return self._result(url, ctx, final_url=current, status=status, headers=hdrs,
                                            error=f"body exceeds {cap} bytes")
                    chunks.append(chunk)
                if full:
                    break
            if not full:
                decoder.finish()
        except _BadBody as bad:
            return self._result(url, ctx, final_url=current, status=status, headers=hdrs, error=str(bad))
        body = b"".join(chunks)
        if opts.check_type:
            _, charset = _parse_content_type(hdrs.get("content-type"))
            kind = _binary_kind(body, media, charset)
            if kind is not None:
                what = "binary content" if kind == "binary data" else f"binary content ({kind})"
                return self._result(url, ctx, final_url=current, status=status, headers=hdrs,
                                    error=f"{what} with content-type {media or '(none)'}")
        return self._result(url, ctx, final_url=current, status=status, body=body, headers=hdrs)

    # ------------------------------------------------------------------ politeness

    def _host(self, name: str) -> _Host:
        host = self._hosts.get(name)
        if host is None:
            host = self._hosts[name] = _Host(name=name, sem=asyncio.Semaphore(max(1, self.settings.per_host)),
                                             delay=max(0.0, self.settings.min_delay))
        return host

    @staticmethod
    def _pacer(host: _Host):
        """httpcore trace hook: hold the request headers until ``delay`` has passed since the
        previous request to this host actually went out. Claiming a start in ``_wait_turn`` is
        not enough on a busy event loop, where a late send and an on-time one can reach the
        server closer together than the delay (bench/fetch)."""

        async def trace(event: str, info: dict) -> None:
            if not event.endswith("send_request_headers.started"):
                return
            while True:
                now = time.monotonic()
                wait = _LAST_SENT.get(host.name, -math.inf) + host.delay - now
                if wait <= 0:
                    _LAST_SENT[host.name] = now
                    return
                await asyncio.sleep(wait)

        return trace

    @staticmethod
    async def _await_backoff(host: _Host, ctx: _Ctx) -> None:
        """Wait out the host's Retry-After back-off, once: the first round this fetch meets (with the
        answers that extend it) and a round its own answer opened or joined. A round that another URL's
        429 opens after this fetch has waited one out does not hold it again (the host's back-off is
        shared, not repeated per URL: N URLs that each get one 429 take about two rounds, not N)."""
        seen, running = ctx.arrived[host.name]
        first = seen if running else seen + 1
        while True:
            now = time.monotonic()
            if now >= host.backoff_until:
                return
            if host.backoff_round != first and host.backoff_round != ctx.own_round.get(host.name):
                return
            await asyncio.sleep(host.backoff_until - now)

    async def _wait_turn(self, host: _Host) -> None:
        """Sleep until ``delay`` has passed since the last request start to this host, then claim the start."""
        name = host.name
        while True:
            now = time.monotonic()
            earliest = max(host.next_start, _LAST_START.get(name, -math.inf) + host.delay)
            if now >= earliest:
                host.next_start = now + host.delay
                _LAST_START[name] = now
                return
            await asyncio.sleep(earliest - now)

    # ------------------------------------------------------------------ robots.txt

    async def _robots_for(self, target: httpx.URL, allow_private: bool) -> _Robots:
        """The robots.txt rules of ``target``'s origin, loaded once (``allow_private``: for this host only)."""
        port = target.port or (443 if target.scheme == "https" else 80)
        origin = f"{target.scheme}://{target.host.lower()}:{port}"
        fut = self._robots.get(origin)
        if fut is None:
            netloc = target.netloc.decode("ascii")
            fut = self._robots[origin] = asyncio.ensure_future(
                self._load_robots(f"{target.scheme}://{netloc}/robots.txt", target.host.lower(), allow_private))
        return await asyncio.shield(fut)

    async def _load_robots(self, robots_url: str, host: str, allow_private: bool) -> _Robots:
        ctx = _Ctx()
        opts = _Opts(allow_private=allow_private, robots=False, check_type=False,
                     max_bytes=ROBOTS_MAX_BYTES, truncate=True, private_hosts=frozenset({_host_key(host)}))
        try:
            res = await self._fetch(robots_url, {}, opts, ctx)
        except Exception as err:  # never let a robots.txt problem end the crawl
            return _Robots(unreachable=f"robots.txt check failed ({type(err).__name__}), treated as disallow")
        if res.body is not None:
            text = res.body.decode("utf-8", errors="replace")
            parser = RobotFileParser(robots_url)
            try:
                parser.parse(_robots_lines(text))
                delay = parser.crawl_delay(self.settings.user_agent)
            except (ValueError, TypeError, OverflowError) as err:  # _robots_lines should make this impossible
                return _Robots(unreachable=f"robots.txt unparsable ({type(err).__name__}), treated as disallow")
            robots = _Robots(parser=parser, crawl_delay=float(delay) if delay is not None else None)
            if robots.crawl_delay:
                h = self._host(host)
                h.delay = max(h.delay, min(robots.crawl_delay, MAX_CRAWL_DELAY))
                h.next_start = max(h.next_start, _LAST_START.get(host, -math.inf) + h.delay)
            return robots
        # RFC 9309: a server error or no answer means "disallow everything" for now; any other
        # 4xx (404, 410, 401, 403), or a redirect chain that does not end, means "allow everything".
        if res.status is not None and (res.status >= 500 or res.status in RETRY_STATUSES):
            return _Robots(unreachable=f"robots.txt unreachable ({res.error or res.status}), treated as disallow")
        if res.status is None and res.error != "too many redirects":
            # No answer at all (refused, timeout, private address ...): the host is unusable this run.
            return _Robots(unreachable=f"{res.error} (fetching robots.txt)")
        return _Robots()

    # ------------------------------------------------------------------ address checks

    async def _resolves_private(self, host: str, port: int) -> bool:
        """True if the name ``host`` resolves to any private address (real network only).

        A name is resolved once per fetcher and every connection to it goes to exactly the addresses
        checked here (:class:`_PinnedBackend`), so a second DNS answer (rebinding to 127.0.0.1) is never
        used. Raises OSError when the name does not resolve.
        """
        if not self._net_checks or _ip(host) is not None:
            return False  # a literal: judged by is_private_host, connected to as it is
        return any(ip_is_private(ip) if (ip := _ip(a)) is not None else True for a in await self._addresses(host, port))

    async def _addresses(self, host: str, port: int) -> tuple[str, ...]:
        """The pinned addresses of ``host``, resolving it on first use (concurrent callers share one lookup)."""
        key = host.lower()
        lock = self._dns_locks.setdefault(key, asyncio.Lock())
        async with lock:
            pinned = self._pinned.get(key)
            if pinned is None:
                pinned = tuple(dict.fromkeys(str(a) for a in await self._resolver(host, port)))
                if not pinned:
                    raise socket.gaierror(socket.EAI_NONAME, f"{host}: no address")
                self._pinned[key] = pinned
            return pinned

    @staticmethod
    def _peer_is_private(response: httpx.Response) -> bool:
        stream = response.extensions.get("network_stream")
        if stream is None:
            return False
        try:
            addr = stream.get_extra_info("server_addr")
        except Exception:
            return False
        if not addr:
            return False
        try:
            return ip_is_private(ipaddress.ip_address(str(addr[0]).split("%", 1)[0]))
        except ValueError:
            return False


class _PinnedBackend(httpcore.AsyncNetworkBackend):
    """httpcore network backend that connects a host name only to the addresses :class:`Fetcher` resolved
    and checked for it (an IP literal as it is), never to a fresh DNS answer. The URL, Host header and
    TLS SNI/certificate name stay the host name (httpcore takes them from the request, not from here)."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend, pinned: Callable[[str], tuple[str, ...] | None]) -> None:
        self._inner = inner
        self._pinned = pinned

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.AsyncNetworkStream:
        """Connect to the first of the checked addresses of ``host`` that answers (in resolver order; all
        but the last get at most :data:`NEXT_ADDRESS_AFTER` seconds, so a dead IPv6 route costs little)."""
        addresses = (host,) if _ip(host) is not None else self._pinned(host.lower())
        if not addresses:
            raise httpcore.ConnectError(f"{host}: no checked address to connect to")
        short = NEXT_ADDRESS_AFTER if timeout is None else min(timeout, NEXT_ADDRESS_AFTER)
        for address in addresses[:-1]:
            with contextlib.suppress(httpcore.ConnectError, httpcore.ConnectTimeout):
                return await self._inner.connect_tcp(address, port, timeout=short, local_address=local_address,
                                                     socket_options=socket_options)
        # the last one's failure propagates as it is (its cause tells "connection refused" from others)
        return await self._inner.connect_tcp(addresses[-1], port, timeout=timeout, local_address=local_address,
                                             socket_options=socket_options)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
                                  ) -> httpcore.AsyncNetworkStream:
        """Not used by the fetcher (no ``uds``); passed on."""
        return await self._inner.connect_unix_socket(path, timeout=timeout, socket_options=socket_options)

    async def sleep(self, seconds: float) -> None:
        """Passed on."""
        await self._inner.sleep(seconds)


_LOCATION_KEY = "newsmine_location"


async def _stash_location(response: httpx.Response) -> None:
    """httpx response hook: move ``Location`` aside, so that httpx (which builds the next request of
    every redirect even when not following it) never parses it; :meth:`Fetcher._handle` judges it
    (a ``data:`` or malformed location would otherwise surface as an exception, even be retried)."""
    if "location" in response.headers:
        response.extensions[_LOCATION_KEY] = response.headers["location"]
        del response.headers["location"]


def _robots_lines(text: str) -> list[str]:
    """robots.txt lines, made safe for urllib.robotparser: a fractional Crawl-delay is rounded up (it
    reads integers only), a huge one is capped at :data:`MAX_CRAWL_DELAY`, and a Request-rate with
    absurd numbers is dropped (int() of thousands of digits raises)."""
    out = []
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        name = key.strip().lower()
        if sep and name == "crawl-delay":
            raw = value.split("#", 1)[0].strip()
            try:
                seconds = float(raw) if len(raw) < 50 else math.inf
            except ValueError:
                seconds = math.nan
            if raw.isdigit() and seconds > MAX_CRAWL_DELAY:
                line = f"Crawl-delay: {int(MAX_CRAWL_DELAY)}"
            elif math.isfinite(seconds) and seconds >= 0 and not raw.isdigit():
                line = f"Crawl-delay: {math.ceil(min(seconds, MAX_CRAWL_DELAY))}"
        elif sep and name == "request-rate" and any(len(part.strip()) > 9 for part in value.split("/")):
            continue
        out.append(line)
    return out


def fetch_all(requests: Iterable[FetchRequest | str], settings: FetchSettings | None = None,
              on_result: Callable[[FetchResult], None] | None = None) -> list[FetchResult]:
    """Fetch ``requests`` and return their results in input order (synchronous wrapper).

    ``on_result`` is called for each result as soon as it and every result before it
    have arrived (input order), so a caller can store pages while the crawl goes on.
    """

    async def run() -> list[FetchResult]:
        async with Fetcher(settings) as fetcher:
            got: dict[int, FetchResult] = {}
            next_index = 0
            async for i, res in fetcher._fetch_indexed(requests):
                got[i] = res
                while on_result is not None and next_index in got:
                    on_result(got[next_index])
                    next_index += 1
            return [got[i] for i in sorted(got)]

    try:
        asyncio.get_running_loop()
        in_loop = True
    except RuntimeError:
        in_loop = False
    if not in_loop:  # outside the except block: an error of the crawl is not chained to "no running event loop"
        return asyncio.run(run())
    # Called from inside an event loop: run on a private loop in a worker thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()
