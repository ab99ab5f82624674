"""The SQLite store: schema, migrations and the writes of a run.

Opened through sqlite-utils with WAL journaling, foreign keys and a busy timeout.
The schema is a list of migrations (``sqlite_utils.Migrations``), so an older
database is upgraded in place; the store owns all of it (views, triggers and
co-occurrence tables are in :mod:`pipeline.schema`, applied by the migrations here).
Every article is written in one transaction together with its mentions and amounts:
readers never see half an article.

The store does no NLP: it writes the :class:`ArticleRecord` it is given (each mention
with its canonical entity, decided by :mod:`pipeline.resolve`) and reads records back.
It imports nothing above it (no ``pipeline.nlp``, no ``pipeline.corrections``); only the
entity re-keying migration (m012) calls :func:`pipeline.resolve.resolve_mentions`, when an
older database has mentions to re-key.

A page's **outcome** (``pages.outcome``, migration m011) says what became of it:

- ``ok``: its article is stored (``articles.page_id``);
- ``duplicate``: its text is the text of the article at ``pages.duplicate_of``;
- ``near-duplicate``: a lightly edited copy (SimHash) of the article at ``duplicate_of``;
- ``no text``: extraction found no main text (or the extractor failed on the page);
- ``url conflict``: the URL its article names, and its own URL, hold other pages' articles;
- ``failed``: its last fetch failed (the stored HTML, if any, is kept but not processed);
- NULL: fetched, not processed since (a run processes it).

``pages.error`` keeps the human-readable reason of every outcome but ``ok``.
``duplicate_of`` is the **canonical URL** of the original article, not its id: duplicates are
decided against URLs, an article id changes when an article is stored again or a shard is
merged, and corrections are keyed by URL for the same reason (``JOIN articles a ON a.url =
p.duplicate_of``; ``articles.url`` is unique).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from pipeline import schema
from pipeline.names import entity_key, normalise_name

__all__ = ["entity_key", "normalise_name"]  # re-exported: callers that still import them from here

SCHEMA_VERSION = 12
OUTCOMES = ("ok", "duplicate", "near-duplicate", "no text", "url conflict", "failed")
"""Values of ``pages.outcome`` (NULL: not processed since its last fetch); see the module docstring."""
PROCESSED_OUTCOMES = ("duplicate", "near-duplicate", "no text", "url conflict")
"""Outcomes of processing a page that give no article."""
MIGRATIONS = sqlite_utils.Migrations("newsmine")


class StoreError(RuntimeError):
    """The database cannot be opened or written."""


def utcnow() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def sha256(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@MIGRATIONS()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["sources"].create({"name": str, "kind": str, "url": str, "region": str, "config": str,
                          "added_at": str}, pk="name")
    db["pages"].create({
        "id": int, "url": str, "final_url": str, "source": str, "status": int,
        "content_type": str, "charset": str, "etag": str, "last_modified": str,
        "fetched_at": str, "content_sha256": str, "html_gz": bytes, "error": str,
        "elapsed_ms": float, "attempts": int,
    }, pk="id", foreign_keys=[("source", "sources", "name")])
    db["pages"].create_index(["url"], unique=True)
    db["articles"].create({
        "id": int, "url": str, "page_id": int, "source": str, "title": str,
        "published": str, "authors": str, "text": str, "language": str,
        "word_count": int, "content_sha256": str, "extractor_version": str,
        "model": str, "processed_at": str,
    }, pk="id", foreign_keys=[("page_id", "pages", "id"), ("source", "sources", "name")])
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["content_sha256"])
    db["entities"].create({"id": int, "key": str, "label": str, "name": str}, pk="id")
    db["entities"].create_index(["key"], unique=True)
    db["mentions"].create({
        "id": int, "article_id": int, "entity_id": int, "start": int, "end": int,
        "text": str, "label": str, "sentence": str, "model": str,
    }, pk="id", foreign_keys=[("article_id", "articles", "id"), ("entity_id", "entities", "id")])
    db["mentions"].create_index(["article_id"])
    db["mentions"].create_index(["entity_id"])
    db["money"].create({
        "id": int, "article_id": int, "start": int, "end": int, "text": str,
        "value_eur": float, "high_eur": float, "qualifier": str, "sentence": str,
    }, pk="id", foreign_keys=[("article_id", "articles", "id")])
    db["money"].create_index(["article_id"])
    db["runs"].create({
        "id": int, "started_at": str, "finished_at": str, "command": str, "config": str,
        "model": str, "extractor_version": str, "newsmine_version": str,
        "status": str, "counts": str,
    }, pk="id")
    db["articles"].enable_fts(["title", "text"], tokenize="trigram", create_triggers=True)


@MIGRATIONS()
def m002_facts_columns(db: sqlite_utils.Database) -> None:
    """Version 2: lead/section/modified/page hash on articles, years and parser version on money."""
    db["articles"].add_column("lead", str)
    db["articles"].add_column("section", str)
    db["articles"].add_column("modified", str)
    db["articles"].add_column("page_sha256", str)
    db["money"].add_column("years", str)
    db["money"].add_column("parser_version", str)
    db["entities"].add_column("aliases", str)


@MIGRATIONS()
def m003_roles_quotes(db: sqlite_utils.Database) -> None:
    """Version 3: roles/affiliations and quotes of the facts layer."""
    db["roles"].create({
        "id": int, "article_id": int, "entity_id": int, "start": int, "end": int, "text": str,
        "person": str, "party": str, "affiliation": str, "version": str,
    }, pk="id", foreign_keys=[("article_id", "articles", "id"), ("entity_id", "entities", "id")])
    db["roles"].create_index(["article_id"])
    db["roles"].create_index(["entity_id"])
    db["quotes"].create({
        "id": int, "article_id": int, "speaker_entity_id": int, "start": int, "end": int,
        "text": str, "speaker": str, "version": str,
    }, pk="id", foreign_keys=[("article_id", "articles", "id"), ("speaker_entity_id", "entities", "id")])
    db["quotes"].create_index(["article_id"])
    db["quotes"].create_index(["speaker_entity_id"])


@MIGRATIONS()
def m004_place_coordinates(db: sqlite_utils.Database) -> None:
    """Version 4: coordinates, federal state and GeoNames id for LOC entities.

    The store does not geocode: the columns of existing rows are filled by the re-keying
    migration m012, which places every referenced LOC entity in the context of its articles.
    """
    for column, kind in (("latitude", float), ("longitude", float), ("state", str), ("geonames_id", int)):
        db["entities"].add_column(column, kind)


@MIGRATIONS()
def m005_simhash(db: sqlite_utils.Database) -> None:
    """Version 5: SimHash and its bands on articles for near-duplicate detection (filled in place)."""
    from pipeline import dedup

    db["articles"].add_column("simhash", int)
    for i in range(dedup.BANDS):
        db["articles"].add_column(f"band{i}", int)
        db["articles"].create_index([f"band{i}"])
    for row in list(db.query("SELECT id, text FROM articles")):
        db["articles"].update(row["id"], _simhash_columns(row["text"] or ""))


@MIGRATIONS()
def m006_corrections(db: sqlite_utils.Database) -> None:
    """Version 6: reviewers' corrections and the views that apply them (pipeline/schema.py; read and
    written by pipeline/corrections.py)."""
    schema.create_corrections(db)


@MIGRATIONS()
def m007_review_indexes(db: sqlite_utils.Database) -> None:
    """Version 7: indexes for the review UI's canned queries (bench/canned_queries.py) and the
    co-occurrence tables ``article_entities`` / ``entity_pairs`` (pipeline/schema.py)."""
    schema.create_review_indexes(db)


@MIGRATIONS()
def m008_pair_order(db: sqlite_utils.Database) -> None:
    """Version 8: entity pairs by count, so the co-occurrence query reads only the top of the list."""
    db.execute("CREATE INDEX IF NOT EXISTS idx_entity_pairs_articles ON entity_pairs (articles)")


@MIGRATIONS()
def m009_pairs_by_writer(db: sqlite_utils.Database) -> None:
    """Version 9: new ``entity_pairs`` counted by the writer, not by a trigger.

    The insert trigger cost 4-6 ms per stored article and grew with the table
    (bench/RESULTS.md). The writer now adds one article's pairs in one statement, and a run
    (``deferred_pairs``) rebuilds the whole table once at its end instead. The delete trigger
    stays, so removing mentions by any means keeps the counts exact.
    """
    db.execute("DROP TRIGGER IF EXISTS entity_pairs_insert")
    db.execute("CREATE TABLE IF NOT EXISTS newsmine_state (key TEXT PRIMARY KEY, value TEXT)")
    _rebuild_entity_pairs(db.conn)


@MIGRATIONS()
def m010_agencies(db: sqlite_utils.Database) -> None:
    """Version 10: ``articles.agencies`` (JSON list): the news agencies a byline credits (``dpa``, ``lnw``),
    which extract-2.0 keeps apart from the authors."""
    if "agencies" not in db["articles"].columns_dict:
        db["articles"].add_column("agencies", str)


@MIGRATIONS()
def m011_page_outcome(db: sqlite_utils.Database) -> None:
    """Version 11: ``pages.outcome`` and ``pages.duplicate_of`` (see the module docstring) instead of an
    ``extract:`` prefix on ``pages.error``; filled in place from the error strings, which stay."""
    db["pages"].add_column("outcome", str)
    db["pages"].add_column("duplicate_of", str)
    with_article = {r[0] for r in db.execute("SELECT DISTINCT page_id FROM articles WHERE page_id IS NOT NULL")}
    updates = []
    for page_id, error in db.execute("SELECT id, error FROM pages").fetchall():
        outcome, duplicate_of = legacy_outcome(error, page_id in with_article)
        if outcome is not None:
            updates.append((outcome, duplicate_of, page_id))
    db.conn.executemany("UPDATE pages SET outcome = ?, duplicate_of = ? WHERE id = ?", updates)
    db.execute("DROP INDEX IF EXISTS idx_pages_failed")  # m007's index of failed fetches, by error prefix
    db.execute("CREATE INDEX idx_pages_failed_fetches ON pages (fetched_at) WHERE outcome = 'failed'")


_NEAR_DISTANCE = re.compile(r" \(simhash distance \d+\)$")


def legacy_outcome(error: str | None, has_article: bool) -> tuple[str | None, str | None]:
    """``(outcome, duplicate_of)`` of a page from its ``error`` as written before schema 11."""
    if error is None:
        return ("ok" if has_article else None), None
    if not error.startswith("extract:"):
        return "failed", None
    reason = error[len("extract:"):].strip()
    if reason.startswith("duplicate text of "):
        return "duplicate", reason[len("duplicate text of "):]
    if reason.startswith("near-duplicate of "):
        return "near-duplicate", _NEAR_DISTANCE.sub("", reason[len("near-duplicate of "):])
    if reason.startswith("URL ") and " holds the article of another page" in reason:
        return "url conflict", None
    return "no text", None


@MIGRATIONS()
def m012_rekey_entities(db: sqlite_utils.Database) -> None:
    """Version 12: every entity re-keyed to its canonical form (:func:`rekey_entities`)."""
    rekey_entities(db)


def _rebuild_entity_pairs(conn) -> None:
    conn.execute("DELETE FROM entity_pairs")
    conn.execute("INSERT INTO entity_pairs (a_id, b_id, articles) SELECT x.entity_id, y.entity_id, count(*) "
                 "FROM article_entities x JOIN article_entities y "
                 "ON y.article_id = x.article_id AND y.entity_id > x.entity_id GROUP BY x.entity_id, y.entity_id")
    conn.execute("DELETE FROM newsmine_state WHERE key = 'entity_pairs_stale'")


def _article_pairs(conn, article_id: int) -> list[tuple[int, int]]:
    ids = sorted(r[0] for r in conn.execute("SELECT entity_id FROM article_entities WHERE article_id = ?",
                                            [article_id]))
    return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:]]


def _add_article_pairs(conn, article_id: int) -> None:
    """Count one (newly written) article's pairs of entities in ``entity_pairs``."""
    conn.executemany("INSERT INTO entity_pairs (a_id, b_id, articles) VALUES (?, ?, 1) "
                     "ON CONFLICT (a_id, b_id) DO UPDATE SET articles = articles + 1",
                     _article_pairs(conn, article_id))


def _has_pair_table(db: sqlite_utils.Database) -> bool:
    """Whether the writer keeps ``entity_pairs`` (schema 9 on; cached per connection)."""
    has = getattr(db, "_newsmine_pairs", None)
    if has is None:
        has = db.conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'newsmine_state'").fetchone() is not None
        db._newsmine_pairs = has  # type: ignore[attr-defined]
    return has


@contextlib.contextmanager
def deferred_pairs(db: sqlite_utils.Database) -> Iterator[None]:
    """While a run writes many articles, skip the per-article ``entity_pairs`` update and
    rebuild the table once at the end (one GROUP BY: ~1 s per 10,000 articles).

    The first article written marks the table stale (in the article's own transaction), so
    the successor of a killed run rebuilds it even when it has nothing to write; a run that
    writes nothing rebuilds nothing. Readers see the previous counts until the run ends.
    """
    if not _has_pair_table(db):
        yield
        return
    db._newsmine_defer_pairs = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        db._newsmine_defer_pairs = False  # type: ignore[attr-defined]
    if db.conn.execute("SELECT 1 FROM newsmine_state WHERE key = 'entity_pairs_stale'").fetchone():
        with write_transaction(db):
            _rebuild_entity_pairs(db.conn)


def _simhash_columns(text: str, h: int | None = None) -> dict:
    from pipeline import dedup

    h = dedup.simhash(text) if h is None else h
    return {"simhash": dedup.to_signed(h), **{f"band{i}": b for i, b in enumerate(dedup.bands(h))}}


def near_duplicate(db: sqlite_utils.Database, simhash: int, exclude_url: str) -> tuple[str, int] | None:
    """URL and bit distance of a stored article whose SimHash is within the near-duplicate bound."""
    from pipeline import dedup

    where = " OR ".join(f"band{i} = ?" for i in range(dedup.BANDS))
    rows = db.query(f"SELECT url, simhash FROM articles WHERE ({where}) AND url != ? AND simhash IS NOT NULL",
                    [*dedup.bands(simhash), exclude_url])
    return dedup.closest(simhash, ((dedup.to_unsigned(r["simhash"]), r["url"]) for r in rows))


PLACE_COLUMNS = ("latitude", "longitude", "state", "geonames_id")


def _place_columns(place) -> dict:
    """The entity columns of a place: a dict with :data:`PLACE_COLUMNS` (a record's ``place``), an object
    with ``columns()`` (:class:`pipeline.places.Place`), or None (all NULL)."""
    if place is None:
        return dict.fromkeys(PLACE_COLUMNS)
    if isinstance(place, dict):
        return {c: place.get(c) for c in PLACE_COLUMNS}
    return place.columns()


def place_of(row) -> dict | None:
    """A record's ``place`` from an entity row (None when the row has no coordinates)."""
    return None if row["latitude"] is None else {c: row[c] for c in PLACE_COLUMNS}


def open_db(path: str | Path, *, migrate: bool = True, readonly: bool = False) -> sqlite_utils.Database:
    """Open (and by default create/upgrade) a newsmine database."""
    path = Path(path)
    if readonly and not path.exists():
        raise StoreError(f"database {path} does not exist (run `newsmine run` first)")
    if not readonly and path.parent and not path.parent.exists():
        raise StoreError(f"cannot create database {path}: folder {path.parent} does not exist")
    if not readonly and path.exists() and not is_writable(path):
        raise StoreError(f"database {path} is read-only here (its file or folder cannot be written): "
                         "`newsmine query` and `newsmine serve --read-only` read it; this command writes")
    try:
        db = sqlite_utils.Database(_connect_readonly(path) if readonly else path)
        db.execute("PRAGMA busy_timeout = 30000")
        if not readonly:
            db.enable_wal()
            # WAL + NORMAL: a crash of the process never loses a commit; only a power cut may
            # lose the last transactions (never corrupts). 4x faster page inserts (bench/fetch).
            db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        if migrate and not readonly:
            MIGRATIONS.apply(db)
    except Exception as err:  # sqlite3.OperationalError, DatabaseError ...
        raise StoreError(f"cannot open database {path}: {err}") from err
    return db


def is_writable(path: str | Path) -> bool:
    """True when this process may change the database file and create its journal files beside it
    (False on a read-only mount, whoever the user is)."""
    path = Path(path)
    return os.access(path, os.W_OK) and os.access(path.parent if str(path.parent) else Path("."), os.W_OK)


def readonly_uri(path: str | Path) -> str:
    """The SQLite URI that reads ``path`` without ever writing: ``mode=ro``; on a read-only mount, where
    SQLite cannot create the write-ahead log's index beside a WAL database, ``immutable=1`` (nothing
    can change the file there), unless a log with content is left beside it, which only a writable
    folder can replay (then ``mode=ro``, whose error says so)."""
    path = Path(path)
    uri = path.resolve().as_uri()
    try:
        with contextlib.closing(sqlite3.connect(f"{uri}?mode=ro", uri=True)) as conn:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return f"{uri}?mode=ro"
    except sqlite3.OperationalError:
        wal = path.with_name(path.name + "-wal")
        if is_writable(path) or (wal.exists() and wal.stat().st_size > 0):
            return f"{uri}?mode=ro"
    return f"{uri}?immutable=1"


def _connect_readonly(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(readonly_uri(path), uri=True)


def pending_migrations(db: sqlite_utils.Database) -> list[str]:
    """Names of the schema migrations this database still lacks."""
    return [m.name for m in MIGRATIONS.pending(db)]


def schema_version(db: sqlite_utils.Database) -> int:
    return len(MIGRATIONS.applied(db))


# --- writes --------------------------------------------------------------------------


def upsert_source(db: sqlite_utils.Database, name: str, kind: str, url: str | None,
                  region: Iterable[str] = (), config: dict | None = None) -> None:
    db["sources"].upsert({"name": name, "kind": kind, "url": url,
                          "region": json.dumps(list(region), ensure_ascii=False),
                          "config": json.dumps(config or {}, ensure_ascii=False),
                          "added_at": utcnow()}, pk="name")


def save_page(db: sqlite_utils.Database, *, url: str, source: str | None, status: int | None,
              body: bytes | None, final_url: str | None = None, content_type: str | None = None,
              charset: str | None = None, etag: str | None = None, last_modified: str | None = None,
              error: str | None = None, elapsed_ms: float | None = None, attempts: int = 1,
              fetched_at: str | None = None) -> int:
    """Record a fetch outcome; keeps stored HTML when the new fetch brought none.

    A failed fetch (``error``) makes the page's outcome ``failed``. A successful one clears the outcome
    of processing (the page is processed again), except ``ok`` while the HTML is unchanged: its article
    is still the one of this HTML.
    """
    existing = next(db["pages"].rows_where("url = ?", [url], limit=1), None)
    row = {"url": url, "final_url": final_url, "source": source, "status": status, "error": error,
           "elapsed_ms": elapsed_ms, "attempts": attempts, "fetched_at": fetched_at or utcnow(),
           "outcome": "failed" if error else None, "duplicate_of": None}
    if (not error and existing and existing.get("outcome") == "ok"
            and (body is None or sha256(body) == existing.get("content_sha256"))):
        row["outcome"] = "ok"
    if body is not None:
        row.update(html_gz=gzip.compress(body, 6), content_sha256=sha256(body), etag=etag,
                   last_modified=last_modified, content_type=content_type, charset=charset)
    elif existing is None:
        row.update(content_type=content_type, charset=charset)
    elif etag or last_modified:
        row.update(etag=etag, last_modified=last_modified)
    if existing:
        db["pages"].update(existing["id"], row)
        return existing["id"]
    return db["pages"].insert(row).last_pk


def record_outcome(db: sqlite_utils.Database, page_id: int, outcome: str, error: str | None = None,
                   duplicate_of: str | None = None) -> None:
    """Record what processing made of a page that gives no article (``ok`` is written with the article)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown page outcome {outcome!r} (one of {', '.join(OUTCOMES)})")
    db.execute("UPDATE pages SET outcome = ?, error = ?, duplicate_of = ? WHERE id = ?",
               [outcome, error, duplicate_of, page_id])


def page_html(db: sqlite_utils.Database, page_id: int) -> bytes | None:
    row = db["pages"].get(page_id)
    return gzip.decompress(row["html_gz"]) if row.get("html_gz") else None


@dataclass
class ArticleRecord:
    """Everything written for one article, in one transaction."""

    url: str
    title: str | None
    text: str
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    language: str | None = "de"
    lead: str | None = None
    section: str | None = None
    source: str | None = None
    page_id: int | None = None
    extractor_version: str | None = None
    model: str | None = None
    # start, end, label, text, sentence; canonical (the entity's name), key (default
    # entity_key(label, canonical)), place (dict of PLACE_COLUMNS, or None: set on a new entity)
    entities: list[dict] = field(default_factory=list)
    money: list[dict] = field(default_factory=list)  # start, end, text, value_eur, high_eur, qualifier, sentence, years
    money_version: str | None = None
    page_sha256: str | None = None
    # start, end, text, person, party, affiliation; person_key (default entity_key("PER", person))
    roles: list[dict] = field(default_factory=list)
    quotes: list[dict] = field(default_factory=list)  # start, end, text, speaker; speaker_key (as person_key)
    facts_version: str | None = None
    simhash: int | None = None  # of ``text``; computed on save when not given


class EntityCache(dict):
    """Entity key -> [id, aliases] seen by the single writer of a run: saves a query per mention.

    Valid for one sequence of writes by one connection; drop it when a transaction rolls back.
    """


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[None]:
    """Like ``db.atomic()``, but takes the write lock first (``BEGIN IMMEDIATE``).

    A deferred transaction that reads before it writes fails at once with "database is locked"
    (SQLITE_BUSY_SNAPSHOT, no busy timeout) when another connection commits in between;
    ``BEGIN IMMEDIATE`` waits for the lock instead (tests/test_concurrency.py).
    """
    if db.conn.in_transaction:  # already writing: a savepoint inside that transaction
        with db.atomic():
            yield
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        with db.atomic():  # nested: a savepoint
            yield
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def save_article(db: sqlite_utils.Database, rec: ArticleRecord) -> int:
    """Insert or replace an article with its mentions and amounts (atomic)."""
    return save_articles(db, [rec])[0]


def save_articles(db: sqlite_utils.Database, recs: list[ArticleRecord],
                  cache: EntityCache | None = None) -> list[int]:
    """Insert or replace articles with their mentions, amounts, roles and quotes, in one transaction.

    ``cache`` (an :class:`EntityCache` kept across calls by one writer) saves the entity lookups;
    it is cleared when the transaction fails.
    """
    try:
        with write_transaction(db):
            return [_save_one(db, rec, cache) for rec in recs]
    except BaseException:
        if cache is not None:
            cache.clear()
        raise


_CHILD_SQL = {  # plain executemany: no per-call table introspection (bench/RESULTS.md, store)
    "mentions": 'INSERT INTO mentions (article_id, entity_id, start, "end", text, label, sentence, model) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "money": 'INSERT INTO money (article_id, start, "end", text, value_eur, high_eur, qualifier, sentence, years, '
             "parser_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "roles": 'INSERT INTO roles (article_id, entity_id, start, "end", text, person, party, affiliation, version) '
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "quotes": 'INSERT INTO quotes (article_id, start, "end", text, speaker, version, speaker_entity_id) '
              "VALUES (?, ?, ?, ?, ?, ?, ?)",
}


def _save_one(db: sqlite_utils.Database, rec: ArticleRecord, cache: EntityCache | None) -> int:
    row = {
        "url": rec.url, "page_id": rec.page_id, "source": rec.source, "title": rec.title,
        "published": rec.published, "modified": rec.modified,
        "authors": json.dumps(rec.authors, ensure_ascii=False),
        "agencies": json.dumps(rec.agencies, ensure_ascii=False), "text": rec.text,
        "language": rec.language, "word_count": len(rec.text.split()),
        "content_sha256": sha256(rec.text), "extractor_version": rec.extractor_version,
        "model": rec.model, "processed_at": utcnow(), "lead": rec.lead, "section": rec.section,
        "page_sha256": rec.page_sha256,
        **_simhash_columns(rec.text, rec.simhash),
    }
    columns, values = list(row), list(row.values())
    conn = db.conn
    existing = conn.execute("SELECT id FROM articles WHERE url = ?", [rec.url]).fetchone()
    if existing:
        article_id = existing[0]
        for table in _CHILD_SQL:
            conn.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])
        conn.execute(f"UPDATE articles SET {', '.join(f'[{c}] = ?' for c in columns)} WHERE id = ?",
                     [*values, article_id])
    else:
        article_id = conn.execute(f"INSERT INTO articles ({', '.join(f'[{c}]' for c in columns)}) "
                                  f"VALUES ({', '.join('?' * len(columns))})", values).lastrowid
    conn.executemany(_CHILD_SQL["mentions"], [
        (article_id, entity_id(db, ent["label"], ent.get("canonical", ent["text"]), ent["text"], cache,
                               key=ent.get("key"), place=ent.get("place")),
         ent["start"], ent["end"], ent["text"], ent["label"], ent.get("sentence"), rec.model)
        for ent in rec.entities])
    conn.executemany(_CHILD_SQL["money"], [
        (article_id, m["start"], m["end"], m["text"], m["value_eur"], m.get("high_eur"), m.get("qualifier"),
         m.get("sentence"), json.dumps(m.get("years") or []), rec.money_version) for m in rec.money])
    conn.executemany(_CHILD_SQL["roles"], [
        (article_id, entity_id(db, "PER", r["person"], r["person"], cache, key=r.get("person_key")),
         r["start"], r["end"], r["text"], r["person"], r.get("party"), r.get("affiliation"), rec.facts_version)
        for r in rec.roles])
    conn.executemany(_CHILD_SQL["quotes"], [
        (article_id, q["start"], q["end"], q["text"], q.get("speaker"), rec.facts_version,
         entity_id(db, "PER", q["speaker"], q["speaker"], cache, key=q.get("speaker_key"))
         if q.get("speaker") else None)
        for q in rec.quotes])
    if rec.page_id is not None:  # the page's outcome, in the article's transaction
        conn.execute("UPDATE pages SET outcome = 'ok', error = NULL, duplicate_of = NULL WHERE id = ?",
                     [rec.page_id])
    if _has_pair_table(db):
        if getattr(db, "_newsmine_defer_pairs", False):
            conn.execute("INSERT OR IGNORE INTO newsmine_state (key, value) VALUES ('entity_pairs_stale', ?)",
                         [row["processed_at"]])
        else:
            _add_article_pairs(conn, article_id)
    return article_id


def entity_id(db: sqlite_utils.Database, label: str, name: str, surface: str,
              cache: EntityCache | None = None, *, key: str | None = None, place=None) -> int:
    """The id of the entity ``key`` (default ``entity_key(label, name)``), created on first sight with
    ``name`` and the columns of ``place`` (see :func:`_place_columns`); ``surface`` becomes an alias
    when it differs from ``name``. Names, keys and places are decided by the caller
    (:func:`pipeline.resolve.resolve_mentions`); the store writes them as given."""
    key = key or entity_key(label, name)
    hit = cache.get(key) if cache is not None else None
    if hit is None:
        entity = db.execute("SELECT id, aliases FROM entities WHERE key = ?", [key]).fetchone()
        if entity is None:
            aliases = [surface] if surface != name else []
            row = {"key": key, "label": label, "name": name, "aliases": json.dumps(aliases, ensure_ascii=False)}
            if place is not None:
                row.update(_place_columns(place))
            eid = db.execute(f"INSERT INTO entities ({', '.join(row)}) "  # commits when outside a transaction
                             f"VALUES ({', '.join('?' * len(row))})", list(row.values())).lastrowid
            if cache is not None:
                cache[key] = [eid, aliases]
            return eid
        hit = [entity[0], json.loads(entity[1] or "[]")]
        if cache is not None:
            cache[key] = hit
    eid, aliases = hit
    if surface != name and surface not in aliases:
        aliases.append(surface)
        db.execute("UPDATE entities SET aliases = ? WHERE id = ?",
                   [json.dumps(aliases, ensure_ascii=False), eid])
    return eid


# --- reads ---------------------------------------------------------------------------


def read_records(db: sqlite_utils.Database | sqlite3.Connection, first_page: int | None = None,
                 last_page: int | None = None) -> Iterator[ArticleRecord]:
    """The stored articles (of pages ``first_page..last_page``, when given) as the records that wrote
    them, in page order: :func:`save_articles` writes them again to the same rows. Each mention carries
    its entity's name, key and place; each role and quote its person's key."""
    from pipeline import dedup

    conn = db.conn if isinstance(db, sqlite_utils.Database) else db
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    where, params = "", []
    if first_page is not None and last_page is not None:
        where, params = "WHERE page_id BETWEEN ? AND ?", [first_page, last_page]
    articles = list(cur.execute(f"SELECT * FROM articles {where} ORDER BY page_id, id", params))
    these = f"article_id IN (SELECT id FROM articles {where})"
    children: dict[str, dict[int, list]] = {}
    for table, sql in (
            ("mentions", "SELECT m.*, e.name AS e_name, e.key AS e_key, e.latitude, e.longitude, e.state, "
                         f"e.geonames_id FROM mentions m LEFT JOIN entities e ON e.id = m.entity_id WHERE {these} "
                         "ORDER BY m.id"),
            ("money", f"SELECT * FROM money WHERE {these} ORDER BY id"),
            ("roles", "SELECT r.*, e.key AS e_key FROM roles r LEFT JOIN entities e ON e.id = r.entity_id "
                      f"WHERE {these} ORDER BY r.id"),
            ("quotes", "SELECT q.*, e.key AS e_key FROM quotes q LEFT JOIN entities e ON e.id = q.speaker_entity_id "
                       f"WHERE {these} ORDER BY q.id")):
        rows: dict[int, list] = {}
        for r in cur.execute(sql, params):
            rows.setdefault(r["article_id"], []).append(r)
        children[table] = rows
    for a in articles:
        mentions = [{"start": m["start"], "end": m["end"], "label": m["label"], "text": m["text"],
                     "sentence": m["sentence"], "canonical": m["e_name"] if m["e_key"] else m["text"],
                     "key": m["e_key"], "place": place_of(m) if m["e_key"] else None}
                    for m in children["mentions"].get(a["id"], [])]
        money = [{"start": m["start"], "end": m["end"], "text": m["text"], "value_eur": m["value_eur"],
                  "high_eur": m["high_eur"], "qualifier": m["qualifier"], "sentence": m["sentence"],
                  "years": json.loads(m["years"] or "[]"), "parser_version": m["parser_version"]}
                 for m in children["money"].get(a["id"], [])]
        roles = [{"start": r["start"], "end": r["end"], "text": r["text"], "person": r["person"],
                  "party": r["party"], "affiliation": r["affiliation"], "person_key": r["e_key"],
                  "version": r["version"]} for r in children["roles"].get(a["id"], [])]
        quotes = [{"start": q["start"], "end": q["end"], "text": q["text"], "speaker": q["speaker"],
                   "speaker_key": q["e_key"], "version": q["version"]} for q in children["quotes"].get(a["id"], [])]
        yield ArticleRecord(
            url=a["url"], title=a["title"], text=a["text"], published=a["published"], modified=a["modified"],
            authors=json.loads(a["authors"] or "[]"), agencies=json.loads(a["agencies"] or "[]"),
            language=a["language"], lead=a["lead"], section=a["section"], source=a["source"],
            page_id=a["page_id"], extractor_version=a["extractor_version"], model=a["model"],
            entities=mentions, money=money, money_version=money[0]["parser_version"] if money else None,
            page_sha256=a["page_sha256"], roles=roles, quotes=quotes,
            facts_version=(roles or quotes or [{}])[0].get("version"),
            simhash=None if a["simhash"] is None else dedup.to_unsigned(a["simhash"]))


# --- re-keying -------------------------------------------------------------------------


@dataclass
class _Target:
    """An entity as the re-keying decides it: by its first occurrence in write order, as a run makes it."""

    label: str
    name: str
    place: object
    aliases: list[str] = field(default_factory=list)
    old_ids: list[int] = field(default_factory=list)

    def add(self, name: str, surface: str, old_id: int | None) -> None:
        if surface != name and surface not in self.aliases:
            self.aliases.append(surface)
        if old_id is not None and old_id not in self.old_ids:
            self.old_ids.append(old_id)


def rekey_entities(db: sqlite_utils.Database, resolve=None) -> dict:
    """Re-resolve every stored article's mentions and re-point all rows to the entities they name now.

    ``resolve`` is :func:`pipeline.resolve.resolve_mentions` (``(text, mentions, region=...) -> [Resolved(name,
    key, place)]``, imported only when there is something to re-key; it needs no spaCy model). Per article,
    in id order: its mentions are resolved with the article text and its source's region; a role's
    ``person`` and a quote's ``speaker`` take the key of the PER mention of that article with the same
    canonical name (new, else old; else the same surface), else ``entity_key("PER", name)``. A correction with an entity takes
    the key of the model mention at its span, else its span resolved in its article (or alone, when the
    article is gone).

    Entities that now share a key are merged into one row: the row that already has the key, else the
    lowest id among them (so ids stay where they can); the name, label and place columns of the first
    occurrence (as a fresh run writes them); the aliases of a fresh run followed by the old aliases and
    old names of the merged rows. Mentions, roles, quotes and corrections are re-pointed (no row added
    or removed), entities nobody references any more are deleted (entities nobody referenced before are
    left alone), and ``article_entities`` and ``entity_pairs`` are counted again. Returns counts
    (``entities_before``, ``entities_after``, ``created``, ``deleted``, ``repointed``).
    """
    conn = db.conn
    tables = set(db.table_names())
    ref_sql = [("mentions", "entity_id"), ("roles", "entity_id"), ("quotes", "speaker_entity_id")]
    if "corrections" in tables:
        ref_sql.append(("corrections", "entity_id"))
    referenced = set()
    for table, column in ref_sql:
        referenced |= {r[0] for r in conn.execute(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL")}
    stats = {"entities_before": conn.execute("SELECT count(*) FROM entities").fetchone()[0],
             "created": 0, "deleted": 0, "repointed": 0}
    if not referenced and not conn.execute("SELECT 1 FROM mentions LIMIT 1").fetchone():
        stats["entities_after"] = stats["entities_before"]
        return stats
    if resolve is None:
        from pipeline.resolve import resolve_mentions as resolve
    old = {r[0]: {"key": r[1], "name": r[2], "aliases": json.loads(r[3] or "[]")}
           for r in conn.execute("SELECT id, key, name, aliases FROM entities")}
    regions = {r[0]: region_list(r[1]) for r in conn.execute("SELECT name, region FROM sources")}
    targets: dict[str, _Target] = {}
    assign: dict[str, list[tuple[int, int | None, str]]] = {t: [] for t, _ in ref_sql}  # row id, old id, key

    def occur(table: str, row_id: int, old_id: int | None, label: str, resolved, surface: str) -> None:
        name, key, place = resolved
        target = targets.get(key)
        if target is None:
            target = targets[key] = _Target(label, name, place)
        target.add(name, surface, old_id)
        assign[table].append((row_id, old_id, key))

    def resolved_of(r) -> tuple[str, str, object]:
        return r.name, r.key, r.place

    articles = conn.execute("SELECT a.id, a.text, a.source FROM articles a ORDER BY a.id").fetchall()
    span_keys: dict[tuple[int, int, int, str], tuple[str, str, object]] = {}
    for article_id, text, source in articles:
        text = text or ""
        region = regions.get(source, [])
        mentions = conn.execute('SELECT id, start, "end", label, text, entity_id FROM mentions '
                                "WHERE article_id = ? ORDER BY id", [article_id]).fetchall()
        spans = [{"start": m[1], "end": m[2], "label": m[3], "text": m[4]} for m in mentions]
        results = [resolved_of(r) for r in resolve(text, spans, region=region)] if spans else []
        people: dict[str, tuple[str, str, object]] = {}
        for m, res in zip(mentions, results):
            occur("mentions", m[0], m[5], m[3], res, m[4])
            span_keys.setdefault((article_id, m[1], m[2], m[3]), res)
            if m[3] == "PER":
                people.setdefault(res[0], res)
        for m, res in zip(mentions, results):  # an old canonical name still finds its person, then a surface
            if m[3] == "PER" and m[5] in old:
                people.setdefault(old[m[5]]["name"], res)
        for m, res in zip(mentions, results):
            if m[3] == "PER":
                people.setdefault(m[4], res)

        for table, sql in (("roles", "SELECT id, person, entity_id FROM roles"),
                           ("quotes", "SELECT id, speaker, speaker_entity_id FROM quotes")):
            for row_id, name, old_id in conn.execute(f"{sql} WHERE article_id = ? ORDER BY id", [article_id]):
                if old_id is not None and name:  # the person's entity: named as the role or quote names them
                    found = people.get(name)
                    occur(table, row_id, old_id, "PER", (name, found[1] if found else entity_key("PER", name), None),
                          name)
    if "corrections" in tables:
        texts = {a[0]: (a[1] or "", regions.get(a[2], [])) for a in articles}
        for c in conn.execute('SELECT id, article_id, start, "end", text, label, entity_id FROM corrections '
                              "WHERE entity_id IS NOT NULL AND label IS NOT NULL ORDER BY id").fetchall():
            cid, article_id, start, end, span, label, old_id = c
            res = span_keys.get((article_id, start, end, label))
            if res is None:
                span_dict = {"start": start, "end": end, "label": label, "text": span}
                if article_id in texts:
                    text, region = texts[article_id]
                    others = [{"start": m[0], "end": m[1], "label": m[2], "text": m[3]} for m in conn.execute(
                        'SELECT start, "end", label, text FROM mentions WHERE article_id = ? ORDER BY id',
                        [article_id]) if not (m[0] < end and start < m[1])]
                    res = resolved_of(resolve(text, [*others, span_dict], region=region)[-1])
                else:
                    res = resolved_of(resolve(span, [{**span_dict, "start": 0, "end": len(span)}])[-1])
            occur("corrections", cid, old_id, label, res, span)

    # one row per key: the row holding the key, else the lowest old id among its occurrences, else a new row
    key_holder = {o["key"]: i for i, o in old.items()}
    ids: dict[str, int] = {}
    for key in targets:
        if key in key_holder:
            ids[key] = key_holder[key]
    claimed = set(ids.values())
    for key, target in targets.items():
        if key not in ids:
            free = sorted(i for i in target.old_ids if i not in claimed)
            if free:
                ids[key] = free[0]
                claimed.add(free[0])
    for key, target in targets.items():
        kept = ids.get(key)
        merged = [i for i in target.old_ids if i != kept]
        aliases = list(target.aliases)
        for i in ([kept] if kept in old else []) + merged:
            for alias in [*old[i]["aliases"], old[i]["name"]]:
                if alias != target.name and alias not in aliases:
                    aliases.append(alias)
        row = {"key": key, "label": target.label, "name": target.name,
               "aliases": json.dumps(aliases, ensure_ascii=False), **_place_columns(target.place)}
        if kept is None:
            ids[key] = conn.execute(f"INSERT INTO entities ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                                    list(row.values())).lastrowid
            stats["created"] += 1
        else:
            conn.execute(f"UPDATE entities SET {', '.join(f'[{c}] = ?' for c in row)} WHERE id = ?",
                         [*row.values(), kept])
    for table, column in ref_sql:
        changes = [(ids[key], row_id) for row_id, old_id, key in assign[table] if ids[key] != old_id]
        conn.executemany(f"UPDATE {table} SET {column} = ? WHERE id = ?", changes)
        stats["repointed"] += len(changes)
    still = set()
    for table, column in ref_sql:
        still |= {r[0] for r in conn.execute(f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL")}
    unused = sorted(referenced - still)
    for i in range(0, len(unused), 500):
        chunk = unused[i:i + 500]
        conn.execute(f"DELETE FROM entities WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
    stats["deleted"] = len(unused)
    if "article_entities" in tables:  # counted again from the re-pointed mentions
        conn.execute("DELETE FROM entity_pairs")
        conn.execute("DELETE FROM article_entities")
        conn.execute("INSERT INTO article_entities SELECT article_id, entity_id, count(*) FROM mentions "
                     "WHERE entity_id IS NOT NULL GROUP BY article_id, entity_id")
        if "newsmine_state" in tables:
            _rebuild_entity_pairs(conn)
        else:
            conn.execute("INSERT INTO entity_pairs SELECT x.entity_id, y.entity_id, count(*) FROM article_entities x "
                         "JOIN article_entities y ON y.article_id = x.article_id AND y.entity_id > x.entity_id "
                         "GROUP BY x.entity_id, y.entity_id")
    stats["entities_after"] = conn.execute("SELECT count(*) FROM entities").fetchone()[0]
    return stats


def region_list(value: str | None) -> list[str]:
    """A source's ``region`` column (JSON list of names) as a list (empty when unreadable)."""
    try:
        region = json.loads(value or "[]")
    except ValueError:
        return []
    return [r for r in region if isinstance(r, str)] if isinstance(region, list) else []


def start_run(db: sqlite_utils.Database, command: str, config: str | None, model: str | None,
              extractor_version: str | None) -> int:
    from pipeline import __version__

    # a run still marked running was killed: newsmine has a single writer per database
    db.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
    return db["runs"].insert({"started_at": utcnow(), "command": command, "config": config,
                              "model": model, "extractor_version": extractor_version,
                              "newsmine_version": __version__, "status": "running",
                              "counts": "{}"}).last_pk


def finish_run(db: sqlite_utils.Database, run_id: int, counts: dict, status: str = "ok") -> None:
    db["runs"].update(run_id, {"finished_at": utcnow(), "status": status,
                               "counts": json.dumps(counts, ensure_ascii=False)})


def failure_reason(err: BaseException) -> str:
    """One line for why a run stopped (``database or disk is full``, ``KeyboardInterrupt``)."""
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


RESERVE_BYTES = 256 * 1024
"""Disk space held next to the database during a run (``<db>-reserve``), given back when the disk is
full so that the run row can still say ``failed`` (its update needs a few pages of write-ahead log)."""


def database_file(db: sqlite_utils.Database) -> Path | None:
    """The file of the main database (None for an in-memory one)."""
    row = db.execute("PRAGMA database_list").fetchone()
    return Path(row[2]) if row and row[2] else None


def reserve_space(db: sqlite_utils.Database) -> Path | None:
    """Write :data:`RESERVE_BYTES` to ``<db>-reserve`` (None where that cannot be done: no file, no room)."""
    path = database_file(db)
    if path is None:
        return None
    reserve = path.with_name(path.name + "-reserve")
    try:
        with open(reserve, "wb") as fh:
            fh.write(b"\0" * RESERVE_BYTES)  # real blocks, not a sparse file
        return reserve
    except OSError:
        with contextlib.suppress(OSError):
            reserve.unlink()
        return None


def release_space(reserve: Path | None) -> None:
    if reserve is not None:
        with contextlib.suppress(OSError):
            reserve.unlink()


def fail_run(db: sqlite_utils.Database, run_id: int, counts: dict, reserve: Path | None = None) -> bool:
    """Mark a run ``failed`` after an error, whatever state the connection was left in; True if recorded.

    A write that failed for lack of disk space (SQLITE_FULL) leaves no room for the run row's update,
    so the space reserved by :func:`reserve_space` is given back first. The failed transaction is
    rolled back; where the connection still refuses to write (SQLite keeps a pager in its error state
    while a statement is open), a second connection writes the row. Where even that fails, the row
    stays ``running`` and the next run marks it ``interrupted``.
    """
    release_space(reserve)
    try:
        if db.conn.in_transaction:
            db.conn.rollback()
        finish_run(db, run_id, counts, "failed")
        return True
    except sqlite3.Error:
        with contextlib.suppress(sqlite3.Error):
            if db.conn.in_transaction:
                db.conn.rollback()
    path = database_file(db)
    if path is None:
        return False
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as conn:
            conn.execute("UPDATE runs SET finished_at = ?, status = 'failed', counts = ? WHERE id = ?",
                         [utcnow(), json.dumps(counts, ensure_ascii=False), run_id])
        return True
    except sqlite3.Error:
        return False


def summary(db: sqlite_utils.Database) -> dict:
    """Counts for the end-of-run summary."""
    counts = {"articles": db["articles"].count, "pages": db["pages"].count,
              "entities": db["entities"].count, "money": db["money"].count}
    for row in db.query("SELECT label, count(*) AS n FROM mentions GROUP BY label ORDER BY label"):
        counts[f"mentions_{row['label']}"] = row["n"]
    return counts
