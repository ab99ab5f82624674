"""The newsmine CLI end to end: demo run, annotate contract, queries, bad input.

The commands run in this process through click's ``CliRunner`` (:func:`newsmine`: the real command
group of pipeline/cli.py, its exit code, stdout and stderr apart). The annotate contract runs the real
``python -m pipeline.cli`` (:func:`newsmine_process`): JSON Lines through a real pipe, the exit code
of the real interpreter.
"""

import csv
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pipeline.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DEMO_ARTICLES = sorted((ROOT / "corpus" / "demo" / "site" / "articles").rglob("*.html"))


def newsmine(*args: str, stdin: str | None = None) -> Result:
    """``newsmine ARGS`` in this process; ``result.exit_code``, ``.stdout`` and ``.stderr`` as a shell sees them."""
    return CliRunner().invoke(cli, list(args), input=stdin)


def no_traceback(result: Result) -> None:
    """The command ended by itself (click's exit), not by an exception: a real process would have printed
    a traceback for that."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


def newsmine_process(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """``python -m pipeline.cli ARGS`` as a real process."""
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, timeout=600)


def counts(db: Path) -> dict:
    con = sqlite3.connect(db)
    out = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
           for t in ("articles", "pages", "mentions", "entities", "money")}
    for label, n in con.execute("SELECT label, count(*) FROM mentions GROUP BY label"):
        out[label] = n
    con.close()
    return out


def test_demo_run_stores_every_article_with_entities_and_money(demo_db):
    c = counts(demo_db)
    assert len(DEMO_ARTICLES) >= 12
    assert c["articles"] == len(DEMO_ARTICLES)
    for label in ("PER", "LOC", "ORG"):
        assert c.get(label, 0) > 0, label
    assert c["money"] > 0
    con = sqlite3.connect(demo_db)
    row = con.execute("SELECT model, extractor_version, title, published FROM articles LIMIT 1").fetchone()
    assert row[0].startswith("de_") and row[1].startswith("extract-")
    assert row[2] and row[3]
    con.close()


def test_second_run_adds_no_duplicates(demo_db):
    before = counts(demo_db)
    result = newsmine("run", "--db", str(demo_db), "--quiet")
    assert result.exit_code == 0, result.output
    assert counts(demo_db) == before
    con = sqlite3.connect(demo_db)
    assert con.execute("SELECT count(*) FROM runs WHERE status = 'ok'").fetchone()[0] >= 2
    con.close()


def test_demo_pages_keep_their_public_urls_when_the_demo_port_is_taken(demo_db):
    import socket

    before = counts(demo_db)
    with socket.socket() as blocker:
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            blocker.bind(("127.0.0.1", 8737))
            blocker.listen()
        except OSError:
            pass  # already taken by something else: the run below uses another port either way
        result = newsmine("run", "--db", str(demo_db), "--quiet")
    assert result.exit_code == 0, result.output
    assert counts(demo_db) == before
    con = sqlite3.connect(demo_db)
    assert con.execute("SELECT count(*) FROM pages WHERE url LIKE 'http://127.0.0.1%'").fetchone()[0] == 0
    con.close()


def test_query_commands(demo_db):
    people = json.loads(newsmine("query", "people", "--db", str(demo_db), "--json").stdout)
    assert people and {"name", "mentions", "articles"} <= set(people[0])
    money = list(csv.DictReader(io.StringIO(newsmine("query", "money", "--db", str(demo_db), "--csv").stdout)))
    assert money and float(money[0]["value_eur"]) >= float(money[-1]["value_eur"])
    big = json.loads(newsmine("query", "money", "--db", str(demo_db), "--min", "1000000", "--json").stdout)
    assert all(max(m["value_eur"], m["high_eur"] or 0) >= 1e6 for m in big)
    article = json.loads(newsmine("query", "article", "1", "--db", str(demo_db), "--json").stdout)
    for ent in article["entities"]:
        assert article["text"][ent["start"]:ent["end"]] == ent["text"]
    table = newsmine("query", "places", "--db", str(demo_db)).stdout
    assert table.splitlines()[0].split()[:2] == ["id", "name"]


ANNOTATE_INPUT = "\n".join([
    json.dumps({"id": "a", "text": "Oberbürgermeister Sören Link (SPD) gab in Duisburg rund 2,5 Mio. Euro frei."}),
    "{broken json",
    json.dumps({"id": 7, "text": "Keine Beträge hier."}),
    json.dumps({"id": "x", "txt": "missing text"}),
])


def test_annotate_follows_the_json_lines_contract():
    result = newsmine_process("annotate", stdin=ANNOTATE_INPUT)
    assert result.returncode == 1  # bad lines were reported
    assert "line 2: invalid JSON" in result.stderr and "Traceback" not in result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["a", None, 7, "x"]
    first = lines[0]
    assert list(first) == ["id", "entities", "money"]
    text = json.loads(ANNOTATE_INPUT.splitlines()[0])["text"]
    for ent in first["entities"]:
        assert list(ent)[:6] == ["start", "end", "label", "text", "canonical", "key"]
        assert ent["label"] in ("PER", "LOC", "ORG")
        assert text[ent["start"]:ent["end"]] == ent["text"]
    start = text.index("2,5 Mio. Euro")
    assert first["money"] == [{"start": start, "end": start + 13, "text": "2,5 Mio. Euro", "value_eur": 2500000.0,
                               "high_eur": None, "qualifier": "rund"}]
    assert lines[1]["error"].startswith("line 2") and lines[3]["error"].startswith("line 4")
    assert lines[2] == {"id": 7, "entities": [], "money": []}


@pytest.mark.parametrize("args", [
    ["run", "--config", "does-not-exist.toml"],
    ["run", "--db", "/nonexistent-dir/x/newsmine.db", "--quiet"],
    ["query", "people", "--db", "missing.db"],
    ["query", "money", "--min", "lots"],
    ["evaluate"],
    ["evaluate", "--swap-names", "2"],
    ["evaluate", "--corpus", "dev", "--swap-names", "2", "--shared", "."],
    ["annotate", "--model", "/no/such/model"],
    ["extract", "missing.html"],
])
def test_bad_cli_input_gives_one_line_error(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # relative paths are looked up where the user is
    result = newsmine(*args, stdin="")
    assert result.exit_code != 0
    no_traceback(result)
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.stderr


def test_datasette_serves_the_database(demo_db):
    import asyncio

    from datasette.app import Datasette

    from pipeline.review import metadata

    async def fetch():
        ds = Datasette([str(demo_db)], metadata=metadata(demo_db.stem))
        articles = await ds.client.get("/newsmine/articles.json?_shape=array&_size=max")
        search = await ds.client.get("/newsmine/articles.json?_shape=array&_search=Integrationsdezernent")
        tables = await ds.client.get("/newsmine.json")
        mentions = await ds.client.get("/newsmine/mentions.json?_facet=label")
        return articles, search, tables, mentions

    articles, search, tables, mentions = asyncio.run(fetch())
    assert articles.status_code == 200
    assert len(articles.json()) == len(DEMO_ARTICLES)
    assert search.status_code == 200 and search.json()
    visible = {t["name"] for t in tables.json()["tables"] if not t["hidden"]}
    assert {"articles", "mentions", "entities", "money", "roles", "quotes"} <= visible
    assert "articles_fts_data" not in visible and "_sqlite_migrations" not in visible
    labels = {f["value"] for f in mentions.json()["facet_results"]["label"]["results"]}
    assert labels == {"PER", "LOC", "ORG"}


def test_serve_refuses_a_missing_database(tmp_path):
    result = newsmine("serve", "--db", str(tmp_path / "nope.db"))
    assert result.exit_code != 0 and "does not exist" in result.stderr
    no_traceback(result)


def test_facts_are_stored_and_queryable(demo_db):
    quotes = json.loads(newsmine("query", "quotes", "--db", str(demo_db), "--json").stdout)
    assert quotes and any(q["speaker"] for q in quotes)
    speaker = next(q["speaker"] for q in quotes if q["speaker"])
    theirs = json.loads(newsmine("query", "quotes", "--speaker", speaker, "--db", str(demo_db), "--json").stdout)
    assert theirs and all(q["speaker"] == speaker for q in theirs)
    roles = json.loads(newsmine("query", "people", "--role", "--db", str(demo_db), "--json").stdout)
    assert roles and all(r["roles"] for r in roles)
    con = sqlite3.connect(demo_db)
    # every role and quote carries article, offsets and the rule version
    for table in ("roles", "quotes"):
        bad = con.execute(f"SELECT count(*) FROM {table} WHERE article_id IS NULL OR start IS NULL OR version IS NULL").fetchone()[0]
        assert bad == 0
    con.close()


def test_sources_add_list_check(tmp_path):
    config = tmp_path / "sources.toml"
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.html").write_text("<html><body><article><h1>T</h1><p>Text in Essen.</p></article></body></html>")
    assert newsmine("sources", "add", "lokal", "--kind", "directory", "--path", "site", "--region", "Essen",
                    "--config", str(config)).exit_code == 0
    dup = newsmine("sources", "add", "lokal", "--kind", "feed", "--url", "https://e.org/rss", "--config", str(config))
    assert dup.exit_code != 0 and "exists already" in dup.stderr
    bad = newsmine("sources", "add", "x", "--kind", "feed", "--url", "ftp://e.org/rss", "--config", str(config))
    assert bad.exit_code != 0 and "not an http(s) URL" in bad.stderr
    no_traceback(dup)
    no_traceback(bad)
    listed = json.loads(newsmine("sources", "list", "--config", str(config), "--json").stdout)
    assert listed == [{"name": "lokal", "kind": "directory", "url": "site", "region": "Essen"}]
    checked = json.loads(newsmine("sources", "check", "--config", str(config), "--json").stdout)
    assert checked[0]["listed"] == 1 and checked[0]["error"] is None


def test_agency_story_on_two_sites_is_stored_once(tmp_path):
    from pipeline.corpus import read_jsonl

    text = list(read_jsonl())[10]["text"]
    site = tmp_path / "site"
    site.mkdir()

    def page(body: str) -> str:
        paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
        return f"<html lang='de'><body><article><h1>Meldung</h1>{paragraphs}</article></body></html>"

    (site / "a.html").write_text(page(text), encoding="utf-8")
    (site / "b.html").write_text(page("KÖLN (dpa) – " + text + " Weitere Informationen folgen."), encoding="utf-8")
    config = tmp_path / "sources.toml"
    config.write_text('[[source]]\nname = "lokal"\nkind = "directory"\npath = "site"\n', encoding="utf-8")
    db = tmp_path / "n.db"
    result = newsmine("run", "--config", str(config), "--db", str(db), "--quiet")
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    [error] = [r[0] for r in con.execute("SELECT error FROM pages WHERE error IS NOT NULL")]
    assert error.startswith("extract: near-duplicate of ") and "a.html" in error
    con.close()


def test_directory_source_caps_file_size_and_keeps_stored_html(tmp_path):
    from pipeline.corpus import read_jsonl

    text = list(read_jsonl())[3]["text"]
    site = tmp_path / "site"
    site.mkdir()
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    good = f"<html lang='de'><body><article><h1>Meldung</h1>{paragraphs}</article></body></html>"
    (site / "a.html").write_text(good, encoding="utf-8")
    (site / "huge.html").write_bytes(b"<p>" + b"x" * 300_000 + b"</p>")
    config = tmp_path / "sources.toml"
    config.write_text('[[source]]\nname = "lokal"\nkind = "directory"\npath = "site"\nmax_bytes = 200000\n',
                      encoding="utf-8")
    db = tmp_path / "n.db"
    result = newsmine("run", "--config", str(config), "--db", str(db), "--quiet")
    assert result.exit_code == 0, result.output
    con = sqlite3.connect(db)
    rows = dict(con.execute("SELECT url, error FROM pages"))
    assert [e for u, e in rows.items() if u.endswith("huge.html")] == ["file larger than max_bytes (200,000 bytes)"]
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    before = con.execute("SELECT html_gz FROM pages WHERE url LIKE '%a.html'").fetchone()[0]
    con.close()
    # the stored page grows past the cap: the failure is recorded, the stored HTML and article stay
    (site / "a.html").write_text(good + "<!--" + "y" * 250_000 + "-->", encoding="utf-8")
    result = newsmine("run", "--config", str(config), "--db", str(db), "--quiet")
    # every listed file failed, so the only source failed and with it the run (#24); what was stored stays
    assert result.exit_code == 1, result.output
    assert "run failed: the source failed" in result.stderr and "Traceback" not in result.stderr
    no_traceback(result)
    con = sqlite3.connect(db)
    html, error = con.execute("SELECT html_gz, error FROM pages WHERE url LIKE '%a.html'").fetchone()
    assert html == before and error.startswith("file larger than max_bytes")
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    con.close()


def test_two_workers_give_the_same_database_as_one(demo_db, tmp_path):
    result = newsmine("run", "--db", str(tmp_path / "w2.db"), "--quiet", "--workers", "2")
    assert result.exit_code == 0, result.output
    con1, con2 = sqlite3.connect(demo_db), sqlite3.connect(tmp_path / "w2.db")
    query = ("SELECT a.url, m.start, m.end, m.label, m.text FROM mentions m JOIN articles a ON a.id = m.article_id "
             "UNION ALL SELECT a.url, mo.start, mo.end, 'MONEY', mo.value_eur FROM money mo "
             "JOIN articles a ON a.id = mo.article_id ORDER BY 1, 2, 3, 4")
    assert con1.execute(query).fetchall() == con2.execute(query).fetchall()
    con1.close()
    con2.close()
