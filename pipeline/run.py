"""One newsmine run: sources -> fetch -> extract -> nlp -> store.

A run is incremental and resumable: pages are fetched with conditional GET and
stored (compressed) as soon as they arrive; an article is written in one
transaction with its entities and amounts; pages whose HTML is stored but whose
article is missing or outdated (a killed run, a new model) are processed by the
next run without fetching again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import http.server
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from pipeline import dedup, store
from pipeline.extract import EXTRACTOR_VERSION, decode_html, extract
from pipeline.fetch import FetchRequest, FetchResult, FetchSettings, fetch_all
from pipeline.sources import DiscoveryError, Source, directory_files, parse_feed, parse_sitemap
from pipeline.urls import canonicalize

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
    articles_written: int = 0
    skipped_unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        d = dict(self.__dict__)
        d["errors"] = self.errors[:50]
        return d


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def serve_directory(root: Path, port: int = 0) -> Iterator[str]:
    """Serve ``root`` over HTTP on 127.0.0.1 for the duration.

    ``port`` is tried first (page URLs, and so the stored pages, stay the same from
    run to run); if it is taken, a free port is used.
    """
    handler = functools.partial(_QuietHandler, directory=str(root))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
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
              base_dir: Path) -> list[tuple[str, bytes | None]]:
    """URLs (with bytes for local files) a source lists now."""
    if source.kind == "urls":
        return [(u, None) for u in source.urls]
    if source.kind == "directory":
        try:
            return [(p.resolve().as_uri(), p.read_bytes()) for p in directory_files(source, base_dir)]
        except (DiscoveryError, OSError) as err:
            stats.errors.append(f"{source.name}: {err}")
            return []
    todo, seen, found = [source.url], set(), []
    while todo:
        url = todo.pop(0)
        if url in seen or len(seen) > 200:
            continue
        seen.add(url)
        [res] = fetch_all([FetchRequest(url, allow_private=source.allow_private)], settings)
        if res.body is None:
            stats.errors.append(f"{source.name}: {url}: {res.error or res.status}")
            continue
        try:
            if source.kind == "feed":
                entries = parse_feed(res.body, res.final_url or url)
            else:
                entries, children = parse_sitemap(res.body, res.final_url or url)
                todo.extend(children)
        except DiscoveryError as err:
            stats.errors.append(f"{source.name}: {err}")
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
    try:
        for source in sources:
            store.upsert_source(db, source.name, source.kind, source.url, source.region)
            _run_source(db, source, nlp, info.tag, settings, stats, base_dir, progress, batch_size, n_process,
                        mirror)
        store.finish_run(db, run_id, stats.as_dict(), "ok")
    except BaseException:
        store.finish_run(db, run_id, stats.as_dict(), "failed")
        raise
    return stats


def _run_source(db, source: Source, nlp, model_tag: str, settings: FetchSettings, stats: RunStats,
                base_dir: Path, progress: Progress | None, batch_size: int, n_process: int,
                mirror: tuple[str, str] | None = None) -> None:
    served, public = mirror or ("", "")

    def stored_url(url: str | None) -> str | None:
        return public + url[len(served):] if served and url and url.startswith(served) else url

    if source.min_delay is not None:
        settings = dataclasses.replace(settings, min_delay=source.min_delay)
    listed = _discover(source, settings, stats, base_dir)
    stats.discovered += len(listed)
    local = {u: b for u, b in listed if b is not None}
    remote = [u for u, b in listed if b is None]
    known = {row["url"]: row for row in db.query(
        "SELECT url, etag, last_modified, html_gz IS NOT NULL AS has_html FROM pages WHERE source = ?",
        [source.name])}
    requests = [FetchRequest(u, etag=(known.get(stored_url(u)) or {}).get("etag"),
                             last_modified=(known.get(stored_url(u)) or {}).get("last_modified"),
                             allow_private=source.allow_private) for u in remote]

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
    for url, body in local.items():
        stats.fetched += 1
        store.save_page(db, url=url, source=source.name, status=200, body=body, final_url=url)
    process_pending(db, nlp, model_tag, stats, source=source.name, progress=progress,
                    batch_size=batch_size, n_process=n_process)


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
    """Stored pages whose article is missing or was made by another extractor/model."""
    where = ["p.html_gz IS NOT NULL", "p.error IS NULL OR p.error LIKE 'extract:%'"]
    params: list = []
    if source is not None:
        where.append("p.source = ?")
        params.append(source)
    rows = list(db.query(
        f"""SELECT p.id, p.url, p.final_url, p.charset, p.source, p.content_sha256, p.error,
                   a.id AS article_id, a.extractor_version, a.model, a.page_sha256
            FROM pages p LEFT JOIN articles a ON a.page_id = p.id
            WHERE {' AND '.join('(' + w + ')' for w in where)} ORDER BY p.id""", params))
    if force:
        return rows
    out = []
    for r in rows:
        if r["article_id"] is None and not (r["error"] or "").startswith("extract:"):
            out.append(r)
        elif r["article_id"] is not None and (
                r["extractor_version"] != EXTRACTOR_VERSION or r["model"] != model_tag
                or r["page_sha256"] != r["content_sha256"]):
            out.append(r)
    return out


def process_pending(db, nlp, model_tag: str, stats: RunStats, *, source: str | None = None,
                    progress: Progress | None = None, batch_size: int = 16, n_process: int = 1,
                    force: bool = False) -> None:
    """Extract + NLP + store every pending page (see :func:`pending_pages`)."""
    from pipeline.nlp.facts import FACTS_VERSION, find_facts
    from pipeline.nlp.model import entities as doc_entities
    from pipeline.nlp.money_parser import VERSION as MONEY_VERSION

    pages = pending_pages(db, source, model_tag, force=force)
    total = len(pages)
    done = 0
    for chunk_start in range(0, total, batch_size * 4):
        chunk = pages[chunk_start:chunk_start + batch_size * 4]
        prepared = []
        seen_in_chunk: dict[str, str] = {}
        near_in_chunk: list[tuple[int, str]] = []
        for page in chunk:
            html = store.page_html(db, page["id"])
            try:
                text, _ = decode_html(html or b"", page["charset"])
                ex = extract(text, page["final_url"] or page["url"])
            except Exception as err:  # the extractor promises not to raise; belt and braces
                ex, err_msg = None, f"extract: {type(err).__name__}: {err}"
            else:
                err_msg = None if ex.text.strip() else "extract: no main text"
            if err_msg:
                stats.extract_errors += 1
                stats.errors.append(f"{page['url']}: {err_msg}")
                db["pages"].update(page["id"], {"error": err_msg})
                continue
            stats.extracted += 1
            found_url = ex.url or page["final_url"] or page["url"]
            url = canonicalize(found_url) if found_url.startswith("http") else page["url"]
            text_hash = store.sha256(ex.text)
            dup = next(db.query("SELECT id, url FROM articles WHERE content_sha256 = ? AND url != ? LIMIT 1",
                                [text_hash, url]), None)
            dup_url = dup["url"] if dup else seen_in_chunk.get(text_hash)
            if dup_url and dup_url != url:
                # the same text under another URL (syndicated copy): linked, not stored twice
                stats.duplicates += 1
                db["pages"].update(page["id"], {"error": f"extract: duplicate text of {dup_url}"})
                continue
            text_simhash = dedup.simhash(ex.text)
            near = (store.near_duplicate(db, text_simhash, url)
                    or dedup.closest(text_simhash, [(h, u) for h, u in near_in_chunk if u != url]))
            if near:
                # the same agency story, lightly edited on another site: linked, not stored twice
                stats.duplicates += 1
                db["pages"].update(page["id"], {"error": f"extract: near-duplicate of {near[0]} "
                                                         f"(simhash distance {near[1]})"})
                continue
            seen_in_chunk[text_hash] = url
            near_in_chunk.append((text_simhash, url))
            prepared.append((page, url, ex, text_simhash))
        docs = nlp.pipe([ex.text for _, _, ex, _ in prepared], batch_size=batch_size, n_process=n_process)
        for (page, url, ex, text_simhash), doc in zip(prepared, docs):
            ents = [e.__dict__ for e in doc_entities(doc)]
            facts = find_facts(ex.text, ents)
            rec = store.ArticleRecord(
                url=url, title=ex.title, text=ex.text, published=ex.published, modified=ex.modified,
                authors=ex.authors, language=ex.language or "de", lead=ex.lead, section=ex.section,
                source=page["source"], page_id=page["id"], extractor_version=EXTRACTOR_VERSION,
                model=model_tag, money_version=MONEY_VERSION, page_sha256=page["content_sha256"],
                entities=ents, money=[m.to_dict() for m in (doc._.money or [])],
                roles=facts["roles"], quotes=facts["quotes"], facts_version=FACTS_VERSION,
                simhash=text_simhash)
            store.save_article(db, rec)  # links surnames and abbreviations to canonical entities
            stats.articles_written += 1
            done += 1
            if progress:
                progress("nlp", done, total)
        if progress:
            progress("nlp", min(chunk_start + len(chunk), total), total)


def counts_json(stats: RunStats) -> str:
    return json.dumps(stats.as_dict(), ensure_ascii=False)
