"""Issue #24, newcomer paths: what a first-time user of the command line ran into.

Each test runs the real command in-process (click's ``CliRunner``) on real SQLite files,
config files and HTML files in ``tmp_path``; a run reads local HTML files (a ``directory``
source) or a closed port on 127.0.0.1, never the network.
"""

from __future__ import annotations

import csv
import io
import json
import shlex
import shutil
import socket
import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli, query
from pipeline.sources import SourceConfigError, load_sources
from pipeline.store import open_db

ROOT = Path(__file__).resolve().parent.parent
DEMO_ARTICLE = ROOT / "corpus/demo/site/articles/dortmund/dortmund-plant-mit-defizit-von-39-4-millionen-euro-e01.html"

QUERY_COMMANDS = [["people"], ["places"], ["orgs"], ["people", "--role"], ["money"], ["quotes"],
                  ["search", "Haushalt"], ["article", "1"], ["entity", "Link"]]


def invoke(*args: str, input: str | bytes | None = None):  # noqa: A002
    return CliRunner().invoke(cli, list(args), input=input)


def one_line_error(result) -> str:
    """The single line a failing command printed (no traceback), checked here."""
    assert result.exit_code != 0, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def newsmine_db(path: Path) -> Path:
    open_db(path).conn.close()
    return path


def write_config(path: Path, body: str) -> Path:
    path.write_text(body, encoding="utf-8")
    return path


def closed_feed_source(name: str = "tot") -> str:
    return (f'[[source]]\nname = "{name}"\nkind = "feed"\nurl = "http://127.0.0.1:{free_port()}/feed.xml"\n'
            "allow_private = true\nretries = 0\ntimeout = 2.0\nmin_delay = 0.0\n")


def directory_source(name: str, path: str, pattern: str | None = None) -> str:
    return (f'[[source]]\nname = "{name}"\nkind = "directory"\npath = "{path}"\n'
            + (f'pattern = "{pattern}"\n' if pattern else ""))


@pytest.fixture()
def site(tmp_path) -> Path:
    """A folder whose one article lies in a subfolder, as in corpus/demo/site/articles."""
    (tmp_path / "site" / "dortmund").mkdir(parents=True)
    shutil.copy(DEMO_ARTICLE, tmp_path / "site" / "dortmund" / DEMO_ARTICLE.name)
    return tmp_path / "site"


def run_status(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT status FROM runs ORDER BY id")]


# --- 1. query on a file that is not a newsmine database -------------------------------------------


@pytest.mark.parametrize("args", QUERY_COMMANDS, ids=lambda a: "-".join(a))
def test_query_on_a_file_that_is_not_sqlite_is_one_line(tmp_path, args):
    bad = tmp_path / "notes.db"
    bad.write_text("das ist keine Datenbank\n" * 50)
    line = one_line_error(invoke("query", *args, "--db", str(bad)))
    assert "not a database" in line
    assert bad.read_text() == "das ist keine Datenbank\n" * 50


@pytest.mark.parametrize("args", QUERY_COMMANDS, ids=lambda a: "-".join(a))
def test_query_on_sqlite_without_newsmine_tables_says_so_in_one_line(tmp_path, args):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    line = one_line_error(invoke("query", *args, "--db", str(other)))
    assert f"database {other} has no newsmine tables" in line
    with sqlite3.connect(other) as conn:  # read only: nothing added
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["notes"]


def test_query_on_a_new_newsmine_database_answers(tmp_path):
    db = newsmine_db(tmp_path / "n.db")
    result = invoke("query", "people", "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "(no rows)" in result.output


# --- 2. commands that read a database never create one --------------------------------------------


def test_reextract_on_a_missing_database_creates_none(tmp_path):
    missing = tmp_path / "missing.db"
    line = one_line_error(invoke("reextract", "--db", str(missing)))
    assert line == f"Error: database {missing} does not exist (run `newsmine run` first)"
    assert list(tmp_path.iterdir()) == []


def test_reextract_does_not_turn_another_sqlite_file_into_a_newsmine_database(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    assert "has no newsmine tables" in one_line_error(invoke("reextract", "--db", str(other)))
    with sqlite3.connect(other) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["notes"]


@pytest.mark.parametrize("command", ["export-corrections", "serve"])
def test_reading_commands_leave_another_sqlite_file_alone(tmp_path, command, no_exec):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    extra = ["--out", str(tmp_path / "c.jsonl")] if command == "export-corrections" else ["--port", str(free_port())]
    assert "has no newsmine tables" in one_line_error(invoke(command, "--db", str(other), *extra))
    with sqlite3.connect(other) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["notes"]
    assert not (tmp_path / "c.jsonl").exists() and no_exec == []


def test_run_with_a_bad_config_leaves_no_database(tmp_path):
    config = write_config(tmp_path / "sources.toml", '[[source]]\nname = "x"\nkind = "rss"\n')
    db = tmp_path / "new.db"
    assert "unknown kind 'rss'" in one_line_error(invoke("run", "--config", str(config), "--db", str(db)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sources.toml"]


def test_run_with_a_missing_model_leaves_no_database(tmp_path, site):
    config = write_config(tmp_path / "sources.toml", directory_source("lokal", "site", "**/*.html"))
    db = tmp_path / "new.db"
    result = invoke("run", "--config", str(config), "--db", str(db), "--model", str(tmp_path / "no-model"))
    one_line_error(result)
    assert not db.exists()


# --- 3. a run whose every source failed fails ------------------------------------------------------


def test_a_run_whose_only_source_is_unreachable_fails(tmp_path):
    config = write_config(tmp_path / "sources.toml", closed_feed_source())
    db = tmp_path / "r.db"
    result = invoke("run", "--config", str(config), "--db", str(db), "--quiet")
    assert result.exit_code == 1, result.output
    assert "1 failures (1 source, 0 fetch, 0 extract); 1 of 1 sources failed" in result.stdout
    assert "failed: tot: http://127.0.0.1:" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == \
        "Error: run failed: the source failed, nothing listed or fetched (errors above)"
    assert run_status(db) == ["failed"]
    with sqlite3.connect(db) as conn:
        counts = json.loads(conn.execute("SELECT counts FROM runs").fetchone()[0])
    assert counts["failed_sources"] == ["tot"] and counts["failure"] == "every source failed"


def test_a_run_with_one_failed_source_of_two_reports_it_and_succeeds(tmp_path, site):
    config = write_config(tmp_path / "sources.toml",
                          closed_feed_source() + directory_source("lokal", "site", "**/*.html"))
    db = tmp_path / "r.db"
    result = invoke("run", "--config", str(config), "--db", str(db), "--quiet")
    assert result.exit_code == 0, result.output
    assert "1 articles written, 1 failures (1 source, 0 fetch, 0 extract); 1 of 2 sources failed" in result.stdout
    assert run_status(db) == ["ok"]


# --- 4. directory sources ----------------------------------------------------------------------------


def test_a_directory_source_whose_files_are_in_subfolders_is_an_error_that_names_the_pattern(tmp_path, site):
    config = write_config(tmp_path / "sources.toml", directory_source("lokal", "site"))
    db = tmp_path / "r.db"
    result = invoke("run", "--config", str(config), "--db", str(db))
    assert result.exit_code == 1, result.output
    assert "no file in" in result.stderr and "matches pattern '*.html'" in result.stderr
    assert 'pattern = "**/*.html"' in result.stderr
    assert run_status(db) == ["failed"]
    # what the message suggests works
    write_config(config, directory_source("lokal", "site", "**/*.html"))
    result = invoke("run", "--config", str(config), "--db", str(db))
    assert result.exit_code == 0, result.output
    assert "1 listed, 1 fetched" in result.stdout and "1 articles written" in result.stdout


def test_sources_check_reports_an_empty_directory_source(tmp_path, site):
    config = write_config(tmp_path / "sources.toml", directory_source("lokal", "site"))
    result = invoke("sources", "check", "--config", str(config), "--json")
    assert result.exit_code == 1
    [row] = json.loads(result.stdout)
    assert row["listed"] == 0 and "**/*.html" in row["error"]


def test_a_source_without_kind_says_kind_is_missing(tmp_path):
    config = write_config(tmp_path / "sources.toml", '[[source]]\nname = "x"\nurl = "https://x.de/feed"\n')
    line = one_line_error(invoke("sources", "list", "--config", str(config)))
    assert line == f"Error: {config}: source 'x': 'kind' is missing (feed, sitemap, urls or directory)"


def test_a_sources_config_with_a_byte_order_mark_is_read(tmp_path):
    config = tmp_path / "sources.toml"
    config.write_bytes("\ufeff".encode() + b'[[source]]\nname = "essen"\nkind = "feed"\n'
                       b'url = "https://www.waz.de/essen/rss"\n')
    result = invoke("sources", "list", "--config", str(config), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["name"] == "essen"
    assert [s.name for s in load_sources(config)] == ["essen"]
    with pytest.raises(SourceConfigError, match="not UTF-8"):  # a BOM is accepted, other bytes are not
        config.write_bytes(b"\xff\xfe" + b'[[source]]\n')
        load_sources(config)


# --- 5. the examples in --help name files that exist ---------------------------------------------------


def _help_texts(group, path: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        result = CliRunner().invoke(cli, [*path, name, "--help"])
        assert result.exit_code == 0, result.output
        yield (*path, name), result.output
        if hasattr(command, "commands"):
            yield from _help_texts(command, (*path, name))


def _example_paths(help_text: str) -> list[str]:
    """Paths in the example command lines of a help text (after ``newsmine``, comments cut)."""
    paths = []
    for line in help_text.splitlines():
        if "newsmine " not in line:
            continue
        command = line.split("newsmine ", 1)[1].split(" #", 1)[0].split(" | ", 1)[0]
        try:
            words = shlex.split(command)
        except ValueError:
            continue
        paths += [w for w in words if "/" in w and not w.startswith("-") and "://" not in w and "{" not in w]
    return paths


def test_every_file_named_in_a_help_example_exists():
    """Examples name repository files relative to its root. Exempt: ``build/`` (written by newsmine
    itself) and ``../shared/`` (the training data beside the clone)."""
    named = {}
    for command, text in _help_texts(cli):
        for path in _example_paths(text):
            named.setdefault(path, " ".join(command))
    assert "pipeline/data/sources.example.toml" in named  # the parser finds examples
    assert any(p.startswith("corpus/demo/site/articles/") for p in named)  # `extract`'s
    missing = {p: c for p, c in named.items()
               if not p.startswith(("build/", "../shared/")) and not (ROOT / p).exists()}
    assert not missing, f"help examples name files that do not exist: {missing}"


def test_the_extract_example_runs():
    [path] = [p for p in _example_paths(invoke("extract", "--help").output) if p.endswith(".html")]
    result = invoke("extract", str(ROOT / path), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["title"]


# --- 6. serve: a busy port before any token, no temporary folders -----------------------------------


@pytest.fixture()
def no_exec(monkeypatch, tmp_path):
    """``serve`` ends in os.execve (it becomes Datasette): record the call instead; temporary files
    and the cache go to folders of this test."""
    import os
    import tempfile

    calls: list[list[str]] = []
    monkeypatch.setattr(os, "execve", lambda exe, args, env: calls.append(list(args)))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return calls


def test_serve_on_a_busy_port_fails_in_one_line_before_a_token(tmp_path, no_exec):
    db = newsmine_db(tmp_path / "n.db")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = invoke("serve", "--db", str(db), "--port", str(port))
    line = one_line_error(result)
    assert line.startswith(f"Error: cannot serve on 127.0.0.1:{port}:") and "--port" in line
    assert "token" not in result.output
    assert no_exec == []


def test_serve_leaves_no_temporary_folder_behind(tmp_path, no_exec):
    db = newsmine_db(tmp_path / "n.db")
    port = free_port()
    for _ in range(2):
        result = invoke("serve", "--db", str(db), "--port", str(port))
        assert result.exit_code == 0, result.output
        assert "write token: " in result.output
    assert list((tmp_path / "tmp").iterdir()) == []  # no newsmine-XXXX/metadata.json
    meta = tmp_path / "cache" / "newsmine" / f"serve-{port}.json"
    assert [p.name for p in meta.parent.iterdir()] == [meta.name]  # one file per port, overwritten
    assert json.loads(meta.read_text())["databases"]
    for args in no_exec:
        assert args[args.index("--metadata") + 1] == str(meta)
        assert args[args.index("--port") + 1] == str(port)


# --- 7. the run summary ------------------------------------------------------------------------------


def test_the_run_summary_keeps_entities_and_mentions_apart_and_no_bar_off_a_terminal(tmp_path, site):
    config = write_config(tmp_path / "sources.toml", directory_source("lokal", "site", "**/*.html"))
    db = tmp_path / "r.db"
    result = invoke("run", "--config", str(config), "--db", str(db))  # no --quiet: stderr is not a terminal
    assert result.exit_code == 0, result.output
    assert "Articles" not in result.stderr
    summary = next(line for line in result.stdout.splitlines() if line.startswith("database: "))
    with sqlite3.connect(db) as conn:
        entities = conn.execute("SELECT count(*) FROM entities").fetchone()[0]
        per, loc, org = (conn.execute("SELECT count(*) FROM mentions WHERE label = ?", [label]).fetchone()[0]
                         for label in ("PER", "LOC", "ORG"))
        money = conn.execute("SELECT count(*) FROM money").fetchone()[0]
    assert entities > 0
    assert summary == (f"database: 1 articles; {entities} entities; mentions: PER {per}, LOC {loc}, ORG {org}; "
                       f"{money} money amounts")


# --- 8. query tables ---------------------------------------------------------------------------------


@pytest.fixture()
def money_db(tmp_path) -> Path:
    path = newsmine_db(tmp_path / "m.db")
    db = open_db(path)
    db["articles"].insert({"id": 1, "url": "https://x.de/1", "title": "Haushalt", "text": "Das Land gibt "
                           "5,5 Milliarden Euro aus.", "published": "2026-01-02"})
    db["money"].insert({"article_id": 1, "start": 14, "end": 33, "text": "5,5 Milliarden Euro",
                        "value_eur": 5_500_000_000.0, "high_eur": None, "qualifier": None, "years": "[]",
                        "sentence": "Das Land gibt 5,5 Milliarden Euro aus."})
    db.conn.close()
    return path


def test_query_money_shows_german_numbers_in_tables_and_exact_numbers_in_json_and_csv(money_db):
    table = invoke("query", "money", "--db", str(money_db))
    assert table.exit_code == 0, table.output
    assert "5.500.000.000,00 €" in table.stdout and "5,500,000,000.00" not in table.stdout
    as_json = invoke("query", "money", "--db", str(money_db), "--json")
    assert json.loads(as_json.stdout)[0]["value_eur"] == 5_500_000_000.0
    as_csv = invoke("query", "money", "--db", str(money_db), "--csv")
    assert next(csv.DictReader(io.StringIO(as_csv.stdout)))["value_eur"] == "5500000000.0"
    article = invoke("query", "article", "1", "--db", str(money_db))
    assert "5.500.000.000,00 €" in article.stdout


@pytest.mark.parametrize("args", [["entity", ""], ["entity", "  "], ["search", ""]])
def test_query_refuses_an_empty_name(money_db, args):
    line = one_line_error(invoke("query", *args, "--db", str(money_db)))
    assert "empty" in line


def test_query_help_lists_every_query():
    result = invoke("query", "--help")
    description = result.output.split("Options:")[0]
    for name in query.commands:
        assert name in description, name


# --- 9. annotate: one line out per line in ------------------------------------------------------------


def test_annotate_answers_a_blank_line(tmp_path):
    lines = [json.dumps({"id": 1, "text": "Sören Link gab 2,5 Mio. Euro frei."}), "", "   ",
             json.dumps({"id": 2, "text": "Keine Beträge."})]
    result = invoke("annotate", input="\n".join(lines) + "\n")
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, None, None, 2]
    assert out[1] == {"id": None, "line": 2, "error": "line 2: empty line"}
    assert out[2] == {"id": None, "line": 3, "error": "line 3: empty line"}
    assert "newsmine annotate: line 2: empty line" in result.stderr


def test_annotate_error_text_says_at_column_once():
    result = invoke("annotate", input='{"id": 1, "text": "a\x01b"}\n')
    [out] = [json.loads(line) for line in result.stdout.splitlines()]
    assert out["error"] == "line 1: invalid JSON (Invalid control character at column 21)"
    assert "at at" not in result.stderr


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q", "-n", "0"]))
