"""Suite-wide settings and fixtures.

The suite runs on two processes (pytest-xdist, ``--dist worksteal``): tests are handed out in
collection order and an idle process takes queued tests from the other, so the slowest files are
collected first and nothing long is left for the end. The demo database is made once per process
(:func:`demo_database`, in process through click's CliRunner) and copied for each module that uses
it, instead of each module running the demo in a subprocess.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

#: Test files that take longest (seconds on the 2-core machine, `pytest --durations=0`), longest first.
SLOW_FIRST = ["test_resume.py", "test_faults.py", "test_cli.py", "test_concurrency.py", "test_fuzz.py",
              "test_review.py", "test_hardening_review.py", "test_fetch.py"]


def pytest_collection_modifyitems(config, items) -> None:
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOW_FIRST)))  # stable: the rest keep their order


def _copy_database(src: Path, dst: Path) -> Path:
    """A consistent copy of an SQLite database (the backup API: WAL content included)."""
    source, target = sqlite3.connect(src), sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return dst


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """The bundled demo site processed once per test process by `newsmine run` (in process, through
    click's CliRunner); never written to: modules take a copy (:func:`demo_db`)."""
    from click.testing import CliRunner

    from pipeline.cli import cli

    db = tmp_path_factory.mktemp("demo-session") / "newsmine.db"
    result = CliRunner().invoke(cli, ["run", "--db", str(db), "--quiet"])
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture(scope="module")
def demo_db(demo_database, tmp_path_factory) -> Path:
    """This module's own copy of the demo database (its tests may write to it)."""
    return _copy_database(demo_database, tmp_path_factory.mktemp("demo") / "newsmine.db")
