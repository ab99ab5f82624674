"""Security: what may be fetched, SQL injection through the CLI, HTML from articles, secrets in the repository.

* Only http(s) URLs are fetched: ``file:``, ``ftp:``, ``javascript:``, ``data:`` (and a redirect to any of
  them) are refused with a clear reason, before any request; a sources config with such a URL is rejected.
* Private, loopback, link-local, multicast and reserved addresses (literal, a name such as ``localhost``,
  or a redirect hop) are refused unless the source says ``allow_private = true``; the refused server gets
  no request at all.
* Every ``newsmine query`` option is passed SQL-injection strings; the database is unchanged, and the
  strings are matched literally (they find nothing), never executed.
* An article whose text holds ``<script>`` (and terminal escape sequences): the extractor drops script
  elements; ``newsmine query article`` prints the text with control characters neutralised and its JSON
  keeps the text exactly; Datasette's table and row pages show it escaped (``&lt;script&gt;``).
* A page whose whole body is a URL makes no request: the extractor never fetches (htmldate, its date
  fallback until extract-2.14 and still used by trafilatura, downloads a string that looks like a URL).
* No private keys or API tokens in the repository's files.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from loopback import LoopbackServer, Reply, redirect

from pipeline import store
from pipeline.cli import cli
from pipeline.extract import extract
from pipeline.fetch import FetchRequest, FetchSettings, fetch_all
from pipeline.sources import SourceConfigError, load_sources

ROOT = Path(__file__).resolve().parent.parent
STRICT = FetchSettings(min_delay=0.0, timeout=1.0, retries=0, respect_robots=False, allow_private=False)
OPEN = FetchSettings(min_delay=0.0, timeout=1.0, retries=0, respect_robots=False, allow_private=True)


# --------------------------------------------------------------------------- schemes


@pytest.mark.parametrize("url, scheme", [
    ("file:///etc/passwd", "file"), ("ftp://ftp.example.org/feed.xml", "ftp"), ("javascript:alert(1)", "javascript"),
    ("data:text/html,<script>alert(1)</script>", "data"), ("gopher://example.org/", "gopher"),
])
def test_only_http_and_https_are_fetched(url, scheme, tmp_path):
    [res] = fetch_all([url], OPEN)
    assert res.error == f"unsupported scheme: {scheme}" and res.body is None and res.attempts == 0
    cfg = tmp_path / "s.toml"
    cfg.write_text(f'[[source]]\nname = "x"\nkind = "feed"\nurl = "{url}"\n', encoding="utf-8")
    with pytest.raises(SourceConfigError, match="is not an http\\(s\\) URL"):
        load_sources(cfg)


@pytest.mark.parametrize("target, scheme", [
    ("file:///etc/passwd", "file"), ("ftp://example.org/x", "ftp"), ("data:text/html,hallo", "data"),
    ("javascript:alert(1)", "javascript"),
])
def test_a_redirect_to_another_scheme_is_refused(target, scheme):
    with LoopbackServer() as srv:
        srv.route("/go", redirect(target))
        [res] = fetch_all([srv.url("/go")], OPEN)
    assert res.error == f"redirect to unsupported scheme: {scheme}" and res.body is None


def test_a_malformed_redirect_is_a_clear_failure():
    with LoopbackServer() as srv:
        srv.route("/go", redirect("http://[kaputt/"))
        srv.route("/nowhere", Reply(status=302, content_type=None))
        bad, empty = fetch_all([srv.url("/go"), srv.url("/nowhere")], OPEN)
    assert bad.error == "invalid redirect" and bad.attempts == 1
    assert empty.error == "http 302 without Location"


# --------------------------------------------------------------------------- private addresses


@pytest.mark.parametrize("host", [
    "127.0.0.1", "localhost", "127.1", "2130706433", "[::1]", "10.1.2.3", "192.168.178.1", "172.16.0.1",
    "169.254.169.254", "[fe80::1]", "224.0.0.1", "[ff02::1]", "0.0.0.0", "240.0.0.1", "100.64.0.1",
    "[::ffff:127.0.0.1]",
])
def test_private_loopback_link_local_multicast_and_reserved_addresses_are_refused(host):
    [res] = fetch_all([f"http://{host}:9/admin"], STRICT)
    assert res.error == "private address not allowed" and res.attempts == 0 and res.status is None


def test_the_refused_server_gets_no_request_and_allow_private_is_per_source(tmp_path):
    with LoopbackServer() as srv:
        srv.route("/a.html", Reply(body="<p>intern</p>"))
        srv.route("/to-loopback", redirect(srv.url("/a.html")))
        refused, allowed = fetch_all([FetchRequest(srv.url("/a.html")),
                                      FetchRequest(srv.url("/a.html"), allow_private=True)], STRICT)
        assert refused.error == "private address not allowed" and allowed.status == 200
        assert len(srv.requests_to("/a.html")) == 1  # only the allowed one reached the server
        # through a run: a source without allow_private records the refusal and sends nothing
        cfg = tmp_path / "s.toml"
        cfg.write_text(f'[[source]]\nname = "intern"\nkind = "urls"\nurls = ["{srv.url("/a.html")}"]\n'
                       "min_delay = 0\nretries = 0\n", encoding="utf-8")
        srv.clear()
        db = tmp_path / "n.db"
        result = CliRunner().invoke(cli, ["run", "--config", str(cfg), "--db", str(db), "--quiet"])
        # its only source failed, so the run failed (issue #24), with the refusal recorded per page
        assert result.exit_code == 1 and "run failed" in result.output, result.output
        assert srv.requests == []
    con = sqlite3.connect(db)
    assert con.execute("SELECT error FROM pages").fetchall() == [("private address not allowed",)]
    con.close()


def test_the_demo_source_is_the_one_that_allows_loopback():
    from pipeline.run import demo_sources

    [demo] = demo_sources("http://127.0.0.1:8737")
    assert demo.allow_private
    # and a config must ask for it explicitly: the default is off
    assert not load_sources(ROOT / "pipeline" / "data" / "sources.example.toml")[0].allow_private


# --------------------------------------------------------------------------- the database for the CLI tests

TITLE = '<script>alert("titel")</script> Duisburg baut'
TEXT = ("Oberbürgermeister Sören Link sagte in Duisburg: „Wir bauen die Brücke.“ <script>alert(1)</script> "
        "Die Stadtwerke Duisburg rechnen mit 2,5 Millionen Euro. \x1b[2J\x1b]0;pwned\x07 Ende der Meldung.")


def _span(text: str, part: str, label: str) -> dict:
    start = text.index(part)
    return {"start": start, "end": start + len(part), "label": label, "text": part, "sentence": ""}


@pytest.fixture
def db_path(tmp_path) -> Path:
    path = tmp_path / "sec.db"
    db = store.open_db(path)
    amount = _span(TEXT, "2,5 Millionen Euro", "MONEY")
    store.save_article(db, store.ArticleRecord(
        url="https://example.de/artikel-1", title=TITLE, text=TEXT, published="2025-05-01", model="test@1",
        entities=[_span(TEXT, "Sören Link", "PER"), _span(TEXT, "Duisburg", "LOC"),
                  _span(TEXT, "Stadtwerke Duisburg", "ORG")],
        money=[{**amount, "value_eur": 2_500_000.0, "high_eur": None, "qualifier": None, "years": [2025]}],
        quotes=[{**_span(TEXT, "„Wir bauen die Brücke.“", "Q"), "speaker": "Sören Link"}]))
    db.close()
    return path


def fingerprint(path: Path) -> tuple:
    """The schema and every row of every table."""
    con = sqlite3.connect(path)
    schema = con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name").fetchall()
    digest = hashlib.sha256()
    for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").fetchall():
        for row in sorted(repr(r) for r in con.execute(f'SELECT * FROM "{name}"')):
            digest.update(row.encode())
    integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    con.close()
    return schema, digest.hexdigest(), integrity


# --------------------------------------------------------------------------- SQL injection

INJECTIONS = [
    "'; DROP TABLE articles; --",
    "\"; DROP TABLE mentions; --",
    "x' OR '1'='1",
    "%' UNION SELECT sql, 1, 1, 1, 1 FROM sqlite_master --",
    "1; DELETE FROM entities",
    "Link\" OR 1=1 --",
    "*",
    "NEAR(Link Duisburg)",
    "\"",
    "%",
    "_",
]


def _query_commands(payload: str) -> list[list[str]]:
    """Every ``newsmine query`` option that takes text or a number, with ``payload`` in it."""
    return [
        ["query", "people", "--name", payload], ["query", "people", "--role", "--name", payload],
        ["query", "places", "--name", payload], ["query", "orgs", "--name", payload],
        ["query", "money", "--min", payload], ["query", "money", "--year", payload],
        ["query", "money", "--article", payload], ["query", "money", "--limit", payload],
        ["query", "quotes", "--speaker", payload], ["query", "search", payload],
        ["query", "article", payload], ["query", "entity", payload],
        ["query", "people", "--limit", payload], ["query", "search", payload, "--json"],
    ]


def test_sql_injection_through_every_query_option_changes_nothing(db_path):
    before = fingerprint(db_path)
    assert before[2] == "ok"
    runner = CliRunner()
    tried = 0
    for payload in INJECTIONS:
        for args in _query_commands(payload):
            result = runner.invoke(cli, [*args, "--db", str(db_path)])
            tried += 1
            # a clear outcome: rows or "(no rows)" (0), a one-line error (1), a bad option value (2)
            assert result.exit_code in (0, 1, 2), (args, result.output, result.exception)
            assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
            assert "Traceback" not in result.output
            if args[1] in ("people", "places", "orgs", "quotes", "entity") and result.exit_code == 0 \
                    and payload not in ("%", "_"):
                # matched literally (LIKE on the text, not SQL): nothing has such a name, no rows
                assert result.stdout.strip() == "", (args, result.stdout)
    after = fingerprint(db_path)
    assert after == before, "a query command changed the database"
    assert tried == len(INJECTIONS) * len(_query_commands("x"))
    # and the same commands with ordinary values do find the article (so the checks above could fail)
    found = runner.invoke(cli, ["query", "people", "--name", "Link", "--db", str(db_path)])
    assert found.exit_code == 0 and "Sören Link" in found.output


# --------------------------------------------------------------------------- HTML and control characters


def test_extractor_drops_script_elements():
    html = ('<html><head><title>Titel</title><script>var geheim = "aus dem Kopf";</script></head><body><article>'
            "<h1>Die Brücke wird teurer</h1><p>Der Rat der Stadt Duisburg berät am Montag über die Mehrkosten "
            "der Brücke.</p><script>document.write('eingeschleust')</script><p>Die Verwaltung legt eine neue "
            "Vorlage vor.</p></article></body></html>")
    ex = extract(html, "https://example.de/a")
    assert "Mehrkosten" in ex.text and "eingeschleust" not in ex.text and "geheim" not in ex.text


def test_query_article_output_neutralises_control_characters_and_json_keeps_the_text(db_path):
    runner = CliRunner()
    plain = runner.invoke(cli, ["query", "article", "1", "--db", str(db_path)])
    assert plain.exit_code == 0, plain.output
    assert "\x1b" not in plain.output and "\x07" not in plain.output  # no terminal escape sequences
    assert "<script>alert(1)</script>" in plain.output  # plain text, shown as text, not interpreted
    as_json = runner.invoke(cli, ["query", "article", "1", "--json", "--db", str(db_path)])
    assert as_json.exit_code == 0
    assert "\x1b" not in as_json.output  # JSON escapes control characters (\u001b)
    row = json.loads(as_json.output)
    assert row["text"] == TEXT and row["title"] == TITLE


def test_datasette_pages_escape_html_from_articles(db_path):
    async def pages() -> dict[str, str]:
        ds = Datasette([str(db_path)])
        out = {}
        for path in ("/sec/articles", "/sec/articles/1", "/sec/quotes", "/sec/mentions"):
            response = await ds.client.get(path)
            assert response.status_code == 200, path
            out[path] = response.text
        return out

    rendered = asyncio.run(pages())
    for path, html in rendered.items():
        assert "<script>alert(" not in html, f"{path} renders article HTML unescaped"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered["/sec/articles/1"]  # the text, escaped
    assert "&lt;script&gt;alert(" in rendered["/sec/articles"]


# --------------------------------------------------------------------------- secrets

SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis",
             "build", "dist", ".mypy_cache"}
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})"),
    "Slack token": re.compile(r"\bxox[abposr]-[0-9A-Za-z-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}"),
    "OpenAI/Anthropic-style key": re.compile(r"\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{32,}"),
    "Hugging Face token": re.compile(r"\bhf_[A-Za-z0-9]{34,}"),
    "Stripe live key": re.compile(r"\b[rs]k_live_[0-9A-Za-z]{24,}"),
    "JSON Web Token": re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    "password or token assignment": re.compile(
        r"(?i)\b(?:password|passwd|secret_key|api_key|apikey|access_token|auth_token)\s*[:=]\s*[\"'][^\"'\s]{12,}[\"']"),
}
SECRET_FILE_NAMES = re.compile(r"^(?:id_rsa|id_dsa|id_ecdsa|id_ed25519|\.env|\.netrc|\.pypirc|credentials\.json)$"
                               r"|\.(?:pem|key|p12|pfx)$")


def find_secrets(root: Path) -> list[str]:
    """``file:line: kind`` for everything in ``root`` that looks like a secret (text files under 2 MB)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".egg-info")]
        for name in filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(root)
            if SECRET_FILE_NAMES.search(name):
                found.append(f"{rel}: a key or credentials file")
            try:
                if path.stat().st_size > 2_000_000:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            if b"\0" in data[:4096]:
                continue  # binary
            text = data.decode("utf-8", errors="replace")
            for kind, pattern in SECRET_PATTERNS.items():
                for m in pattern.finditer(text):
                    found.append(f"{rel}:{text.count(chr(10), 0, m.start()) + 1}: {kind}")
    return found


def test_no_secrets_in_the_repository():
    assert find_secrets(ROOT) == []


def test_the_secret_scan_finds_planted_secrets(tmp_path):
    (tmp_path / "config.py").write_text(
        "API_KEY = 1\napi_key = '" + "q7Zr2" * 4 + "'\n" + "aws = 'AKIA" + "Q" * 16 + "'\n"
        + "gh = 'ghp_" + "a1B2" * 9 + "'\n", encoding="utf-8")
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "server.pem").write_text("-----BEGIN " + "RSA PRIVATE KEY-----\nMIIE\n", encoding="utf-8")
    found = find_secrets(tmp_path)
    kinds = {f.split(": ", 1)[1] for f in found}
    assert {"password or token assignment", "AWS access key id", "GitHub token", "private key",
            "a key or credentials file"} <= kinds, found


def test_a_page_that_is_only_a_url_is_never_fetched_by_the_extractor():
    """Such a page has no main text, so trafilatura is asked; its date library (htmldate, newsmine's own
    date fallback until extract-2.14) downloads a string that starts with ``http`` and holds no space:
    the page's URL must be read as text, not fetched (here a loopback server that records every
    request)."""
    with LoopbackServer() as srv:
        srv.route("/admin", Reply(body="<html><body><p>secret</p></body></html>"))
        records = [extract(body.encode("utf-8"), url="https://www.example.org/artikel.html")
                   for body in (srv.url("/admin"), srv.url("/admin") + "\n")]
        assert [r.path for r in srv.requests_to("/admin")] == []
    for record in records:
        assert record.text == ""
        assert not any("fallback failed" in w for w in record.warnings), record.warnings
