"""The store owns its whole schema and imports nothing above it (#22).

- ``import pipeline.store`` loads no NLP layer, no corrections module, no spaCy (checked in a fresh
  interpreter), and no line of ``store.py`` / ``schema.py`` imports them, not even inside a function;
- ``python -m pipeline.cli --help`` loads no spaCy;
- views, triggers and co-occurrence tables are made by the store's migrations;
- the store writes the names, keys and places a record carries, and never geocodes or links names
  itself; :func:`pipeline.store.read_records` reads the records back so that writing them again gives
  the same rows.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from pipeline import store

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("pipeline.nlp", "pipeline.corrections", "pipeline.places", "pipeline.query", "pipeline.run",
             "spacy", "thinc")


def _modules_after(code: str) -> list[str]:
    """The modules loaded in a fresh interpreter after ``code`` (run to its end or its SystemExit)."""
    script = ("import json, sys\ntry:\n" + "".join(f"    {line}\n" for line in code.splitlines())
              + "except SystemExit:\n    pass\nfinally:\n    sys.stdout = sys.__stdout__\n"
              "    print('\\nMODULES ' + json.dumps(sorted(sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("MODULES "))
    return json.loads(line[len("MODULES "):])


def _forbidden(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]


def test_importing_the_store_loads_nothing_above_it():
    modules = _modules_after("import pipeline.store")
    assert "pipeline.store" in modules
    assert _forbidden(modules) == []


def test_cli_help_loads_no_spacy():
    modules = _modules_after("import runpy\nsys.argv = ['newsmine', '--help']\n"
                             "runpy.run_module('pipeline.cli', run_name='__main__')")
    assert "click" in modules  # the CLI did run
    assert [m for m in modules if m.split(".")[0] in ("spacy", "thinc", "torch")] == []


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names if node.module == "pipeline"}
    return found


def test_store_and_schema_never_import_nlp_or_corrections_not_even_lazily():
    store_imports = {m for m in _imports(ROOT / "pipeline" / "store.py") if m.startswith("pipeline")}
    assert _forbidden(sorted(store_imports)) == []
    # the re-keying migration calls the resolver (pure Python, no model); everything else is below the store
    assert store_imports <= {"pipeline", "pipeline.schema", "pipeline.names", "pipeline.dedup", "pipeline.resolve",
                             "pipeline.__version__"}, store_imports
    assert {m for m in _imports(ROOT / "pipeline" / "schema.py") if m.startswith("pipeline")} == set()
    # corrections sits above the store: it imports the store, not the other way round
    assert "pipeline.store" in _imports(ROOT / "pipeline" / "corrections.py")


def test_the_store_migrations_make_views_triggers_and_cooccurrence_tables(tmp_path):
    db = store.open_db(tmp_path / "n.db")
    master = {(r[0], r[1]) for r in db.execute("SELECT type, name FROM sqlite_master")}
    for view in ("corrections_effective", "corrected_mentions", "mentions_reviewed", "places_map"):
        assert ("view", view) in master
    for trigger in ("corrections_follow_article_insert", "corrections_follow_article_url",
                    "corrections_follow_article_delete", "article_entities_mention_insert",
                    "article_entities_mention_delete", "entity_pairs_delete"):
        assert ("trigger", trigger) in master
    assert ("trigger", "entity_pairs_insert") not in master  # dropped by m009: the writer counts pairs
    for table in ("corrections", "article_entities", "entity_pairs", "newsmine_state"):
        assert ("table", table) in master
    assert ("index", "idx_pages_failed_fetches") in master and ("index", "idx_pages_failed") not in master
    assert store.schema_version(db) == store.SCHEMA_VERSION == len(store.MIGRATIONS._migrations)


TEXT = "Oberbürgermeister Sören Link sprach in Neudorf mit der Stadt Duisburg. „Wir bauen“, sagte Link."


def _span(text: str, label: str, occurrence: int = 0, **extra) -> dict:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(text, start + 1)
    return {"start": start, "end": start + len(text), "label": label, "text": text, "sentence": None, **extra}


def _record(url: str = "https://e.org/1") -> store.ArticleRecord:
    duisburg = {"latitude": 51.43, "longitude": 6.77, "state": "Nordrhein-Westfalen", "geonames_id": 2934691}
    return store.ArticleRecord(
        url=url, title="T", text=TEXT, model="m",
        entities=[_span("Sören Link", "PER", canonical="Sören Link"),
                  _span("Neudorf", "LOC", canonical="Neudorf", key="LOC:neudorf#2866758", place=None),
                  _span("Stadt Duisburg", "LOC", canonical="Duisburg", place=duisburg),
                  _span("Link", "PER", 1, canonical="Sören Link")],
        roles=[{"start": 0, "end": 17, "text": "Oberbürgermeister", "person": "Link", "person_key": "PER:sören link",
                "party": None, "affiliation": None}],
        quotes=[{"start": TEXT.index("„"), "end": TEXT.index("“") + 1, "text": "Wir bauen", "speaker": "Link",
                 "speaker_key": "PER:sören link"}])


def test_the_store_writes_the_names_keys_and_places_a_record_carries(tmp_path):
    db = store.open_db(tmp_path / "n.db")
    store.save_article(db, _record())
    entities = {r["key"]: r for r in db["entities"].rows}
    assert set(entities) == {"PER:sören link", "LOC:neudorf#2866758", "LOC:duisburg"}
    assert entities["LOC:duisburg"]["name"] == "Duisburg" and entities["LOC:duisburg"]["geonames_id"] == 2934691
    assert json.loads(entities["LOC:duisburg"]["aliases"]) == ["Stadt Duisburg"]
    # no place in the record: no coordinates, although the gazetteer knows a Neudorf (the store does not geocode)
    assert entities["LOC:neudorf#2866758"]["latitude"] is None
    person = entities["PER:sören link"]["id"]
    assert [r["entity_id"] for r in db["roles"].rows] == [person]
    assert [r["speaker_entity_id"] for r in db["quotes"].rows] == [person]
    # without a canonical name a mention is its own name; without a key, the key of its name
    rec = _record("https://e.org/2")
    rec.entities = [{k: v for k, v in e.items() if k not in ("canonical", "key", "place")} for e in rec.entities]
    rec.roles[0].pop("person_key")
    store.save_article(db, rec)
    assert {"LOC:stadt duisburg", "LOC:neudorf", "PER:link"} <= {r["key"] for r in db["entities"].rows}
    assert db.execute("SELECT latitude FROM entities WHERE key = 'LOC:stadt duisburg'").fetchone()[0] is None
    role = db.execute("SELECT e.key FROM roles r JOIN entities e ON e.id = r.entity_id "
                      "WHERE r.article_id = 2").fetchone()[0]
    assert role == "PER:link"


def test_records_read_back_write_the_same_rows(tmp_path):
    first = store.open_db(tmp_path / "a.db")
    store.upsert_source(first, "s", "urls", None)
    pages = [store.save_page(first, url=f"https://e.org/{i}", source="s", status=200, body=b"<p>x</p>")
             for i in (1, 2)]
    for i, page_id in zip((1, 2), pages):
        rec = _record(f"https://e.org/{i}")
        rec.page_id, rec.source = page_id, "s"
        rec.money = [{"start": 0, "end": 3, "text": "5 €", "value_eur": 5.0, "years": [2025]}]
        rec.money_version, rec.facts_version = "money-x", "facts-x"
        store.save_article(first, rec)
    records = list(store.read_records(first))
    assert [r.page_id for r in records] == pages
    assert list(store.read_records(first.conn, pages[1], pages[1]))[0].url == "https://e.org/2"
    second = store.open_db(tmp_path / "b.db")
    store.upsert_source(second, "s", "urls", None)
    for i in (1, 2):
        store.save_page(second, url=f"https://e.org/{i}", source="s", status=200, body=b"<p>x</p>")
    store.save_articles(second, records)
    for table in ("entities", "mentions", "money", "roles", "quotes"):
        assert list(first[table].rows) == list(second[table].rows), table
    skip = {"processed_at"}
    assert [{k: v for k, v in r.items() if k not in skip} for r in first["articles"].rows] == \
        [{k: v for k, v in r.items() if k not in skip} for r in second["articles"].rows]
    assert [r["outcome"] for r in second["pages"].rows] == ["ok", "ok"]
