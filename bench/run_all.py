"""Every newsmine benchmark in one command; writes bench/RESULTS.md.

    .venv/bin/python bench/run_all.py            # full run (~25 min on 2 cores), writes bench/RESULTS.md
    .venv/bin/python bench/run_all.py --quick    # small sizes (~4 min), writes build/bench/RESULTS-quick.md
    .venv/bin/python bench/run_all.py --only nlp,e2e --out /tmp/r.md

Sections (each quotes ratios against a baseline measured in the same run):

nlp         tokens/s on GermEval 2014 test documents: spaCy's tokenizer alone (ceiling), spaCy's stock
            efficiency NER pipeline (peer, ``--peer``), newsmine's shipped pipeline (NER + money
            component + facts) on one core and on all cores
extraction  pages/s, F1 and metadata accuracy of newsmine's extractor against trafilatura in one run: on real
            pages (bench/extraction/real.py, ../shared/data/extraction-real) and on the 48 generated
            pages (bench/extraction/run.py, a regression set)
e2e         articles/s from stored HTML to committed SQLite rows (``newsmine reextract``'s code path)
            on generated articles (bench/make_db.py) with 1 and 2 workers, against NLP alone on the
            same texts; peak RSS; both databases compared row for row
store       rows/s of article writes (the run's writer vs the writer before this benchmark, same
            records), latency of every ``newsmine query`` command on the e2e database
fetch       pages/s from 20 loopback hosts at 50 concurrent connections (bench/fetch)

Other processes on the machine are measured too (``/proc/stat`` busy time minus this run's own CPU
time, in cores), so that figures taken on a shared machine say so.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "build" / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PY = sys.executable
MB = 1024  # ru_maxrss is in KiB on Linux


# --------------------------------------------------------------------------- machine and load


def machine() -> dict:
    """CPU model, cores, RAM (from /proc), commit, versions."""
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or platform.machine())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip() or "unknown"
    except OSError:
        commit = "unknown"
    import spacy

    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gib": mem_kb / 2**20, "arch": platform.machine(),
            "commit": commit, "python": platform.python_version(), "spacy": spacy.__version__,
            "sqlite": sqlite3.sqlite_version, "kernel": platform.release()}


def _busy_seconds() -> float:
    """Busy CPU seconds of the whole machine since boot (all cores)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


@contextmanager
def meter(section: str, notes: dict) -> Iterator[None]:
    """Record wall time and the CPU other processes used meanwhile (in cores) under ``notes[section]``."""
    busy, own, start = _busy_seconds(), _own_cpu(), time.perf_counter()
    yield
    wall = time.perf_counter() - start
    other = max(0.0, (_busy_seconds() - busy) - (_own_cpu() - own)) / wall
    notes[section] = {"wall_s": wall, "other_cores": other, "load": os.getloadavg()[0]}
    print(f"[{section}] {wall:.0f} s, other processes used {other:.2f} cores", flush=True)


def _best_of(fn: Callable[[], float], repeat: int) -> float:
    return max(fn() for _ in range(repeat))


# --------------------------------------------------------------------------- NLP


def analyse_texts(nlp, texts: list[str]) -> int:
    """What a run does with a text after extraction: spaCy pipeline, entity spans, facts, linking.
    Returns the number of tokens."""
    from pipeline.nlp.facts import find_facts, link_mentions
    from pipeline.nlp.model import entities

    tokens = 0
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=16)):
        ents = [e.__dict__ for e in entities(doc)]
        find_facts(text, ents)
        link_mentions(ents, text)
        [m.to_dict() for m in (doc._.money or [])]
        tokens += len(doc)
    return tokens


_POOL_NLP = None


def _pool_chunk(texts: list[str]) -> int:
    return analyse_texts(_POOL_NLP, texts)


def analyse_in_pool(nlp, texts: list[str], workers: int, chunk: int = 16) -> int:
    """``analyse_texts`` in ``workers`` forked processes, chunks of ``chunk`` texts (as pipeline/run.py)."""
    import multiprocessing

    global _POOL_NLP
    _POOL_NLP = nlp
    chunks = [texts[i:i + chunk] for i in range(0, len(texts), chunk)]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return sum(pool.imap(_pool_chunk, chunks))


def _peer_path(arg: str | None) -> Path | None:
    for cand in ([Path(arg)] if arg else []) + [ROOT / "build" / "baseline-speed" / "model-last",
                                                ROOT / "build" / "baseline-speed"]:
        if (cand / "meta.json").exists():
            return cand
    return None


def bench_nlp(args) -> dict:
    import spacy
    from nlp_speed import load_texts

    from pipeline.nlp.model import load, model_info

    texts = load_texts(max_docs=args.nlp_docs)
    nlp = load()
    tokens = sum(len(d) for d in nlp.tokenizer.pipe(texts))
    runners: dict[str, Callable[[], int]] = {
        "tokenizer": lambda: sum(len(d) for d in nlp.tokenizer.pipe(texts)),
        "newsmine_ner": lambda: sum(len(d) for d in nlp.pipe(texts, batch_size=64)),
        "newsmine": lambda: analyse_texts(nlp, texts),
    }
    peer_path = _peer_path(args.peer)
    peer_arch = None
    if peer_path:
        peer = spacy.load(peer_path)
        runners["peer"] = lambda: sum(len(d) for d in peer.pipe(texts, batch_size=64))
        cfg = (peer_path / "config.cfg").read_text()
        peer_arch = ", ".join(sorted(set(re.findall(r"@architectures = \"(spacy\.[A-Za-z0-9.]+)\"", cfg))))
    for fn in runners.values():  # one untimed pass each: caches warm, as in a long run
        fn()
    best = dict.fromkeys(runners, 0.0)
    for _ in range(args.repeat):  # alternate, so that drift on a shared machine hits all alike
        for name, fn in runners.items():
            start = time.perf_counter()
            n = fn()
            best[name] = max(best[name], n / (time.perf_counter() - start))

    def parallel_pool() -> float:
        start = time.perf_counter()
        n = analyse_in_pool(nlp, texts, args.workers)
        return n / (time.perf_counter() - start)

    def parallel_spacy() -> float:  # spaCy's own n_process: docs come back to this process, facts here
        from pipeline.nlp.facts import find_facts, link_mentions
        from pipeline.nlp.model import entities

        start = time.perf_counter()
        n = 0
        for text, doc in zip(texts, nlp.pipe(texts, batch_size=16, n_process=args.workers)):
            ents = [e.__dict__ for e in entities(doc)]
            find_facts(text, ents)
            link_mentions(ents, text)
            n += len(doc)
        return n / (time.perf_counter() - start)

    best["newsmine_pool"] = _best_of(parallel_pool, args.repeat)
    best["newsmine_spacy_n_process"] = _best_of(parallel_spacy, max(1, args.repeat - 1))
    return {"docs": len(texts), "tokens": tokens, "tokens_per_s": best, "peer": str(peer_path) if peer_path else None,
            "peer_architectures": peer_arch, "model": model_info(nlp).tag, "pipe_names": nlp.pipe_names}


# --------------------------------------------------------------------------- end to end


def _peak_rss_kb() -> int:
    """Peak RSS of this process since it started (``VmHWM``). Unlike ``ru_maxrss`` it does not carry over
    the RSS of the parent that spawned it (Linux keeps ``ru_maxrss`` across ``fork`` + ``exec``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _child_e2e(db_path: str, workers: int) -> dict:
    """In a child process: load the model, time ``process_pending`` on every stored page."""
    from pipeline import run, store
    from pipeline.nlp.model import load, model_info

    start = time.perf_counter()
    nlp = load()
    load_s = time.perf_counter() - start
    db = store.open_db(db_path)
    stats = run.RunStats()
    start = time.perf_counter()
    run.process_pending(db, nlp, model_info(nlp).tag, stats, n_process=workers)
    seconds = time.perf_counter() - start
    db.conn.close()
    return {"seconds": seconds, "load_s": load_s, "stats": {k: v for k, v in stats.as_dict().items() if k != "errors"},
            "maxrss_main_kb": _peak_rss_kb(),
            "maxrss_workers_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}


def _child_nlp(db_path: str, workers: int) -> dict:
    """In a child process: NLP alone (``analyse_texts``) on the texts of a processed database."""
    from pipeline.nlp.model import load

    con = sqlite3.connect(db_path)
    texts = [r[0] for r in con.execute("SELECT text FROM articles ORDER BY id")]
    con.close()
    nlp = load()
    start = time.perf_counter()
    tokens = analyse_texts(nlp, texts) if workers == 1 else analyse_in_pool(nlp, texts, workers)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "articles": len(texts), "tokens": tokens,
            "maxrss_main_kb": _peak_rss_kb(),
            "maxrss_workers_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}


def run_child(kind: str, db: Path, workers: int) -> dict:
    """Run a ``--child`` measurement. Adds the child's ``wait4`` figures and the CPU that other processes
    used meanwhile (``other_cores``: machine busy time minus the child's, its workers included)."""
    busy, start = _busy_seconds(), time.perf_counter()
    proc = subprocess.Popen([PY, __file__, "--child", kind, "--db", str(db), "--workers", str(workers)],
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"child {kind} {db} --workers {workers} failed: {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    cpu = usage.ru_utime + usage.ru_stime
    result.update(maxrss_wait4_kb=usage.ru_maxrss, cpu_s=cpu,
                  other_cores=max(0.0, (_busy_seconds() - busy - cpu) / wall))
    print(f"    {kind} --workers {workers}: {result['seconds']:.1f} s, other processes {result['other_cores']:.2f} "
          "cores", flush=True)
    return result


def _fresh_copy(src: Path, dst: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.copy(src, dst)
    return dst


def _table_rows(path: Path) -> dict:
    import stored_pages  # tests/stored_pages.py: every row of the tables a run writes

    return stored_pages.content(path)


def bench_e2e(args) -> dict:
    BENCH.mkdir(parents=True, exist_ok=True)
    pages = BENCH / f"pages-{args.articles}.db"
    fresh = pages.exists() and sqlite3.connect(pages).execute("SELECT count(*) FROM pages").fetchone()[0] == \
        args.articles
    if not fresh:
        subprocess.run([PY, str(ROOT / "bench" / "make_db.py"), "--articles", str(args.articles), "--db", str(pages),
                        "--pages-only"], check=True, cwd=ROOT)
    html_mb = sum(len(r[0] or b"") for r in sqlite3.connect(pages).execute("SELECT html_gz FROM pages")) / 2**20
    out: dict = {"articles": args.articles, "pages_db": str(pages.relative_to(ROOT)), "html_gz_mib": html_mb}
    dbs = {1: BENCH / "e2e-w1.db", args.workers: BENCH / f"e2e-w{args.workers}.db"}

    def best(kind: str, workers: int, db: Path | None = None) -> None:
        """Keep the faster of the repeats (other work on a shared machine only ever slows a run down)."""
        if kind == "e2e":
            _fresh_copy(pages, dbs[workers])
        r = run_child(kind, db or dbs[workers], workers)
        r["rate"] = (r["stats"]["articles_written"] if kind == "e2e" else r["articles"]) / r["seconds"]
        key = f"{kind}_w{workers}"
        out.setdefault(f"{key}_all", []).append({k: r[k] for k in ("seconds", "rate", "other_cores")})
        if key not in out or r["rate"] > out[key]["rate"]:
            out[key] = r

    for rep in range(args.e2e_repeat):  # alternated: 1, N, N, 1, ...
        for workers in ((1, args.workers) if rep % 2 == 0 else (args.workers, 1)):
            best("e2e", workers)
    # diagnostic: the same run without the review UI's co-occurrence triggers on mentions (docs/profiling.md)
    diag = _fresh_copy(pages, BENCH / "e2e-w1-no-cooccurrence.db")
    con = sqlite3.connect(diag)
    dropped = [name for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN "
                                               "('article_entities_mention_insert', 'entity_pairs_insert')")]
    for name in dropped:
        con.execute(f"DROP TRIGGER {name}")
    con.commit()
    con.close()
    if dropped:
        d = out["e2e_w1_diag"] = run_child("e2e", diag, 1)
        d["dropped"], d["rate"] = dropped, d["stats"]["articles_written"] / d["seconds"]
    for suffix in ("", "-wal", "-shm"):
        Path(str(diag) + suffix).unlink(missing_ok=True)
    for rep in range(args.e2e_repeat):
        for workers in ((1, args.workers) if rep % 2 == 0 else (args.workers, 1)):
            best("nlp", workers, dbs[1])
    sys.path.insert(0, str(ROOT / "tests"))
    out["identical"] = _table_rows(dbs[1]) == _table_rows(dbs[args.workers])
    con = sqlite3.connect(dbs[1])
    out["rows"] = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                   for t in ("articles", "entities", "mentions", "money", "roles", "quotes")}
    out["words_per_article"] = con.execute("SELECT avg(word_count) FROM articles").fetchone()[0]
    out["schema_version"] = con.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
    con.close()
    return out


# --------------------------------------------------------------------------- store


def _legacy_save_article(db, rec) -> int:
    """The article writer as it was before this benchmark (sqlite-utils inserts, an entity lookup per
    mention), kept here as the baseline of the store figures."""
    from pipeline import store

    def entity_id(label: str, name: str, surface: str) -> int:
        key = store.entity_key(label, name)
        entity = next(db["entities"].rows_where("key = ?", [key], limit=1), None)
        if entity is None:
            aliases = [surface] if surface != name else []
            row = {"key": key, "label": label, "name": name, "aliases": json.dumps(aliases, ensure_ascii=False)}
            if label == "LOC":
                from pipeline.places import lookup

                place = lookup(name)
                if place is not None:
                    row.update(store._place_columns(place))
            return db["entities"].insert(row).last_pk
        aliases = json.loads(entity.get("aliases") or "[]")
        if surface != name and surface not in aliases:
            db["entities"].update(entity["id"], {"aliases": json.dumps(aliases + [surface], ensure_ascii=False)})
        return entity["id"]

    row = {"url": rec.url, "page_id": rec.page_id, "source": rec.source, "title": rec.title,
           "published": rec.published, "modified": rec.modified, "authors": json.dumps(rec.authors),
           "text": rec.text, "language": rec.language, "word_count": len(rec.text.split()),
           "content_sha256": store.sha256(rec.text), "extractor_version": rec.extractor_version,
           "model": rec.model, "processed_at": store.utcnow(), "lead": rec.lead, "section": rec.section,
           "page_sha256": rec.page_sha256, **store._simhash_columns(rec.text, rec.simhash)}
    with db.atomic():
        existing = next(db["articles"].rows_where("url = ?", [rec.url], limit=1), None)
        if existing:
            article_id = existing["id"]
            for table in ("mentions", "money"):
                db.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
            db["articles"].update(article_id, row)
        else:
            article_id = db["articles"].insert(row).last_pk
        for table in ("roles", "quotes"):
            db.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
        mentions = [{"article_id": article_id, "entity_id": entity_id(e["label"], e["canonical"], e["text"]),
                     "start": e["start"], "end": e["end"], "text": e["text"], "label": e["label"],
                     "sentence": e.get("sentence"), "model": rec.model} for e in rec.entities]
        if mentions:
            db["mentions"].insert_all(mentions)
        money = [{"article_id": article_id, "start": m["start"], "end": m["end"], "text": m["text"],
                  "value_eur": m["value_eur"], "high_eur": m.get("high_eur"), "qualifier": m.get("qualifier"),
                  "sentence": m.get("sentence"), "years": json.dumps(m.get("years") or []),
                  "parser_version": rec.money_version} for m in rec.money]
        if money:
            db["money"].insert_all(money)
        roles = [{"article_id": article_id, "entity_id": entity_id("PER", r["person"], r["person"]),
                  "start": r["start"], "end": r["end"], "text": r["text"], "person": r["person"],
                  "party": r.get("party"), "affiliation": r.get("affiliation"), "version": rec.facts_version}
                 for r in rec.roles]
        if roles:
            db["roles"].insert_all(roles)
        quotes = [{"article_id": article_id, "start": q["start"], "end": q["end"], "text": q["text"],
                   "speaker": q.get("speaker"), "version": rec.facts_version,
                   "speaker_entity_id": entity_id("PER", q["speaker"], q["speaker"]) if q.get("speaker") else None}
                  for q in rec.quotes]
        if quotes:
            db["quotes"].insert_all(quotes)
    return article_id


def _query_commands(db) -> list[tuple[str, Callable[[], object]]]:
    """Each ``newsmine query`` command (CLI defaults) and the query function it runs."""
    from pipeline import query as q

    person = next(iter(db.execute("SELECT e.name FROM entities e JOIN mentions m ON m.entity_id = e.id "
                                  "WHERE e.label = 'PER' GROUP BY e.id ORDER BY count(*) DESC LIMIT 1")),
                  ("Link",))[0]
    surname = person.split()[-1]
    speaker = next(iter(db.execute("SELECT speaker FROM quotes WHERE speaker IS NOT NULL GROUP BY speaker "
                                   "ORDER BY count(*) DESC LIMIT 1")), (surname,))[0]
    year = next(iter(db.execute("SELECT value FROM money, json_each(money.years) GROUP BY value "
                                "ORDER BY count(*) DESC LIMIT 1")), (2026,))[0]
    return [
        ("people", lambda: q.top_entities(db, "PER", 20, None)),
        ("places", lambda: q.top_entities(db, "LOC", 20, None)),
        ("orgs", lambda: q.top_entities(db, "ORG", 20, None)),
        ("people --role", lambda: q.people_with_roles(db, 20, None)),
        ("money", lambda: q.money(db, limit=50)),
        ("money --min 1000000", lambda: q.money(db, minimum=1e6, limit=50)),
        (f"money --year {year}", lambda: q.money(db, year=int(year), limit=50)),
        ("quotes", lambda: q.quotes(db, None, 50)),
        (f"quotes --speaker {speaker.split()[-1]}", lambda: q.quotes(db, speaker.split()[-1], 50)),
        ("search dezernent", lambda: q.search(db, "dezernent", 20)),
        ("article 1", lambda: q.article(db, 1)),
        (f"entity {surname}", lambda: q.entity(db, surname, 20)),
    ]


def bench_store(args, e2e_db: Path) -> dict:
    from pipeline import store
    from pipeline.scale import read_outcomes

    con = sqlite3.connect(e2e_db)
    last = con.execute("SELECT max(id) FROM pages").fetchone()[0]
    last_article = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    records = [a.record for a in read_outcomes(con, 1, last) if not isinstance(a, tuple)][:args.store_records]
    con.close()
    for rec in records:
        rec.page_id = rec.source = None  # no pages/sources in the target database
    rows = len(records) + sum(len(r.entities) + len(r.money) + len(r.roles) + len(r.quotes) for r in records)
    out: dict = {"records": len(records), "child_rows": rows - len(records), "db_articles": last_article}

    def timed(name: str, write: Callable) -> None:
        path = BENCH / f"store-{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        db = store.open_db(path)  # the full schema, no rows
        start = time.perf_counter()
        write(db)
        seconds = time.perf_counter() - start
        out[name] = {"seconds": seconds, "articles_per_s": len(records) / seconds,
                     "rows_per_s": (rows + db["entities"].count) / seconds, "entities": db["entities"].count}
        db.conn.close()

    def new_writer(db) -> None:
        cache = store.EntityCache()
        with store.deferred_pairs(db):  # as a run writes: co-occurrence pairs rebuilt once at the end
            for rec in records:  # one transaction per article, as a run writes
                store.save_articles(db, [rec], cache)

    def legacy(db) -> None:
        for rec in records:
            _legacy_save_article(db, rec)
        with store.write_transaction(db):  # the same co-occurrence work as the new writer
            store._rebuild_entity_pairs(db.conn)

    for _ in range(args.repeat):
        timed("legacy", legacy)
        timed("writer", new_writer)
    # query latency on the e2e database (in process: the query function; subprocess: the CLI command)
    db = store.open_db(e2e_db, migrate=False, readonly=True)
    latency = []
    for cmd, fn in _query_commands(db):
        times = []
        for _ in range(5):
            start = time.perf_counter()
            n = fn()
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        proc = subprocess.run([PY, "-m", "pipeline.cli", "query", *cmd.split(), "--db", str(e2e_db)],
                              capture_output=True, text=True, cwd=ROOT)
        cli_s = time.perf_counter() - start
        n_rows = len(n) if isinstance(n, list) else int(n is not None)
        latency.append({"command": cmd, "median_ms": statistics.median(times) * 1000, "min_ms": min(times) * 1000,
                        "rows": n_rows, "cli_ms": cli_s * 1000, "cli_rc": proc.returncode})
    db.conn.close()
    start = time.perf_counter()
    subprocess.run([PY, "-c", "import pipeline.cli"], cwd=ROOT, check=True)
    out["cli_import_ms"] = (time.perf_counter() - start) * 1000
    out["queries"] = latency
    for name in ("legacy", "writer"):
        for suffix in ("", "-wal", "-shm"):
            Path(str(BENCH / f"store-{name}.db") + suffix).unlink(missing_ok=True)
    return out


# --------------------------------------------------------------------------- extraction, fetch


def bench_extraction(args) -> dict:
    sys.path.insert(0, str(ROOT / "bench" / "extraction"))
    import importlib.util

    def load(name: str):
        spec = importlib.util.spec_from_file_location(f"extraction_{name}", ROOT / "bench" / "extraction" / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = mod  # dataclasses look their module up there
        spec.loader.exec_module(mod)
        return mod

    out = load("run").main(write=not args.quick)  # the 48 generated pages: a regression set
    real = load("real")
    if real.DATA.is_dir():
        real_args = ["--limit", "40", "--out", str(BENCH / "RESULTS-real-quick.md")] if args.quick else []
        out["real"] = real.main(real_args + ["--errors", str(BENCH / "extraction-real-errors.json")])
    return out


def bench_fetch(args) -> dict:
    proc = subprocess.run([PY, str(ROOT / "bench" / "fetch" / "run.py"), "--pages", str(args.fetch_pages)],
                          capture_output=True, text=True, cwd=ROOT)
    out: dict = {"pages": args.fetch_pages, "rc": proc.returncode, "runs": {}}
    label = None
    for line in proc.stdout.splitlines():
        if m := re.match(r"run (\w): order=(\S+) min_delay=(\S+)", line):
            label = m.group(1)
            out["runs"][label] = {"order": m.group(2), "min_delay": float(m.group(3))}
        elif label and (m := re.search(r"fetch: ([\d.]+) s\s+-> ([\d,]+) pages/s", line)):
            out["runs"][label]["pages_per_s"] = float(m.group(2).replace(",", ""))
        elif label and (m := re.search(r"fetch\+store ([\d.]+) s -> ([\d,]+) pages/s", line)):
            out["runs"][label]["fetch_store_pages_per_s"] = float(m.group(2).replace(",", ""))
        elif label and "all checks passed" in line:
            out["runs"][label]["checks"] = "pass"
        elif label and "FAIL" in line:
            out["runs"][label]["checks"] = "FAIL"
    return out


# --------------------------------------------------------------------------- report


def _f(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


def report(args, info: dict, res: dict, notes: dict) -> str:
    today = datetime.date.today().isoformat()
    cmd = "python bench/run_all.py" + (" --quick" if args.quick else "") + \
        (f" --only {args.only}" if args.only else "")
    busy = [n for n in notes.values() if n["other_cores"] >= 0.25]
    lines = [
        "# Benchmark results",
        "",
        f"{today}, commit `{info['commit']}`, {info['cpu']}, {info['cores']} cores, {info['ram_gib']:.1f} GiB RAM "
        f"({info['arch']}, Linux {info['kernel']}); Python {info['python']}, spaCy {info['spacy']}, "
        f"SQLite {info['sqlite']}.",
        f"Command: `.venv/bin/{cmd}` (one run, all figures below; ratios are against a baseline measured in "
        "the same run).",
        "",
        "Other work on the machine during each section (busy CPU from `/proc/stat` minus this run's own, in "
        "cores of " + str(info["cores"]) + "): " + ", ".join(f"{k} {v['other_cores']:.2f}" for k, v in notes.items())
        + (". **Other work was running** during part of this run: absolute figures are lower than on an idle "
           "machine, parallel ratios most of all." if busy else ". The machine was otherwise quiet."),
        "",
    ]
    if "nlp" in res:
        r = res["nlp"]
        t = r["tokens_per_s"]
        peer = t.get("peer")
        lines += [
            "## NLP throughput",
            "",
            f"GermEval 2014 test sentences grouped into {r['docs']} documents ({_f(r['tokens'])} tokens); pipelines "
            f"alternated after one untimed pass each (warm caches, as in a long run), best of {args.repeat}. "
            f"newsmine = `pipeline.nlp.model.load()` ({r['model']}: "
            f"{', '.join(r['pipe_names'])}) + entity spans + facts (roles, quotes, mention linking), i.e. "
            "everything a run does with a text after extraction.",
            "",
            "| pipeline | processes | tokens/s | vs peer | vs tokenizer |",
            "| --- | ---: | ---: | ---: | ---: |",
            f"| spaCy tokenizer alone (ceiling) | 1 | {_f(t['tokenizer'])} | | 1.000 |",
        ]
        if peer:
            lines.append(f"| peer: spaCy stock `--pipeline ner --optimize efficiency` | 1 | {_f(peer)} | 1.00 | "
                         f"{peer / t['tokenizer']:.3f} |")
        for key, label, procs in (("newsmine_ner", "newsmine, spaCy pipeline only (NER + money)", 1),
                                  ("newsmine", "**newsmine: NER + money + facts**", 1),
                                  ("newsmine_pool", "newsmine: NER + money + facts, worker pool "
                                                    "(as `--workers`)", args.workers),
                                  ("newsmine_spacy_n_process", "newsmine: spaCy `n_process`, facts in the "
                                                               "parent", args.workers)):
            vs_peer = f"{t[key] / peer:.2f}" if peer else ""
            lines.append(f"| {label} | {procs} | {_f(t[key])} | {vs_peer} | {t[key] / t['tokenizer']:.3f} |")
        lines += [
            "",
            f"All cores: the worker pool gives {t['newsmine_pool'] / t['newsmine']:.2f}x one process; spaCy's "
            f"`n_process={args.workers}` {t['newsmine_spacy_n_process'] / t['newsmine']:.2f}x (its docs are pickled "
            "back to the parent, which then runs the facts alone).",
        ]
        if peer:
            lines.append(f"Peer: `{Path(r['peer']).relative_to(ROOT) if r['peer'].startswith(str(ROOT)) else r['peer']}`"
                         f" ({r['peer_architectures']}), spaCy's stock efficiency NER config trained a few hundred "
                         "steps on GermEval train (`newsmine train --baseline --max-steps N`); throughput depends on "
                         "the architecture, not on how long it was trained.")
        else:
            lines.append("Peer: not found (build/baseline-speed); create it with "
                         "`newsmine train --baseline --max-steps 300 --output build/baseline-speed`.")
        lines.append("")
    if "extraction" in res and "real" in res["extraction"]:
        r = res["extraction"]["real"]
        t = r["tools"]
        label = {"newsmine": f"newsmine `{r['versions']['newsmine']}`",
                 "trafilatura": f"trafilatura {r['versions'].get('trafilatura', '?')} (default)",
                 "trafilatura-recall": "trafilatura (`favor_recall`)"}
        lines += [
            "## Extraction on real pages vs trafilatura",
            "",
            f"`bench/extraction/real.py` on `../shared/data/extraction-real`: trafilatura's evaluation pages "
            f"({r['pages']['snippets']}, {r['pages']['german']} on .de/.at/.ch; snippet scoring) and ScrapingHub's "
            f"article benchmark ({r['pages']['scrapinghub']} pages; 4-gram shingles); all tools in one run, per page "
            "one after the other. Details: `bench/extraction/RESULTS-real.md`; per-page errors: "
            "`build/bench/extraction-real-errors.json`.",
            "",
            "| extractor | F1 all pages | F1 .de/.at/.ch | F1 ScrapingHub | pages/s (eval set) | pages/s (ScrapingHub) |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for tool, f in t.items():
            lines.append(f"| {label.get(tool, tool)} | {f['snippets']['f1']:.3f} | {f['german']['f1']:.3f} | "
                         f"{f['scrapinghub']['f1']:.3f} | {f['pages_per_s']['snippets']:.1f} | "
                         f"{f['pages_per_s']['scrapinghub']:.1f} |")
        n, tr, tm = t.get("newsmine"), t.get("trafilatura"), r.get("trafilatura_with_metadata_pages_per_s")
        if n and tr:
            lines += ["", "newsmine minus trafilatura (default): F1 "
                      f"{n['snippets']['f1'] - tr['snippets']['f1']:+.3f} (all pages), "
                      f"{n['german']['f1'] - tr['german']['f1']:+.3f} (.de/.at/.ch), "
                      f"{n['scrapinghub']['f1'] - tr['scrapinghub']['f1']:+.3f} (ScrapingHub); pages/s "
                      f"{n['pages_per_s']['snippets'] / tr['pages_per_s']['snippets']:.2f}x / "
                      f"{n['pages_per_s']['scrapinghub'] / tr['pages_per_s']['scrapinghub']:.2f}x trafilatura's "
                      "text-only `extract`"
                      + (f", {n['pages_per_s']['snippets'] / tm['snippets']:.2f}x / "
                         f"{n['pages_per_s']['scrapinghub'] / tm['scrapinghub']:.2f}x trafilatura with its metadata "
                         "(`bare_extraction(with_metadata=True)`, what newsmine's `extract` returns too)"
                         if tm and tm.get("snippets") else "") + "."]
        if "metadata" in r:
            m = r["metadata"]
            lines += ["", "| metadata (share right where annotated) | title | date | authors |", "| --- | ---: | ---: | ---: |"]
            for tool, v in m.items():
                lines.append(f"| {label.get(tool, 'trafilatura (`bare_extraction`)')} | {v['title']:.3f} | "
                             f"{v['date']:.3f} | {v['author']:.3f} |")
        lines.append("")
    if "extraction" in res:
        r = res["extraction"]
        n, tr = r["newsmine"], r["trafilatura"]
        lines += [
            "## Extraction vs trafilatura: the 48 generated pages (regression set)",
            "",
            f"`bench/extraction/run.py`: {r['pages']} pages in 8 layouts, snippet scoring as in trafilatura's "
            "evaluation; speed = same pages, tools alternated, best of 3. Details per page: "
            "`bench/extraction/RESULTS.md`.",
            "",
            "| extractor | precision | recall | F1 | pages/s | speed vs trafilatura |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
            f"| newsmine `{r['extractor']}` | {n['precision']:.3f} | {n['recall']:.3f} | {n['f1']:.3f} | "
            f"{n['pages_per_s']:.1f} | {n['pages_per_s'] / tr['pages_per_s']:.2f} |",
            f"| trafilatura {r['trafilatura_version']} | {tr['precision']:.3f} | {tr['recall']:.3f} | {tr['f1']:.3f} | "
            f"{tr['pages_per_s']:.1f} | 1.00 |",
            "",
        ]
    if "e2e" in res:
        r = res["e2e"]
        w = args.workers
        e1, e2, n1, n2 = r["e2e_w1"], r[f"e2e_w{w}"], r["nlp_w1"], r[f"nlp_w{w}"]
        rate = {"e1": e1["rate"], "e2": e2["rate"], "n1": n1["rate"], "n2": n2["rate"]}
        peak = max(max(e["maxrss_main_kb"], e["maxrss_workers_kb"]) for e in (e1, e2)) / MB
        reps = "" if args.e2e_repeat == 1 else f" Each row: the faster of {args.e2e_repeat} runs (alternated)."
        ratio1, ratio2, speedup = rate["e1"] / rate["n1"], rate["e2"] / rate["n2"], rate["e2"] / rate["e1"]
        diag_note = (f"; {r['e2e_w1_diag']['rate'] / rate['n1']:.2f} with 1 process without the co-occurrence "
                     "triggers" if "e2e_w1_diag" in r else "")
        lines += [
            "## End to end: stored HTML -> committed SQLite rows",
            "",
            f"{_f(r['articles'])} generated articles (`bench/make_db.py --articles {r['articles']} --pages-only`: "
            f"five fictional NRW sites, 8 CMS layouts, {r['html_gz_mib']:.0f} MiB of gzip HTML, "
            f"{r['words_per_article']:.0f} words per article), processed as `newsmine reextract` does "
            "(`process_pending`: read + gunzip HTML, extract, SimHash, NLP, facts, duplicate checks, one "
            "transaction per article), in a child process after loading the model "
            f"({e1['load_s']:.1f} s, not counted). NLP alone = the same texts (the stored articles) through "
            f"spaCy + facts in the same number of processes.{reps} Other processes' CPU during each run in the "
            "last column.",
            "",
            "| | processes | seconds | articles/s | vs NLP alone, same processes | peak RSS (main / largest worker) "
            "| other load, cores |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| NLP alone | 1 | {n1['seconds']:.1f} | {rate['n1']:.1f} | 1.00 | {n1['maxrss_main_kb'] / MB:.0f} MB | "
            f"{n1['other_cores']:.2f} |",
            f"| **end to end** | 1 | {e1['seconds']:.1f} | **{rate['e1']:.1f}** | **{rate['e1'] / rate['n1']:.2f}** | "
            f"{e1['maxrss_main_kb'] / MB:.0f} MB | {e1['other_cores']:.2f} |",
            f"| NLP alone | {w} | {n2['seconds']:.1f} | {rate['n2']:.1f} | 1.00 | {n2['maxrss_main_kb'] / MB:.0f} / "
            f"{n2['maxrss_workers_kb'] / MB:.0f} MB | {n2['other_cores']:.2f} |",
            f"| **end to end** (`--workers {w}`) | {w} | {e2['seconds']:.1f} | **{rate['e2']:.1f}** | "
            f"**{rate['e2'] / rate['n2']:.2f}** | {e2['maxrss_main_kb'] / MB:.0f} / "
            f"{e2['maxrss_workers_kb'] / MB:.0f} MB | {e2['other_cores']:.2f} |",
        ]
        if "e2e_w1_diag" in r:
            d = r["e2e_w1_diag"]
            rd = d["stats"]["articles_written"] / d["seconds"]
            lines.append(f"| end to end, co-occurrence triggers dropped (diagnostic only) | 1 | {d['seconds']:.1f} | "
                         f"{rd:.1f} | {rd / rate['n1']:.2f} | {d['maxrss_main_kb'] / MB:.0f} MB | "
                         f"{d['other_cores']:.2f} |")
        lines += [
            "",
            f"Targets (issue #10): end to end ≥ 0.60 of NLP alone — **{ratio1:.2f}** with 1 process, "
            f"**{ratio2:.2f}** with {w} ({'met' if min(ratio1, ratio2) >= 0.6 else 'not met'}{diag_note}); "
            f"`--workers {w}` ≥ 1.7x `--workers 1` — **{speedup:.2f}x** ({'met' if speedup >= 1.7 else 'not met'}); "
            f"peak RSS < 1,500 MB — **{peak:.0f} MB** ({'met' if peak < 1500 else 'not met'}).",
            "",
            f"**Parallel speedup, `--workers {w}` vs `--workers 1`: {rate['e2'] / rate['e1']:.2f}x** end to end "
            f"(NLP alone: {rate['n2'] / rate['n1']:.2f}x). Both databases identical row for row (ids included, "
            f"`tests/test_parallel.py`'s comparison): **{'yes' if r['identical'] else 'NO'}**. "
            f"Peak RSS of any process of the run: {peak:.0f} MB (limit 1,500 MB; main process: `VmHWM`, "
            "workers: `ru_maxrss` of the reaped children).",
            *([("All runs (articles/s, other load in cores): " + "; ".join(
                f"{key.replace('_all', '').replace('_w', ' --workers ')}: " + ", ".join(
                    f"{x['rate']:.1f} ({x['other_cores']:.2f})" for x in r[key])
                for key in r if key.endswith("_all")) + ".")] if args.e2e_repeat > 1 else []),
            *(["The diagnostic row drops the review UI's triggers that maintain `article_entities` / `entity_pairs` "
               f"on every mention insert (schema version {r.get('schema_version', '?')}), to show what they cost "
               "the writer (docs/profiling.md)."] if "e2e_w1_diag" in r else []),
            f"Written: {', '.join(f'{_f(v)} {k}' for k, v in r['rows'].items())}; "
            f"{e1['stats']['duplicates']} pages found to be (near-)duplicates, {e1['stats']['extract_errors']} "
            "without main text.",
            "",
        ]
    if "store" in res:
        r = res["store"]
        lg, wr = r["legacy"], r["writer"]
        lines += [
            "## Store",
            "",
            f"Writes: the first {_f(r['records'])} analysed articles of the e2e run ({_f(r['child_rows'])} mention, "
            "money, role and quote rows) written into an empty database, one transaction per article, "
            f"best of {args.repeat}.",
            "",
            "| writer | articles/s | rows/s (articles, children, entities) | vs before |",
            "| --- | ---: | ---: | ---: |",
            f"| before (sqlite-utils inserts, an entity query per mention; kept in `bench/run_all.py`) | "
            f"{_f(lg['articles_per_s'])} | {_f(lg['rows_per_s'])} | 1.00 |",
            f"| `store.save_articles` + `EntityCache` (plain `executemany`, entity ids cached) | "
            f"{_f(wr['articles_per_s'])} | {_f(wr['rows_per_s'])} | {wr['rows_per_s'] / lg['rows_per_s']:.2f} |",
            "",
            f"Query latency on the e2e database ({_f(r['db_articles'])} "
            "articles): the query function in process (median of 5), and the whole CLI command in a subprocess "
            f"(one run; Python start + `import pipeline.cli` alone take {r['cli_import_ms']:.0f} ms).",
            "",
            "| `newsmine query …` | rows | in process, median ms | CLI subprocess ms |",
            "| --- | ---: | ---: | ---: |",
        ]
        for q in r["queries"]:
            rc = "" if q["cli_rc"] == 0 else f" (exit {q['cli_rc']})"
            lines.append(f"| `{q['command']}` | {q['rows']} | {q['median_ms']:.1f} | {q['cli_ms']:.0f}{rc} |")
        lines.append("")
    if "fetch" in res:
        r = res["fetch"]
        lines += [
            "## Fetch",
            "",
            f"`bench/fetch/run.py --pages {r['pages']}`: 20 loopback hosts, concurrency 50, 3 per host, 5-20 ms "
            "latency per page; politeness and completeness checked on the server side. Details and the "
            "history: `bench/fetch/RESULTS.md`.",
            "",
            "| run | order | min_delay | pages/s | fetch + store pages/s | checks |",
            "| --- | --- | ---: | ---: | ---: | --- |",
        ]
        for label, x in r["runs"].items():
            lines.append(f"| {label} | {x.get('order')} | {x.get('min_delay')} | {_f(x.get('pages_per_s', 0))} | "
                         f"{_f(x['fetch_store_pages_per_s']) if 'fetch_store_pages_per_s' in x else ''} | "
                         f"{x.get('checks', '?')} |")
        lines.append("")
    lines += ["Raw figures of this run: `build/bench/results.json`. Where the time goes and what was done about "
              "it: `docs/profiling.md`.", ""]
    return "\n".join(lines)


_SECTION_HEADINGS = {"nlp": "## NLP", "extraction": "## Extraction", "e2e": "## End to end", "store": "## Store",
                     "fetch": "## Fetch"}


def merge_report(old: str, new: str, sections: list[str], stamp: str) -> str:
    """``old`` with the blocks of ``sections`` replaced by those of ``new`` (a ``--only`` run refreshes
    its sections of bench/RESULTS.md and keeps the others), and a line saying what was refreshed."""
    def blocks(text: str) -> list[str]:
        parts: list[str] = []
        for line in text.splitlines(keepends=True):
            if line.startswith("## ") or not parts:
                parts.append(line)
            else:
                parts[-1] += line
        return parts

    prefixes = tuple(_SECTION_HEADINGS[s] for s in sections if s in _SECTION_HEADINGS)
    fresh = ["".join(line for line in b.splitlines(keepends=True) if not line.startswith("Raw figures of this run"))
             for b in blocks(new)[1:] if b.startswith(prefixes)]
    out: list[str] = []
    placed = False
    for block in blocks(old):
        if block.startswith(prefixes):
            if not placed:
                out.extend(fresh)
                placed = True
            continue
        out.append(block)
    if not placed:
        out.extend(fresh)
    head = out[0].rstrip("\n") + f"\n\n{stamp}\n\n"
    return "".join([head] + out[1:])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes; writes build/bench/RESULTS-quick.md")
    ap.add_argument("--only", default="", help="comma-separated sections: e2e,store,nlp,extraction,fetch")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--peer", default=None, help="peer spaCy pipeline (default: build/baseline-speed[/model-last])")
    ap.add_argument("--articles", type=int, default=None, help="e2e articles (default 10000, quick 400)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--from-json", type=Path, default=None,
                    help="rewrite the report from the raw figures of an earlier run (build/bench/results.json)")
    ap.add_argument("--child", choices=["e2e", "nlp"], help=argparse.SUPPRESS)
    ap.add_argument("--db", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        fn = _child_e2e if args.child == "e2e" else _child_nlp
        print(json.dumps(fn(args.db, args.workers)))
        return 0
    args.articles = args.articles or (400 if args.quick else 10_000)
    args.repeat = 1 if args.quick else 3
    args.e2e_repeat = 1 if args.quick else 2
    args.nlp_docs = 60 if args.quick else 300
    args.store_records = 200 if args.quick else 2000
    args.fetch_pages = 300 if args.quick else 2000
    out = args.out or (BENCH / "RESULTS-quick.md" if args.quick else ROOT / "bench" / "RESULTS.md")
    # e2e first: its children are spawned while this process is still small (ru_maxrss is inherited)
    sections = [s for s in (args.only or "e2e,store,nlp,extraction,fetch").split(",") if s]
    if "store" in sections and "e2e" not in sections and not (BENCH / "e2e-w1.db").exists():
        sections.insert(sections.index("store"), "e2e")

    if args.from_json:
        raw = json.loads(args.from_json.read_text(encoding="utf-8"))
        for key, value in raw.get("args", {"quick": False, "only": "", "workers": 2, "repeat": 3,
                                           "e2e_repeat": 2}).items():
            setattr(args, key, value)
        e2e = raw["results"].get("e2e", {})
        if "e2e_w1_diag" in e2e:
            d = e2e["e2e_w1_diag"]
            d.setdefault("rate", d["stats"]["articles_written"] / d["seconds"])
        out.write_text(report(args, raw["machine"], raw["results"], raw["notes"]), encoding="utf-8")
        print(f"wrote {out} from {args.from_json}")
        return 0
    BENCH.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(f"{info['cpu']}, {info['cores']} cores, commit {info['commit']}; sections: {', '.join(sections)}", flush=True)
    res: dict = {}
    notes: dict = {}
    for section in sections:
        print(f"[{section}] ...", flush=True)
        with meter(section, notes):
            if section == "nlp":
                res["nlp"] = bench_nlp(args)
            elif section == "extraction":
                res["extraction"] = bench_extraction(args)
            elif section == "e2e":
                res["e2e"] = bench_e2e(args)
            elif section == "store":
                res["store"] = bench_store(args, BENCH / "e2e-w1.db")
            elif section == "fetch":
                res["fetch"] = bench_fetch(args)
            else:
                raise SystemExit(f"unknown section {section!r}")
    (BENCH / ("results-quick.json" if args.quick else "results.json")).write_text(
        json.dumps({"machine": info, "notes": notes, "results": res,
                    "args": {k: getattr(args, k) for k in ("quick", "only", "workers", "repeat", "e2e_repeat")}},
                   indent=1, default=str), encoding="utf-8")
    text = report(args, info, res, notes)
    if args.only and not args.out and not args.quick and out.exists():
        stamp = (f"Refreshed {datetime.date.today().isoformat()}, commit `{info['commit']}`, {info['cpu']}, "
                 f"{info['cores']} cores: {', '.join(sections)} (`bench/run_all.py --only {args.only}`); "
                 "the other sections are from the run named above.")
        text = merge_report(out.read_text(encoding="utf-8"), text, sections, stamp)
    out.write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
