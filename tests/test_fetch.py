"""The fetcher against real HTTP servers on 127.0.0.x, and the URL helpers."""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import socket
import time
from dataclasses import replace
from datetime import datetime

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from loopback import (
    LoopbackServer,
    Reply,
    alias_available,
    conditional,
    gzip_bomb,
    loopback_hosts,
    max_overlap,
    redirect,
    sequence,
    slow_body,
    start_gaps,
)

from pipeline import fetch as fetch_mod
from pipeline.fetch import Fetcher, FetchRequest, FetchResult, FetchSettings, fetch_all
from pipeline.urls import canonicalize, is_http_url, is_private_host

TOL = 0.1  # seconds of scheduling slack (server-side timestamps on a loaded 2-core machine)

FAST = FetchSettings(min_delay=0.0, timeout=2.0, retries=2, backoff=0.01, max_retry_after=5.0,
                     allow_private=True, respect_robots=False)


def fast(**changes: object) -> FetchSettings:
    return replace(FAST, **changes)


def fetch_one(url: str, settings: FetchSettings, **kw: object) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(settings) as f:
            return await f.fetch(url, **kw)
    return asyncio.run(go())


@pytest.fixture
def srv():
    with LoopbackServer() as server:
        yield server


# --------------------------------------------------------------------------- success, headers, charset


def test_page_fetched_with_charset_from_header_and_user_agent(srv):
    srv.route("/a.html", Reply(body="<p>Grüße aus Duisburg</p>".encode("latin-1"),
                               content_type="text/html; charset=ISO-8859-1"))
    res = fetch_one(srv.url("/a.html"), fast())
    assert res.error is None and res.status == 200 and not res.not_modified
    assert res.body == "<p>Grüße aus Duisburg</p>".encode("latin-1")
    assert res.content_type == "text/html" and res.charset == "iso-8859-1"
    assert res.final_url == srv.url("/a.html") and res.url == res.final_url
    assert res.attempts == 1 and res.elapsed_ms > 0
    assert datetime.fromisoformat(res.fetched_at).utcoffset().total_seconds() == 0
    [req] = srv.requests_to("/a.html")
    assert req.header("user-agent").startswith("newsmine/")
    assert "gzip" in req.header("accept-encoding")


def test_no_charset_and_quoted_charset(srv):
    srv.route("/plain", Reply(body="x", content_type="text/html"))
    srv.route("/quoted", Reply(body="x", content_type='text/html; Charset="UTF-8"'))
    plain, quoted = fetch_all([srv.url("/plain"), srv.url("/quoted")], fast())
    assert plain.charset is None and plain.content_type == "text/html"
    assert quoted.charset == "utf-8"


def test_gzip_encoded_body_is_decoded(srv):
    import gzip
    srv.route("/gz", Reply(body=gzip.compress(b"<p>komprimiert</p>"), headers={"Content-Encoding": "gzip"}))
    res = fetch_one(srv.url("/gz"), fast())
    assert res.body == b"<p>komprimiert</p>"


# --------------------------------------------------------------------------- conditional GET


def test_conditional_get_sends_validators_and_gets_304(srv):
    lm = email.utils.formatdate(time.time() - 86400, usegmt=True)
    srv.route("/c.html", conditional("<p>Stand: Montag</p>", etag='"abc-1"', last_modified=lm))
    first = fetch_one(srv.url("/c.html"), fast())
    assert first.status == 200 and first.etag == '"abc-1"' and first.last_modified == lm
    second = fetch_one(srv.url("/c.html"), fast(), etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.status == 304 and second.error is None
    assert second.body is None and second.etag == '"abc-1"' and second.last_modified == lm
    r1, r2 = srv.requests_to("/c.html")
    assert r1.header("if-none-match") is None and r1.header("if-modified-since") is None
    assert r2.header("if-none-match") == '"abc-1"' and r2.header("if-modified-since") == lm


def test_last_modified_alone_is_sent(srv):
    lm = email.utils.formatdate(time.time() - 60, usegmt=True)
    srv.route("/lm", conditional("x", etag=None, last_modified=lm))
    res = fetch_one(srv.url("/lm"), fast(), last_modified=lm)
    assert res.not_modified and res.last_modified == lm
    assert srv.requests_to("/lm")[0].header("if-modified-since") == lm


# --------------------------------------------------------------------------- retries


def test_503_twice_then_200_succeeds_with_attempts(srv):
    srv.route("/flaky", sequence(Reply(status=503), Reply(status=503), Reply(body="<p>ok</p>")))
    res = fetch_one(srv.url("/flaky"), fast(retries=3))
    assert res.status == 200 and res.body == b"<p>ok</p>" and res.error is None
    assert res.attempts == 3
    assert len(srv.requests_to("/flaky")) == 3


def test_persistent_503_gives_up_with_reason(srv):
    srv.route("/down", Reply(status=503, body="wartung"))
    res = fetch_one(srv.url("/down"), fast(retries=2))
    assert res.error == "http 503 after 2 retries"
    assert res.status == 503 and res.body is None and res.attempts == 3
    assert len(srv.requests_to("/down")) == 3


def test_404_is_not_retried(srv):
    res = fetch_one(srv.url("/missing"), fast(retries=3))
    assert res.error == "http 404" and res.status == 404 and res.attempts == 1
    assert len(srv.requests_to("/missing")) == 1


def test_retry_after_seconds_is_honoured(srv):
    srv.route("/busy", sequence(Reply(status=429, headers={"Retry-After": "1"}), Reply(body="ok")))
    res = fetch_one(srv.url("/busy"), fast(backoff=0.01))
    assert res.status == 200 and res.attempts == 2
    [gap] = start_gaps(srv.requests_to("/busy"))
    assert gap >= 1.0 - TOL


def test_retry_after_is_capped(srv):
    srv.route("/busy", sequence(Reply(status=503, headers={"Retry-After": "3600"}), Reply(body="ok")))
    res = fetch_one(srv.url("/busy"), fast(max_retry_after=0.3))
    assert res.status == 200
    [gap] = start_gaps(srv.requests_to("/busy"))
    assert 0.3 - TOL <= gap < 2.0


def test_retry_after_http_date_is_parsed():
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= fetch_mod._parse_retry_after(when) <= 31
    assert fetch_mod._parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert fetch_mod._parse_retry_after("7") == 7.0
    assert fetch_mod._parse_retry_after("bald") is None


def test_timeout_is_retried_then_reported(srv):
    srv.route("/slow-headers", Reply(body="late", delay=1.0))
    res = fetch_one(srv.url("/slow-headers"), fast(timeout=0.2, retries=1))
    assert res.error == "timeout" and res.status is None and res.body is None
    assert res.attempts == 2  # "timeout" (not 200 "late") shows the client gave up on each attempt


def test_slow_dripping_body_hits_attempt_deadline(srv):
    srv.route("/drip", slow_body(total=10_000, chunk=100, chunk_delay=0.05))  # would take 5 s
    res = fetch_one(srv.url("/drip"), fast(timeout=0.3, retries=0))
    assert res.error == "timeout" and res.body is None  # the full body would have arrived after 5 s


def test_connection_reset_and_refused_do_not_raise(srv):
    srv.route("/reset", Reply(reset=True))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    reset, refused = fetch_all([srv.url("/reset"), f"http://127.0.0.1:{closed_port}/x"], fast(retries=1))
    assert reset.error == "connection reset" and reset.attempts == 2 and reset.status is None
    assert refused.error == "connection refused" and refused.attempts == 2


# --------------------------------------------------------------------------- robots.txt


def test_robots_disallow_is_recorded_without_fetching_the_page(srv):
    srv.route("/robots.txt", Reply(body="User-agent: *\nDisallow: /intern/\n", content_type="text/plain"))
    srv.route("/intern/geheim.html", Reply(body="nope"))
    srv.route("/news/a.html", Reply(body="<p>ok</p>"))
    blocked, ok, again = fetch_all([srv.url("/intern/geheim.html"), srv.url("/news/a.html"),
                                    srv.url("/intern/x.html")], fast(respect_robots=True))
    assert blocked.error == "robots.txt disallows" and blocked.body is None and blocked.status is None
    assert again.error == "robots.txt disallows"
    assert ok.status == 200
    assert not srv.requests_to("/intern/geheim.html") and not srv.requests_to("/intern/x.html")
    assert len(srv.requests_to("/robots.txt")) == 1  # fetched once per host, even with concurrent fetches


def test_robots_group_for_our_user_agent_wins(srv):
    srv.route("/robots.txt", Reply(body="User-agent: newsmine\nDisallow: /\n\nUser-agent: *\nAllow: /\n",
                                   content_type="text/plain"))
    res = fetch_one(srv.url("/a.html"), fast(respect_robots=True))
    assert res.error == "robots.txt disallows"


def test_robots_404_allows_everything(srv):
    srv.route("/a.html", Reply(body="ok"))
    res = fetch_one(srv.url("/a.html"), fast(respect_robots=True))
    assert res.status == 200 and srv.paths() == ["/robots.txt", "/a.html"]


def test_robots_5xx_disallows_the_host_for_the_run(srv):
    srv.route("/robots.txt", Reply(status=503))
    srv.route("/a.html", Reply(body="ok"))
    a, b = fetch_all([srv.url("/a.html"), srv.url("/a.html?x=1")], fast(respect_robots=True, retries=1))
    assert a.error.startswith("robots.txt unreachable (http 503") and "disallow" in a.error
    assert b.error == a.error
    assert not srv.requests_to("/a.html")
    assert len(srv.requests_to("/robots.txt")) == 2  # one try plus one retry, then cached


def test_respect_robots_false_skips_robots(srv):
    srv.route("/robots.txt", Reply(body="User-agent: *\nDisallow: /\n", content_type="text/plain"))
    srv.route("/a.html", Reply(body="ok"))
    assert fetch_one(srv.url("/a.html"), fast(respect_robots=False)).status == 200
    assert srv.paths() == ["/a.html"]


def test_robots_crawl_delay_spaces_requests(srv):
    srv.route("/robots.txt", Reply(body="User-agent: *\nCrawl-delay: 0.4\n", content_type="text/plain"))
    srv.route("/a", Reply(body="ok"))
    res = fetch_one(srv.url("/a"), fast(respect_robots=True, min_delay=0.05, per_host=2))
    assert res.status == 200 and srv.paths() == ["/robots.txt", "/a"]
    # urllib.robotparser reads whole seconds: 0.4 is rounded up to 1 s (the polite direction).
    [gap] = start_gaps(srv.requests)
    assert gap >= 1.0 - TOL, gap


def test_redirect_into_disallowed_path_is_refused(srv):
    srv.route("/robots.txt", Reply(body="User-agent: *\nDisallow: /secret\n", content_type="text/plain"))
    srv.route("/go", redirect("/secret/page"))
    res = fetch_one(srv.url("/go"), fast(respect_robots=True))
    assert res.error == "robots.txt disallows" and res.final_url == srv.url("/secret/page")
    assert not srv.requests_to("/secret/page")


# --------------------------------------------------------------------------- politeness


def test_per_host_min_delay_between_request_starts(srv):
    for i in range(4):
        srv.route(f"/p{i}", Reply(body="ok"))
    urls = [srv.url(f"/p{i}") for i in range(4)]
    results = fetch_all(urls, fast(min_delay=0.3, per_host=2, respect_robots=True))
    assert [r.status for r in results] == [200] * 4
    assert [r.url for r in results] == urls  # fetch_all keeps input order
    gaps = start_gaps(srv.requests)
    assert len(gaps) == 4  # robots.txt + 4 pages
    assert min(gaps) >= 0.3 - TOL, gaps


def test_hosts_are_paced_independently_and_in_parallel():
    if not alias_available("127.0.0.2"):
        pytest.skip("127.0.0.2 not usable here")
    with loopback_hosts(2, share_routes=True) as (a, b):
        for i in range(4):
            a.route(f"/p{i}", Reply(body="ok"))
        urls = [s.url(f"/p{i}") for i in range(4) for s in (a, b)]
        results = fetch_all(urls, fast(min_delay=0.3, per_host=1))
    assert all(r.status == 200 for r in results)
    for server in (a, b):
        assert len(server.requests) == 4
        assert min(start_gaps(server.requests)) >= 0.3 - TOL
    # the hosts are served side by side, not one after the other (no wall-clock bound:
    # timings belong in bench/)
    first_b = min(r.time for r in b.requests)
    assert first_b < max(r.time for r in a.requests)


def test_per_host_and_global_concurrency_limits(srv):
    for i in range(6):
        srv.route(f"/s{i}", Reply(body="ok", delay=0.1))
    fetch_all([srv.url(f"/s{i}") for i in range(6)], fast(per_host=2, concurrency=16))
    assert max_overlap(srv.requests) == 2
    srv.clear()
    fetch_all([srv.url(f"/s{i}") for i in range(4)], fast(per_host=4, concurrency=1))
    assert max_overlap(srv.requests) == 1


# --------------------------------------------------------------------------- refusals


def test_private_address_refused_without_allow_private(srv):
    srv.route("/a.html", Reply(body="ok"))
    strict = fast(allow_private=False)
    for url in (srv.url("/a.html"), f"http://localhost:{srv.port}/a.html", f"http://127.1:{srv.port}/a.html",
                f"http://[::1]:{srv.port}/a.html"):
        res = fetch_one(url, strict)
        assert res.error == "private address not allowed", url
        assert res.attempts == 0 and res.status is None
    assert srv.requests == []
    # allowed per request, and per settings
    assert fetch_one(srv.url("/a.html"), strict, allow_private=True).status == 200
    [ok] = fetch_all([FetchRequest(srv.url("/a.html"), allow_private=True)], strict)
    assert ok.status == 200


def test_dns_name_resolving_to_private_address_is_refused(srv):
    name = socket.gethostname()
    try:
        addrs = {i[4][0] for i in socket.getaddrinfo(name, None)}
    except OSError:
        pytest.skip("host name does not resolve")
    if not all(ipaddress.ip_address(a.split("%")[0]).is_private for a in addrs) or is_private_host(name):
        pytest.skip("host name does not resolve to a private address")
    res = fetch_one(f"http://{name}:{srv.port}/a.html", fast(allow_private=False))
    assert res.error == "private address not allowed"
    assert srv.requests == []


def test_connected_peer_is_checked(srv, monkeypatch):
    # Even when the name checks are fooled (DNS rebinding), the connected address is checked.
    monkeypatch.setattr(fetch_mod, "is_private_host", lambda host: False)

    async def never_private(self, host: str, port: int) -> bool:
        return False

    monkeypatch.setattr(Fetcher, "_resolves_private", never_private)
    srv.route("/a.html", Reply(body="secret"))
    res = fetch_one(srv.url("/a.html"), fast(allow_private=False))
    assert res.error == "private address not allowed" and res.body is None


def test_redirect_hop_to_private_address_is_refused():
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/robots.txt":
            return httpx.Response(404)
        return httpx.Response(302, headers={"Location": "http://127.0.0.1/admin"})

    async def go() -> FetchResult:
        async with Fetcher(fast(allow_private=False, respect_robots=True),
                           transport=httpx.MockTransport(handler)) as f:
            return await f.fetch("https://news.example/artikel")

    res = asyncio.run(go())
    assert res.error == "private address not allowed" and res.final_url == "http://127.0.0.1/admin"
    assert seen == ["https://news.example/robots.txt", "https://news.example/artikel"]


@pytest.mark.parametrize("url, reason", [
    ("ftp://example.org/feed.xml", "unsupported scheme: ftp"),
    ("file:///etc/passwd", "unsupported scheme: file"),
    ("javascript:alert(1)", "unsupported scheme: javascript"),
    ("not a url", "invalid url"),
])
def test_non_http_scheme_refused(url, reason):
    res = fetch_one(url, fast())
    assert res.error == reason and res.attempts == 0 and res.status is None


def test_redirect_to_other_scheme_refused(srv):
    srv.route("/to-file", redirect("file:///etc/passwd"))
    res = fetch_one(srv.url("/to-file"), fast())
    assert res.error == "redirect to unsupported scheme: file" and res.body is None


def test_body_cap_with_and_without_content_length(srv):
    srv.route("/big", Reply(body=b"x" * 200_000))
    srv.route("/big-nolen", Reply(body=b"x" * 200_000, content_length=False))
    srv.route("/fits", Reply(body=b"x" * 100_000))
    big, nolen, fits = fetch_all([srv.url("/big"), srv.url("/big-nolen"), srv.url("/fits")],
                                 fast(max_bytes=100_000))
    assert big.error == nolen.error == "body exceeds 100000 bytes"
    assert big.body is None and nolen.body is None and big.status == 200
    assert fits.error is None and len(fits.body) == 100_000


def test_gzip_bomb_is_stopped(srv):
    bomb = gzip_bomb(50_000_000)
    assert len(bomb.body_bytes()) < 100_000
    srv.route("/bomb", bomb)
    res = fetch_one(srv.url("/bomb"), fast(max_bytes=1_000_000))
    assert res.error == "body exceeds 1000000 bytes" and res.body is None


def test_wrong_content_type_refused(srv):
    srv.route("/bild.png", Reply(body=b"\x89PNG\r\n", content_type="image/png"))
    srv.route("/feed", Reply(body=b"<rss/>", content_type="application/rss+xml; charset=utf-8"))
    png, feed = fetch_all([srv.url("/bild.png"), srv.url("/feed")], fast())
    assert png.error == "content-type image/png not allowed" and png.body is None and png.status == 200
    assert feed.error is None and feed.content_type == "application/rss+xml"


def test_redirects_followed_and_loops_stopped(srv):
    srv.route("/r1", redirect("/r2", 301))
    srv.route("/r2", redirect(srv.url("/final"), 307))
    srv.route("/final", Reply(body="ziel"))
    srv.route("/loop-a", redirect("/loop-b"))
    srv.route("/loop-b", redirect("/loop-a"))
    chain, loop = fetch_all([srv.url("/r1"), srv.url("/loop-a")], fast(max_redirects=3))
    assert chain.status == 200 and chain.final_url == srv.url("/final") and chain.body == b"ziel"
    assert loop.error == "too many redirects" and loop.body is None
    assert len(srv.requests_to("/loop-a")) + len(srv.requests_to("/loop-b")) == 4  # first + 3 redirects


# --------------------------------------------------------------------------- fetch_many / fetch_all


def test_fetch_many_yields_as_completed_and_consumes_lazily(srv):
    srv.route("/slow", Reply(body="slow", delay=0.4))
    srv.route("/fast", Reply(body="fast"))
    pulled = 0

    def requests():
        nonlocal pulled
        pulled += 1
        yield FetchRequest(srv.url("/slow"))
        for i in range(1000):
            pulled += 1
            yield FetchRequest(srv.url(f"/fast?i={i}"))

    async def go() -> tuple[list[str], int]:
        order = []
        async with Fetcher(fast(concurrency=2, per_host=2)) as f:
            gen = f.fetch_many(requests())
            async for res in gen:
                order.append(res.body.decode())
                if len(order) == 3:
                    break
            await gen.aclose()
        return order, pulled

    order, pulled_at_break = asyncio.run(go())
    assert order == ["fast", "fast", "fast"]  # the slow one did not hold the others back
    assert pulled_at_break <= 2 * 4 + 3  # bounded scheduling: not all 1001 requests were taken


def test_fetch_all_works_inside_a_running_event_loop(srv):
    srv.route("/a", Reply(body="a"))

    async def go() -> list[FetchResult]:
        return fetch_all([srv.url("/a"), "ftp://x/"], fast())

    a, bad = asyncio.run(go())
    assert a.body == b"a" and bad.error == "unsupported scheme: ftp"


# --------------------------------------------------------------------------- urls


@pytest.mark.parametrize("url, expected", [
    ("HTTPS://WWW.Example.DE:443/a?b=2&a=1#top", "https://www.example.de/a?a=1&b=2"),
    ("http://example.de:80", "http://example.de/"),
    ("http://example.de:8080/x", "http://example.de:8080/x"),
    ("https://x.de/n?utm_source=rss&utm_medium=feed&id=7&fbclid=abc&gclid=1&ref=home",
     "https://x.de/n?id=7"),
    ("https://x.de/n?mc_cid=1&mc_eid=2&wt_mc=nl&cmp=x&UTM_Campaign=y", "https://x.de/n"),
    ("https://rp-online.de/nrw/staedte/duisburg/artikel_aid-1.amp.html", "https://rp-online.de/nrw/staedte/duisburg/artikel_aid-1.html"),
    ("https://www.waz.de/staedte/essen/artikel-id1/amp", "https://www.waz.de/staedte/essen/artikel-id1"),
    ("https://blog.de/beitrag/amp/", "https://blog.de/beitrag/"),
    ("https://x.de/a?amp=1", "https://x.de/a"),
    ("https://x.de/a?outputType=amp&page=2", "https://x.de/a?page=2"),
    ("https://x.de/camp", "https://x.de/camp"),
    ("https://x.de/a?q=K%C3%B6ln+Dom", "https://x.de/a?q=K%C3%B6ln+Dom"),
    ("mailto:redaktion@x.de", "mailto:redaktion@x.de"),
])
def test_canonicalize(url, expected):
    assert canonicalize(url) == expected


@settings(max_examples=200, deadline=None)
@given(path=st.lists(st.sampled_from(["a", "amp", "b.amp.html", "x", "AMP", "%20"]), max_size=4),
       params=st.lists(st.tuples(st.sampled_from(["id", "utm_source", "amp", "ref", "page", "outputType", "q"]),
                                 st.sampled_from(["", "1", "amp", "x y", "2"])), max_size=5),
       host=st.sampled_from(["Example.DE", "www.rp-online.de", "127.0.0.1", "[::1]"]),
       port=st.sampled_from(["", ":80", ":443", ":8080"]),
       scheme=st.sampled_from(["http", "HTTPS"]))
def test_canonicalize_is_idempotent(path, params, host, port, scheme):
    query = "&".join(f"{k}={v}" for k, v in params)
    url = f"{scheme}://{host}{port}/{'/'.join(path)}" + (f"?{query}" if query else "") + "#frag"
    once = canonicalize(url)
    assert canonicalize(once) == once
    assert "#" not in once and "utm_" not in once and is_http_url(once)


def test_is_http_url():
    assert is_http_url("https://rp-online.de/feed.rss") and is_http_url("http://127.0.0.1:8000/")
    for bad in ("ftp://x.de/", "file:///etc/passwd", "https://", "/relative", "http://x.de:99999/", "", "javascript:x"):
        assert not is_http_url(bad), bad


@pytest.mark.parametrize("host, private", [
    ("localhost", True), ("LOCALHOST.", True), ("foo.localhost", True), ("127.0.0.1", True), ("127.0.0.2", True),
    ("10.0.0.8", True), ("172.16.3.4", True), ("192.168.178.1", True), ("169.254.169.254", True),
    ("100.64.0.1", True), ("0.0.0.0", True), ("::1", True), ("[::1]", True), ("fe80::1%eth0", True),
    ("fd00::1", True), ("::ffff:10.0.0.1", True), ("127.1", True), ("2130706433", True), ("0x7f000001", True),
    ("8.8.8.8", False), ("2a00:1450:4001::1", False), ("rp-online.de", False), ("localhost.example.de", False),
    ("", False),
])
def test_is_private_host(host, private):
    assert is_private_host(host) is private


def test_fetch_all_reports_results_in_input_order_as_they_arrive(srv):
    srv.route("/slow", Reply(body="slow", delay=0.3))
    srv.route("/fast1", Reply(body="f1"))
    srv.route("/fast2", Reply(body="f2"))
    urls = [srv.url("/fast1"), srv.url("/slow"), srv.url("/fast2")]
    seen: list[str] = []
    results = fetch_all(urls, fast(min_delay=0.0, per_host=3), on_result=lambda r: seen.append(r.url))
    assert seen == urls == [r.url for r in results]
