"""The review server in tests: Datasette on a database, its rows and pages, a real `newsmine serve` on a
free 127.0.0.1 port. Shared by the review, browser, hardening-review and hardening-disk suites instead of
their importing from each other (the ``token`` fixture that goes with :data:`TOKEN` is in conftest.py).
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
from bs4 import BeautifulSoup
from datasette.app import Datasette

from pipeline import review

ROOT = Path(__file__).resolve().parent.parent
#: The write token the ``token`` fixture (conftest.py) sets for Datasette.
TOKEN = "test-token-" + "k" * 32


def datasette(path: Path) -> Datasette:
    return Datasette([str(path)], metadata=review.metadata(path.stem))


def rows(path: Path, sql: str, params: tuple | dict = ()) -> list[dict]:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    out = [dict(r) for r in con.execute(sql, params)]
    con.close()
    return out


def soup(html: str) -> BeautifulSoup:
    """Parsed HTML; whitespace-only text kept as is (bs4 would fold "\\n\\n" to "\\n")."""
    return BeautifulSoup(html, "html.parser", preserve_whitespace_tags=["div", "span", "a", "pre"])


def article_with_all_labels(path: Path) -> dict:
    """The first demo article with PER, LOC and ORG mentions and a euro amount."""
    return rows(path, """SELECT a.id, a.text, a.title FROM articles a
        WHERE (SELECT count(DISTINCT label) FROM mentions m WHERE m.article_id = a.id) = 3
          AND EXISTS (SELECT 1 FROM money WHERE article_id = a.id) ORDER BY a.id LIMIT 1""")[0]


def free_words(path: Path, article: dict) -> tuple[int, int, int]:
    """A capitalised word no mention or amount covers, followed by a lowercase word:
    (start, end of the first word, end of the second)."""
    taken = [(r["start"], r["end"]) for r in rows(
        path, 'SELECT start, "end" FROM mentions_reviewed WHERE article_id = ? UNION ALL '
              'SELECT start, "end" FROM money WHERE article_id = ?', (article["id"], article["id"]))]
    for match in re.finditer(r"(?<= )([A-ZÄÖÜ][a-zäöüß]{6,}) ([a-zäöüß]+)\b", article["text"]):
        if all(match.end() <= s or e <= match.start() for s, e in taken):
            return match.start(1), match.end(1), match.end(2)
    raise AssertionError("no free word")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(db_path: Path, *extra: str) -> tuple[subprocess.Popen, str, str | None]:
    """Start `newsmine serve` on a free port; return the process, base URL and printed token."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != review.TOKEN_ENV}
    log = db_path.with_name(f"serve-{port}.log")
    with open(log, "w") as out:  # a file, not a pipe: the server never blocks on a full pipe
        proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", "--db", str(db_path),
                                 "--port", str(port), *extra], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/-/versions.json", timeout=2).status_code == 200:
                printed = re.search(r"^write token: (\S+)$", log.read_text(), re.M)
                return proc, base, printed.group(1) if printed else None
        except httpx.TransportError:
            assert proc.poll() is None, "newsmine serve exited: " + log.read_text()
            time.sleep(0.2)
    proc.kill()
    raise AssertionError("newsmine serve did not start: " + log.read_text())


def stop_serve(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
