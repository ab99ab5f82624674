"""One newsmine run: sources -> fetch -> extract -> nlp -> store.

A run is incremental and resumable: pages are fetched with conditional GET and
stored (compressed) as soon as they arrive; an article is written in one
transaction with its entities and amounts; pages whose HTML is stored but whose
article is missing or outdated (a killed run, a new model) are processed by the
next run without fetching again.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import functools
import gzip
import http.server
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from pipeline import dedup, store
from pipeline.analysis import analyse_entities
from pipeline.extract import EXTRACTOR_VERSION, decode_html, extract, failure_reason
from pipeline.fetch import FetchRequest, FetchResult, FetchSettings, fetch_all
from pipeline.sources import DiscoveryError, Source, directory_files, parse_feed, parse_sitemap
from pipeline.urls import article_url

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"
DEMO_SITE = CORPUS_DIR / "demo" / "site"
DEMO_PORT = 8737
DEMO_PUBLIC_BASE = "https://rheinruhr-bote.example"  # corpus/demo/build_site.py BASE

Progress = Callable[[str, int, int], None]


@dataclass
class RunStats:
    sources: int = 0
    discovered: int = 0
    fetched: int = 0
    not_modified: int = 0
    fetch_errors: int = 0
    extracted: int = 0
    extract_errors: int = 0
    duplicates: int = 0
    url_conflicts: int = 0  # canonical URLs that named another page's article: stored under the page's own URL
    articles_written: int = 0
    skipped_unchanged: int = 0
    source_errors: int = 0  # a feed, sitemap or directory that could not be read (or listed no file)
    failed_sources: list[str] = field(default_factory=list)  # sources that gave nothing, only errors
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a run decided that a user should know (URL conflicts)

    @property
    def all_sources_failed(self) -> bool:
        """Every source of the run failed: nothing listed or fetched because of errors (the run failed)."""
        return self.sources > 0 and len(self.failed_sources) >= self.sources

    def source_error(self, message: str) -> None:
        self.source_errors += 1
        self.errors.append(message)

    def as_dict(self) -> dict:
        d = dict(self.__dict__)
        d["errors"] = self.errors[:50]
        d["notes"] = self.notes[:50]
        return d


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    """A client that hangs up early (a run stopped by a full disk, Ctrl-C) is not an error worth a
    traceback on stderr."""

    def handle_error(self, request, client_address) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve_directory(root: Path, port: int = 0) -> Iterator[str]:
    """Serve ``root`` over HTTP on 127.0.0.1 for the duration.

    ``port`` is tried first (page URLs, and so the stored pages, stay the same from
    run to run); if it is taken, a free port is used.
    """
    handler = functools.partial(_QuietHandler, directory=str(root))
    try:
        server = _QuietServer(("127.0.0.1", port), handler)
    except OSError:
        server = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def demo_sources(base_url: str) -> list[Source]:
    return [Source(name="demo-rheinruhr", kind="feed", url=f"{base_url}/feed.xml",
                   region=["NRW"], allow_private=True, min_delay=0.0)]


def _discover(source: Source, settings: FetchSettings, stats: RunStats,
              base_dir: Path) -> list[tuple[str, Path | None]]:
    """URLs (with the file for local files, read later one at a time) a source lists now."""
    if source.kind == "urls":
        return [(u, None) for u in source.urls]
    if source.kind == "directory":
        try:
            return [(p.resolve().as_uri(), p) for p in directory_files(source, base_dir)]
        except (DiscoveryError, OSError) as err:
            stats.source_error(f"{source.name}: {err}")
            return []
    todo, seen, found = [source.url], set(), []
    while todo:
        url = todo.pop(0)
        if url in seen or len(seen) > 200:
            continue
        seen.add(url)
        [res] = fetch_all([FetchRequest(url, allow_private=source.allow_private, private_hosts=source.own_hosts())],
                          settings)
        if res.body is None:
            stats.source_error(f"{source.name}: {url}: {res.error or res.status}")
            continue
        try:
            if source.kind == "feed":
                entries = parse_feed(res.body, res.final_url or url)
            else:
                entries, children = parse_sitemap(res.body, res.final_url or url)
                todo.extend(children)
        except DiscoveryError as err:
            stats.source_error(f"{source.name}: {err}")
            continue
        found.extend((e.url, None) for e in entries)
    return found


def run(db: sqlite_utils.Database, sources: list[Source], nlp, *, config_label: str = "demo",
        base_dir: Path = Path("."), settings: FetchSettings | None = None,
        progress: Progress | None = None, batch_size: int = 16, n_process: int = 1,
        mirror: tuple[str, str] | None = None) -> RunStats:
    """Run the whole flow for ``sources`` into ``db``; returns counts.

    ``mirror`` = (served base, public base): pages fetched from a local mirror (the demo
    site on 127.0.0.1, whatever its port) are stored under their public URLs.
    """
    from pipeline.nlp.model import model_info

    settings = settings or FetchSettings()
    stats = RunStats(sources=len(sources))
    info = model_info(nlp)
    run_id = store.start_run(db, "run", config_label, info.tag, EXTRACTOR_VERSION)
    reserve = store.reserve_space(db)  # so that a full disk still lets the run row say "failed"
    try:
        for source in sources:
            store.upsert_source(db, source.name, source.kind, source.url, source.region)
            _run_source(db, source, nlp, info.tag, settings, stats, base_dir, progress, batch_size, n_process,
                        mirror)
        if stats.all_sources_failed:
            store.finish_run(db, run_id, {**stats.as_dict(), "failure": "every source failed"}, "failed")
        else:
            store.finish_run(db, run_id, stats.as_dict(), "ok")
    except BaseException as err:
        store.fail_run(db, run_id, {**stats.as_dict(), "failure": store.failure_reason(err)}, reserve)
        raise
    finally:
        store.release_space(reserve)
    return stats


def _run_source(db, source: Source, nlp, model_tag: str, settings: FetchSettings, stats: RunStats,
                base_dir: Path, progress: Progress | None, batch_size: int, n_process: int,
                mirror: tuple[str, str] | None = None) -> None:
    served, public = mirror or ("", "")

    def stored_url(url: str | None) -> str | None:
        return public + url[len(served):] if served and url and url.startswith(served) else url

    settings = dataclasses.replace(settings, **source.fetch_overrides())  # min_delay, timeout, retries, max_bytes
    before = (stats.source_errors, stats.fetch_errors, stats.fetched + stats.not_modified)
    listed = _discover(source, settings, stats, base_dir)
    stats.discovered += len(listed)
    local = {u: path for u, path in listed if path is not None}
    remote = [u for u, path in listed if path is None]
    known = {row["url"]: row for row in db.query(
        "SELECT url, etag, last_modified, html_gz IS NOT NULL AS has_html FROM pages WHERE source = ?",
        [source.name])}
    own_hosts = source.own_hosts()  # allow_private covers these hosts only
    requests = [FetchRequest(u, etag=(known.get(stored_url(u)) or {}).get("etag"),
                             last_modified=(known.get(stored_url(u)) or {}).get("last_modified"),
                             allow_private=source.allow_private, private_hosts=own_hosts) for u in remote]

    def save(res: FetchResult) -> None:
        """Store a fetch outcome as soon as it arrives (a killed run keeps what it fetched)."""
        if res.not_modified:
            stats.not_modified += 1
            store.save_page(db, url=stored_url(res.url), source=source.name, status=304, body=None,
                            final_url=stored_url(res.final_url), elapsed_ms=res.elapsed_ms, attempts=res.attempts,
                            fetched_at=res.fetched_at)
            return
        if res.body is None:
            stats.fetch_errors += 1
            stats.errors.append(f"{res.url}: {res.error or res.status}")
        else:
            stats.fetched += 1
        store.save_page(db, url=stored_url(res.url), source=source.name, status=res.status, body=res.body,
                        final_url=stored_url(res.final_url), content_type=res.content_type, charset=res.charset,
                        etag=res.etag, last_modified=res.last_modified,
                        error=res.error if res.body is None else None, elapsed_ms=res.elapsed_ms,
                        attempts=res.attempts, fetched_at=res.fetched_at)

    if requests:
        fetch_all(_interleave_hosts(requests), settings, on_result=save)
    for url, path in local.items():
        body, error = read_local_file(path, settings.max_bytes)
        if body is None:
            stats.fetch_errors += 1
            stats.errors.append(f"{url}: {error}")
        else:
            stats.fetched += 1
        store.save_page(db, url=url, source=source.name, status=200 if body is not None else None, body=body,
                        final_url=url, error=error)
    got = stats.fetched + stats.not_modified - before[2]
    if got == 0 and (stats.source_errors > before[0] or stats.fetch_errors > before[1]):
        stats.failed_sources.append(source.name)  # only errors: nothing listed, or nothing of it fetched
    process_pending(db, nlp, model_tag, stats, source=source.name, progress=progress,
                    batch_size=batch_size, n_process=n_process)


def read_local_file(path: Path, max_bytes: int) -> tuple[bytes | None, str | None]:
    """A local file's bytes, or ``(None, reason)`` when it is too large or unreadable
    (the same ``max_bytes`` cap as fetched bodies; stored HTML is kept)."""
    try:
        with open(path, "rb") as fh:
            body = fh.read(max_bytes + 1)
    except OSError as err:
        return None, f"cannot read file: {err.strerror or err}"
    if len(body) > max_bytes:
        return None, f"file larger than max_bytes ({max_bytes:,} bytes)"
    return body, None


def _interleave_hosts(requests: list[FetchRequest]) -> list[FetchRequest]:
    """Round-robin over hosts so that a window of scheduled fetches spans many hosts
    (grouped input would leave per-host limits as the bottleneck; see bench/fetch)."""
    from urllib.parse import urlsplit

    by_host: dict[str, list[FetchRequest]] = {}
    for req in requests:
        by_host.setdefault(urlsplit(req.url).netloc, []).append(req)
    queues = list(by_host.values())
    out: list[FetchRequest] = []
    for i in range(max((len(q) for q in queues), default=0)):
        out.extend(q[i] for q in queues if i < len(q))
    return out


def pending_pages(db, source: str | None, model_tag: str, force: bool = False) -> list[dict]:
    """Stored pages whose article is missing or was made by another extractor/model.

    Pages whose last fetch failed are left alone; a page processed into no article (a duplicate, no
    text: see ``store.PROCESSED_OUTCOMES``) is processed again only with ``force`` or after a new
    fetch. Each row carries its source's ``region`` (JSON list) for the analysis.
    """
    where = ["p.html_gz IS NOT NULL", "p.outcome IS NULL OR p.outcome != 'failed'"]
    params: list = []
    if source is not None:
        where.append("p.source = ?")
        params.append(source)
    rows = list(db.query(
        f"""SELECT p.id, p.url, p.final_url, p.charset, p.source, p.content_sha256, p.outcome, s.region,
                   a.id AS article_id, a.extractor_version, a.model, a.page_sha256
            FROM pages p LEFT JOIN articles a ON a.page_id = p.id LEFT JOIN sources s ON s.name = p.source
            WHERE {' AND '.join('(' + w + ')' for w in where)} ORDER BY p.id""", params))
    if force:
        return rows
    out = []
    for r in rows:
        if r["article_id"] is None and r["outcome"] not in store.PROCESSED_OUTCOMES:
            out.append(r)
        elif r["article_id"] is not None and (
                r["extractor_version"] != EXTRACTOR_VERSION or r["model"] != model_tag
                or r["page_sha256"] != r["content_sha256"]):
            out.append(r)
    return out


@dataclass
class Analysed:
    """What a worker made of one stored page: no database access, plain data (pickled between processes).

    ``error`` is set when extraction failed or found no main text; otherwise ``record`` is the article
    as it would be stored, with entities (canonical names attached), amounts, roles and quotes.
    """

    page_id: int
    url: str
    error: str | None = None
    own_url: str | None = None  # the page's own URL (canonical form): where the article goes when its claim collides
    text_hash: str | None = None
    simhash: int | None = None
    record: store.ArticleRecord | None = None


# The pipeline inside a worker process: inherited from the parent when the pool forks (no reload),
# loaded by the initializer otherwise.
_WORKER_NLP = None
_WORKER_TAG = ""


def _init_worker(model_ref: str | None, model_tag: str) -> None:
    """Pool initializer: ignore Ctrl-C (the parent stops the pool), load the pipeline unless inherited."""
    import signal

    global _WORKER_NLP, _WORKER_TAG
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if model_ref is not None:
        from pipeline.nlp.model import load

        _WORKER_NLP = load(model_ref)
    _WORKER_TAG = model_tag


def analyse_pages(tasks: list[tuple[dict, bytes | None]], nlp=None, model_tag: str | None = None,
                  batch_size: int = 16) -> list[Analysed]:
    """Extract + NLP + facts for stored pages ``(page row, gzip HTML)``, in order; the CPU work of a run.

    Runs in a worker process (``nlp`` None: the worker's pipeline) or in the calling process.
    """
    from pipeline.nlp.facts import FACTS_VERSION
    from pipeline.nlp.model import entities as doc_entities
    from pipeline.nlp.money_parser import VERSION as MONEY_VERSION

    nlp = nlp if nlp is not None else _WORKER_NLP
    model_tag = model_tag if model_tag is not None else _WORKER_TAG
    out: list[Analysed] = []
    texts: list[str] = []
    tasks_by_id = {page["id"]: page for page, _ in tasks}
    for page, html_gz in tasks:
        try:
            html = gzip.decompress(html_gz) if html_gz else b""
            text, _ = decode_html(html, page["charset"])
            ex = extract(text, page["final_url"] or page["url"])
        except Exception as err:  # the extractor promises not to raise; belt and braces
            out.append(Analysed(page["id"], page["url"], error=f"extract: {type(err).__name__}: {err}"))
            continue
        if not ex.text.strip():
            out.append(Analysed(page["id"], page["url"], error=f"extract: {failure_reason(ex)}"))
            continue
        page_url = page["final_url"] or page["url"]
        url = article_url(page_url, ex.url)
        rec = store.ArticleRecord(
            url=url, title=ex.title, text=ex.text, published=ex.published, modified=ex.modified,
            authors=ex.authors, agencies=ex.agencies, language=ex.language or "de", lead=ex.lead, section=ex.section,
            source=page["source"], page_id=page["id"], extractor_version=EXTRACTOR_VERSION,
            model=model_tag, money_version=MONEY_VERSION, page_sha256=page["content_sha256"],
            facts_version=FACTS_VERSION, simhash=dedup.simhash(ex.text))
        out.append(Analysed(page["id"], page["url"], text_hash=store.sha256(ex.text), simhash=rec.simhash,
                            record=rec, own_url=article_url(page_url, None)))
        texts.append(ex.text)
    todo = [a for a in out if a.record is not None]
    for a, doc in zip(todo, nlp.pipe(texts, batch_size=batch_size)):
        rec = a.record
        ents = [e.__dict__ for e in doc_entities(doc)]
        analysis = analyse_entities(rec.text, ents, region=_region(tasks_by_id.get(a.page_id)))
        rec.entities, rec.roles, rec.quotes = analysis.entities, analysis.roles, analysis.quotes
        rec.money = [m.to_dict() for m in (doc._.money or [])]
    return out


def _region(page: dict | None) -> list[str]:
    """The region names of a page's source (``pages`` rows may carry ``region``: a list or its JSON)."""
    region = (page or {}).get("region") or []
    if isinstance(region, str):
        try:
            region = json.loads(region)
        except ValueError:
            region = [region]
    return [r for r in region if isinstance(r, str)] if isinstance(region, list) else []


class _Ready:
    """A result computed in the calling process, with the ``AsyncResult.get`` interface."""

    def __init__(self, value: list[Analysed]) -> None:
        self.value = value

    def get(self) -> list[Analysed]:
        return self.value


@contextlib.contextmanager
def _analyser(nlp, model_tag: str, n_process: int, batch_size: int) -> Iterator[Callable]:
    """``submit(tasks) -> result with .get()``: in this process (``n_process`` 1) or in a pool of
    ``n_process`` workers that each run extraction and NLP (the caller stays the single writer)."""
    if n_process <= 1:
        yield lambda tasks: _Ready(analyse_pages(tasks, nlp, model_tag, batch_size))
        return
    import multiprocessing

    global _WORKER_NLP
    if "fork" in multiprocessing.get_all_start_methods():
        from pipeline.resolve import warm

        warm()  # the workers inherit the loaded gazetteer and name lists
        ctx, model_ref = multiprocessing.get_context("fork"), None
        _WORKER_NLP = nlp  # inherited by the forked workers, copy-on-write
    else:  # spawn: every worker loads the pipeline itself
        from pipeline.nlp.model import model_info

        ctx, model_ref = multiprocessing.get_context("spawn"), model_info(nlp).path or None
    pool = ctx.Pool(n_process, initializer=_init_worker, initargs=(model_ref, model_tag))
    try:
        yield lambda tasks: pool.apply_async(analyse_pages, (tasks, None, None, batch_size))
        pool.close()
        pool.join()
    finally:
        pool.terminate()
        _WORKER_NLP = None


def _load_html(db, pages: list[dict]) -> list[tuple[dict, bytes | None]]:
    """The pages with their stored gzip HTML, one query per chunk."""
    ids = [p["id"] for p in pages]
    html = {r[0]: r[1] for r in db.execute(
        f"SELECT id, html_gz FROM pages WHERE id IN ({', '.join('?' * len(ids))})", ids).fetchall()}
    return [(p, html.get(p["id"])) for p in pages]


def process_pending(db, nlp, model_tag: str, stats: RunStats, *, source: str | None = None,
                    progress: Progress | None = None, batch_size: int = 16, n_process: int = 1,
                    force: bool = False) -> None:
    """Extract + NLP + store every pending page (see :func:`pending_pages`).

    ``n_process`` > 1: that many worker processes extract and analyse chunks of ``batch_size``
    pages while this process reads the HTML and writes the results in page order, so the database
    is the same as with one process. Duplicates are decided here, against the database.
    """
    pages = pending_pages(db, source, model_tag, force=force)
    chunks = [pages[i:i + batch_size] for i in range(0, len(pages), batch_size)]
    writer = Writer(db, stats, progress, len(pages))
    with _analyser(nlp, model_tag, n_process, batch_size) as submit, bulk_writes(db), \
            store.deferred_pairs(db):
        inflight: collections.deque = collections.deque()
        for chunk in chunks:
            inflight.append(submit(_load_html(db, chunk)))
            # keep every worker busy (two chunks queued each) while this process writes
            while len(inflight) > 2 * max(1, n_process) or (inflight and n_process <= 1):
                writer.write(inflight.popleft().get())
        while inflight:
            writer.write(inflight.popleft().get())


@contextlib.contextmanager
def bulk_writes(db, wal_pages: int = 10_000) -> Iterator[None]:
    """Checkpoint the WAL every ``wal_pages`` pages instead of SQLite's 1,000 while a run writes.

    Every article is its own commit; a checkpoint copies each page changed since the last one
    into the database file, so checkpointing less often copies the hot pages (indexes, the FTS
    index) fewer times: ~0.5 ms less per article (docs/profiling.md). The WAL grows to ~40 MB
    at most; a commit is as durable as before.
    """
    previous = db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    db.execute(f"PRAGMA wal_autocheckpoint = {int(wal_pages)}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA wal_autocheckpoint = {int(previous)}")


class NearDuplicateIndex:
    """The SimHash bands of the stored articles, in memory for the single writer of a run.

    :meth:`closest` answers as :func:`pipeline.store.near_duplicate` does, without reading the
    candidate rows: each 8-bit band value is shared by ~1/256 of all articles, so that query reads
    ~N/32 rows per article (1.5 ms at 10,000 articles, growing with the archive; docs/profiling.md).
    Memory: ~150 bytes per article.
    """

    def __init__(self, db) -> None:
        self.db = db
        self.hash_of: dict[int, int] = {}
        self.bands: list[dict[int, list[int]]] = [{} for _ in range(dedup.BANDS)]
        for article_id, h in db.execute("SELECT id, simhash FROM articles WHERE simhash IS NOT NULL"):
            self._add(article_id, dedup.to_unsigned(h))

    def _add(self, article_id: int, h: int) -> None:
        self.hash_of[article_id] = h
        for band, value in zip(self.bands, dedup.bands(h)):
            band.setdefault(value, []).append(article_id)

    def set(self, article_id: int, h: int) -> None:
        """Record the hash of an article just written (new, or re-processed with another text)."""
        old = self.hash_of.get(article_id)
        if old == h:
            return
        if old is not None:
            for band, value in zip(self.bands, dedup.bands(old)):
                band[value].remove(article_id)
        self._add(article_id, h)

    def closest(self, h: int, exclude_url: str) -> tuple[str, int] | None:
        """``(url, distance)`` of the nearest other stored article within the near-duplicate bound."""
        found: set[int] = set()
        for band, value in zip(self.bands, dedup.bands(h)):
            found.update(band.get(value, ()))
        near = {a: d for a in found if (d := dedup.distance(h, self.hash_of[a])) <= dedup.MAX_DISTANCE}
        if not near:
            return None
        urls = self.db.execute(f"SELECT id, url FROM articles WHERE id IN ({', '.join('?' * len(near))})",
                               list(near)).fetchall()
        return dedup.closest(h, ((self.hash_of[a], url) for a, url in urls if url != exclude_url))


class Writer:
    """The single writer of a run: decides duplicates and writes analysed pages, in page order.

    Every article is its own transaction (with WAL and ``synchronous=NORMAL`` a commit costs well
    under a millisecond), so a killed run keeps every article it reported as done. Entity ids are
    cached (:class:`pipeline.store.EntityCache`) and SimHash bands held in memory
    (:class:`NearDuplicateIndex`): this process must keep up with all the workers.
    """

    def __init__(self, db, stats: RunStats, progress: Progress | None = None, total: int = 0) -> None:
        self.db, self.stats, self.progress, self.total = db, stats, progress, total
        self.cache = store.EntityCache()
        self.near = NearDuplicateIndex(db)
        self.done = 0

    def _holder(self, url: str) -> tuple[int, int | None, str | None] | None:
        """``(article id, page id, text hash)`` of the article stored under ``url``."""
        return self.db.execute("SELECT id, page_id, content_sha256 FROM articles WHERE url = ?", [url]).fetchone()

    def _collides(self, url: str, a: Analysed) -> tuple[int, int | None, str | None] | None:
        """The article of another page with a different text stored under ``url`` (None: ``url`` is free
        for ``a``: no article, this page's own, or the same text)."""
        holder = self._holder(url)
        if holder is None or holder[1] == a.page_id or holder[2] == a.text_hash:
            return None
        return holder

    def _settle_url(self, a: Analysed) -> str | None:
        """Where ``a``'s article goes, so that no page's article overwrites another's (returns an error
        for the page when there is no such place; the page and its HTML stay stored).

        A canonical URL that already holds another page's article with a different text (a section page
        every article names, a copy claiming the original) is not trusted: the article is stored under
        the page's own URL. A page that is itself at the contested URL takes it back, and the article
        that claimed it moves to its own page's URL.
        """
        rec = a.record
        holder = self._collides(rec.url, a)
        if holder is None:
            return None
        self.stats.url_conflicts += 1
        own = a.own_url or rec.url
        if own != rec.url:
            if self._collides(own, a) is None:
                self.stats.notes.append(f"{a.url}: canonical URL {rec.url} holds another page's article; "
                                        f"stored under {own}")
                rec.url = own
                return None
        else:  # this page is the contested URL: the article that claimed it goes back to its own page's URL
            row = self.db.execute("SELECT url, final_url FROM pages WHERE id = ?", [holder[1]]).fetchone()
            home = article_url(row[1] or row[0], None) if row else None
            if home and home != rec.url and self._holder(home) is None:
                with store.write_transaction(self.db):
                    self.db.execute("UPDATE articles SET url = ? WHERE id = ?", [home, holder[0]])
                self.stats.notes.append(f"{a.url}: took back its URL from the article of {home}")
                return None
        return f"extract: URL {rec.url} holds the article of another page (id {holder[1]}) with a different text"

    def write(self, results: list[Analysed]) -> None:
        for a in results:
            if a.error:  # extraction found no main text (or failed)
                self.stats.extract_errors += 1
                self.stats.errors.append(f"{a.url}: {a.error}")
                store.record_outcome(self.db, a.page_id, "no text", a.error)
            else:
                self.stats.extracted += 1
                outcome = self._store(a)
                if outcome is not None:
                    store.record_outcome(self.db, a.page_id, *outcome)
            self.done += 1
            if self.progress:
                self.progress("nlp", self.done, self.total)

    def _store(self, a: Analysed) -> tuple[str, str, str | None] | None:
        """Write ``a``'s article (its page's outcome ``ok`` with it), or return why the page gives none:
        ``(outcome, error, duplicate_of)`` for a URL conflict or a duplicate."""
        db, stats, rec = self.db, self.stats, a.record
        error = self._settle_url(a)
        if error:
            stats.extract_errors += 1
            stats.errors.append(f"{a.url}: {error}")
            return "url conflict", error, None
        dup = db.execute("SELECT url FROM articles WHERE content_sha256 = ? AND url != ? LIMIT 1",
                         [a.text_hash, rec.url]).fetchone()
        if dup:  # the same text under another URL (syndicated copy): linked, not stored twice
            stats.duplicates += 1
            return "duplicate", f"extract: duplicate text of {dup[0]}", dup[0]
        near = self.near.closest(a.simhash, rec.url)
        if near:  # the same agency story, lightly edited on another site: linked, not stored twice
            stats.duplicates += 1
            return "near-duplicate", f"extract: near-duplicate of {near[0]} (simhash distance {near[1]})", near[0]
        [article_id] = store.save_articles(db, [rec], self.cache)
        self.near.set(article_id, a.simhash)
        stats.articles_written += 1
        return None


def counts_json(stats: RunStats) -> str:
    return json.dumps(stats.as_dict(), ensure_ascii=False)
