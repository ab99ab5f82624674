"""The entity-resolution gold (corpus/articles/links.jsonl, issue #22): every PER/LOC/ORG mention of the
corpus dev and test splits with its canonical entity, and for LOC the GeoNames id of the place.

The GeoNames table lives in ../shared/data (present wherever the tests run); it is read, never copied.
"""

from __future__ import annotations

import copy
import csv
import json
import re
from collections import Counter

import pytest

from pipeline.corpus import JSONL_PATH, read_jsonl
from pipeline.places import SOURCE
from pipeline.training.entity_eval import LINKS_PATH, check_gold, geonames_table, normalise, read_gold

README = JSONL_PATH.parent.parent / "README.md"


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return list(read_jsonl())


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    return read_gold()


@pytest.fixture(scope="module")
def table() -> dict[int, dict]:
    return geonames_table()


def test_every_dev_test_mention_has_exactly_one_gold_line(corpus, gold) -> None:
    spans = {(r["id"], e["start"], e["end"], e["label"], e["text"])
             for r in corpus if r["split"] in ("dev", "test") for e in r["entities"] if e["label"] in ("PER", "LOC", "ORG")}
    lines = Counter((g["id"], g["start"], g["end"], g["label"], g["text"]) for g in gold)
    assert not [k for k, n in lines.items() if n > 1], "duplicate gold lines"
    assert set(lines) - spans == set(), "gold lines that are no corpus entity span (id/start/end/label/text)"
    assert spans - set(lines) == set(), "corpus mentions without a gold line"
    texts = {r["id"]: r["text"] for r in corpus}
    assert all(texts[g["id"]][g["start"]:g["end"]] == g["text"] for g in gold)
    assert [(g["id"], g["start"]) for g in gold] == sorted((g["id"], g["start"]) for g in gold)


def test_canonicals_and_geonames_ids(gold) -> None:
    assert all(isinstance(g["canonical"], str) and g["canonical"].strip() == g["canonical"] and g["canonical"]
               for g in gold)
    with open(SOURCE, encoding="utf-8") as handle:
        rows = {int(r["geonameid"]): r for r in csv.DictReader(handle, delimiter="\t")}
    locs = [g for g in gold if g["label"] == "LOC"]
    assert locs and all({"geonames_id", "lat", "lon"} <= g.keys() for g in locs)
    assert not any("geonames_id" in g for g in gold if g["label"] != "LOC")
    for g in locs:
        if g["geonames_id"] is None:
            assert g["lat"] is None and g["lon"] is None, g
        else:
            row = rows[g["geonames_id"]]  # KeyError: an id that is not in the table
            assert (g["lat"], g["lon"]) == (float(row["latitude"]), float(row["longitude"])), g
    # different places never share a canonical
    ids: dict[str, set] = {}
    for g in locs:
        ids.setdefault(normalise(g["canonical"]), set()).add(g["geonames_id"])
    assert {k: v for k, v in ids.items() if len(v) > 1} == {}


def test_check_gold_accepts_the_file_and_catches_each_kind_of_problem(corpus, gold, table) -> None:
    assert check_gold(corpus, gold, table) == []
    cases = {
        "no corpus entity": lambda rows: rows[0].update(start=rows[0]["start"] + 1),
        "corpus has": lambda rows: rows[0].update(label="LOC" if rows[0]["label"] != "LOC" else "ORG"),
        "no gold line": lambda rows: rows.pop(5),
        "gold lines for one mention": lambda rows: rows.insert(1, dict(rows[0])),
        "empty canonical": lambda rows: rows[0].update(canonical=" "),
        "not in the GeoNames table": lambda rows: _first_loc(rows, True).update(geonames_id=1),
        "differ from the table": lambda rows: _first_loc(rows, True).update(lat=0.0),
        "lat/lon without": lambda rows: _first_loc(rows, False).update(lat=51.0, lon=7.0),
        "several places": lambda rows: _first_loc(rows, False).update(canonical="Duisburg", geonames_id=None),
        "not sorted": lambda rows: rows.reverse(),
    }
    duisburg = next(g for g in gold if g["canonical"] == "Duisburg")
    assert duisburg["geonames_id"] == 2934691
    for expect, mutate in cases.items():
        rows = copy.deepcopy(gold)
        mutate(rows)
        problems = check_gold(corpus, rows, table)
        assert any(expect in p for p in problems), (expect, problems[:3])


def _first_loc(rows: list[dict], with_id: bool) -> dict:
    return next(g for g in rows if g["label"] == "LOC" and (g["geonames_id"] is not None) == with_id)


def _line(gold: list[dict], article: str, text: str, nth: int = 0) -> dict:
    return [g for g in gold if g["id"] == article and g["text"] == text][nth]


def test_hard_cases_decided_by_the_article(gold) -> None:
    """The decisions written in corpus/README.md (links section)."""
    # genitive and inflection fold into one base form
    assert _line(gold, "b05", "Bottrops")["canonical"] == _line(gold, "b05", "Bottrop")["canonical"] == "Bottrop"
    assert _line(gold, "f05", "Europas")["canonical"] == "Europa"
    assert _line(gold, "e15", "Kreises Viersen")["canonical"] == "Kreis Viersen"
    assert _line(gold, "b05", "Grüne")["canonical"] == _line(gold, "a15", "Grünen")["canonical"] == "Grünen"
    assert _line(gold, "a14", "Europäischen Union")["canonical"] == "Europäische Union"
    # names that end in s stay; the state is one entity however it is written
    assert _line(gold, "a10", "Moers")["canonical"] == "Moers"
    assert {g["canonical"] for g in gold if g["text"] in ("NRW", "Nordrhein-Westfalen")} == {"Nordrhein-Westfalen"}
    # places in context: the quarter of the article's city, or nothing
    assert _line(gold, "a10", "Rheinhausen")["geonames_id"] == 2847631  # Duisburg-Rheinhausen
    assert _line(gold, "e09", "Scharnhorst")["geonames_id"] == 2840287  # Dortmund, not Lower Saxony
    assert _line(gold, "e09", "Hamm")["geonames_id"] == 2911240  # Hamm (Westf.), not Hamburg-Hamm
    for article, quarter in [("e09", "Nordstadt"), ("a14", "Lohberg"), ("b04", "Osterfeld"), ("d05", "Wald"),
                             ("c04", "Hardt"), ("d15", "Urbach"), ("f09", "Burtscheid")]:
        assert _line(gold, article, quarter)["geonames_id"] is None, quarter  # a namesake elsewhere only
    mh = _line(gold, "b09", "Mülheim")
    assert (mh["canonical"], mh["geonames_id"]) == ("Mülheim an der Ruhr", 2867838)
    # regions, districts, streets, rivers, countries, places abroad: no GeoNames id
    for article, text in [("c05", "NRW"), ("b04", "Ruhrgebiet"), ("a15", "Kreis Wesel"), ("e15", "Venlo"),
                          ("b10", "Ruhr"), ("d14", "Alleestraße"), ("a04", "Niederlanden")]:
        assert _line(gold, article, text)["geonames_id"] is None, text
    # within-article links kept: surname -> full name, abbreviation -> organisation
    assert _line(gold, "a04", "Overkamp")["canonical"] == "Dirk Overkamp"
    assert _line(gold, "d15", "KVB")["canonical"] == "Kölner Verkehrs-Betriebe"


def test_readme_counts_match_the_file(gold) -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("`articles/links.jsonl`"):text.index("`demo/`")]
    numbers = {int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", section)}
    labels = Counter(g["label"] for g in gold)
    with_id = sum(g.get("geonames_id") is not None for g in gold)
    links = sum(g["canonical"] != g["text"] for g in gold)
    for count in (len(gold), labels["PER"], labels["LOC"], labels["ORG"], with_id, links):
        assert count in numbers, (count, "not in the links section of corpus/README.md")
    assert json.loads(LINKS_PATH.read_text(encoding="utf-8").splitlines()[0])["id"] == gold[0]["id"]
