"""The demo database as a user counts it (#22): one entity however it is written, places in NRW,
``query people|places|orgs`` counts equal to the corpus gold of the demo articles."""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.resolve import resolve_mentions

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "articles" / "corpus.jsonl"


def _inflection_free(name: str) -> str:
    """A name with every word's inflectional ending cut (``Duisburgs``, ``Kommunalen`` -> ``duisburg``,
    ``kommunal``): an independent check, cruder than the resolver on purpose."""
    words = [re.sub(r"(?:'|’|es|en|er|em|e|s|n)$", "", w) for w in name.casefold().replace("-", " ").split()]
    return " ".join(words)


@pytest.fixture(scope="module")
def conn(demo_db):
    with sqlite3.connect(demo_db) as c:
        yield c


def test_no_two_entities_differ_only_by_inflection(conn):
    seen: dict[tuple[str, str, int | None], str] = {}
    clashes = []
    for label, name, geonames_id in conn.execute("SELECT label, name, geonames_id FROM entities ORDER BY id"):
        key = (label, _inflection_free(name), geonames_id)
        if key in seen:
            clashes.append((seen[key], name))
        seen[key] = name
    assert clashes == []
    names = {r[0] for r in conn.execute("SELECT name FROM entities")}
    # the inflected forms are still on the mentions, and fold into their base forms
    assert {"Duisburg", "Essen", "Köln", "Grünen", "Landgericht Kleve"} <= names
    surfaces = {r[0] for r in conn.execute("SELECT text FROM mentions")}
    assert {"Duisburgs", "Essens", "Kölns"} <= surfaces


def test_every_placed_place_lies_in_nrw(conn):
    rows = conn.execute("SELECT name, state FROM entities WHERE label = 'LOC' AND latitude IS NOT NULL").fetchall()
    assert len(rows) >= 20
    assert [r for r in rows if r[1] != "Nordrhein-Westfalen"] == []
    unplaced = {r[0] for r in conn.execute("SELECT name FROM entities WHERE label = 'LOC' AND latitude IS NULL")}
    assert {"Neudorf", "Bickendorf", "Nordstadt", "Oberkassel"} <= unplaced  # quarters the gazetteer lacks


def _query_counts(db: Path, what: str) -> dict[str, int]:
    result = CliRunner().invoke(cli, ["query", what, "--db", str(db), "--limit", "1000", "--json"])
    assert result.exit_code == 0, result.output
    return {row["name"]: row["mentions"] for row in json.loads(result.output)}


def test_query_counts_equal_the_gold_counts_where_the_model_found_the_gold_spans(demo_db, conn):
    corpus = {r["id"]: r for r in map(json.loads, CORPUS.read_text(encoding="utf-8").splitlines())}
    gold, gold_spans = Counter(), {}
    predicted_spans = {}
    for article_id, url, text in conn.execute("SELECT id, url, text FROM articles"):
        rec = corpus[re.search(r"-([a-z]\d\d)\.html$", url).group(1)]
        assert rec["text"] == text  # the demo site renders the corpus article unchanged
        ents = rec["entities"]
        for ent, res in zip(ents, resolve_mentions(text, ents, region=["NRW"])):
            gold[(ent["label"], res.name)] += 1
            gold_spans[(article_id, ent["start"], ent["end"], ent["label"])] = (ent["label"], res.name)
        for start, end, label, name in conn.execute(
                "SELECT m.start, m.\"end\", m.label, e.name FROM mentions_reviewed m JOIN entities e ON e.id = m.entity_id "
                "WHERE m.article_id = ?", [article_id]):
            predicted_spans[(article_id, start, end, label)] = (label, name)
    # entities whose mentions the model found exactly as annotated (NER errors are another issue's figure)
    exact = {g for g in set(gold_spans.values())
             if {s for s, v in gold_spans.items() if v == g} == {s for s, v in predicted_spans.items() if v == g}}
    assert len(exact) >= 0.95 * len(set(gold_spans.values()))
    for what, label in (("people", "PER"), ("places", "LOC"), ("orgs", "ORG")):
        shown = _query_counts(demo_db, what)
        for lab, name in exact:
            if lab == label:
                assert shown.get(name) == gold[(lab, name)], (what, name)
