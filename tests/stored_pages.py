"""Pages stored as fetched HTML, as a run leaves them before extraction: corpus articles plus the awkward
cases of a run (an exact copy under a second URL, a lightly edited agency copy, a page without main text,
an empty page); their processing and the comparison of what a run wrote. Shared by tests/test_parallel.py
and tests/test_scaling.py (the ``pages_db`` fixture in conftest.py makes one such database per module).
"""

from __future__ import annotations

import html
import sqlite3
from pathlib import Path

from pipeline import run, store
from pipeline.corpus import read_jsonl

N_ARTICLES = 22


def _page(title: str, text: str, url: str) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
    return (f"<!DOCTYPE html><html lang='de'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<link rel='canonical' href='{url}'></head><body><nav><a href='/'>Start</a></nav><main><article>"
            f"<h1>{html.escape(title)}</h1>{paragraphs}</article></main><footer>© Testbote</footer></body></html>"
            ).encode()


def make_pages_db(path: Path) -> Path:
    """A database with stored pages only (as after fetching), in an order that mixes the cases."""
    records = list(read_jsonl())[:N_ARTICLES]
    db = store.open_db(path)
    store.upsert_source(db, "test", "urls", None)
    base = "https://www.testbote.example/artikel"
    for i, r in enumerate(records):
        url = f"{base}/{i:03d}.html"
        store.save_page(db, url=url, source="test", status=200, body=_page(r["title"], r["text"], url), final_url=url)
        if i == 3:  # the same text under another URL: a duplicate
            copy = f"{base}/kopie-{i}.html"
            store.save_page(db, url=copy, source="test", status=200,
                            body=_page(r["title"], r["text"], copy), final_url=copy)
        if i == 9:  # an agency copy with a dateline and one more sentence: a near-duplicate
            near = f"https://www.anderer-bote.example/{i}.html"
            store.save_page(db, url=near, source="test", status=200, final_url=near,
                            body=_page(r["title"], "ESSEN (dpa) – " + r["text"] + " Weitere Informationen folgen.",
                                       near))
        if i == 14:
            empty = f"{base}/video-{i}.html"
            store.save_page(db, url=empty, source="test", status=200, final_url=empty,
                            body=b"<html><body><div class='player'></div></body></html>")
            store.save_page(db, url=f"{base}/leer-{i}.html", source="test", status=200, body=b"")
    db.conn.close()
    return path


def process(path: Path, nlp, workers: int, *, batch_size: int = 4, force: bool = False) -> run.RunStats:
    from pipeline.nlp.model import model_info

    db = store.open_db(path)
    stats = run.RunStats()
    run.process_pending(db, nlp, model_info(nlp).tag, stats, n_process=workers, batch_size=batch_size, force=force)
    db.conn.close()
    return stats


TABLES = {  # every table a run writes, all columns except the processing time
    "articles": "processed_at", "entities": "", "mentions": "", "money": "", "roles": "", "quotes": "",
    "pages": "",
}


def content(path: Path) -> dict[str, list[tuple]]:
    """Every row of the tables a run writes (ids included), in id order."""
    con = sqlite3.connect(path)
    out = {}
    for table, skip in TABLES.items():
        cols = [r[1] for r in con.execute(f"PRAGMA table_info({table})") if r[1] != skip]
        out[table] = con.execute(f"SELECT {', '.join(repr(c) for c in cols)} FROM {table} ORDER BY id").fetchall()
    out["fts"] = con.execute("SELECT rowid, title FROM articles_fts ORDER BY rowid").fetchall()
    con.close()
    return out
