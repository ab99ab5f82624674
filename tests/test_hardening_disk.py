"""Issue #23, rows 9 and 10: a full disk and a read-only mount end in one line, never a traceback; a run
that could not finish says ``failed``; a read-only database can be queried and served.

A real full disk is a 1 MB tmpfs and a real read-only file a read-only bind mount, each made in a
private mount namespace (``unshare -rm``: no root needed where user namespaces are allowed, and
nothing is mounted outside the test's own processes). Where the machine cannot make one, the tests
are skipped with that reason.
"""

from __future__ import annotations

import contextlib
import json
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from loopback import LoopbackServer, Reply
from runs import TEXTS, page, run_urls
from serving import free_port

from pipeline import run as runner
from pipeline.nlp.model import model_info
from pipeline.store import open_db

ROOT = Path(__file__).resolve().parent.parent
PYTHON = shlex.quote(sys.executable)


def _namespaces() -> str | None:
    """None when this machine can make private mounts, else why not."""
    if shutil.which("unshare") is None:
        return "no unshare(1) here"
    probe = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
                           capture_output=True, text=True)
    return None if probe.returncode == 0 else f"cannot make a private mount here: {probe.stderr.strip()}"


WHY_NOT = _namespaces()
pytestmark = pytest.mark.skipif(WHY_NOT is not None, reason=WHY_NOT or "")


def in_namespace(script: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout)


def read_only_mount(folder: Path) -> str:
    """Shell lines that make ``folder`` read-only for the rest of the script (a read-only bind mount)."""
    f = shlex.quote(str(folder))
    return f"mount --bind {f} {f} && mount -o remount,bind,ro {f} && ! touch {f}/probe 2>/dev/null"


def one_line_error(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    return lines[0]


def test_a_full_disk_ends_the_run_in_one_line_marks_it_failed_and_loses_nothing(tmp_path, nlp):
    """Row 9: `newsmine run` into a database on a 1 MB disk: one line, exit 1, the run row says ``failed``
    with the reason; every page and article committed before is intact and a run on a larger disk
    finishes the job."""
    disk, out = tmp_path / "disk", tmp_path / "out"
    disk.mkdir()
    out.mkdir()
    d = shlex.quote(str(disk))
    proc = in_namespace(f"mount -t tmpfs -o size=1000k tmpfs {d} && "
                        f"{PYTHON} -m pipeline.cli run --db {d}/n.db --quiet; echo $? > {shlex.quote(str(out))}/rc; "
                        f"ls {d} > {shlex.quote(str(out))}/listing; cp {d}/n.db* {shlex.quote(str(out))}/")
    assert (out / "rc").read_text().strip() == "1", proc.stderr
    line = one_line_error(proc.stderr)
    assert "database or disk is full" in line and "free disk space" in line
    assert "n.db-reserve" not in (out / "listing").read_text()  # the reserve was given back
    conn = sqlite3.connect(out / "n.db")
    [(status, counts)] = conn.execute("SELECT status, counts FROM runs").fetchall()
    assert status == "failed"
    assert json.loads(counts)["failure"] == "OperationalError: database or disk is full"
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    pages, written = conn.execute("SELECT (SELECT count(*) FROM pages), (SELECT count(*) FROM articles)").fetchone()
    conn.close()
    assert 0 < pages and written < 15  # the disk filled up part way
    db = open_db(out / "n.db")  # more room: the stored pages are processed, nothing is fetched again
    stats = runner.RunStats()
    runner.process_pending(db, nlp, model_info(nlp).tag, stats)
    assert db["articles"].count == written + stats.articles_written
    assert stats.extract_errors == 0 and stats.articles_written > 0
    db.close()


@pytest.fixture(scope="module")
def stored(tmp_path_factory, nlp) -> Path:
    """A database of two articles, closed (no write-ahead log left beside it), alone in its folder."""
    folder = tmp_path_factory.mktemp("ro") / "db"
    folder.mkdir()
    with LoopbackServer() as srv:
        srv.route("/robots.txt", Reply(status=404))
        for i in range(2):
            srv.route(f"/{i}.html", Reply(body=page(f"Artikel {i}", TEXTS[i])))
        run_urls(folder / "n.db", nlp, "lokal", [srv.url("/0.html"), srv.url("/1.html")])
    assert sorted(p.name for p in folder.iterdir()) == ["n.db"]
    return folder / "n.db"


def test_queries_on_a_read_only_mount_answer_and_writes_end_in_one_line(stored):
    """Row 10: every read command works on a database on a read-only mount; a command that writes says
    in one line that it cannot."""
    db, q = shlex.quote(str(stored)), f"{PYTHON} -m pipeline.cli"
    proc = in_namespace(f"{read_only_mount(stored.parent)} && "
                        f"{q} query search Duisburg --db {db} --json >/dev/null; echo search $? >&2; "
                        f"{q} query article 1 --db {db} --json >/dev/null; echo article $? >&2; "
                        f"{q} query money --db {db} --json >/dev/null; echo money $? >&2; "
                        f"{q} run --db {db} --quiet 2>&1; echo run $? >&2; "
                        f"ls {shlex.quote(str(stored.parent))} >&2")
    status = dict(ln.split() for ln in proc.stderr.splitlines() if ln.split()[0] in {"search", "article", "money", "run"}
                  and len(ln.split()) == 2)
    assert status == {"search": "0", "article": "0", "money": "0", "run": "1"}, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    [line] = [ln for ln in proc.stdout.splitlines() if ln.strip()]  # the run's only output
    assert line.startswith("Error: ") and ("read-only" in line or "readonly" in line), line
    assert "n.db" in proc.stderr and "n.db-wal" not in proc.stderr  # nothing was written beside it


def test_serve_read_only_serves_a_database_on_a_read_only_mount(stored):
    """Row 10: `serve --read-only` used to upgrade the schema first and so refused a read-only file; now
    it serves it (the review page and Datasette's JSON), and `serve` without the flag says why not."""
    port = free_port()
    db = shlex.quote(str(stored))
    refused = in_namespace(f"{read_only_mount(stored.parent)} && {PYTHON} -m pipeline.cli serve --db {db} "
                           f"--port {port}")
    assert refused.returncode == 1 and "--read-only" in one_line_error(refused.stderr)
    log = stored.parent.parent / "serve.log"
    with open(log, "w") as fh:
        proc = subprocess.Popen(["unshare", "-rm", "sh", "-c", f"{read_only_mount(stored.parent)} && exec "
                                 f"{PYTHON} -m pipeline.cli serve --read-only --db {db} --port {port}"],
                                cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(base + "/-/versions.json", timeout=2).status_code == 200:
                    break
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        article = httpx.get(base + "/-/newsmine/article/1", timeout=10)
        assert article.status_code == 200 and "Artikel 0" in article.text
        rows = httpx.get(base + "/n/articles.json?_shape=array", timeout=10).json()
        assert sorted(r["title"] for r in rows) == ["Artikel 0", "Artikel 1"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert "Traceback" not in log.read_text()
