"""Crash safety of ``newsmine run``: SIGKILL at random moments, run again, compare with an uninterrupted run.

A generated site of German regional news (articles naming people, places, organisations and
euro amounts; JSON-LD on some; ETags on some; one deleted page; one page without main text; one
syndicated copy of an article under a second URL) is served with an RSS feed from a real HTTP
server on 127.0.0.1, every answer a little delayed (20-40 ms).

* Reference: ``newsmine run`` uninterrupted into fresh databases, three times: once started from
  scratch (``python -m pipeline.cli run``), then twice side by side forked from the zygote below; all
  three must give the same logical content (so the pipeline is deterministic and any difference below
  is the crash's doing).
* Runs are real processes forked from a zygote (tests/zygote.py) that has imported newsmine and
  loaded the model once: start-up writes nothing a kill could break, and is 2.5 s of CPU a run.
* Trials (fixed seed): a fresh database, ``newsmine run`` as a process, SIGKILL after a random
  delay -- a random moment of the reference run once the database file exists (startup before that,
  imports and loading the model, writes nothing a kill could break); or once the run's progress
  (pages stored plus articles written) reaches a random point, plus a random few milliseconds; or
  within 25 ms of the database file appearing (journal mode, migrations) -- in every other trial a
  second SIGKILL during the rerun, then a rerun to completion. Trials run side by side. Every kill
  costs a run of its own, so the trials are few and each kill lands where a run writes;
  NEWSMINE_RESUME_TRIALS runs more (soak runs).
* Checked while a run is going (a reader in its own read transactions, after every commit it can
  see), right after every kill, and at the end: ``PRAGMA integrity_check``, ``foreign_key_check``,
  the FTS index, no duplicate article URLs, no orphan rows, and every article that can be seen at
  all has exactly the reference's columns and rows in every table that hangs off an article
  (mentions, money, roles, quotes ...): no half-written article is ever visible. At the end the
  logical content (articles with those rows, entities, pages) equals the reference, and the last
  run is 'ok' with no run left 'running'.
* A deterministic case: a syndicated copy of an article (same text, second URL) gives the same
  result with and without an interruption.

``pytest -s`` prints the figures (trials, kills that landed mid-run, by phase, articles compared).
NEWSMINE_RESUME_TRIALS and NEWSMINE_RESUME_SEED change the number of trials and the seed (soak runs).
"""

from __future__ import annotations

import collections
import concurrent.futures
import dataclasses
import gzip
import hashlib
import json
import math
import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from loopback import LoopbackServer, Reply
from sites import SEED, _page_route, health, make_site, rss, syndicated_copy
from zygote import Zygote, run_env

from pipeline import store

ROOT = Path(__file__).resolve().parent.parent
TRIALS = int(os.environ.get("NEWSMINE_RESUME_TRIALS", "10"))
N_ARTICLES = 24
# Trials run side by side (each with its own database). A run waits for the network and for fsync
# much of the time, so one more than the cores keeps a small machine busy.
PARALLEL = max(2, min(4, (os.cpu_count() or 1) + 1))
POLL_S = 0.005
RUN_TIMEOUT_S = 120.0

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    srv = LoopbackServer()
    base = srv.base_url
    pages = make_site(base, N_ARTICLES, SEED)
    for page in pages:
        srv.route(page.path, _page_route(page))
    srv.route("/feed.xml", Reply(body=rss(base, pages), content_type="application/rss+xml; charset=utf-8",
                                 delay=0.03))
    srv.route("/robots.txt", Reply(body="User-agent: *\nAllow: /\n", content_type="text/plain; charset=utf-8"))
    cfg = tmp_path_factory.mktemp("resume-site") / "sources.toml"
    cfg.write_text(f'[[source]]\nname = "testbote"\nkind = "feed"\nurl = "{base}/feed.xml"\n'
                   'region = ["NRW"]\nallow_private = true\nmin_delay = 0\n', encoding="utf-8")
    with srv:
        yield cfg, pages, srv


# --------------------------------------------------------------------------- reading a database


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


@dataclasses.dataclass
class State:
    """What a database holds, reduced to what must not depend on whether a run was interrupted."""

    schema_ready: bool = False
    articles: dict = dataclasses.field(default_factory=dict)   # url -> columns + rows of mentions, money, ...
    pages: dict = dataclasses.field(default_factory=dict)      # url -> (sha256 of stored html or None, error)
    entities: dict = dataclasses.field(default_factory=dict)   # key -> columns (aliases sorted)
    problems: list = dataclasses.field(default_factory=list)   # structural problems found while reading


def _columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]


def read_state(con: sqlite3.Connection, *, verify_html: bool = True) -> State:
    """One consistent read (a single read transaction) of everything the comparison needs.

    ``con`` must be in autocommit mode (``isolation_level=None``) so that BEGIN/COMMIT are ours.
    ``verify_html``: hash the decompressed html of every page (else trust ``content_sha256``; the
    polls during a run skip it to stay cheap).
    """
    st = State()
    con.execute("BEGIN")
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "_sqlite_migrations" not in tables:
            return st
        applied = con.execute("SELECT count(*) FROM _sqlite_migrations WHERE migration_set = 'newsmine'").fetchone()[0]
        if applied < store.SCHEMA_VERSION:  # the schema is still being made (each migration is one transaction)
            return st
        st.schema_ready = True
        html_col = "html_gz" if verify_html else "html_gz IS NOT NULL"
        for url, html_gz, sha, error in con.execute(f"SELECT url, {html_col}, content_sha256, error FROM pages"):
            stored = None
            if html_gz and verify_html:
                stored = _sha(gzip.decompress(html_gz))
                if stored != sha:
                    st.problems.append(f"page {url}: content_sha256 does not match the stored html")
            elif html_gz:
                stored = sha
            st.pages[url] = (stored, error)
        # the article rows, and every table that hangs off an article: mentions, money and whatever is
        # added later (roles, quotes ...); ids become what they point at (page url, entity key)
        children = sorted(t for t in tables if t != "articles" and "article_id" in _columns(con, t))
        page_urls = dict(con.execute("SELECT id, url FROM pages"))
        entity_keys = dict(con.execute("SELECT id, key FROM entities"))
        by_id: dict[int, dict] = {}
        cols = _columns(con, "articles")
        for row in con.execute("SELECT * FROM articles ORDER BY id"):
            r = dict(zip(cols, row))
            url, text = r["url"], r["text"] or ""
            if url in st.articles:
                st.problems.append(f"duplicate article url {url}")
            if _sha(text) != r["content_sha256"]:
                st.problems.append(f"article {url}: content_sha256 does not match its text")
            rec = {k: v for k, v in r.items() if k not in ("id", "text", "page_id", "processed_at")}
            rec.update(text_sha256=_sha(text), page_url=page_urls.get(r["page_id"]))
            rec.update((t, []) for t in children)
            st.articles[url] = by_id[r["id"]] = rec
        for t in children:
            cols = _columns(con, t)
            for row in con.execute(f'SELECT * FROM "{t}"'):
                r = dict(zip(cols, row))
                r.pop("id", None)
                aid = r.pop("article_id")
                for c in [c for c in r if c.endswith("entity_id")]:
                    eid = r.pop(c)
                    if eid is not None and eid not in entity_keys:
                        st.problems.append(f"{t} row {r} points at a missing entity {eid}")
                    r[c[:-2] + "key"] = entity_keys.get(eid)
                if aid not in by_id:
                    st.problems.append(f"{t} row {r} of a missing article {aid}")
                    continue
                by_id[aid][t].append(tuple(sorted(r.items())))
        for rec in by_id.values():
            for t in children:
                rec[t].sort(key=repr)
        cols = _columns(con, "entities")
        for row in con.execute("SELECT * FROM entities"):
            r = dict(zip(cols, row))
            r.pop("id")
            key = r.pop("key")
            r["aliases"] = sorted(json.loads(r.get("aliases") or "[]"))
            st.entities[key] = tuple(sorted((k, repr(v)) for k, v in r.items()))
        return st
    finally:
        con.execute("COMMIT")


def partial_problems(st: State, ref: State) -> tuple[list[str], int]:
    """Problems of a possibly incomplete state: everything present must be exactly as in the reference.

    Returns the problems and the number of articles compared.
    """
    out = list(st.problems)
    for url, rec in st.articles.items():
        want = ref.articles.get(url)
        if want is None:
            out.append(f"article {url} is not in the reference")
        elif rec != want:
            diff = {k: (rec.get(k), want.get(k)) for k in sorted(set(rec) | set(want)) if rec.get(k) != want.get(k)}
            for k, (a, b) in diff.items():
                if isinstance(a, list) or isinstance(b, list):
                    diff[k] = f"{len(a or [])} rows, reference {len(b or [])}"
            out.append(f"article {url} differs from the reference: {diff}")
    for url, (sha, _error) in st.pages.items():
        want = ref.pages.get(url)
        if want is None:
            out.append(f"page {url} is not in the reference")
        elif sha is not None and sha != want[0]:
            out.append(f"page {url}: stored html differs from the reference")
    for key in st.entities:
        if key not in ref.entities:
            out.append(f"entity {key} is not in the reference")
    return out, len(st.articles)


def logical_diff(got: State, ref: State) -> list[str]:
    out, _ = partial_problems(got, ref)
    for url in sorted(set(ref.articles) - set(got.articles)):
        out.append(f"article {url} is missing")
    for url in sorted(set(ref.pages) - set(got.pages)):
        out.append(f"page {url} is missing")
    for url in sorted(set(ref.pages) & set(got.pages)):
        if got.pages[url] != ref.pages[url]:
            out.append(f"page {url}: {got.pages[url]} != reference {ref.pages[url]}")
    for key in sorted(set(ref.entities) - set(got.entities)):
        out.append(f"entity {key} is missing")
    for key in sorted(set(ref.entities) & set(got.entities)):
        if got.entities[key] != ref.entities[key]:
            out.append(f"entity {key}: {got.entities[key]} != reference {ref.entities[key]}")
    return out


# --------------------------------------------------------------------------- running and killing


@dataclasses.dataclass
class Attempt:
    """One ``newsmine run`` subprocess."""

    plan: tuple | None           # None: to completion; ("time", s) or ("file", s): s after the database file
                                 # was first seen; ("progress", share, extra_s)
    returncode: int = 0
    killed: bool = False         # SIGKILL sent and it was what ended the process
    duration: float = 0.0
    phase: str = ""              # what the database showed right after the process ended
    polls: int = 0               # consistent snapshots read while the process ran (one per commit seen)
    busy: int = 0                # polls that could not read (locked, schema being made)
    articles_checked: int = 0    # article comparisons during polls
    problems: list = dataclasses.field(default_factory=list)
    marks: dict = dataclasses.field(default_factory=dict)  # first time (s) a phase was seen by a poll
    stderr: str = ""
    pid: int = 0


def _progress(st: State) -> int:
    return sum(1 for sha, _ in st.pages.values() if sha is not None) + len(st.articles)


def _read(db: Path, **kw) -> State | None:
    if not db.exists():
        return None
    con = sqlite3.connect(db, timeout=30, isolation_level=None)
    try:
        return read_state(con, **kw)
    finally:
        con.close()


def _phase(db: Path, ref: State, before: int) -> str:
    """Where a run was when it was killed, judged by what it had written (``before``: progress at its start)."""
    st = _read(db, verify_html=False)
    if st is None:
        return "no database yet"
    if not st.schema_ready:
        return "schema"
    if _progress(st) <= max(before, 0):
        return "startup/fetch" if before <= 0 else "startup/fetch/re-storing pages (nothing new written)"
    if len(st.pages) < len(ref.pages):
        return "storing pages"
    if not st.articles:
        return "extract/nlp"
    if len(st.articles) < len(ref.articles):
        return "writing articles"
    return "all articles written"


def run_newsmine(cfg: Path, db: Path, ref: State | None, plan: tuple | None, workdir: Path,
                 zygote: Zygote | None = None) -> Attempt:
    """Run ``newsmine run`` on ``db``, reading the database while it runs; kill it as ``plan`` says.

    With a ``zygote`` the run is a process forked from it (start-up already done), else a process
    started from scratch (``python -m pipeline.cli run``)."""
    att = Attempt(plan=plan)
    before = -1
    if ref is not None and (st0 := _read(db, verify_html=False)) is not None:
        before = _progress(st0) if st0.schema_ready else 0
    err_path = workdir / f"stderr-{time.monotonic_ns()}.txt"
    with open(err_path, "wb") as err_file:
        t0 = time.monotonic()
        argv = ["run", "--config", str(cfg), "--db", str(db), "--quiet"]
        proc = (zygote.start(argv, err_path) if zygote is not None else
                subprocess.Popen([sys.executable, "-m", "pipeline.cli", *argv], cwd=ROOT, env=run_env(),
                                 stdout=subprocess.DEVNULL, stderr=err_file))
        con: sqlite3.Connection | None = None
        kill_at = None
        # a progress plan kills once this run has stored a given share of what is left to store
        total = _progress(ref) if ref is not None else 0
        target = (max(before, 0) + max(1, math.ceil(plan[1] * (total - max(before, 0))))
                  if plan and plan[0] == "progress" else 0)
        last_version, progress = None, max(before, 0)
        seen: set[str] = set()  # problems already reported by an earlier poll
        try:
            while proc.poll() is None:
                now = time.monotonic() - t0
                if now > RUN_TIMEOUT_S:
                    proc.kill()
                    att.problems.append(f"run did not finish within {RUN_TIMEOUT_S} s")
                    break
                if con is None and db.exists():
                    con = sqlite3.connect(db, timeout=0.2, isolation_level=None)
                    att.marks.setdefault("database file", now)
                    if plan and plan[0] in ("file", "time") and kill_at is None:
                        kill_at = now + plan[1]
                if con is not None:
                    try:
                        # a full consistent read whenever another connection has committed something
                        version = con.execute("PRAGMA data_version").fetchone()[0]
                        st = read_state(con, verify_html=False) if version != last_version else None
                    except sqlite3.Error:
                        att.busy += 1
                        if con.in_transaction:
                            con.execute("ROLLBACK")
                    else:
                        if st is not None:
                            last_version = version
                            att.polls += 1
                            if st.schema_ready:
                                att.marks.setdefault("schema", now)
                            if st.pages:
                                att.marks.setdefault("first page", now)
                            if st.articles:
                                att.marks.setdefault("first article", now)
                            if ref is not None:
                                found, n = partial_problems(st, ref)
                                att.articles_checked += n
                                att.problems += [f"while running, at {now:.2f} s: {p}" for p in found
                                                 if p not in seen]
                                seen.update(found)
                            progress = _progress(st) if st.schema_ready else 0
                        if plan and plan[0] == "progress" and kill_at is None and progress >= target:
                            kill_at = now + plan[2]
                if kill_at is not None and time.monotonic() - t0 >= kill_at:
                    proc.send_signal(signal.SIGKILL)
                    break
                time.sleep(POLL_S)
        except BaseException:
            proc.kill()  # the test itself failed or was interrupted: leave no run behind
            raise
        finally:
            if con is not None:
                con.close()
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        att.duration = time.monotonic() - t0
    att.returncode, att.pid = proc.returncode, proc.pid
    att.killed = proc.returncode == -signal.SIGKILL
    att.stderr = err_path.read_text(encoding="utf-8", errors="replace")
    if ref is not None:
        att.phase = _phase(db, ref, before) if att.killed else "completed"
    return att


# --------------------------------------------------------------------------- the tests


@pytest.fixture(scope="module")
def reference(site, zygote, tmp_path_factory):
    """Three uninterrupted runs into fresh databases: one started from scratch, then two forked from the
    zygote side by side (their timing, with the cores shared as in the trials, calibrates the trials'
    kills); all three must agree."""
    cfg, pages, srv = site
    work = tmp_path_factory.mktemp("resume-ref")
    dbs = [work / "ref.db", work / "ref2.db", work / "scratch.db"]
    scratch = run_newsmine(cfg, dbs[2], None, None, work)
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        runs = [*pool.map(lambda db: run_newsmine(cfg, db, None, None, work, zygote), dbs[:2]), scratch]
    for att in runs:
        assert att.returncode == 0, att.stderr
    states = []
    for db in dbs:
        assert health(db) == []
        con = sqlite3.connect(db, isolation_level=None)
        states.append(read_state(con))
        con.close()
    ref = states[0]
    assert ref.problems == []
    for other in states[1:]:
        assert logical_diff(other, ref) == [], "two uninterrupted runs disagree: the pipeline is not deterministic"
    # the reference is what the site holds: every article with entities and amounts
    assert len(ref.pages) == len(pages)
    assert len(ref.articles) == N_ARTICLES  # the syndicated copy is not stored a second time
    assert len({rec["text_sha256"] for rec in ref.articles.values()}) == N_ARTICLES
    for url, rec in ref.articles.items():
        assert rec["mentions"] and rec["money"], url
    assert {dict(m)["label"] for rec in ref.articles.values() for m in rec["mentions"]} == {"PER", "LOC", "ORG"}
    assert ref.pages[srv.url("/wesel/geloescht-999.html")][0] is None
    assert ref.pages[srv.url("/video/hochwasser-wesel.html")][1].startswith("extract:")
    # the part of a run that writes: from the database file appearing to the end, as the forked runs
    # side by side took it (the trials run forked, side by side)
    forked = runs[:2]
    writing = sum(att.duration - att.marks["database file"] for att in forked) / len(forked)
    duration = sum(att.duration for att in forked) / len(forked)
    n_mentions = sum(len(r["mentions"]) for r in ref.articles.values())
    n_money = sum(len(r["money"]) for r in ref.articles.values())
    print(f"\n[resume] reference: {len(ref.articles)} articles, {n_mentions} mentions, {n_money} amounts, "
          f"{len(ref.entities)} entities, {len(ref.pages)} pages; uninterrupted run {duration:.2f} s "
          f"(from scratch: {scratch.duration:.2f} s) "
          f"(phases first seen at: {', '.join(f'{k} {v:.2f} s' for k, v in runs[0].marks.items())})")
    return ref, duration, writing


def _plans(rng: random.Random, trials: int, duration: float, writing: float) -> list[list[tuple]]:
    """Kill plans per trial: one or two kills, then (implicitly) a run to completion."""
    plans = []
    for i in range(trials):
        kills = []
        for k in range(2 if i % 2 == 1 else 1):
            if k == 0 and i % 10 == 8:
                # while the database is being created: journal mode, migrations (kill soon after the file appears)
                kills.append(("file", round(rng.uniform(0.0, 0.025), 3)))
            elif (i + k) % 10 in (0, 3, 6):
                # a random moment of the run once its database file exists (opening it, migrations, fetching,
                # storing, extraction and NLP, writing); a rerun finds the file at once and has less to do
                kills.append(("time", round(rng.uniform(0.0, writing * 0.8 if k == 0 else duration * 0.5), 3)))
            else:
                # a random point of the writing part: once a random share of the pages and articles still
                # to be stored is stored, plus a few milliseconds (so the kill lands inside a later write)
                kills.append(("progress", round(rng.uniform(0.0, 1.0), 3), round(rng.uniform(0.0, 0.01), 3)))
        plans.append(kills)
    return plans


def _trial(i: int, kills: list[tuple], cfg: Path, ref: State, work: Path, zygote: Zygote) -> dict:
    tdir = work / f"trial-{i:02d}"
    tdir.mkdir()
    db = tdir / "newsmine.db"
    problems: list[str] = []
    attempts: list[Attempt] = []
    for plan in kills:
        att = run_newsmine(cfg, db, ref, plan, tdir, zygote)
        attempts.append(att)
        problems += att.problems
        if not att.killed and att.returncode != 0:
            problems.append(f"run exited with {att.returncode}: {att.stderr[-800:]}")
        if db.exists():
            # right after the kill, before anything runs again
            problems += [f"after kill ({att.phase}): {p}" for p in health(db)]
            found, n = partial_problems(_read(db), ref)
            att.articles_checked += n
            problems += [f"after kill ({att.phase}): {p}" for p in found]
    final = run_newsmine(cfg, db, ref, None, tdir, zygote)
    attempts.append(final)
    problems += final.problems
    if final.returncode != 0:
        problems.append(f"final run exited with {final.returncode}: {final.stderr[-800:]}")
    problems += [f"final: {p}" for p in health(db)]
    con = sqlite3.connect(db, timeout=30, isolation_level=None)
    st = read_state(con)
    runs = con.execute("SELECT status, count(*) FROM runs GROUP BY status").fetchall()
    last = con.execute("SELECT status FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    con.close()
    problems += [f"final: {p}" for p in logical_diff(st, ref)]
    if not last or last[0] != "ok":
        problems.append(f"final: last run has status {last}")
    if dict(runs).get("running"):
        problems.append(f"final: runs still marked running after a completed run: {runs}")
    final.articles_checked += len(st.articles)
    return {"trial": i, "attempts": attempts, "problems": problems, "runs": dict(runs)}


def test_killed_runs_resume_to_the_same_content(site, reference, zygote, tmp_path_factory):
    cfg, _pages, _srv = site
    ref, duration, writing = reference
    work = tmp_path_factory.mktemp("resume-trials")
    total_progress = _progress(ref)
    plans = _plans(random.Random(SEED), TRIALS, duration, writing)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(lambda a: _trial(a[0], a[1], cfg, ref, work, zygote), enumerate(plans)))
    wall = time.monotonic() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu_self = (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)

    attempts = [a for r in results for a in r["attempts"]]
    cpu_runs = sum(zygote.cpu.get(a.pid, 0.0) for a in attempts)
    kills = [a for r in results for a in r["attempts"][:-1]]
    mid_run = [a for a in kills if a.killed]
    phases = collections.Counter(a.phase for a in mid_run)
    second_kills = sum(1 for r in results if sum(a.killed for a in r["attempts"]) >= 2)
    interrupted = sum(r["runs"].get("interrupted", 0) for r in results)
    checked = sum(a.articles_checked for a in attempts)
    polls = sum(a.polls for a in attempts)
    print(f"[resume] {len(results)} trials in {wall:.1f} s ({PARALLEL} side by side, seed {SEED}); "
          f"{len(kills)} kills planned, {len(mid_run)} landed mid-run, {second_kills} trials killed twice")
    print(f"[resume] kills by phase: {dict(sorted(phases.items()))}")
    kinds = collections.Counter(a.plan[0] for a in kills)
    print(f"[resume] kill plans: {kinds['time']} at a random time in 0..{writing * 0.8:.2f} s after the database file "
          f"appeared (a rerun: 0..{duration * 0.5:.2f} s), {kinds['progress']} at a "
          f"random point of the {total_progress} pages+articles to store (share of what was left), {kinds['file']} "
          f"within 25 ms of the database file appearing")
    print(f"[resume] CPU: newsmine runs {cpu_runs:.1f} s (forked, start-up done once), this test process "
          f"(server, polls, checks) {cpu_self:.1f} s")
    print(f"[resume] articles compared with the reference: {checked} ({polls} snapshots read while runs were "
          f"going ({sum(a.busy for a in attempts)} polls found the database busy), plus after every kill and at "
          f"the end); final databases equal to the reference: {sum(1 for r in results if not r['problems'])}"
          f"/{len(results)}")
    print(f"[resume] runs rows marked 'interrupted' (killed after start_run): {interrupted}")
    for r in results:
        a = r["attempts"]
        print(f"[resume]   trial {r['trial']:2d}: " + "; ".join(
            f"{x.plan} -> {'killed in ' + x.phase if x.killed else 'exit ' + str(x.returncode)} ({x.duration:.2f} s)"
            for x in a[:-1]) + f"; rerun {a[-1].duration:.2f} s" + (f"; {len(r['problems'])} PROBLEMS" if r["problems"] else ""))

    failures = [f"trial {r['trial']}: {p}" for r in results for p in r["problems"]]
    assert not failures, f"{len(failures)} problems:\n" + "\n".join(failures[:40])
    # the design must actually have produced crashes, and in the places that matter
    assert len(mid_run) >= 0.8 * len(kills), "too few kills landed while a run was going"
    assert phases["writing articles"] >= len(kills) // 5, phases
    assert phases["storing pages"] + phases["extract/nlp"] >= len(kills) // 10 + 1, phases


class SimulatedCrash(Exception):
    """Raised from the progress callback: the run stops right after an article was committed."""


def test_syndicated_copy_gives_the_same_content_with_and_without_a_crash(tmp_path):
    """The same agency article under a second URL (another section), listed last in the feed.

    An uninterrupted run and a run that stops after two articles and is then resumed must end with
    the same articles. (Deterministic: the stop comes from the progress callback, after the commit
    of the second article -- the state a SIGKILL at that moment leaves, since every article is its
    own transaction.)
    """
    from pipeline import run as runner
    from pipeline.nlp.model import load
    from pipeline.sources import Source

    nlp = load()
    with LoopbackServer() as srv:
        pages = make_site(srv.base_url, 6, SEED + 1)[:6]
        pages.append(syndicated_copy(pages[0]))
        for page in pages:
            srv.route(page.path, _page_route(dataclasses.replace(page, delay=0.0)))
        srv.route("/feed.xml", Reply(body=rss(srv.base_url, pages), content_type="application/rss+xml"))
        sources = [Source(name="testbote", kind="feed", url=srv.url("/feed.xml"), allow_private=True, min_delay=0.0)]

        whole = store.open_db(tmp_path / "whole.db")
        runner.run(whole, sources, nlp)
        whole.close()

        def stop_after_two(stage: str, done: int, total: int) -> None:
            if stage == "nlp" and done == 2:
                raise SimulatedCrash

        resumed = store.open_db(tmp_path / "resumed.db")
        with pytest.raises(SimulatedCrash):
            runner.run(resumed, sources, nlp, progress=stop_after_two)
        assert resumed["articles"].count == 2
        runner.run(resumed, sources, nlp)
        resumed.close()

    got, ref = _read(tmp_path / "resumed.db"), _read(tmp_path / "whole.db")
    n_ref, n_got = len(ref.articles), len(got.articles)
    assert logical_diff(got, ref) == [], (
        f"uninterrupted run: {n_ref} articles, resumed run: {n_got}: whether the copy is kept must not depend on "
        "where a run was interrupted (the duplicate check in pipeline/run.py process_pending() has to see the "
        "articles prepared earlier in the same chunk, not only those already in the database)")
