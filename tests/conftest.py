"""Suite-wide settings and fixtures.

The suite runs on two processes (pytest-xdist, ``--dist worksteal``): tests are handed out in
collection order and an idle process takes queued tests from the other, so the slowest files are
collected first and nothing long is left for the end. The demo database is made once per process
(:func:`demo_database`, in process through click's CliRunner) and copied for each module that uses
it, instead of each module running the demo in a subprocess.

Fixtures shared by several modules live here (the model, a database of stored pages, the review
token, one headless Chromium); shared helpers live in plain modules beside the tests (serving.py,
chromium.py, runs.py, stored_pages.py, sites.py, memory.py, loopback.py): no test module imports
from another.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sites import copy_database

#: Test files that take longest (seconds on the 2-core machine, `pytest --durations=0`), longest first.
SLOW_FIRST = ["test_resume.py", "test_learn.py", "test_faults.py", "test_concurrency.py", "test_hardening_disk.py",
              "test_fetch.py", "test_browser.py", "test_fuzz.py", "test_review.py", "test_hardening_review.py"]


def pytest_collection_modifyitems(config, items) -> None:
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOW_FIRST)))  # stable: the rest keep their order


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
    return copy_database(demo_database, tmp_path_factory.mktemp("demo") / "newsmine.db")


@pytest.fixture
def token(monkeypatch) -> str:
    """NEWSMINE_TOKEN set for Datasette (tests/serving.py TOKEN): writes through the review plugin allowed."""
    from serving import TOKEN

    from pipeline import review

    monkeypatch.setenv(review.TOKEN_ENV, TOKEN)
    return TOKEN


@pytest.fixture(scope="module")
def browser():
    """One headless system Chromium (tests/chromium.py) per module, through Playwright."""
    from chromium import ARGS, CHROMIUM
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def zygote():
    """`newsmine` runs as processes forked from one that has imported newsmine and loaded the model
    (tests/zygote.py): a real process each, without 2.5 s of start-up each."""
    from zygote import Zygote, run_env

    forker = Zygote(run_env())
    yield forker
    forker.close()


@pytest.fixture(scope="module")
def nlp():
    """The shipped model as runs use it (``pipeline.nlp.model.load()``), once per module."""
    from pipeline.nlp.model import load

    return load()


@pytest.fixture(scope="module")
def pages_db(tmp_path_factory) -> Path:
    """A database with stored pages only, as after fetching (tests/stored_pages.py)."""
    from stored_pages import make_pages_db

    return make_pages_db(tmp_path_factory.mktemp("parallel") / "pages.db")
