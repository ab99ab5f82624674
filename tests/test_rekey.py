"""Migration m012 re-keys an older database's entities to their canonical form (#22).

The old database is made the robust way: the store's own migrations up to m010 (schema 10, what the
code before #22 left), then rows written by SQL as that code wrote them (an entity per raw canonical
name: ``Duisburgs`` and ``Duisburg`` apart, places looked up without their article). The resolver is a
stub with the signature of :func:`pipeline.resolve.resolve_mentions` (the migration's only dependency
above the store), injected as ``pipeline.resolve``; the last test upgrades an old copy of the demo
database with the real resolver and compares it with the demo database a fresh run made.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import types
from collections import Counter, namedtuple
from itertools import combinations
from pathlib import Path

import pytest

from pipeline import query, store
from pipeline.names import entity_key

Resolved = namedtuple("Resolved", "name key place")

NRW = "Nordrhein-Westfalen"
PLACES = {  # name -> candidates (geonames id, lat, lon, state)
    "Duisburg": [(2934691, 51.43, 6.77, NRW)],
    "Essen": [(2928810, 51.46, 7.01, NRW)],
    "Köln": [(2886242, 50.93, 6.95, NRW)],
    "Rüttenscheid": [(6553395, 51.43, 7.00, NRW)],
    "Neudorf": [(2866758, 51.42, 6.78, NRW), (2866759, 54.10, 10.20, "Schleswig-Holstein")],
}
KNOWN = set(PLACES)


def _place(candidate) -> dict:
    return dict(zip(("geonames_id", "latitude", "longitude", "state"), candidate))


def stub_resolve(text: str, mentions, region=()) -> list[Resolved]:
    """A small stand-in for pipeline.resolve: a genitive ``s`` goes when the base form is a known place or
    another mention of the article, ``Kommunalen`` -> ``Kommunale``, a surname names the full name of the
    article, and a place with namesakes is placed (and keyed with its id) by the article's other places."""
    surfaces = {m["text"] for m in mentions}
    names = []
    for m in mentions:
        words = m["text"].split()
        if len(words) > 1 and words[0] == "Kommunalen":
            words[0] = "Kommunale"
        name = " ".join(words)
        if name.endswith("s") and (name[:-1] in surfaces or name[:-1] in KNOWN):
            name = name[:-1]
        names.append(name)
    fulls = [n for n, m in zip(names, mentions) if m["label"] == "PER" and " " in n]
    names = [next((f for f in fulls if f.endswith(" " + n)), n) if m["label"] == "PER" and " " not in n else n
             for n, m in zip(names, mentions)]
    states = {PLACES[n][0][3] for n, m in zip(names, mentions) if m["label"] == "LOC" and len(PLACES.get(n, [])) == 1}
    states |= {NRW for r in region if r == "NRW"}
    out = []
    for name, m in zip(names, mentions):
        found = PLACES.get(name, []) if m["label"] == "LOC" else []
        fit = [c for c in found if c[3] in states] if len(found) > 1 else found
        if len(fit) == 1:
            key = entity_key("LOC", name, fit[0][0] if len(found) > 1 else None)
            out.append(Resolved(name, key, _place(fit[0])))
        else:
            out.append(Resolved(name, entity_key(m["label"], name), None))
    return out


@pytest.fixture
def stub(monkeypatch):
    module = types.ModuleType("pipeline.resolve")
    module.resolve_mentions = stub_resolve
    monkeypatch.setitem(sys.modules, "pipeline.resolve", module)
    return module


# --- the old database --------------------------------------------------------------------------------

OLD_PLACES = {  # what the old, context-free lookup gave (Neudorf: the most populous namesake, in the wrong state)
    "Duisburg": PLACES["Duisburg"][0], "Duisburgs": PLACES["Duisburg"][0], "Essen": PLACES["Essen"][0],
    "Essens": PLACES["Essen"][0], "Köln": PLACES["Köln"][0], "Kölns": PLACES["Köln"][0],
    "Neudorf": PLACES["Neudorf"][1],
}

ARTICLES = [  # url, source, text, mentions (surface, label, old canonical), roles (role, person), quotes (speaker)
    ("https://rr.example/1", "rr",
     "Duisburgs Oberbürgermeister Sören Link besuchte Neudorf. In Duisburg sagte Link: „Wir bauen.“ "
     "Die Stadtwerke Duisburg zahlen.",
     [("Duisburgs", "LOC", "Duisburgs"), ("Sören Link", "PER", "Sören Link"), ("Neudorf", "LOC", "Neudorf"),
      ("Duisburg", "LOC", "Duisburg"), ("Link", "PER", "Sören Link"),
      ("Stadtwerke Duisburg", "ORG", "Stadtwerke Duisburg")],
     [("Oberbürgermeister", "Sören Link")], ["Sören Link"]),
    ("https://rr.example/2", "rr",
     "Essens Kämmerer Hans Meyer lobte das Kommunalen Integrationszentrum in Essen, auch in Rüttenscheid. "
     "Das Kommunale Integrationszentrum dankte Meyer.",
     [("Essens", "LOC", "Essens"), ("Hans Meyer", "PER", "Hans Meyer"),
      ("Kommunalen Integrationszentrum", "ORG", "Kommunalen Integrationszentrum"), ("Essen", "LOC", "Essen"),
      ("Rüttenscheid", "LOC", "Rüttenscheid"),
      ("Kommunale Integrationszentrum", "ORG", "Kommunale Integrationszentrum"), ("Meyer", "PER", "Hans Meyer")],
     [("Kämmerer", "Hans Meyer")], ["Meyer"]),
    ("https://rr.example/3", "rr",
     "In Köln und Duisburg streikten die Stadtwerke Duisburg. Kölns Oberbürgermeisterin Henriette Reker "
     "schwieg zu Rüttenscheids Plänen.",
     [("Köln", "LOC", "Köln"), ("Duisburg", "LOC", "Duisburg"), ("Stadtwerke Duisburg", "ORG", "Stadtwerke Duisburg"),
      ("Kölns", "LOC", "Kölns"), ("Henriette Reker", "PER", "Henriette Reker")],
     [("Oberbürgermeisterin", "Henriette Reker")], []),
]
# reviewers' corrections: (article url, span, label or None (delete), old canonical); the last one's article is gone
CORRECTIONS = [("https://rr.example/3", "Rüttenscheids", "LOC", "Rüttenscheids"),
               ("https://rr.example/1", "Stadtwerke Duisburg", None, None),
               ("https://rr.example/gone", "Essens", "LOC", "Essens")]
# old entities that the canonical form merges into another: Duisburgs, Essens, Kölns, Kommunalen
# Integrationszentrum, Rüttenscheids (a correction's), Meyer (a quote's speaker: Hans Meyer of that article)
MERGED = 6


def _spans(text: str, surfaces) -> list[tuple[int, int]]:
    out, pos = [], 0
    for surface in surfaces:
        start = text.index(surface, pos)
        out.append((start, start + len(surface)))
        pos = start + 1
    return out


def old_database(path: Path) -> Path:
    """Schema 10 with the rows the code before #22 wrote for :data:`ARTICLES` and :data:`CORRECTIONS`."""
    db = store.open_db(path, migrate=False)
    db.enable_wal()
    store.MIGRATIONS.apply(db, stop_before="m011_page_outcome")
    conn = db.conn
    conn.execute("INSERT INTO sources (name, kind, region) VALUES ('rr', 'feed', '[\"NRW\"]')")
    entities: dict[str, int] = {}

    def entity(label: str, name: str, surface: str) -> int:
        key = entity_key(label, name)
        if key not in entities:
            place = _place(OLD_PLACES[name]) if label == "LOC" and name in OLD_PLACES else {}
            row = {"key": key, "label": label, "name": name, "aliases": "[]", **place}
            entities[key] = conn.execute(f"INSERT INTO entities ({', '.join(row)}) VALUES "
                                         f"({', '.join('?' * len(row))})", list(row.values())).lastrowid
        aliases = json.loads(conn.execute("SELECT aliases FROM entities WHERE id = ?", [entities[key]]).fetchone()[0])
        if surface != name and surface not in aliases:
            conn.execute("UPDATE entities SET aliases = ? WHERE id = ?",
                         [json.dumps([*aliases, surface], ensure_ascii=False), entities[key]])
        return entities[key]

    for i, (url, source, text, mentions, roles, quotes) in enumerate(ARTICLES, 1):
        conn.execute("INSERT INTO pages (url, source, status, html_gz) VALUES (?, ?, 200, x'00')", [url, source])
        art = conn.execute("INSERT INTO articles (url, page_id, source, title, text) VALUES (?, ?, ?, 'T', ?)",
                           [url, i, source, text]).lastrowid
        for (start, end), (surface, label, canonical) in zip(_spans(text, [m[0] for m in mentions]), mentions):
            conn.execute('INSERT INTO mentions (article_id, entity_id, start, "end", text, label) VALUES (?, ?, ?, ?, ?, ?)',
                         [art, entity(label, canonical, surface), start, end, surface, label])
        for role, person in roles:
            start = text.index(role)
            conn.execute('INSERT INTO roles (article_id, entity_id, start, "end", text, person) VALUES (?, ?, ?, ?, ?, ?)',
                         [art, entity("PER", person, person), start, start + len(role), role, person])
        for speaker in quotes:  # the span does not matter here
            conn.execute('INSERT INTO quotes (article_id, speaker_entity_id, start, "end", text, speaker) '
                         "VALUES (?, ?, 0, 5, ?, ?)", [art, entity("PER", speaker, speaker), text[:5], speaker])
    conn.execute("INSERT INTO pages (url, source, status, html_gz, error) VALUES (?, 'rr', 200, x'00', ?)",
                 ["https://copy.example/1", "extract: duplicate text of https://rr.example/1"])
    texts = {a[0]: a[2] for a in ARTICLES}
    for url, span, label, canonical in CORRECTIONS:
        start = texts[url].index(span) if url in texts else 0
        conn.execute('INSERT INTO corrections (article_url, start, "end", text, label, action, entity_id, reviewer, '
                     "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'r', '2026-01-01')",
                     [url, start, start + len(span), span, label, "add" if label else "delete",
                      entity(label, canonical, span) if label else None])
    conn.execute("UPDATE corrections SET article_id = (SELECT id FROM articles a WHERE a.url = corrections.article_url)")
    store._rebuild_entity_pairs(conn)  # the writer counted the pairs
    conn.commit()
    db.close()
    return path


def _counts(path: Path) -> dict:
    con = sqlite3.connect(path)
    out = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
           for t in ("articles", "mentions", "roles", "quotes", "corrections", "money", "pages", "entities")}
    out["rows"] = {t: con.execute(f"SELECT * FROM {t} ORDER BY id").fetchall() if t != "mentions" else
                   con.execute('SELECT id, article_id, start, "end", text, label FROM mentions ORDER BY id').fetchall()
                   for t in ("mentions",)}
    con.close()
    return out


def _check_consistent(db) -> None:
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    per: dict[int, set[int]] = {}
    ae = Counter()
    for article_id, entity_id in db.execute("SELECT article_id, entity_id FROM mentions"):
        per.setdefault(article_id, set()).add(entity_id)
        ae[(article_id, entity_id)] += 1
    assert dict(ae) == {(a, e): n for a, e, n in db.execute("SELECT * FROM article_entities")}
    pairs = Counter(p for ids in per.values() for p in combinations(sorted(ids), 2))
    assert dict(pairs) == {(a, b): n for a, b, n in db.execute("SELECT * FROM entity_pairs")}
    assert db.execute("SELECT count(*) FROM newsmine_state").fetchone()[0] == 0


def _top(db, label: str) -> list[tuple]:
    rows = query.top_entities(db, label, limit=10_000)
    return sorted((r["name"], r["mentions"], r["articles"], r.get("latitude"), r.get("longitude"), r.get("state"))
                  for r in rows)


def test_old_database_upgrades_in_place_without_losing_or_doubling_a_row(tmp_path, stub):
    path = old_database(tmp_path / "old.db")
    before = _counts(path)
    con = sqlite3.connect(path)
    duisburg_id = con.execute("SELECT id FROM entities WHERE key = 'LOC:duisburg'").fetchone()[0]
    con.close()

    db = store.open_db(path)
    assert store.schema_version(db) == store.SCHEMA_VERSION
    after = _counts(path)
    for table in ("articles", "mentions", "roles", "quotes", "corrections", "money", "pages"):
        assert after[table] == before[table], table
    assert after["rows"] == before["rows"]  # the very same mention rows, only their entity changed
    assert before["entities"] - after["entities"] == MERGED
    _check_consistent(db)

    # every mention names the entity the resolver gives it now
    for article_id, text in db.execute("SELECT id, text FROM articles"):
        rows = db.execute('SELECT m.start, m."end", m.label, m.text, e.key FROM mentions m '
                          "JOIN entities e ON e.id = m.entity_id WHERE m.article_id = ? ORDER BY m.id",
                          [article_id]).fetchall()
        spans = [{"start": s, "end": e, "label": lab, "text": t} for s, e, lab, t, _ in rows]
        assert [r[4] for r in rows] == [r.key for r in stub_resolve(text, spans, region=["NRW"])]
    entities = {r["key"]: r for r in db.query("SELECT * FROM entities")}
    assert entities["LOC:duisburg"]["id"] == duisburg_id  # the row holding the key stays, the others merge into it
    assert json.loads(entities["LOC:duisburg"]["aliases"]) == ["Duisburgs"]
    assert "ORG:kommunale integrationszentrum" in entities and "ORG:kommunalen integrationszentrum" not in entities
    assert "Kommunalen Integrationszentrum" in json.loads(entities["ORG:kommunale integrationszentrum"]["aliases"])
    # Neudorf is placed by its Duisburg article now (was: Schleswig-Holstein), and keyed apart from its namesakes
    assert entities["LOC:neudorf#2866758"]["state"] == NRW and "LOC:neudorf" not in entities
    # roles and quotes follow their person; corrections their span
    assert {r[0] for r in db.execute("SELECT e.key FROM roles r JOIN entities e ON e.id = r.entity_id")} == \
        {"PER:sören link", "PER:hans meyer", "PER:henriette reker"}
    assert [r[0] for r in db.execute("SELECT e.key FROM quotes q JOIN entities e ON e.id = q.speaker_entity_id "
                                     "ORDER BY q.id")] == ["PER:sören link", "PER:hans meyer"]
    assert [r[0] for r in db.execute("SELECT e.key FROM corrections c LEFT JOIN entities e ON e.id = c.entity_id "
                                     "ORDER BY c.id")] == ["LOC:rüttenscheid", None, "LOC:essen"]
    # the page outcome column came with the upgrade
    assert [r[0] for r in db.execute("SELECT outcome FROM pages ORDER BY id")] == ["ok", "ok", "ok", "duplicate"]


def _fresh_database(path: Path, stub_module) -> Path:
    """What a run with the new code writes for :data:`ARTICLES`: records resolved by the resolver, written
    by the store, and the corrections made through ``pipeline.corrections`` (which resolves them likewise)."""
    from pipeline import corrections

    db = store.open_db(path)
    store.upsert_source(db, "rr", "feed", None, region=["NRW"])
    for url, source, text, mentions, roles, quotes in ARTICLES:
        page = store.save_page(db, url=url, source=source, status=200, body=b"\0")
        spans = [{"start": s, "end": e, "label": m[1], "text": m[0]}
                 for (s, e), m in zip(_spans(text, [m[0] for m in mentions]), mentions)]
        res = stub_module.resolve_mentions(text, spans, region=["NRW"])
        people = {r.name: r.key for r, s in zip(res, spans) if s["label"] == "PER"}
        people.update({s["text"]: r.key for r, s in zip(res, spans) if s["label"] == "PER" and s["text"] not in people})
        rec = store.ArticleRecord(url=url, title="T", text=text, source=source, page_id=page)
        rec.entities = [{**s, "canonical": r.name, "key": r.key, "place": r.place} for s, r in zip(spans, res)]
        rec.roles = [{"start": text.index(role), "end": text.index(role) + len(role), "text": role, "person": person,
                      "person_key": people.get(person)} for role, person in roles]
        rec.quotes = [{"start": 0, "end": 5, "text": text[:5], "speaker": s, "speaker_key": people.get(s)}
                      for s in quotes]
        store.save_article(db, rec)
    for url, span, label, _ in CORRECTIONS:
        article = db.execute("SELECT id, text FROM articles WHERE url = ?", [url]).fetchone()
        if article is not None:
            start = article[1].index(span)
            corrections.add_correction(db, article[0], start, start + len(span), label, reviewer="r")
    db.close()
    return path


def test_upgraded_database_counts_as_a_fresh_run(tmp_path, stub):
    upgraded = store.open_db(old_database(tmp_path / "old.db"))
    fresh = store.open_db(_fresh_database(tmp_path / "fresh.db", stub))
    for label in ("PER", "LOC", "ORG"):
        assert _top(upgraded, label) == _top(fresh, label), label
    keys = {r[0] for r in fresh.execute("SELECT key FROM entities")}
    assert keys <= {r[0] for r in upgraded.execute("SELECT key FROM entities")}


def test_rekeying_again_changes_nothing_and_a_split_place_gets_its_own_row(tmp_path, stub):
    path = old_database(tmp_path / "old.db")
    con = sqlite3.connect(path)  # a second article names Neudorf with no place near it: another Neudorf
    art = con.execute("INSERT INTO articles (url, source, title, text) VALUES ('https://x.example/4', NULL, 'T', "
                      "'Neudorf feiert.')").lastrowid
    neudorf = con.execute("SELECT id FROM entities WHERE key = 'LOC:neudorf'").fetchone()[0]
    con.execute('INSERT INTO mentions (article_id, entity_id, start, "end", text, label) '
                "VALUES (?, ?, 0, 7, 'Neudorf', 'LOC')", [art, neudorf])
    con.commit()
    entities_before = con.execute("SELECT count(*) FROM entities").fetchone()[0]
    con.close()
    db = store.open_db(path)
    keys = {r[0]: r[1] for r in db.execute("SELECT key, id FROM entities")}
    assert keys["LOC:neudorf"] == neudorf  # the row keeps its key for the unplaced Neudorf ...
    assert "LOC:neudorf#2866758" in keys  # ... the Duisburg quarter is a new row
    assert db.execute("SELECT latitude FROM entities WHERE id = ?", [neudorf]).fetchone()[0] is None
    assert db["entities"].count == entities_before - MERGED + 1
    _check_consistent(db)
    snapshot = {t: list(db[t].rows) for t in ("entities", "mentions", "roles", "quotes", "corrections")}
    with store.write_transaction(db):
        stats = store.rekey_entities(db)
    assert (stats["created"], stats["deleted"], stats["repointed"]) == (0, 0, 0)
    assert {t: list(db[t].rows) for t in snapshot} == snapshot
    _check_consistent(db)


def test_a_new_database_needs_no_resolver(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pipeline.resolve", None)  # importing it would fail
    db = store.open_db(tmp_path / "n.db")
    assert store.schema_version(db) == store.SCHEMA_VERSION


# --- the demo database, with the real resolver ------------------------------------------------------------

def test_old_demo_database_upgrades_to_the_counts_of_a_fresh_run(demo_database, tmp_path):
    """The demo database of a fresh run, and the same articles in a schema-10 database keyed as the old code
    keyed them (each mention its own raw name; places looked up without their article): after the upgrade
    ``query people|places|orgs`` give the same counts, and the pages the same outcomes."""
    pytest.importorskip("pipeline.resolve")
    from pipeline.places import lookup

    fresh = sqlite3.connect(demo_database)
    path = tmp_path / "old-demo.db"
    db = store.open_db(path, migrate=False)
    store.MIGRATIONS.apply(db, stop_before="m011_page_outcome")
    conn = db.conn
    for table in ("sources", "pages", "articles", "money"):  # the columns of schema 10
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        rows = fresh.execute(f"SELECT {', '.join(f'[{c}]' for c in cols)} FROM {table}").fetchall()
        conn.executemany(f"INSERT INTO {table} ({', '.join(f'[{c}]' for c in cols)}) "
                         f"VALUES ({', '.join('?' * len(cols))})", rows)
    entities: dict[str, int] = {}

    def entity(label: str, name: str, surface: str) -> int:
        key = entity_key(label, name)
        if key not in entities:
            place = lookup(name) if label == "LOC" else None
            row = {"key": key, "label": label, "name": name, "aliases": "[]"}
            if place is not None:
                row.update(latitude=place.lat, longitude=place.lon, state=place.state, geonames_id=place.geonames_id)
            entities[key] = conn.execute(f"INSERT INTO entities ({', '.join(row)}) VALUES "
                                         f"({', '.join('?' * len(row))})", list(row.values())).lastrowid
        return entities[key]

    for table, sql in (
            ("mentions", 'SELECT id, article_id, start, "end", text, label, sentence, model, text AS name, label AS l '
                         "FROM mentions ORDER BY id"),
            ("roles", 'SELECT id, article_id, start, "end", text, person, party, affiliation, version, person AS name, '
                      "'PER' AS l FROM roles ORDER BY id"),
            ("quotes", 'SELECT id, article_id, start, "end", text, speaker, version, speaker AS name, '
                       "'PER' AS l FROM quotes WHERE speaker IS NOT NULL ORDER BY id")):
        for row in fresh.execute(sql).fetchall():
            *values, name, label = row
            if table == "mentions":
                conn.execute('INSERT INTO mentions (id, article_id, start, "end", text, label, sentence, model, '
                             "entity_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [*values, entity(label, name, name)])
            elif table == "roles":
                conn.execute('INSERT INTO roles (id, article_id, start, "end", text, person, party, affiliation, '
                             "version, entity_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             [*values, entity("PER", name, name)])
            else:
                conn.execute('INSERT INTO quotes (id, article_id, start, "end", text, speaker, version, '
                             "speaker_entity_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [*values, entity("PER", name, name)])
    # pages as schema 10 wrote them: the outcome only in an ``extract:`` prefix of the error
    assert conn.execute("SELECT count(*) FROM pages WHERE error LIKE 'extract:%'").fetchone()[0] == \
        fresh.execute("SELECT count(*) FROM pages WHERE outcome IN ('duplicate', 'near-duplicate', 'no text', "
                      "'url conflict')").fetchone()[0]
    store._rebuild_entity_pairs(conn)
    conn.commit()
    db.close()
    old_entities = len(entities)

    upgraded = store.open_db(path)
    demo = store.open_db(demo_database, readonly=True)
    for label in ("PER", "LOC", "ORG"):
        assert _top(upgraded, label) == _top(demo, label), label
    outcome = "SELECT url, outcome, duplicate_of, error FROM pages ORDER BY id"
    assert upgraded.execute(outcome).fetchall() == demo.execute(outcome).fetchall()
    assert upgraded["entities"].count < old_entities  # inflected names merged
    _check_consistent(upgraded)
    fresh.close()
