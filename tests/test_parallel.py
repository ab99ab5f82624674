"""Parallel processing (``process_pending(n_process=N)``, ``--workers N``) writes the same database as one process.

Correctness only: no timings here (those are in bench/run_all.py). Pages are corpus articles stored
as fetched HTML, plus the awkward cases of a run: an exact copy under a second URL, a lightly
edited agency copy (near-duplicate), a page without main text and an empty page.
"""

from __future__ import annotations

import multiprocessing
import shutil
import sqlite3
from pathlib import Path

import pytest
from stored_pages import N_ARTICLES, content, process

from pipeline import run, store


def _copy(src: Path, dst: Path) -> Path:
    shutil.copy(src, dst)
    return dst


@pytest.fixture(scope="module")
def one_worker(pages_db, nlp, tmp_path_factory) -> tuple[Path, run.RunStats]:
    path = _copy(pages_db, tmp_path_factory.mktemp("w1") / "w1.db")
    return path, process(path, nlp, 1)


def test_one_worker_stores_articles_and_links_duplicates(one_worker):
    path, stats = one_worker
    assert stats.articles_written == N_ARTICLES
    assert stats.duplicates == 2 and stats.extract_errors == 2
    c = content(path)
    assert len(c["articles"]) == N_ARTICLES and c["mentions"] and c["money"] and c["entities"]
    con = sqlite3.connect(path)
    errors = sorted(r[0] for r in con.execute("SELECT error FROM pages WHERE error IS NOT NULL"))
    con.close()
    assert [e.split(" of ")[0].split(":")[1].strip() for e in errors if "of" in e] == [
        "duplicate text", "near-duplicate"]
    assert sum(e.startswith("extract: no main text") for e in errors) == 2


@pytest.mark.parametrize("batch_size", [4, 5])
def test_two_workers_write_the_same_database_as_one(one_worker, pages_db, nlp, tmp_path, batch_size):
    path = _copy(pages_db, tmp_path / "w2.db")
    stats = process(path, nlp, 2, batch_size=batch_size)
    assert stats.as_dict() == one_worker[1].as_dict()
    assert content(path) == content(one_worker[0])


def test_reprocessing_with_two_workers_changes_nothing(one_worker, nlp, tmp_path):
    path = _copy(one_worker[0], tmp_path / "again.db")
    stats = process(path, nlp, 2, force=True)
    assert stats.articles_written == N_ARTICLES
    assert content(path) == content(one_worker[0])


def test_workers_load_the_model_themselves_without_fork(one_worker, pages_db, nlp, tmp_path, monkeypatch):
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    path = _copy(pages_db, tmp_path / "spawn.db")
    process(path, nlp, 2, batch_size=8)
    assert content(path) == content(one_worker[0])


def _fail_on_second_chunk(tasks, nlp=None, model_tag=None, batch_size=16):
    if any(page["id"] > 4 for page, _ in tasks):
        raise RuntimeError("worker failed")
    return ORIGINAL_ANALYSE(tasks, nlp, model_tag, batch_size)


ORIGINAL_ANALYSE = run.analyse_pages


def test_a_failing_worker_stops_the_run_and_leaves_whole_chunks(pages_db, nlp, tmp_path, monkeypatch):
    monkeypatch.setattr(run, "analyse_pages", _fail_on_second_chunk)  # forked workers see the patch
    path = _copy(pages_db, tmp_path / "fail.db")
    with pytest.raises(RuntimeError, match="worker failed"):
        process(path, nlp, 2, batch_size=4)
    con = sqlite3.connect(path)
    page_ids = [r[0] for r in con.execute("SELECT page_id FROM articles ORDER BY page_id")]
    con.close()
    assert page_ids == [1, 2, 3, 4]  # the first chunk, committed; nothing of the failed one


def test_entity_cache_writes_what_single_article_saves_write(one_worker, tmp_path):
    """``save_articles`` with a cache (the run's writer) == ``save_article`` one by one, row for row."""
    src = sqlite3.connect(one_worker[0])
    src.row_factory = sqlite3.Row
    records = []
    for a in src.execute("SELECT * FROM articles ORDER BY id"):
        ents = [{"start": m["start"], "end": m["end"], "label": m["label"], "text": m["text"],
                 "sentence": m["sentence"], "canonical": m["name"]} for m in src.execute(
            "SELECT m.*, e.name FROM mentions m JOIN entities e ON e.id = m.entity_id WHERE article_id = ? "
            "ORDER BY m.id", [a["id"]])]
        roles = [dict(r) for r in src.execute("SELECT * FROM roles WHERE article_id = ? ORDER BY id", [a["id"]])]
        quotes = [dict(q) for q in src.execute("SELECT * FROM quotes WHERE article_id = ? ORDER BY id", [a["id"]])]
        records.append(store.ArticleRecord(url=a["url"], title=a["title"], text=a["text"], entities=ents,
                                           roles=roles, quotes=quotes, model=a["model"]))
    src.close()
    single, batched = store.open_db(tmp_path / "single.db"), store.open_db(tmp_path / "batched.db")
    for rec in records:
        store.save_article(single, rec)
    cache = store.EntityCache()
    for i in range(0, len(records), 5):
        store.save_articles(batched, records[i:i + 5], cache)
    for table in ("entities", "mentions", "roles", "quotes"):
        assert list(single[table].rows) == list(batched[table].rows), table


def test_near_duplicate_index_answers_as_the_store_query(one_worker):
    import random

    from pipeline import dedup

    db = store.open_db(one_worker[0])
    index = run.NearDuplicateIndex(db)
    rng = random.Random(7)
    rows = [(dedup.to_unsigned(h), url) for h, url in db.execute("SELECT simhash, url FROM articles")]
    checked = hits = 0
    for h, url in rows:
        for flips in (0, 1, 3, 5, 6, 7, 12):
            probe = h
            for bit in rng.sample(range(64), flips):
                probe ^= 1 << bit
            for exclude in (url, "https://elsewhere.example/x"):
                want = store.near_duplicate(db, probe, exclude)
                assert index.closest(probe, exclude) == want, (flips, exclude)
                checked += 1
                hits += want is not None
    assert hits > len(rows) and checked > hits  # both outcomes were exercised
    # a re-processed article with a changed text moves in the index
    article_id, old = next(iter(index.hash_of.items()))
    index.set(article_id, old ^ 0xFFFF_FFFF_FFFF_FFFF)
    assert all(article_id not in band.get(v, []) for band, v in zip(index.bands, dedup.bands(old)))
    db.conn.close()
