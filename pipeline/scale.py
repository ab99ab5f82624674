"""Re-process a stored archive in shards on Dask: spaCy inside the workers, one SQLite shard per task,
the shards merged into the main database at the end (see docs/scaling.md).

    python -m pipeline.scale --db archive.db --shards 8 --scheduler processes --workers 2
    python -m pipeline.scale --db archive.db --shards 64 --scheduler tcp://scheduler:8786

Needs the optional extra ``pip install 'newsmine[scale]'`` (``dask``; ``distributed`` for a
cluster). Every stored page with HTML is re-processed, as ``newsmine reextract`` does:

1. plan: the pages are split into ``--shards`` contiguous id ranges of equal size;
2. map (a Dask task per shard, run where Dask places it): copy the shard's pages into a
   fresh shard database, run :func:`pipeline.run.process_pending` on it (extraction, NLP,
   facts, duplicates within the shard), return the shard file's path;
3. merge (here, one writer): the shards' articles are written into the main database in page
   order through the same writer as a normal run, so duplicates across shards are found and
   entity ids, aliases and article ids come out as in one sequential run.

A task needs the main database (read-only) and the shard folder on a file system it can
reach; on a cluster that is a shared volume.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from pipeline import run, store

_NLP: dict[str, object] = {}  # pipelines loaded in this worker process, by model reference


@dataclass
class ShardResult:
    """What a shard task returns (small: the articles stay in the shard file)."""

    index: int
    path: str
    first_page: int
    last_page: int
    model_tag: str
    seconds: float
    stats: dict = field(default_factory=dict)


def plan_shards(db_path: str | Path, shards: int) -> list[tuple[int, int]]:
    """Contiguous page-id ranges ``(first, last)`` with about the same number of pages to process."""
    db = store.open_db(db_path, migrate=False, readonly=True)
    try:
        ids = [r[0] for r in db.execute(
            "SELECT id FROM pages WHERE html_gz IS NOT NULL AND (outcome IS NULL OR outcome != 'failed') "
            "ORDER BY id").fetchall()]
    finally:
        db.conn.close()
    if not ids:
        return []
    shards = max(1, min(shards, len(ids)))
    size = -(-len(ids) // shards)
    return [(ids[i], ids[min(i + size, len(ids)) - 1]) for i in range(0, len(ids), size)]


def _model(model: str | None):
    from pipeline.nlp.model import load

    key = model or ""
    if key not in _NLP:
        _NLP[key] = load(model)
    return _NLP[key]


def process_shard(index: int, db_path: str, shard_path: str, first_page: int, last_page: int,
                  model: str | None = None, batch_size: int = 16) -> ShardResult:
    """A Dask task: pages ``first_page..last_page`` of ``db_path`` -> a processed shard database."""
    from pipeline.nlp.model import model_info

    start = time.perf_counter()
    nlp = _model(model)
    tag = model_info(nlp).tag
    for suffix in ("", "-wal", "-shm"):
        Path(shard_path + suffix).unlink(missing_ok=True)
    shard = store.open_db(shard_path)
    try:
        shard.execute("ATTACH DATABASE ? AS src", [db_path])
        with shard.atomic():
            for table, where in (("sources", ""), ("pages", "WHERE id BETWEEN ? AND ?")):
                cols = ", ".join(f"[{r[1]}]" for r in shard.execute(f"PRAGMA main.table_info({table})"))
                shard.execute(f"INSERT INTO main.{table} ({cols}) SELECT {cols} FROM src.{table} {where}",
                              [first_page, last_page] if where else [])
        shard.execute("DETACH DATABASE src")
        stats = run.RunStats()
        run.process_pending(shard, nlp, tag, stats, force=True, batch_size=batch_size)
    finally:
        shard.conn.close()
    return ShardResult(index, shard_path, first_page, last_page, tag, time.perf_counter() - start, stats.as_dict())


def read_outcomes(shard: sqlite3.Connection, first_page: int, last_page: int):
    """The stored outcome of pages ``first_page..last_page``, in page order: a :class:`pipeline.run.Analysed`
    with the article as it would be written (read back by the store), or ``(page id, url, outcome, error,
    duplicate_of)`` for a page processed into no article."""
    records = {rec.page_id: rec for rec in store.read_records(shard, first_page, last_page)}
    for page_id, url, outcome, error, duplicate_of in shard.execute(
            "SELECT id, url, outcome, error, duplicate_of FROM pages WHERE id BETWEEN ? AND ? ORDER BY id",
            [first_page, last_page]).fetchall():
        rec = records.get(page_id)
        if rec is None:
            if outcome in store.PROCESSED_OUTCOMES:
                yield page_id, url, outcome, error, duplicate_of
            continue
        yield run.Analysed(page_id, url, text_hash=store.sha256(rec.text), simhash=rec.simhash, record=rec)


def merge_shards(db: sqlite_utils.Database, results: list[ShardResult]) -> run.RunStats:
    """Write the shards' outcomes into ``db`` in page order (duplicates across shards decided here)."""
    stats = run.RunStats()
    writer = run.Writer(db, stats)
    with run.bulk_writes(db):
        for res in sorted(results, key=lambda r: r.first_page):
            shard = sqlite3.connect(res.path)
            try:
                for item in read_outcomes(shard, res.first_page, res.last_page):
                    if isinstance(item, run.Analysed):
                        writer.write([item])
                        continue
                    page_id, url, outcome, error, duplicate_of = item  # decided in the shard: no text, a copy
                    if outcome in ("duplicate", "near-duplicate"):
                        stats.extracted += 1
                        stats.duplicates += 1
                    else:
                        stats.extract_errors += 1
                        stats.errors.append(f"{url}: {error}")
                    store.record_outcome(db, page_id, outcome, error, duplicate_of)
            finally:
                shard.close()
    return stats


def run_sharded(db_path: str | Path, *, shards: int = 4, scheduler: str = "processes", workers: int | None = None,
                model: str | None = None, shard_dir: str | Path | None = None, batch_size: int = 16,
                keep_shards: bool = False) -> run.RunStats:
    """Plan, process the shards with Dask, merge; returns the merged run's counts.

    ``scheduler``: ``processes`` / ``threads`` / ``sync`` (local Dask schedulers), ``distributed``
    (a local ``distributed`` cluster of ``workers`` processes) or a scheduler address
    (``tcp://host:8786``).
    """
    import dask

    from pipeline.extract import EXTRACTOR_VERSION

    db_path = Path(db_path)
    shard_dir = Path(shard_dir) if shard_dir else db_path.parent / f"{db_path.stem}.shards"
    shard_dir.mkdir(parents=True, exist_ok=True)
    store.open_db(db_path).conn.close()  # upgraded first: the shards copy its pages with today's columns
    plan = plan_shards(db_path, shards)
    tasks = [dask.delayed(process_shard, pure=False)(i, str(db_path.resolve()), str((shard_dir / f"shard-{i:05d}.db")
                                                                                  .resolve()), lo, hi, model, batch_size)
             for i, (lo, hi) in enumerate(plan)]
    if scheduler == "distributed" or "://" in scheduler:
        from distributed import Client, LocalCluster

        if "://" in scheduler:
            with Client(scheduler) as client:
                results = list(client.gather(client.compute(tasks)))
        else:
            with LocalCluster(n_workers=workers or 1, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                results = list(client.gather(client.compute(tasks)))
    else:
        results = list(dask.compute(*tasks, scheduler=scheduler, num_workers=workers))
    db = store.open_db(db_path)
    tag = results[0].model_tag if results else None
    run_id = store.start_run(db, "scale", f"{len(plan)} shards, {scheduler}", tag, EXTRACTOR_VERSION)
    try:
        stats = merge_shards(db, results)
    except BaseException:
        store.finish_run(db, run_id, {}, "failed")
        raise
    store.finish_run(db, run_id, stats.as_dict(), "ok")
    db.conn.close()
    if not keep_shards:
        for res in results:
            for suffix in ("", "-wal", "-shm"):
                Path(res.path + suffix).unlink(missing_ok=True)
        if not any(shard_dir.iterdir()):
            shard_dir.rmdir()
    return stats


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.scale", description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="the newsmine database (pages with stored HTML)")
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--scheduler", default="processes",
                    help="processes | threads | sync | distributed | tcp://host:port (default: processes)")
    ap.add_argument("--workers", type=int, default=None, help="worker processes (default: Dask's choice)")
    ap.add_argument("--model", default=None, help="spaCy pipeline (default: the shipped models/de_news)")
    ap.add_argument("--shard-dir", default=None, help="where the shard databases go (default: next to --db)")
    ap.add_argument("--keep-shards", action="store_true")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    stats = run_sharded(args.db, shards=args.shards, scheduler=args.scheduler, workers=args.workers,
                        model=args.model, shard_dir=args.shard_dir, keep_shards=args.keep_shards)
    print(f"{stats.articles_written} articles written, {stats.duplicates} duplicates, "
          f"{stats.extract_errors} extraction failures in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
