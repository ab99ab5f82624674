"""The SQLite store: schema, migrations and the writes of a run.

Opened through sqlite-utils with WAL journaling, foreign keys and a busy timeout.
The schema is a list of migrations (``sqlite_utils.Migrations``), so an older
database is upgraded in place. Every article is written in one transaction
together with its mentions and amounts: readers never see half an article.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

SCHEMA_VERSION = 10
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
    """Version 4: coordinates, federal state and GeoNames id for LOC entities (filled in place)."""
    from pipeline.places import lookup

    for column, kind in (("latitude", float), ("longitude", float), ("state", str), ("geonames_id", int)):
        db["entities"].add_column(column, kind)
    for row in list(db.query("SELECT id, name FROM entities WHERE label = 'LOC'")):
        place = lookup(row["name"])
        if place is not None:
            db["entities"].update(row["id"], _place_columns(place))


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
    """Version 6: reviewers' corrections and the views that apply them (see pipeline/corrections.py)."""
    from pipeline import corrections

    corrections.create_schema(db)


@MIGRATIONS()
def m007_review_indexes(db: sqlite_utils.Database) -> None:
    """Version 7: indexes for the review UI's canned queries (bench/canned_queries.py)."""
    from pipeline import corrections

    corrections.create_indexes(db)


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


def _place_columns(place) -> dict:
    return {"latitude": place.lat, "longitude": place.lon, "state": place.state,
            "geonames_id": place.geonames_id}


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


def normalise_name(name: str) -> str:
    """Key part of an entity name: NFC, casefolded, whitespace and hyphens unified."""
    name = unicodedata.normalize("NFC", name).casefold()
    name = re.sub(r"[\u2010-\u2015-]", "-", name)
    return " ".join(name.split())


def entity_key(label: str, name: str) -> str:
    return f"{label}:{normalise_name(name)}"


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
    """Record a fetch outcome; keeps stored HTML when the new fetch brought none."""
    existing = next(db["pages"].rows_where("url = ?", [url], limit=1), None)
    row = {"url": url, "final_url": final_url, "source": source, "status": status, "error": error,
           "elapsed_ms": elapsed_ms, "attempts": attempts, "fetched_at": fetched_at or utcnow()}
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
    entities: list[dict] = field(default_factory=list)  # start, end, label, text, sentence
    money: list[dict] = field(default_factory=list)  # start, end, text, value_eur, high_eur, qualifier, sentence, years
    money_version: str | None = None
    page_sha256: str | None = None
    roles: list[dict] = field(default_factory=list)  # start, end, text, person, party, affiliation
    quotes: list[dict] = field(default_factory=list)  # start, end, text, speaker
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
    if all("canonical" in e for e in rec.entities):
        canonical = [e["canonical"] for e in rec.entities]
    else:
        from pipeline.nlp.facts import link_mentions

        canonical = link_mentions(rec.entities, rec.text)
    conn.executemany(_CHILD_SQL["mentions"], [
        (article_id, _entity_id(db, ent["label"], name, ent["text"], cache), ent["start"], ent["end"],
         ent["text"], ent["label"], ent.get("sentence"), rec.model)
        for ent, name in zip(rec.entities, canonical)])
    conn.executemany(_CHILD_SQL["money"], [
        (article_id, m["start"], m["end"], m["text"], m["value_eur"], m.get("high_eur"), m.get("qualifier"),
         m.get("sentence"), json.dumps(m.get("years") or []), rec.money_version) for m in rec.money])
    conn.executemany(_CHILD_SQL["roles"], [
        (article_id, _entity_id(db, "PER", r["person"], r["person"], cache), r["start"], r["end"], r["text"],
         r["person"], r.get("party"), r.get("affiliation"), rec.facts_version) for r in rec.roles])
    conn.executemany(_CHILD_SQL["quotes"], [
        (article_id, q["start"], q["end"], q["text"], q.get("speaker"), rec.facts_version,
         _entity_id(db, "PER", q["speaker"], q["speaker"], cache) if q.get("speaker") else None)
        for q in rec.quotes])
    if _has_pair_table(db):
        if getattr(db, "_newsmine_defer_pairs", False):
            conn.execute("INSERT OR IGNORE INTO newsmine_state (key, value) VALUES ('entity_pairs_stale', ?)",
                         [row["processed_at"]])
        else:
            _add_article_pairs(conn, article_id)
    return article_id


def _entity_id(db: sqlite_utils.Database, label: str, name: str, surface: str,
               cache: EntityCache | None = None) -> int:
    """The canonical entity for ``name`` (created on first sight); ``surface`` becomes an alias."""
    key = entity_key(label, name)
    hit = cache.get(key) if cache is not None else None
    if hit is None:
        entity = db.execute("SELECT id, aliases FROM entities WHERE key = ?", [key]).fetchone()
        if entity is None:
            aliases = [surface] if surface != name else []
            row = {"key": key, "label": label, "name": name, "aliases": json.dumps(aliases, ensure_ascii=False)}
            if label == "LOC":
                from pipeline.places import lookup

                place = lookup(name)
                if place is not None:
                    row.update(_place_columns(place))
            entity_id = db.execute(f"INSERT INTO entities ({', '.join(row)}) "  # commits when outside a transaction
                                   f"VALUES ({', '.join('?' * len(row))})", list(row.values())).lastrowid
            if cache is not None:
                cache[key] = [entity_id, aliases]
            return entity_id
        hit = [entity[0], json.loads(entity[1] or "[]")]
        if cache is not None:
            cache[key] = hit
    entity_id, aliases = hit
    if surface != name and surface not in aliases:
        aliases.append(surface)
        db.execute("UPDATE entities SET aliases = ? WHERE id = ?",
                   [json.dumps(aliases, ensure_ascii=False), entity_id])
    return entity_id


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
