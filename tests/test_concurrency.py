"""Readers and writers side by side with a running ``newsmine run`` (SQLite in WAL mode).

The generated site of the crash test (``sites.make_site``: articles naming people, places,
organisations and euro amounts, a page without main text, a deleted page, a syndicated copy) is served
from 127.0.0.1; ``newsmine run --config`` writes into a fresh database in a process of its own (forked
from the zygote of tests/zygote.py, start-up done) while this process reads and writes the same file:

* readers: plain ``sqlite3`` connections, each check one read transaction, and Datasette's test
  client (``/db/articles.json`` and a SQL query that counts every article's mentions and amounts in
  one statement). No reader ever gets an error, and every article a reader sees has exactly the
  mentions and amounts an uninterrupted run (gold) gave it: no half-written article is visible.
* a reader that holds one read transaction open for the whole run: the run still finishes, and the
  reader's snapshot does not move (WAL snapshot isolation).
* a second writer that takes the write lock again and again (``BEGIN IMMEDIATE``, a row into its own
  table, held a moment, ``COMMIT``) while the run writes: the run waits for the lock (busy timeout)
  instead of failing, the other writer never fails either, and no write of either is lost.

``pytest -s`` prints the figures (reads, articles compared, Datasette requests, lock holds).
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from datasette.app import Datasette
from loopback import LoopbackServer, Reply
from sites import SEED, _page_route, health, make_site, rss
from zygote import Forked, Zygote

from pipeline import store

ROOT = Path(__file__).resolve().parent.parent
N_ARTICLES = 24
RUN_TIMEOUT_S = 300
# one statement, so one read transaction: each article with the number of its mentions and amounts
COUNTS_SQL = ("SELECT a.url, a.model, (SELECT count(*) FROM mentions m WHERE m.article_id = a.id) AS mentions, "
              "(SELECT count(*) FROM money mo WHERE mo.article_id = a.id) AS money FROM articles a ORDER BY a.id")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site on 127.0.0.1 and a sources config pointing at it."""
    srv = LoopbackServer()
    pages = make_site(srv.base_url, N_ARTICLES, SEED + 7)
    # the page without main text early in the feed: its error is written between two articles
    video = next(p for p in pages if p.path.startswith("/video/"))
    pages.remove(video)
    pages.insert(3, video)
    for page in pages:
        srv.route(page.path, _page_route(page))
    srv.route("/feed.xml", Reply(body=rss(srv.base_url, pages), content_type="application/rss+xml; charset=utf-8"))
    srv.route("/robots.txt", Reply(body="User-agent: *\nAllow: /\n", content_type="text/plain"))
    cfg = tmp_path_factory.mktemp("concurrency-site") / "sources.toml"
    cfg.write_text(f'[[source]]\nname = "testbote"\nkind = "feed"\nurl = "{srv.base_url}/feed.xml"\n'
                   "allow_private = true\nmin_delay = 0\n", encoding="utf-8")
    with srv:
        yield cfg


def start_run(zygote: Zygote, cfg: Path, db: Path) -> Forked:
    """``newsmine run --config CFG --db DB`` as a process of its own (forked from the zygote)."""
    return zygote.start(["run", "--config", str(cfg), "--db", str(db), "--quiet"], db.with_suffix(".stderr"))


def finish(proc: Forked) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return proc.returncode, err


def article_counts(con: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    """url -> (mentions, amounts) of every article, read in one statement."""
    return {url: (n_ment, n_money) for url, _model, n_ment, n_money in con.execute(COUNTS_SQL)}


@pytest.fixture(scope="module")
def gold(site, zygote, tmp_path_factory) -> dict[str, tuple[int, int]]:
    """What an uninterrupted run with nobody else on the database stores."""
    db = tmp_path_factory.mktemp("concurrency-gold") / "gold.db"
    rc, err = finish(start_run(zygote, site, db))
    assert rc == 0, err
    con = sqlite3.connect(db)
    counts = article_counts(con)
    con.close()
    assert len(counts) == N_ARTICLES
    assert all(n_ment > 0 and n_money > 0 for n_ment, n_money in counts.values()), counts
    return counts


def schema_ready(db: Path) -> bool:
    """True once the run has created the schema and started (a row in ``runs``)."""
    if not db.exists():
        return False
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute("SELECT count(*) FROM runs").fetchone()[0] > 0
    except sqlite3.Error:
        return False  # the schema is still being made
    finally:
        con.close()


def wait_for_schema(proc: Forked, db: Path) -> None:
    while not schema_ready(db):
        assert proc.poll() is None, f"the run ended before it started writing: {proc.communicate()[1]}"
        time.sleep(0.005)


def check_snapshot(rows: list[tuple], gold: dict[str, tuple[int, int]], where: str) -> list[str]:
    """Problems of one consistent view of the articles: each must be whole (as in gold)."""
    problems = []
    for url, model, n_ment, n_money in rows:
        if url not in gold:
            problems.append(f"{where}: article {url} is not in the gold run")
        elif (n_ment, n_money) != gold[url]:
            problems.append(f"{where}: article {url} (model {model}) has {n_ment} mentions and {n_money} amounts, "
                            f"gold {gold[url]}: half-written")
    return problems


def test_readers_never_see_an_error_or_half_an_article(site, gold, zygote, tmp_path):
    db = tmp_path / "news.db"
    proc = start_run(zygote, site, db)
    figures = {"sqlite reads": 0, "datasette requests": 0, "articles compared": 0, "partial views": 0,
               "articles seen mid-run": set()}
    problems: list[str] = []
    try:
        wait_for_schema(proc, db)
        # a reader that keeps one read transaction open for the whole run
        long_reader = sqlite3.connect(db, timeout=30, isolation_level=None)
        long_reader.execute("BEGIN")
        held = article_counts(long_reader)
        reader = sqlite3.connect(db, timeout=30, isolation_level=None)
        ds = Datasette([str(db)], settings={"sql_time_limit_ms": 60_000})

        def sqlite_read() -> None:
            reader.execute("BEGIN")
            try:
                rows = list(reader.execute(COUNTS_SQL))
                # the same invariant as a query: an article with a model but no mentions (gold has some)
                orphans = reader.execute(
                    "SELECT count(*) FROM articles a WHERE a.model IS NOT NULL "
                    "AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.article_id = a.id)").fetchone()[0]
            finally:
                reader.execute("COMMIT")
            figures["sqlite reads"] += 1
            figures["articles compared"] += len(rows)
            if proc.poll() is None:
                figures["articles seen mid-run"].update(r[0] for r in rows)
            figures["partial views"] += 0 < len(rows) < N_ARTICLES
            problems.extend(check_snapshot(rows, gold, "sqlite reader"))
            if orphans:
                problems.append(f"sqlite reader: {orphans} articles without mentions")

        async def datasette_read() -> None:
            table = await ds.client.get("/news/articles.json?_shape=array&_size=max")
            counts = await ds.client.get("/news.json", params={"sql": COUNTS_SQL, "_shape": "array"})
            figures["datasette requests"] += 2
            for name, response in (("articles.json", table), ("sql", counts)):
                if response.status_code != 200:
                    problems.append(f"datasette {name}: HTTP {response.status_code}: {response.text[:300]}")
            if counts.status_code == 200:
                rows = [(r["url"], r["model"], r["mentions"], r["money"]) for r in counts.json()]
                figures["articles compared"] += len(rows)
                problems.extend(check_snapshot(rows, gold, "datasette"))

        async def watch() -> None:
            while proc.poll() is None:
                sqlite_read()
                await datasette_read()
                await asyncio.sleep(0.005)
            sqlite_read()
            await datasette_read()

        asyncio.run(watch())
        still = article_counts(long_reader)  # the same snapshot, however much the run wrote meanwhile
        long_reader.execute("COMMIT")
        long_reader.close()
        reader.close()
    finally:
        if proc.poll() is None:
            proc.kill()
    rc, err = finish(proc)
    print(f"\n[concurrency] readers during a run: {figures['sqlite reads']} sqlite read transactions, "
          f"{figures['datasette requests']} Datasette requests, {figures['articles compared']} articles compared "
          f"with gold, {figures['partial views']} views with some but not all articles, "
          f"{len(figures['articles seen mid-run'])} of {N_ARTICLES} articles seen while the run was going; "
          f"one read transaction held for the whole run ({len(held)} articles in its snapshot)")
    assert rc == 0, f"the run failed next to the readers: {err[-2000:]}"
    assert problems == [], "\n".join(problems[:20])
    assert still == held, "a long read transaction saw the run's writes (no snapshot isolation)"
    assert figures["partial views"] >= 1, "no reader ever looked while the run was writing articles"
    con = sqlite3.connect(db)
    assert article_counts(con) == gold
    con.close()
    assert health(db) == []


def test_a_second_writer_holding_the_lock_makes_the_run_wait_not_fail(site, gold, zygote, tmp_path):
    db = tmp_path / "news.db"
    store.open_db(db).close()  # schema first, then a table of the other writer's own
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE foreign_writes (id INTEGER PRIMARY KEY, articles_seen INTEGER, pages_seen INTEGER)")
    con.commit()
    con.close()
    proc = start_run(zygote, site, db)
    writer = sqlite3.connect(db, timeout=30, isolation_level=None)
    holds: list[tuple[int, int]] = []  # (articles, pages) visible when the lock was taken
    errors: list[str] = []
    try:
        while proc.poll() is None:
            try:
                writer.execute("BEGIN IMMEDIATE")  # waits (busy timeout) while the run writes
                articles = writer.execute("SELECT count(*) FROM articles").fetchone()[0]
                pages = writer.execute("SELECT count(*) FROM pages").fetchone()[0]
                writer.execute("INSERT INTO foreign_writes (articles_seen, pages_seen) VALUES (?, ?)",
                               [articles, pages])
                time.sleep(0.1)  # the run's next write has to wait for this commit
                writer.execute("COMMIT")
                holds.append((articles, pages))
            except sqlite3.Error as err:
                errors.append(f"{type(err).__name__}: {err}")
                if writer.in_transaction:
                    writer.execute("ROLLBACK")
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            proc.kill()
    rc, err = finish(proc)
    stored = writer.execute("SELECT count(*) FROM foreign_writes").fetchone()[0]
    writer.close()
    mid_run = [h for h in holds if 0 < h[0] < N_ARTICLES or 0 < h[1] < N_ARTICLES + 3]
    print(f"\n[concurrency] second writer: {len(holds)} lock holds of 0.1 s during the run, {len(mid_run)} while the "
          f"run was storing pages or articles; run exit {rc}")
    assert rc == 0, f"the run failed next to a second writer: {err[-2000:]}"
    assert errors == [], errors[:5]
    assert stored == len(holds)  # no write of the other writer was lost
    assert len(mid_run) >= 3, f"the lock was not taken while the run was writing: {holds}"
    con = sqlite3.connect(db)
    assert article_counts(con) == gold  # nor any of the run's
    con.close()
    assert health(db) == []
