"""The SQLite store: schema, migrations, idempotent writes, atomic articles."""

import gzip
import sqlite3

import pytest

from pipeline import store

DUISBURG = {"latitude": 51.43247, "longitude": 6.76516, "state": "Nordrhein-Westfalen", "geonames_id": 2934691}


def _article(url: str = "https://example.org/a1", text: str = "Oberbürgermeister Sören Link lobte Duisburg. Link sagte das.") -> store.ArticleRecord:
    # as the analysis hands a record to the store: each mention with its canonical name (and place)
    return store.ArticleRecord(
        url=url, title="Titel", text=text, published="2026-03-14",
        entities=[{"start": 18, "end": 28, "label": "PER", "text": "Sören Link", "sentence": "s",
                   "canonical": "Sören Link"},
                  {"start": 35, "end": 43, "label": "LOC", "text": "Duisburg", "sentence": "s",
                   "canonical": "Duisburg", "place": DUISBURG},
                  {"start": 45, "end": 49, "label": "PER", "text": "Link", "sentence": "s", "canonical": "Sören Link"}],
        money=[{"start": 0, "end": 4, "text": "1 €", "value_eur": 1.0, "high_eur": None,
                "qualifier": None, "sentence": "s", "years": [2026]}],
        model="de_news@0.1.0", extractor_version="extract-1.0")


def test_new_database_has_schema_wal_and_fts(tmp_path):
    db = store.open_db(tmp_path / "n.db")
    assert store.schema_version(db) == store.SCHEMA_VERSION
    for table in ("sources", "pages", "articles", "entities", "mentions", "money", "runs"):
        assert db[table].exists(), table
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert "articles_fts" in db.table_names()


def test_save_article_is_idempotent_and_links_surnames(tmp_path):
    db = store.open_db(tmp_path / "n.db")
    first = store.save_article(db, _article())
    second = store.save_article(db, _article())
    assert first == second
    assert db["articles"].count == 1
    assert db["mentions"].count == 3
    assert db["money"].count == 1
    # "Link" names "Sören Link" (the record says so): two entities (PER, LOC), the surname is an alias
    people = list(db.query("SELECT name, aliases FROM entities WHERE label = 'PER'"))
    assert people == [{"name": "Sören Link", "aliases": '["Link"]'}]


def test_different_first_names_stay_different_people(tmp_path):
    db = store.open_db(tmp_path / "n.db")
    rec = _article(text="Anna Schmidt und Peter Schmidt trafen sich.")
    rec.entities = [{"start": 0, "end": 12, "label": "PER", "text": "Anna Schmidt"},
                    {"start": 17, "end": 30, "label": "PER", "text": "Peter Schmidt"}]
    rec.money = []
    store.save_article(db, rec)
    assert db["entities"].count == 2


def test_full_text_search_finds_compound_parts(tmp_path):
    from pipeline import query

    db = store.open_db(tmp_path / "n.db")
    store.save_article(db, _article(text="Der Integrationsdezernent sprach im Rathaus."))
    hits = query.search(db, "dezernent")
    assert [h["title"] for h in hits] == ["Titel"]
    assert query.search(db, "Straßenbahn") == []


def test_pages_keep_compressed_html_and_previous_body_on_304(tmp_path):
    db = store.open_db(tmp_path / "n.db")
    pid = store.save_page(db, url="https://e.org/x", source=None, status=200, body=b"<html>Hallo</html>", etag='"v1"',
                          content_type="text/html", charset="windows-1252")
    assert gzip.decompress(db["pages"].get(pid)["html_gz"]) == b"<html>Hallo</html>"
    pid2 = store.save_page(db, url="https://e.org/x", source=None, status=304, body=None)
    assert pid2 == pid
    assert store.page_html(db, pid) == b"<html>Hallo</html>"
    assert db["pages"].get(pid)["etag"] == '"v1"'
    assert db["pages"].get(pid)["charset"] == "windows-1252"  # a 304 keeps what the 200 said


def test_failed_article_write_leaves_nothing_half_written(tmp_path):
    db = store.open_db(tmp_path / "n.db")
    store.save_article(db, _article())
    bad = _article()
    bad.money = [{"start": 0}]  # missing fields -> KeyError inside the transaction
    with pytest.raises(KeyError):
        store.save_article(db, bad)
    assert db["mentions"].count == 3  # the old article's rows are intact
    assert db["money"].count == 1


def test_older_schema_is_migrated_with_every_row_kept(tmp_path):
    path = tmp_path / "old.db"
    db = store.open_db(path, migrate=False)
    db.enable_wal()
    store.MIGRATIONS.apply(db, stop_before="m002_facts_columns")
    assert "lead" not in db["articles"].columns_dict
    db["articles"].insert({"url": "https://e.org/old", "title": "Alt", "text": "Alter Text in Essen."})
    art_id = next(db.query("SELECT id FROM articles"))["id"]
    db["entities"].insert({"key": "LOC:essen", "label": "LOC", "name": "Essen"})
    db["mentions"].insert({"article_id": art_id, "entity_id": 1, "start": 15, "end": 20, "text": "Essen", "label": "LOC"})
    db["money"].insert({"article_id": art_id, "start": 0, "end": 1, "text": "5 €", "value_eur": 5.0})
    db.close()

    upgraded = store.open_db(path)
    assert store.schema_version(upgraded) == store.SCHEMA_VERSION
    assert "lead" in upgraded["articles"].columns_dict
    assert "years" in upgraded["money"].columns_dict
    assert upgraded["articles"].count == 1 and upgraded["mentions"].count == 1 and upgraded["money"].count == 1
    assert upgraded["articles"].get(art_id)["title"] == "Alt"


def test_unopenable_path_gives_store_error(tmp_path):
    with pytest.raises(store.StoreError, match="does not exist"):
        store.open_db(tmp_path / "missing-dir" / "n.db")
    not_db = tmp_path / "garbage.db"
    not_db.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(store.StoreError):
        store.open_db(not_db)


def test_foreign_keys_are_enforced(tmp_path):
    db = store.open_db(tmp_path / "n.db")
    with pytest.raises(sqlite3.IntegrityError):
        db["mentions"].insert({"article_id": 999, "entity_id": 999, "start": 0, "end": 1, "text": "x", "label": "PER"})


def test_place_gazetteer_links_loc_entities_and_upgrades_old_rows(tmp_path):
    from pipeline.places import lookup

    assert lookup("Duisburg").name == "Duisburg" and lookup("Duisburg").state == "Nordrhein-Westfalen"
    assert lookup("Stadt Essen") == lookup("Essen")
    assert lookup("Kreis Wesel") is None  # a district is not its town (inflection: pipeline.names)
    assert lookup("Köln") == lookup("Cologne")
    assert lookup("Königstraße 12") is None
    path = tmp_path / "v3.db"
    db = store.open_db(path, migrate=False)
    store.MIGRATIONS.apply(db, stop_before="m004_place_coordinates")
    text = "Die Stadt Essen und der Verein Essen."
    art = db["articles"].insert({"url": "https://e.org/essen", "title": "Essen", "text": text}).last_pk
    for i, label in ((1, "LOC"), (2, "ORG")):
        db["entities"].insert({"id": i, "key": f"{label}:essen", "label": label, "name": "Essen"})
    db["mentions"].insert_all([{"article_id": art, "entity_id": 1, "start": 10, "end": 15, "text": "Essen",
                                "label": "LOC"},
                               {"article_id": art, "entity_id": 2, "start": 31, "end": 36, "text": "Essen",
                                "label": "ORG"}])
    db.close()
    upgraded = store.open_db(path)  # places come from resolving the mentions in their article (m012)
    rows = {r["label"]: r for r in upgraded["entities"].rows}
    assert round(rows["LOC"]["latitude"], 2) == 51.46 and rows["LOC"]["geonames_id"] == 2928810
    assert rows["ORG"]["latitude"] is None
    store.save_article(upgraded, _article())  # new LOC entity "Duisburg": the record's place on creation
    duisburg = next(upgraded.query("SELECT latitude, state FROM entities WHERE key = 'LOC:duisburg'"))
    assert duisburg["state"] == "Nordrhein-Westfalen" and 51 < duisburg["latitude"] < 52


def test_near_duplicate_agency_copy_is_found_but_other_articles_are_not(tmp_path):
    from pipeline.corpus import read_jsonl
    from pipeline.dedup import simhash

    db = store.open_db(tmp_path / "n.db")
    records = list(read_jsonl())[:20]
    for i, rec in enumerate(records):
        store.save_article(db, store.ArticleRecord(url=f"https://a.example/{i}", title=rec["title"], text=rec["text"]))
    original = records[3]["text"]
    # dateline added, a closing sentence added, one word changed: a lightly edited agency copy
    copy = "ESSEN (dpa) – " + original.replace(" die ", " diese ", 1) + " Weitere Informationen folgen."
    found = store.near_duplicate(db, simhash(copy), "https://b.example/copy")
    assert found is not None and found[0] == "https://a.example/3"
    unrelated = list(read_jsonl())[50]["text"]
    assert store.near_duplicate(db, simhash(unrelated), "https://b.example/other") is None


def _pairs(db) -> dict:
    return {(r["a_id"], r["b_id"]): r["articles"] for r in db.query("SELECT * FROM entity_pairs")}


def _brute_pairs(db) -> dict:
    from collections import Counter
    from itertools import combinations

    per: dict[int, set[int]] = {}
    for r in db.query("SELECT article_id, entity_id FROM mentions"):
        per.setdefault(r["article_id"], set()).add(r["entity_id"])
    return dict(Counter(p for ids in per.values() for p in combinations(sorted(ids), 2)))


def _three_entities(url: str) -> store.ArticleRecord:
    text = "Sören Link traf die Stadtwerke Essen in Duisburg."
    rec = _article(url, text)
    rec.entities = [{"start": 0, "end": 10, "label": "PER", "text": "Sören Link"},
                    {"start": 20, "end": 35, "label": "ORG", "text": "Stadtwerke Essen"[:15]},
                    {"start": 39, "end": 47, "label": "LOC", "text": "Duisburg"}]
    return rec


def test_entity_pairs_counted_per_article_and_rebuilt_after_a_deferred_run(tmp_path):
    db = store.open_db(tmp_path / "n.db")
    store.save_article(db, _three_entities("https://example.org/1"))
    assert _pairs(db) == _brute_pairs(db) and len(_pairs(db)) == 3
    # a run defers the counting and rebuilds once at the end
    with store.deferred_pairs(db):
        store.save_article(db, _three_entities("https://example.org/2"))
        assert set(_pairs(db).values()) == {1}  # not counted yet
    assert _pairs(db) == _brute_pairs(db) and set(_pairs(db).values()) == {2}
    # a run that dies leaves a stale marker; the next run rebuilds even with nothing to write
    with pytest.raises(KeyboardInterrupt), store.deferred_pairs(db):
        store.save_article(db, _three_entities("https://example.org/3"))
        raise KeyboardInterrupt
    assert _pairs(db) != _brute_pairs(db)
    with store.deferred_pairs(db):
        pass
    assert _pairs(db) == _brute_pairs(db) and set(_pairs(db).values()) == {3}
    assert db.execute("SELECT count(*) FROM newsmine_state").fetchone()[0] == 0
    # re-writing an article with fewer entities keeps the counts exact (delete trigger + writer)
    rec = _three_entities("https://example.org/1")
    rec.entities = rec.entities[:2]
    store.save_article(db, rec)
    assert _pairs(db) == _brute_pairs(db)


def test_agencies_are_stored_apart_from_authors(tmp_path):
    db = store.open_db(tmp_path / "n.db")
    rec = _article()
    rec.authors, rec.agencies = ["Anna Schmidt"], ["dpa", "lnw"]
    store.save_article(db, rec)
    row = next(db.query("SELECT authors, agencies FROM articles"))
    assert row == {"authors": '["Anna Schmidt"]', "agencies": '["dpa", "lnw"]'}


def test_search_shows_the_sentence_around_the_hit(tmp_path):
    """`newsmine query search` showed ~14 characters (`…Umwelt[dezernen]…`, FTS5 snippet of 12 trigram
    tokens); it shows the sentence around the first hit now, as the review's article list does (#24)."""
    from pipeline import query

    text = ("Der Rat tagte am Dienstag. Der neue Umweltdezernent der Stadt Duisburg stellte dort den Plan "
            "für mehr Bäume vor. Danach ging es um den Haushalt.")
    db = store.open_db(tmp_path / "n.db")
    store.save_article(db, _article(text=text))
    [hit] = query.search(db, "dezernen")
    assert hit["snippet"] == "Der neue Umwelt[dezernen]t der Stadt Duisburg stellte dort den Plan für mehr Bäume vor."
    [short] = query.search(db, "Ra")  # under three characters: LIKE, the same snippet
    assert short["snippet"].startswith("Der [Ra]t tagte")
