"""Sharded re-processing on Dask (pipeline/scale.py) gives the database of one sequential run.

Skipped only when the optional dependency is missing (``pip install -e '.[scale]'``; the ``test``
extra includes ``dask``). Correctness only, no timings.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("dask")

# the pages and the comparison of test_parallel (tests/stored_pages.py; the fixtures are in conftest.py)
from stored_pages import N_ARTICLES, content, process  # noqa: E402

from pipeline import scale  # noqa: E402


@pytest.fixture(scope="module")
def sequential(pages_db, nlp, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("seq") / "seq.db"
    shutil.copy(pages_db, path)
    process(path, nlp, 1, force=True)
    return path


def test_shards_cover_every_page_once(pages_db):
    plan = scale.plan_shards(pages_db, 4)
    assert len(plan) == 4
    assert plan[0][0] == 1 and all(a[1] < b[0] for a, b in zip(plan, plan[1:]))
    assert scale.plan_shards(pages_db, 1000) == [(i, i) for i in range(1, plan[-1][1] + 1)]


def test_sharded_run_on_local_processes_equals_one_sequential_run(sequential, pages_db, tmp_path):
    """Two Dask worker processes, one page per shard: every duplicate lies in another shard than its
    original and must be found when the shards are merged."""
    path = tmp_path / "sharded.db"
    shutil.copy(pages_db, path)
    stats = scale.run_sharded(path, shards=1000, scheduler="processes", workers=2, shard_dir=tmp_path / "shards")
    assert stats.articles_written == N_ARTICLES and stats.duplicates == 2 and stats.extract_errors == 2
    assert content(path) == content(sequential)
    assert not (tmp_path / "shards").exists()  # shard files removed after the merge


def test_few_shards_in_process_scheduler(sequential, pages_db, tmp_path):
    """Duplicates found inside a shard are carried over as they were decided there."""
    path = tmp_path / "sync.db"
    shutil.copy(pages_db, path)
    scale.run_sharded(path, shards=3, scheduler="sync", keep_shards=True, shard_dir=tmp_path / "s")
    assert content(path) == content(sequential)
    assert len(list((tmp_path / "s").glob("shard-*.db"))) == 3
