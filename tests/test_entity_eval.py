"""The entity-resolution scorer (``newsmine evaluate --entities``, pipeline/training/entity_eval.py).

The arithmetic is checked on tiny hand-made cases whose precision and recall differ (so swapping them
fails) and where a pin on a mention without gold id must count against precision. The command runs in
process (click's CliRunner) with a stub resolver, so the figures are known exactly, and once with the
project's resolver when pipeline/resolve.py is there.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.corpus import read_jsonl
from pipeline.places import Place
from pipeline.training import entity_eval as ee


@dataclass(frozen=True)
class Res:  # the contract of pipeline.resolve.Resolved
    name: str
    key: str
    place: Place | None = None


def place(gid: int | None, state: str = "Nordrhein-Westfalen", name: str = "P") -> Place:
    return Place(name, 51.0, 7.0, state, 1000, gid)


def test_pairwise_and_bcubed_on_a_hand_made_clustering() -> None:
    # gold: A = {1, 2, 3}, B = {4}; predicted: X = {1, 2}, Y = {3, 4}
    s = ee.score_clusters(["A", "A", "A", "B"], ["X", "X", "Y", "Y"])
    # gold pairs 12 13 23 = 3; predicted pairs 12 34 = 2; both: 12 = 1
    assert (s["tp"], s["pred_pairs"], s["gold_pairs"]) == (1, 2, 3)
    assert (s["p"], s["r"]) == (0.5, 0.3333)  # swapped P/R would read 0.3333/0.5
    assert s["f"] == 0.4
    # B-cubed per mention: precision (2/2, 2/2, 1/2, 1/2) -> 0.75; recall (2/3, 2/3, 1/3, 1/1) -> 2/3
    assert (s["b3_p"], s["b3_r"], s["b3_f"]) == (0.75, 0.6667, 0.7059)
    assert (s["gold_entities"], s["pred_entities"], s["mentions"]) == (2, 2, 4)
    # all singletons predicted: no predicted pair, recall 0; everything merged: recall 1, precision 3/6
    assert ee.score_clusters(list("AAAB"), list("wxyz"))["r"] == 0.0
    merged = ee.score_clusters(list("AAAB"), list("kkkk"))
    assert (merged["p"], merged["r"], merged["b3_r"]) == (0.5, 1.0, 1.0)


def test_pins_on_a_hand_made_case() -> None:
    gold = [
        {"text": "Essen", "canonical": "Essen", "geonames_id": 1},  # right pin
        {"text": "Hamm", "canonical": "Hamm", "geonames_id": 2},  # pin on a namesake
        {"text": "Poll", "canonical": "Poll", "geonames_id": 4},  # no pin: missing
        {"text": "Nordstadt", "canonical": "Nordstadt", "geonames_id": None},  # pin where gold has none
        {"text": "Rhein", "canonical": "Rhein", "geonames_id": None},  # no pin, none wanted
        {"text": "NRW", "canonical": "Nordrhein-Westfalen", "geonames_id": None},  # a region placed as itself
        {"text": "Berlin", "canonical": "Berlin", "geonames_id": 6},  # right pin outside NRW
        {"text": "Deutz", "canonical": "Deutz", "geonames_id": 7},  # missing
    ]
    pred = [place(1), place(3), None, place(5, "Niedersachsen"), None, place(None, name="NRW"),
            place(6, "Berlin"), None]
    s = ee.score_pins(gold, pred)
    assert (s["pins"], s["correct"], s["gold_with_id"]) == (4, 2, 5)
    # precision 2/4 (2/3 if the pin on the null gold were ignored); recall 2/5 (P/R swapped: 0.4/0.5)
    assert (s["p"], s["r"]) == (0.5, 0.4)
    assert (s["wrong_place"], s["on_null"], s["missing"], s["regions"]) == (1, 1, 2, 1)
    assert (s["outside_nrw"], s["outside_nrw_wrong"]) == (2, 1)
    # a region-like place on a mention that is not that region is a wrong pin
    assert ee.score_pins(gold[4:5], [place(None, name="Ruhrgebiet")])["on_null"] == 1


ARTICLES = [
    {"id": "x1", "split": "dev", "town": "Duisburg", "text": "Duisburg Duisburgs Link Sören Link",
     "entities": []},
    {"id": "x2", "split": "dev", "town": "Essen", "text": "Essen Link", "entities": []},
]
GOLD = [
    {"id": "x1", "start": 0, "end": 8, "label": "LOC", "text": "Duisburg", "canonical": "Duisburg",
     "geonames_id": 10, "lat": 51.0, "lon": 7.0},
    {"id": "x1", "start": 9, "end": 18, "label": "LOC", "text": "Duisburgs", "canonical": "Duisburg",
     "geonames_id": 10, "lat": 51.0, "lon": 7.0},
    {"id": "x1", "start": 19, "end": 23, "label": "PER", "text": "Link", "canonical": "Sören Link"},
    {"id": "x1", "start": 24, "end": 34, "label": "PER", "text": "Sören Link", "canonical": "Sören Link"},
    {"id": "x2", "start": 0, "end": 5, "label": "LOC", "text": "Essen", "canonical": "Essen",
     "geonames_id": 20, "lat": 51.0, "lon": 7.0},
    {"id": "x2", "start": 6, "end": 10, "label": "ORG", "text": "Link", "canonical": "Link"},
]


def literal_resolver(calls: list | None = None):
    """Keys on the surface text (no base forms, no links): Duisburgs and Link stay apart."""
    def resolve(text, mentions, region=()):
        if calls is not None:
            calls.append((text, tuple(region), [dict(m) for m in mentions]))
        out = []
        for m in mentions:
            assert set(m) == {"start", "end", "label", "text"}  # nothing of the gold leaks in
            pin = {"Duisburg": place(10), "Essen": place(99, "Niedersachsen")}.get(m["text"])
            out.append(Res(m["text"], f"{m['label']}:{m['text'].casefold()}", pin if m["label"] == "LOC" else None))
        return out
    return resolve


def test_evaluate_entities_across_articles_with_errors() -> None:
    calls: list = []
    errors: list = []
    report = ee.evaluate_entities(ARTICLES, GOLD, resolve=literal_resolver(calls), errors=errors)
    assert [c[1] for c in calls] == [(), ()]
    assert report["mentions"] == 6 and report["articles"] == 2
    c = report["clustering"]
    # gold pairs: Duisburg/Duisburgs, Link/Sören Link; predicted: none
    assert (c["all"]["gold_pairs"], c["all"]["pred_pairs"], c["all"]["r"]) == (2, 0, 0.0)
    assert c["ORG"]["mentions"] == 1 and c["PER"]["gold_pairs"] == 1
    g = report["geocoding"]
    # Duisburg pinned right, Duisburgs not pinned, Essen pinned on a namesake in Lower Saxony
    assert (g["pins"], g["correct"], g["p"], g["r"]) == (2, 1, 0.5, 0.3333)
    assert (g["wrong_place"], g["missing"], g["outside_nrw"], g["outside_nrw_wrong"]) == (1, 1, 1, 1)
    kinds = sorted((type(e).__name__, e.kind) for e in errors)
    assert kinds == [("ClusterError", "split"), ("ClusterError", "split"), ("PinError", "missing"), ("PinError", "wrong")]
    split = next(e for e in errors if e.kind == "split" and e.label == "LOC")
    assert split.groups == {"LOC:duisburg": ["x1: Duisburg"], "LOC:duisburgs": ["x1: Duisburgs"]}
    text = ee.format_entity_errors(errors)
    assert "x2@0 'Essen'" in text and "Niedersachsen" in text

    # one key for everything called Link across the two articles: a wrong merge of PER and ORG
    def merging(text, mentions, region=()):
        return [Res(m["text"], "K:link" if m["text"].endswith("Link") else f"{m['label']}:{m['text']}") for m in mentions]

    errors = []
    report = ee.evaluate_entities(ARTICLES, GOLD, resolve=merging, region_from_town=True, errors=errors)
    assert report["clustering"]["all"]["tp"] == 1 and report["clustering"]["all"]["pred_pairs"] == 3
    merge = next(e for e in errors if e.kind == "merge")
    assert merge.entity == "K:link" and set(merge.groups) == {"PER Sören Link", "ORG Link"}
    assert report["geocoding"]["missing"] == 3  # no places at all: nothing pinned, recall 0
    assert report["geocoding"]["r"] == 0.0


def _dev_gold() -> tuple[list[dict], list[dict]]:
    records = [r for r in read_jsonl() if r["split"] == "dev"]
    ids = {r["id"] for r in records}
    return records, [g for g in ee.read_gold() if g["id"] in ids]


def test_cli_entities_with_a_stub_resolver(monkeypatch) -> None:
    calls: list = []
    monkeypatch.setattr(ee, "_default_resolver", lambda: (literal_resolver(calls), "stub-1"))
    records, gold = _dev_gold()
    # the expected pairwise figures, counted pair by pair
    same_gold = same_pred = both = 0
    for a, b in itertools.combinations(gold, 2):
        g = (a["label"], ee.normalise(a["canonical"])) == (b["label"], ee.normalise(b["canonical"]))
        p = f"{a['label']}:{a['text'].casefold()}" == f"{b['label']}:{b['text'].casefold()}"
        same_gold, same_pred, both = same_gold + g, same_pred + p, both + (g and p)

    result = CliRunner().invoke(cli, ["evaluate", "--entities", "dev", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["resolve_version"] == "stub-1" and report["split"] == "dev"
    assert report["mentions"] == len(gold) and report["articles"] == len(records)
    c = report["clustering"]["all"]
    assert (c["tp"], c["pred_pairs"], c["gold_pairs"]) == (both, same_pred, same_gold)
    assert c["p"] == round(both / same_pred, 4) and c["r"] == round(both / same_gold, 4)
    assert all(region == () for _, region, _ in calls)
    assert report["geocoding"]["gold_loc"] == sum(g["label"] == "LOC" for g in gold)

    calls.clear()
    result = CliRunner().invoke(cli, ["evaluate", "--entities", "dev", "--region-from-town", "--errors"])
    assert result.exit_code == 0, result.output
    assert "clustering" in result.output and "geocoding: P" in result.output and "split " in result.output
    towns = {r["text"]: r["town"] for r in records}
    assert all(region == (towns[text],) for text, region, _ in calls)

    result = CliRunner().invoke(cli, ["evaluate", "--entities", "dev", "--json", "--errors"])
    assert {e["type"] for e in json.loads(result.output)["errors"]} == {"cluster", "pin"}


def test_cli_refuses_mixed_options() -> None:
    result = CliRunner().invoke(cli, ["evaluate", "--corpus", "dev", "--region-from-town"])
    assert result.exit_code != 0 and "--region-from-town works with --entities" in result.output
    result = CliRunner().invoke(cli, ["evaluate", "--entities", "dev", "--corpus", "dev"])
    assert result.exit_code != 0 and "exactly one of" in result.output
    result = CliRunner().invoke(cli, ["evaluate", "--entities", "train"])
    assert result.exit_code != 0


def test_cli_entities_with_the_project_resolver() -> None:
    pytest.importorskip("pipeline.resolve")
    result = CliRunner().invoke(cli, ["evaluate", "--entities", "dev"])
    assert result.exit_code == 0, result.output
    assert "geocoding: P" in result.output and "342 gold mentions in 17 articles" in result.output
    report = json.loads(CliRunner().invoke(cli, ["evaluate", "--entities", "dev", "--json"]).output)
    for row in report["clustering"].values():
        assert 0.0 <= row["p"] <= 1.0 and 0.0 <= row["r"] <= 1.0
    assert report["geocoding"]["gold_with_id"] == 49 and report["resolve_version"]
