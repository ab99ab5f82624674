"""Fetcher throughput and politeness benchmark against 20 real loopback hosts.

    .venv/bin/python bench/fetch/run.py [--pages 2000] [--hosts 20] [--seed 1]

Serves generated HTML pages (2-20 KB, 5-20 ms latency each) from 127.0.0.1 ... 127.0.0.N
(``tests/loopback.py`` servers, each its own thread, all in one child process so that the
server side does not share the GIL with the fetcher), fetches them with newsmine's
``fetch_all`` / ``Fetcher`` and verifies from the server-side records:

* max concurrent requests per host <= per_host (and global <= concurrency),
* min gap between request starts per host >= min_delay (minus a small tolerance),
* every page requested exactly once, plus exactly one /robots.txt per host,
* every result status 200 with the right body (length and hash).

Run A (shuffled order, min_delay=0) is also stored through ``pipeline.store.open_db`` +
``save_page`` (one writer, as ``pipeline.run`` does) and checked: N rows, unique URLs.
Run B repeats A with min_delay=0.05; run C (diagnostic) uses input grouped by host.
Exit status 1 if any check fails.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import os
import platform
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from loopback import Reply, loopback_hosts, max_overlap  # noqa: E402

from pipeline import store  # noqa: E402
from pipeline.fetch import FetchRequest, FetchSettings, fetch_all  # noqa: E402

ROBOTS = "User-agent: *\nDisallow: /intern/\nAllow: /\n"
WORDS = ("Gemeinderat Bürgermeister Haushalt Kreistag Millionen Euro Straßenbau Schule Feuerwehr "
         "Stadtwerke Landkreis Förderung Sanierung Ortschaftsrat Bebauungsplan Kita Radweg "
         "Sitzung beschloss einstimmig Verwaltung Investition Grundsteuer Hallenbad").split()
GAP_TOLERANCE = 0.005   # seconds; server-side start stamps jitter a little vs client-side starts


def make_pages(n_pages: int, n_hosts: int, seed: int) -> list[tuple[int, str, bytes, float]]:
    """(host index, path, body, latency) for every page; bodies 2-20 KB of German-ish HTML."""
    rng = random.Random(seed)
    out = []
    for i in range(n_pages):
        h = i % n_hosts
        size = rng.randint(2_000, 20_000)
        head = f"<!doctype html><html lang=de><head><meta charset=utf-8><title>Artikel {i}</title></head><body><article><p>"
        text = []
        length = len(head)
        while length < size - 30:
            w = rng.choice(WORDS)
            text.append(w)
            length += len(w.encode()) + 1
        body = (head + " ".join(text)).encode()[: size - 25]
        body = body.decode("utf-8", "ignore").encode()
        body += b"</p></article></body></html>"
        out.append((h, f"/artikel/{i:05d}.html", body, rng.uniform(0.005, 0.020)))
    return out


def _serve(conn, pages, n_hosts: int) -> None:
    """Child process: n_hosts loopback servers; sends ports, waits for 'stop', sends records."""
    with loopback_hosts(n_hosts) as servers:
        for s in servers:
            s.route("/robots.txt", Reply(body=ROBOTS, content_type="text/plain; charset=utf-8",
                                         delay=0.005))
        for h, path, body, lat in pages:
            servers[h].route(path, Reply(body=body, delay=lat))
        conn.send([s.port for s in servers])
        conn.recv()
        recs = [(s.host, r.method, r.path, r.time, r.end) for s in servers for r in list(s.requests)]
        conn.send(recs)


class _R:  # minimal stand-in for loopback.Recorded for max_overlap
    __slots__ = ("time", "end")

    def __init__(self, t: float, e: float | None) -> None:
        self.time, self.end = t, e


def run_once(label: str, pages, n_hosts: int, settings: FetchSettings, order: str, seed: int) -> dict:
    parent, child = mp.Pipe()
    proc = mp.get_context("fork").Process(target=_serve, args=(child, pages, n_hosts), daemon=True)
    proc.start()
    ports = parent.recv()
    urls = [f"http://127.0.0.{h + 1}:{ports[h]}{path}" for h, path, _, _ in pages]
    expect = {u: p[2] for u, p in zip(urls, pages, strict=True)}
    if order == "shuffled":
        reqs = urls[:]
        random.Random(seed + 7).shuffle(reqs)
    else:  # grouped by host
        reqs = sorted(urls, key=lambda u: (int(u.split("//127.0.0.")[1].split(":")[0]), u))
    t0 = time.perf_counter()
    results = fetch_all([FetchRequest(u) for u in reqs], settings)
    fetch_s = time.perf_counter() - t0
    parent.send("stop")
    recs = parent.recv()
    proc.join(timeout=10)

    failures: list[str] = []
    # results
    bad = [r for r in results if r.status != 200 or r.body is None or r.error
           or len(r.body) != len(expect[r.url]) or hashlib.sha1(r.body).digest() != hashlib.sha1(expect[r.url]).digest()]
    if len(results) != len(pages):
        failures.append(f"{len(results)} results for {len(pages)} pages")
    if bad:
        failures.append(f"{len(bad)} results wrong, e.g. {bad[0].url}: status={bad[0].status} "
                        f"error={bad[0].error} len={len(bad[0].body or b'')}/{len(expect[bad[0].url])}")
    # requests per host
    by_host: dict[str, list] = defaultdict(list)
    for rec in recs:
        by_host[rec[0]].append(rec)
    per_host_peak = {}
    per_host_gap = {}
    all_gaps: list[float] = []
    for i in range(n_hosts):
        host = f"127.0.0.{i + 1}"
        hr = by_host.get(host, [])
        counts = Counter(r[2] for r in hr)
        want = Counter(path for h, path, _, _ in pages if h == i)
        want["/robots.txt"] = 1
        if counts != want:
            extra = counts - want
            missing = want - counts
            failures.append(f"{host}: requests differ: extra={dict(list(extra.items())[:3])} "
                            f"missing={dict(list(missing.items())[:3])} (total {sum(counts.values())})")
        if any(r[1] != "GET" for r in hr):
            failures.append(f"{host}: non-GET requests")
        per_host_peak[host] = max_overlap([_R(r[3], r[4]) for r in hr])
        times = sorted(r[3] for r in hr)
        all_gaps += [b - a for a, b in zip(times, times[1:], strict=False)]
        per_host_gap[host] = min((b - a for a, b in zip(times, times[1:], strict=False)), default=float("inf"))
        if per_host_peak[host] > settings.per_host:
            failures.append(f"{host}: {per_host_peak[host]} concurrent requests > per_host={settings.per_host}")
        if settings.min_delay > 0 and per_host_gap[host] < settings.min_delay - GAP_TOLERANCE:
            failures.append(f"{host}: min start gap {per_host_gap[host] * 1000:.1f} ms < min_delay "
                            f"{settings.min_delay * 1000:.0f} ms")
    global_peak = max_overlap([_R(r[3], r[4]) for r in recs])
    if global_peak > settings.concurrency:
        failures.append(f"global: {global_peak} concurrent requests > concurrency={settings.concurrency}")
    starts = sorted(r[3] for r in recs)
    return {
        "label": label, "order": order, "min_delay": settings.min_delay, "results": results,
        "fetch_s": fetch_s, "pages_per_s": len(pages) / fetch_s, "requests": len(recs),
        "server_span_s": starts[-1] - starts[0] if starts else 0.0,
        "global_peak": global_peak, "per_host_peak": per_host_peak,
        "min_gap_ms": min(per_host_gap.values()) * 1000,
        "gaps_short": sum(g < settings.min_delay - GAP_TOLERANCE for g in all_gaps), "gaps": len(all_gaps),
        "p1_gap_ms": sorted(all_gaps)[len(all_gaps) // 100] * 1000 if all_gaps else 0.0,
        "mean_latency_ms": sum(p[3] for p in pages) / len(pages) * 1000,
        "failures": failures,
    }


def store_all(results, n_pages: int) -> tuple[float, list[str]]:
    failures = []
    with tempfile.TemporaryDirectory(prefix="newsmine-bench-") as tmp:
        path = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        db = store.open_db(path)
        store.upsert_source(db, "bench", "sitemap", "http://127.0.0.1/", ["DE"])
        for res in results:  # one writer, as pipeline.run._run_source
            store.save_page(db, url=res.url, source="bench", status=res.status, body=res.body,
                            final_url=res.final_url, content_type=res.content_type, charset=res.charset,
                            etag=res.etag, last_modified=res.last_modified,
                            error=res.error if res.body is None else None, elapsed_ms=res.elapsed_ms,
                            attempts=res.attempts, fetched_at=res.fetched_at)
        store_s = time.perf_counter() - t0
        db.conn.close()
        check = store.open_db(path, migrate=False, readonly=True)
        rows, uniq, with_html = next(check.query(
            "SELECT count(*) AS n, count(DISTINCT url) AS u, sum(html_gz IS NOT NULL) AS h FROM pages")).values()
        check.conn.close()
        if rows != n_pages or uniq != n_pages or with_html != n_pages:
            failures.append(f"store: {rows} rows, {uniq} unique urls, {with_html} with html (want {n_pages})")
    return store_s, failures


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--concurrency", type=int, default=50)
    ap.add_argument("--per-host", type=int, default=3)
    ap.add_argument("--delay", type=float, default=0.05, help="min_delay of run B")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    pages = make_pages(args.pages, args.hosts, args.seed)
    kb = sum(len(p[2]) for p in pages) / 1024
    print(f"machine: {platform.machine()}, {os.cpu_count()} cpus; python {platform.python_version()}")
    print(f"{args.pages} pages on {args.hosts} hosts, {kb:,.0f} KiB, sizes {min(len(p[2]) for p in pages)}-"
          f"{max(len(p[2]) for p in pages)} B, latency 5-20 ms")

    def settings(delay: float) -> FetchSettings:
        return FetchSettings(concurrency=args.concurrency, per_host=args.per_host, min_delay=delay,
                             allow_private=True, respect_robots=True, retries=0, timeout=20.0)

    runs = []
    a = run_once("A", pages, args.hosts, settings(0.0), "shuffled", args.seed)
    store_s, sf = store_all(a["results"], args.pages)
    a["failures"] += sf
    a["store_s"] = store_s
    runs.append(a)
    runs.append(run_once("B", pages, args.hosts, settings(args.delay), "shuffled", args.seed))
    runs.append(run_once("C", pages, args.hosts, settings(0.0), "grouped", args.seed))

    ok = True
    for r in runs:
        ph = r["per_host_peak"]
        print(f"\nrun {r['label']}: order={r['order']} min_delay={r['min_delay']}")
        print(f"  fetch: {r['fetch_s']:.2f} s  -> {r['pages_per_s']:,.0f} pages/s "
              f"({r['requests']} requests, server-side span {r['server_span_s']:.2f} s)")
        if "store_s" in r:
            tot = r["fetch_s"] + r["store_s"]
            print(f"  store: {r['store_s']:.2f} s ({args.pages / r['store_s']:,.0f} rows/s); "
                  f"fetch+store {tot:.2f} s -> {args.pages / tot:,.0f} pages/s")
        print(f"  peak concurrency: global {r['global_peak']} (limit {args.concurrency}), per host max "
              f"{max(ph.values())} min {min(ph.values())} (limit {args.per_host}); "
              f"peaks by host {Counter(ph.values())}")
        print(f"  start gaps per host (server side): min {r['min_gap_ms']:.1f} ms, 1st percentile "
              f"{r['p1_gap_ms']:.1f} ms; {r['gaps_short']} of {r['gaps']} gaps < min_delay - {GAP_TOLERANCE * 1000:.0f} ms")
        if r["failures"]:
            ok = False
            for f in r["failures"][:5]:
                print(f"  FAIL {f}")
            if len(r["failures"]) > 5:
                print(f"  ... {len(r['failures']) - 5} more failures")
        else:
            print("  all checks passed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
