"""Issue #23, the fetcher's rows: DNS rebinding (row 6), ``allow_private`` scoped to a source's own hosts
(row 8), bounded config values (row 11), one shared per-host Retry-After back-off (row 14).

Every request goes to a real HTTP server on 127.0.0.1 (or 127.0.0.2) (tests/loopback.py). The DNS
rebinding test fakes the resolver's answers, and a guard on ``socket.socket.connect`` refuses any
address but 127.0.0.1 (recording it), so nothing ever leaves this machine.
"""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from loopback import LoopbackServer, Reply, alias_available, redirect, sequence

from pipeline import run as runner
from pipeline.fetch import FetchRequest, FetchSettings, fetch_all
from pipeline.nlp.model import load
from pipeline.sources import Source, SourceConfigError, load_sources
from pipeline.store import open_db

ROOT = Path(__file__).resolve().parent.parent
TOL = 0.1  # seconds of scheduling slack (server-side timestamps on a loaded 2-core machine)
FAST = FetchSettings(min_delay=0.0, timeout=2.0, retries=0, backoff=0.01, max_retry_after=5.0,
                     respect_robots=False, allow_private=False)
PUBLIC = "93.184.216.34"  # what the rebinding name answers first; never connected to (see no_outside_connections)


@pytest.fixture
def srv():
    with LoopbackServer() as server:
        yield server


@pytest.fixture
def connects(monkeypatch) -> list[tuple[str, int]]:
    """Every TCP connect of this process, recorded; any address other than 127.0.0.1 is refused
    before a packet is sent (the rebinding test's public address is never reached)."""
    seen: list[tuple[str, int]] = []
    real = socket.socket.connect

    def guarded(sock: socket.socket, address: object) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host, port = address[0], address[1]  # type: ignore[index]
            seen.append((host, port))
            if host != "127.0.0.1":
                raise ConnectionRefusedError(111, f"test guard: no connection to {host}")
        return real(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    return seen


def fake_dns(monkeypatch, answers: dict[str, list[str]]) -> dict[str, int]:
    """Answer ``socket.getaddrinfo`` for the names in ``answers`` (one address per lookup, in turn; the
    last repeats); other names go to the real resolver. Returns the number of lookups per name."""
    real = socket.getaddrinfo
    lookups: dict[str, int] = {}

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002
        name = host.decode("ascii") if isinstance(host, bytes) else host
        if name not in answers:
            return real(host, port, family, type, proto, flags)
        n = lookups[name] = lookups.get(name, 0) + 1
        address = answers[name][min(n, len(answers[name])) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, int(port or 0)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def other_host(server: LoopbackServer) -> tuple[LoopbackServer, str]:
    """A second private host: a server on 127.0.0.2 where this machine has it, else ``localhost``."""
    if alias_available("127.0.0.2"):
        other = LoopbackServer("127.0.0.2").start()
        return other, other.base_url
    return server, f"http://localhost:{server.port}"


# --------------------------------------------------------------------------- row 6: DNS rebinding


def test_dns_rebinding_connects_only_to_the_checked_address(srv, connects, monkeypatch):
    """Checked: rebind.test -> a public address; connecting: -> 127.0.0.1. The connection goes to the
    checked address (refused by the guard), never to the loopback server; allowed names still work."""
    srv.route("/robots.txt", Reply(status=404))
    srv.route("/a.html", Reply(body="<p>intern</p>"))
    lookups = fake_dns(monkeypatch, {"rebind.test": [PUBLIC, "127.0.0.1"], "news.test": ["127.0.0.1"]})
    [res] = fetch_all([f"http://rebind.test:{srv.port}/a.html"], FAST)
    assert srv.requests == [], "the rebound name reached the loopback server"
    assert connects == [(PUBLIC, srv.port)]  # the checked address, and nothing else (the guard refused it)
    assert lookups["rebind.test"] == 1       # resolved once: check and connection use one answer
    assert res.body is None and res.error == "connection refused"

    # allowed hosts are still fetched, through the pinned address, with URL and Host header unchanged
    connects.clear()
    allowed = replace(FAST, allow_private=True, respect_robots=True)
    pages = fetch_all([f"http://news.test:{srv.port}/a.html", srv.url("/a.html")], allowed)
    assert [(r.status, r.body) for r in pages] == [(200, b"<p>intern</p>")] * 2
    assert lookups["news.test"] == 1 and {c[0] for c in connects} == {"127.0.0.1"}
    hosts = [(r.path, r.header("host")) for r in srv.requests]
    assert (("/a.html", f"news.test:{srv.port}") in hosts and ("/robots.txt", f"news.test:{srv.port}") in hosts
            and ("/a.html", f"127.0.0.1:{srv.port}") in hosts)
    # and refused without allow_private, before any request
    srv.clear()
    [refused] = fetch_all([f"http://news.test:{srv.port}/a.html"], FAST)
    assert refused.error == "private address not allowed" and srv.requests == []


# --------------------------------------------------------------------------- row 8: allow_private scope


def test_allow_private_covers_only_the_sources_own_hosts_in_the_fetcher(srv):
    """A request that allows private addresses on 127.0.0.1 only: a redirect or a link to another private
    host is refused, and that host gets no request; the own host is fetched."""
    other, other_base = other_host(srv)
    try:
        srv.route("/own.html", Reply(body="<p>eigen</p>"))
        srv.route("/hop.html", redirect(f"{other_base}/secret.html"))
        other.route("/secret.html", Reply(body="<p>geheim</p>"))
        other.clear()
        scope = frozenset({"127.0.0.1"})
        own, hop, linked = fetch_all(
            [FetchRequest(srv.url("/own.html"), allow_private=True, private_hosts=scope),
             FetchRequest(srv.url("/hop.html"), allow_private=True, private_hosts=scope),
             FetchRequest(f"{other_base}/secret.html", allow_private=True, private_hosts=scope)], FAST)
        assert own.status == 200 and own.body == b"<p>eigen</p>"
        assert hop.error == "private address not allowed" and hop.final_url == f"{other_base}/secret.html"
        assert linked.error == "private address not allowed" and linked.attempts == 0
        assert other.requests_to("/secret.html") == []
    finally:
        if other is not srv:
            other.stop()


def test_a_source_with_allow_private_reaches_only_its_own_hosts_in_a_run(srv, tmp_path):
    """Through a run: a feed source with ``allow_private = true`` on 127.0.0.1 lists an article on
    another private host and one that redirects there; both are refused, the other host sees nothing."""
    other, other_base = other_host(srv)
    try:
        srv.route("/robots.txt", Reply(status=404))
        other.route("/robots.txt", Reply(status=404))
        feed = ('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
                f'<item><title>a</title><link>{srv.url("/own.html")}</link></item>'
                f'<item><title>b</title><link>{other_base}/secret.html</link></item>'
                f'<item><title>c</title><link>{srv.url("/hop.html")}</link></item></channel></rss>')
        srv.route("/feed.xml", Reply(body=feed, content_type="application/rss+xml"))
        srv.route("/own.html", Reply(body="<html><body><article><p>Eigener Artikel.</p></article></body></html>"))
        srv.route("/hop.html", redirect(f"{other_base}/secret2.html"))
        other.route("/secret.html", Reply(body="<p>geheim</p>"))
        other.route("/secret2.html", Reply(body="<p>geheim</p>"))
        other.clear()
        source = Source(name="lokal", kind="feed", url=srv.url("/feed.xml"), allow_private=True, min_delay=0.0)
        db = open_db(tmp_path / "n.db")
        runner.run(db, [source], load(), config_label="test", settings=replace(FAST, respect_robots=True))
        db.close()
        if other is srv:
            assert not [r for r in srv.requests if r.path.startswith("/secret")]
        else:
            assert other.requests == []
    finally:
        if other is not srv:
            other.stop()
    con = sqlite3.connect(tmp_path / "n.db")
    rows = dict(con.execute("SELECT url, COALESCE(error, status) FROM pages").fetchall())
    con.close()
    assert rows[srv.url("/own.html")] != "private address not allowed"
    assert rows[f"{other_base}/secret.html"] == "private address not allowed"
    assert rows[srv.url("/hop.html")] == "private address not allowed"


# --------------------------------------------------------------------------- row 11: bounded config values


BAD_VALUES = [
    ("min_delay = 1e9", "'min_delay' must be a number of seconds from 0 to 60"),
    ("min_delay = 61", "'min_delay' must be a number of seconds from 0 to 60"),
    ("min_delay = inf", "'min_delay' must be a number of seconds from 0 to 60"),
    ("min_delay = nan", "'min_delay' must be a number of seconds from 0 to 60"),
    ("min_delay = -0.5", "'min_delay' must be a number of seconds from 0 to 60"),
    ("min_delay = true", "'min_delay' must be a number of seconds from 0 to 60"),
    ("timeout = 1e9", "'timeout' must be a number of seconds from 0.05 to 600"),
    ("timeout = -inf", "'timeout' must be a number of seconds from 0.05 to 600"),
    ("retries = 1000000", "'retries' must be a whole number from 0 to 10"),
    ("retries = false", "'retries' must be a whole number from 0 to 10"),
    ("backoff = 1e9", "'backoff' must be a number of seconds from 0 to 60"),
    ("backoff = nan", "'backoff' must be a number of seconds from 0 to 60"),
    ("max_bytes = 99999999999999", "'max_bytes' must be a whole number from 1024 to 1073741824"),
    ("max_bytes = -1", "'max_bytes' must be a whole number from 1024 to 1073741824"),
    ("max_bytes = 1e6", "'max_bytes' must be a whole number from 1024 to 1073741824"),
]


def test_numeric_config_values_are_bounded(tmp_path):
    """Every numeric key refuses a huge, infinite, NaN, negative or boolean value: one line naming the
    file, the source, the key and the allowed range; the bounds themselves are accepted."""
    cfg = tmp_path / "s.toml"
    base = '[[source]]\nname = "langsam"\nkind = "urls"\nurls = ["https://example.de/a"]\n'
    for line, message in BAD_VALUES:
        cfg.write_text(base + line + "\n", encoding="utf-8")
        with pytest.raises(SourceConfigError) as info:
            load_sources(cfg)
        assert str(info.value) == f"{cfg}: source 'langsam': {message}", line
    cfg.write_text(base + "min_delay = 60\ntimeout = 600\nretries = 10\nbackoff = 0\nmax_bytes = 1024\n",
                   encoding="utf-8")
    [src] = load_sources(cfg)
    assert src.fetch_overrides() == {"min_delay": 60.0, "timeout": 600.0, "retries": 10, "backoff": 0.0,
                                     "max_bytes": 1024}
    # the library refuses the same values (a FetchSettings built in code cannot hang a crawl either)
    for bad in ({"min_delay": 1e9}, {"min_delay": float("nan")}, {"retries": True}, {"timeout": -1.0}):
        with pytest.raises(ValueError, match=f"FetchSettings: '{next(iter(bad))}' must be"):
            FetchSettings(**bad)


def test_run_with_a_huge_min_delay_fails_at_once_with_one_line(srv, tmp_path):
    """``newsmine run --config`` with ``min_delay = 1e9`` used to hang; now it exits non-zero with one line."""
    srv.route("/robots.txt", Reply(status=404))
    srv.route("/a.html", Reply(body="<p>a</p>"))
    cfg = tmp_path / "s.toml"
    cfg.write_text(f'[[source]]\nname = "langsam"\nkind = "urls"\nurls = ["{srv.url("/a.html")}", '
                   f'"{srv.url("/b.html")}"]\nallow_private = true\nmin_delay = 1e9\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "--config", str(cfg), "--db",
                           str(tmp_path / "n.db"), "--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=20)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    line = proc.stderr.strip()
    assert "source 'langsam'" in line and "'min_delay'" in line and "from 0 to 60" in line, line
    assert srv.requests == []


# --------------------------------------------------------------------------- row 14: one shared back-off


def _first_429_then_page(server: LoopbackServer, paths: list[str], retry_after: str) -> None:
    for p in paths:
        server.route(p, sequence(Reply(status=429, headers={"Retry-After": retry_after}, content_type=None),
                                 Reply(body=f"<p>{p}</p>")))


@pytest.mark.parametrize("n, per_host", [(6, 2), (3, 1)], ids=["6-urls-2-per-host", "3-urls-1-per-host"])
def test_retry_after_on_every_url_of_a_host_is_one_shared_back_off(srv, n, per_host):
    """Each URL answers its first request with 429 and ``Retry-After: 1``. The host's back-off is one
    shared deadline that every pending request waits for once: the crawl takes about two windows (one
    for the host, one for the URLs first asked after it), not one window per URL; no request reaches the
    host during the first window (but those already sent), each URL is asked again only after its own
    Retry-After, and every page is fetched after the back-off."""
    window = 1.0
    paths = [f"/p{i}.html" for i in range(n)]
    _first_429_then_page(srv, paths, "1")
    settings = replace(FAST, allow_private=True, per_host=per_host, retries=3)
    began = time.monotonic()
    results = fetch_all([srv.url(p) for p in paths], settings)
    took = time.monotonic() - began
    assert [(r.status, r.body, r.attempts) for r in results] == [(200, f"<p>{p}</p>".encode(), 2) for p in paths]
    assert took < 2.5 * window, f"{took:.2f} s for {n} URLs: the back-off was repeated per URL"
    first = min(r.time for r in srv.requests)
    assert len([r for r in srv.requests if r.time < first + window - TOL]) <= per_host  # the host's window held
    for p in paths:
        asked, again = sorted(r.time for r in srv.requests_to(p))
        assert again - asked >= window - TOL, p  # this URL's own Retry-After held too
    assert max(r.time for r in srv.requests) - first < 2 * window + 0.4
