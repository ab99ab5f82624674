"""A page's outcome is a column (``pages.outcome``, ``pages.duplicate_of``), not a prefix of ``pages.error`` (#22).

Outcomes: ``ok``, ``duplicate``, ``near-duplicate`` (``duplicate_of``: the original article's URL),
``no text``, ``url conflict``, ``failed`` (the last fetch failed), NULL (not processed since its fetch).
``error`` keeps the reason. An older database gets the column filled from its error strings (m011).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from pipeline import dedup, run, store
from pipeline.extract import EXTRACTOR_VERSION

ROOT = Path(__file__).resolve().parent.parent


def _old_database(path: Path):
    """A database of schema 10 (before the outcome column), as the code of that time left it."""
    db = store.open_db(path, migrate=False)
    db.enable_wal()
    store.MIGRATIONS.apply(db, stop_before="m011_page_outcome")
    assert "outcome" not in db["pages"].columns_dict
    return db


LEGACY = [  # url, error, has article -> outcome, duplicate_of
    ("https://e.org/ok", None, True, "ok", None),
    ("https://e.org/new", None, False, None, None),
    ("https://e.org/copy", "extract: duplicate text of https://e.org/ok", False, "duplicate", "https://e.org/ok"),
    ("https://f.org/near", "extract: near-duplicate of https://e.org/ok (simhash distance 4)", False,
     "near-duplicate", "https://e.org/ok"),
    ("https://e.org/video", "extract: no main text", False, "no text", None),
    ("https://e.org/deep", "extract: no main text (parser resource limit: nesting deeper than 2000)", False,
     "no text", None),
    ("https://e.org/boom", "extract: ValueError: bad", False, "no text", None),
    ("https://e.org/sec", "extract: URL https://e.org/ok holds the article of another page (id 1) with a different "
     "text", False, "url conflict", None),
    ("https://e.org/gone", "http 404", False, "failed", None),
    ("https://e.org/slow", "timeout after 3 attempts", True, "failed", None),
]


def test_old_database_gets_its_outcomes_from_the_error_strings(tmp_path):
    db = _old_database(tmp_path / "old.db")
    for url, error, has_article, *_ in LEGACY:
        page_id = db["pages"].insert({"url": url, "status": 200, "error": error, "html_gz": b"x"}).last_pk
        if has_article:
            db["articles"].insert({"url": url + "#a", "page_id": page_id, "text": "Text"})
    db.close()
    db = store.open_db(tmp_path / "old.db")
    got = [(r["url"], r["error"], r["outcome"], r["duplicate_of"]) for r in db.query("SELECT * FROM pages ORDER BY id")]
    assert got == [(url, error, outcome, dup) for url, error, _, outcome, dup in LEGACY]  # error kept as it was
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert "idx_pages_failed_fetches" in indexes and "idx_pages_failed" not in indexes
    plan = db.execute("EXPLAIN QUERY PLAN SELECT id FROM pages WHERE outcome = 'failed' ORDER BY fetched_at DESC")
    assert "idx_pages_failed_fetches" in " ".join(str(r) for r in plan)


def test_fetches_set_failed_and_clear_what_processing_decided(tmp_path):
    db = store.open_db(tmp_path / "n.db")

    def outcome(url: str) -> tuple:
        return db.execute("SELECT outcome, duplicate_of, error FROM pages WHERE url = ?", [url]).fetchone()

    store.save_page(db, url="https://e.org/a", source=None, status=None, body=None, error="timeout")
    assert outcome("https://e.org/a") == ("failed", None, "timeout")
    page = store.save_page(db, url="https://e.org/a", source=None, status=200, body=b"<p>A</p>")
    assert outcome("https://e.org/a") == (None, None, None)  # fetched, not processed yet
    store.save_article(db, store.ArticleRecord(url="https://e.org/a", title="A", text="A", page_id=page))
    assert outcome("https://e.org/a") == ("ok", None, None)
    store.save_page(db, url="https://e.org/a", source=None, status=304, body=None)
    assert outcome("https://e.org/a") == ("ok", None, None)  # same HTML: its article stands
    store.save_page(db, url="https://e.org/a", source=None, status=200, body=b"<p>A</p>")
    assert outcome("https://e.org/a")[0] == "ok"
    store.save_page(db, url="https://e.org/a", source=None, status=200, body=b"<p>A, changed</p>")
    assert outcome("https://e.org/a")[0] is None  # new HTML: to be processed
    copy = store.save_page(db, url="https://e.org/b", source=None, status=200, body=b"<p>A</p>")
    store.record_outcome(db, copy, "duplicate", "extract: duplicate text of https://e.org/a", "https://e.org/a")
    assert outcome("https://e.org/b") == ("duplicate", "https://e.org/a", "extract: duplicate text of https://e.org/a")
    store.save_page(db, url="https://e.org/b", source=None, status=304, body=None)
    assert outcome("https://e.org/b") == (None, None, None)  # decided again by the next run, as before
    with pytest.raises(ValueError, match="unknown page outcome"):
        store.record_outcome(db, copy, "duplicated")


def _analysed(page_id: int, url: str, text: str) -> run.Analysed:
    rec = store.ArticleRecord(url=url, title="T", text=text, page_id=page_id, simhash=dedup.simhash(text),
                              extractor_version=EXTRACTOR_VERSION, model="m", page_sha256=store.sha256(b"<p>x</p>"))
    return run.Analysed(page_id, url, text_hash=store.sha256(text), simhash=rec.simhash, record=rec,
                        own_url=url)


STORY = ("Der Rat der Stadt Duisburg hat am Dienstagabend mit großer Mehrheit beschlossen, die marode Brücke "
         "über den Hafenkanal bis zum Jahr 2028 durch einen Neubau zu ersetzen. Die Kosten schätzt die "
         "Verwaltung auf rund 48 Millionen Euro, von denen das Land einen großen Teil übernehmen soll. "
         "Während der Bauzeit wird der Verkehr über eine Behelfsbrücke geführt, sagte der Baudezernent.")


def test_the_writer_records_every_outcome_and_counts_as_before(tmp_path):
    db = store.open_db(tmp_path / "n.db")
    urls = ["https://e.org/1", "https://e.org/2", "https://f.org/3", "https://e.org/4", "https://e.org/5",
            "https://e.org/6"]
    ids = [store.save_page(db, url=u, source=None, status=200, body=b"<p>x</p>") for u in urls]
    stats = run.RunStats()
    writer = run.Writer(db, stats)
    conflict = _analysed(ids[5], urls[5], "Ein ganz anderer Text über Essen und den Hafen, lang genug.")
    conflict.record.url, conflict.own_url = urls[0], urls[0]  # claims the URL that holds article 1
    writer.write([
        _analysed(ids[0], urls[0], STORY),
        _analysed(ids[1], urls[1], STORY),  # the same text under another URL
        _analysed(ids[2], urls[2], "DUISBURG (dpa) – " + STORY + " Weitere Informationen folgen."),
        run.Analysed(ids[3], urls[3], error="extract: no main text"),
        _analysed(ids[4], urls[4], "Ein anderer Artikel über das Theater in Moers und seine neue Spielzeit."),
        conflict,
    ])
    rows = [(r["outcome"], r["duplicate_of"], r["error"]) for r in db.query("SELECT * FROM pages ORDER BY id")]
    assert rows[0] == ("ok", None, None) and rows[4] == ("ok", None, None)
    assert rows[1] == ("duplicate", urls[0], f"extract: duplicate text of {urls[0]}")
    assert rows[2][:2] == ("near-duplicate", urls[0]) and rows[2][2].startswith(f"extract: near-duplicate of {urls[0]}")
    assert rows[3] == ("no text", None, "extract: no main text")
    assert rows[5][0] == "url conflict" and "holds the article of another page" in rows[5][2]
    assert (stats.extracted, stats.articles_written, stats.duplicates, stats.extract_errors, stats.url_conflicts) == \
        (5, 2, 2, 2, 1)
    # what a run processes next: nothing (with force: every page whose fetch did not fail)
    assert run.pending_pages(db, None, "m") == []
    assert [p["id"] for p in run.pending_pages(db, None, "m", force=True)] == ids


def test_pending_pages_follow_the_outcome(tmp_path):
    db = store.open_db(tmp_path / "n.db")
    store.upsert_source(db, "s", "urls", None, region=["NRW"])
    ids = {}
    for name in ("new", "ok-gone", "duplicate", "no-text", "failed", "failed-no-html"):
        ids[name] = store.save_page(db, url=f"https://e.org/{name}", source="s", status=200,
                                    body=None if name == "failed-no-html" else b"<p>x</p>")
    store.record_outcome(db, ids["duplicate"], "duplicate", "extract: duplicate text of x", "x")
    store.record_outcome(db, ids["no-text"], "no text", "extract: no main text")
    store.save_page(db, url="https://e.org/failed", source="s", status=None, body=None, error="http 500")
    store.save_page(db, url="https://e.org/failed-no-html", source="s", status=None, body=None, error="http 500")
    db.execute("UPDATE pages SET outcome = 'ok' WHERE id = ?", [ids["ok-gone"]])  # its article was deleted
    pending = run.pending_pages(db, "s", "m")
    assert [p["id"] for p in pending] == [ids["new"], ids["ok-gone"]]
    assert pending[0]["region"] == '["NRW"]'  # the source's region travels with the page to the analysis
    forced = [p["id"] for p in run.pending_pages(db, "s", "m", force=True)]
    assert forced == [ids["new"], ids["ok-gone"], ids["duplicate"], ids["no-text"]]


def test_failed_fetches_query_reads_the_outcome(tmp_path):
    from pipeline.review import QUERIES

    db = store.open_db(tmp_path / "n.db")
    store.save_page(db, url="https://e.org/gone", source=None, status=404, body=None, error="http 404")
    page = store.save_page(db, url="https://e.org/copy", source=None, status=200, body=b"x")
    store.record_outcome(db, page, "duplicate", "extract: duplicate text of https://e.org/a", "https://e.org/a")
    assert [r["url"] for r in db.query(QUERIES["failed_fetches"]["sql"])] == ["https://e.org/gone"]


def test_no_reader_parses_the_error_prefix_any_more():
    """Only the migration that fills the column reads the old strings (``store.legacy_outcome``), and m007's
    frozen DDL still creates the index that m011 drops."""
    pattern = re.compile(r"""LIKE\s+'extract:|startswith\(\(?["']extract:""")
    legacy = next(n for n in ast.walk(ast.parse((ROOT / "pipeline" / "store.py").read_text(encoding="utf-8")))
                  if isinstance(n, ast.FunctionDef) and n.name == "legacy_outcome")
    allowed = {("pipeline/store.py", n) for n in range(legacy.lineno, legacy.end_lineno + 1)}
    offenders = []
    for path in sorted((ROOT / "pipeline").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if name == "pipeline/schema.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line) and (name, number) not in allowed:
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == []
