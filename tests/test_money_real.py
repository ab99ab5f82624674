"""Euro amounts as real German writes them (issue #21): the gold set corpus/money-real, its checker,
`newsmine evaluate --money`, and generated round trips for every format money-1.1 added."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from pipeline import money_gold
from pipeline.cli import cli
from pipeline.nlp import money as _money  # noqa: F401  (registers newsmine_money)
from pipeline.nlp.money_parser import find_money, parse_money

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "corpus" / "money-real"


# --------------------------------------------------------------------------- the gold set


@pytest.mark.parametrize("split", ["dev", "test"])
def test_the_gold_files_are_consistent_and_large_enough(split):
    rows = money_gold.read(GOLD / f"{split}.jsonl")
    assert money_gold.check(rows) == []
    counts = money_gold.counts(rows)
    assert counts["amounts"] >= 300 and counts["negatives"] >= 50
    assert {r["source"] for r in rows if r["money"]} == money_gold.SOURCES  # every source has amounts
    assert all(r["licence"] for r in rows)


def test_dev_and_test_share_no_text():
    dev = {r["text"] for r in money_gold.read(GOLD / "dev.jsonl")}
    test = {r["text"] for r in money_gold.read(GOLD / "test.jsonl")}
    assert dev and test and not dev & test


def test_the_checker_finds_planted_mistakes():
    text = "Die Stadt zahlt rund 2,5 Mio. Euro und 300 Dollar."
    good = {"start": 21, "end": 34, "text": "2,5 Mio. Euro", "value_eur": 2.5e6, "high_eur": None, "qualifier": "rund"}
    row = {"id": "x", "source": "bundestag", "licence": "§ 5 UrhG", "text": text, "money": [good]}
    assert money_gold.check([row]) == []
    planted = [
        ({**good, "start": 20}, "is ' 2,5 Mio. Euro'"),
        ({**good, "qualifier": "ungefähr"}, "not one of the guideline's"),
        ({**good, "qualifier": "fast"}, "not written right before"),
        ({**good, "high_eur": 1.0}, "high_eur"),
        ({**good, "value_eur": float("nan")}, "finite"),
        ({"start": 39, "end": 49, "text": "300 Dollar", "value_eur": 300.0, "high_eur": None, "qualifier": None},
         "no currency"),
    ]
    for span, message in planted:
        problems = money_gold.check([{**row, "money": [span]}])
        assert len(problems) == 1 and message in problems[0], (span, problems)
    assert "duplicate id" in money_gold.check([row, row])[0]
    assert "source" in money_gold.check([{**row, "source": "wikipedia"}])[0]


def test_evaluate_money_reports_spans_values_qualifiers_and_errors(tmp_path):
    """`newsmine evaluate --money FILE --errors --json` on a small gold file with one planted miss."""
    rows = money_gold.read(GOLD / "dev.jsonl")[:40]
    with_amount = next(r for r in rows if r["money"])
    planted = {**with_amount, "id": "planted", "text": with_amount["text"] + " Dazu kamen 7 Dollar.",
               "money": [*with_amount["money"]]}
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in [*rows, planted]), encoding="utf-8")
    proc = CliRunner().invoke(cli, ["evaluate", "--money", str(path), "--errors", "--json"])  # in this process
    assert proc.exit_code == 0, proc.output
    report = json.loads(proc.stdout)
    gold = sum(len(r["money"]) for r in [*rows, planted])
    assert report["gold"] == gold == report["tp"] + report["fn"]
    assert 0.0 <= report["f"] <= 1.0 and report["money_parser"] == "money-1.1"
    kinds = {e["kind"] for e in report["errors"]}
    assert kinds <= {"missed", "spurious", "boundary", "value", "qualifier"}
    assert len([e for e in report["errors"] if e["kind"] in ("missed", "boundary")]) == report["fn"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**planted, "money": [{**planted["money"][0], "start": 0}]}) + "\n", encoding="utf-8")
    proc = CliRunner().invoke(cli, ["evaluate", "--money", str(bad)])
    assert proc.exit_code == 1 and "problems in the gold file" in proc.stderr and "Traceback" not in proc.stderr
    assert isinstance(proc.exception, SystemExit), repr(proc.exception)  # click's exit, not a crash


# --------------------------------------------------------------------------- formats of money-1.1


def _grouped(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


@given(n=st.integers(1_000, 999_999_999), sep=st.sampled_from([" ", "\u00a0", "\u202f", "\u2009", "’", "'", "."]),
       cents=st.sampled_from(["", ",50", ",05"]), currency=st.sampled_from(["Euro", "€", "EUR"]))
def test_round_trip_grouped_thousands(n, sep, cents, currency):
    amount = f"{_grouped(n, sep)}{cents} {currency}"
    [m] = find_money(f"Im Jahr 2025 kostete das {amount} und mehr.")
    assert m.text == amount
    assert m.value == pytest.approx(n + (float("0" + cents.replace(",", ".")) if cents else 0), abs=0.005)


@given(n=st.integers(1, 999), decimals=st.sampled_from(["", ",5", ",25"]),
       word=st.sampled_from(["Cent", "Euro-Cent"]))
def test_round_trip_cent(n, decimals, word):
    amount = f"{n}{decimals} {word}"
    [m] = find_money(f"Der Preis steigt um {amount} pro Liter.")
    assert m.text == amount
    assert m.value == pytest.approx((n + float("0" + decimals.replace(",", "."))) / 100, abs=1e-9)


@given(low=st.integers(1, 500), step=st.integers(1, 500), currency=st.sampled_from(["Euro", "EUR", "€"]),
       form=st.sampled_from(["zwischen {a} und {b}", "{a} bis {b}", "von {a} bis {b}"]))
def test_round_trip_ranges_with_a_currency_on_both_ends(low, step, currency, form):
    a, b = f"{low} {currency}", f"{low + step} {currency}"
    text = "Der Preis liegt " + form.format(a=a, b=b) + "."
    [m] = find_money(text)
    assert m.text == f"{a} {'und' if 'und' in form else 'bis'} {b}"
    assert (m.value, m.high) == (low, low + step)


@given(n=st.integers(1, 999), scale=st.sampled_from([("Millionen Euro", 1e6), ("Mrd. €", 1e9), ("Euro", 1.0)]),
       sign=st.sampled_from(["minus ", "Minus ", "−"]))
def test_round_trip_signed_amounts(n, scale, sign):
    amount = f"{sign}{n} {scale[0]}"
    [m] = find_money(f"Das Ergebnis: {amount} im Vorjahr.")
    assert m.text == amount and m.value == -n * scale[1]


@pytest.mark.parametrize(("text", "expected"), [
    ("Fünf Euro bekam jedes Kind.", ("Fünf Euro", 5.0, None)),
    ("dass man die halbe Million Euro für Berater ausgab", ("halbe Million Euro", 5e5, None)),
    ("mit über einer viertel Million Euro", ("einer viertel Million Euro", 2.5e5, None)),
    ("in Höhe von EUR 8.000,--für Ligaspiele", ("EUR 8.000", 8000.0, None)),
    ("Autobatterie 68.5 EUR new", ("68.5 EUR", 68.5, None)),
    ("Hier stehen 0,7 Milliarden € 6 Milliarden € gegenüber.", ("0,7 Milliarden €", 7e8, None)),
    ("zwischen zwölf und etwa 90 Euro", ("zwölf und etwa 90 Euro", 12.0, 90.0)),
])
def test_real_text_forms(text, expected):
    m = find_money(text)[0]
    assert (m.text, m.value, m.high) == expected


@pytest.mark.parametrize(("text", "qualifier"), [
    ("Er stellte eine Rechnung über 1.014,77 € aus.", None),
    ("Der Verein freut sich über 2.500 Euro.", None),
    ("hinsichtlich einer über 1.100,28 Euro brutto hinausgehenden Zahlung", None),
    ("Die Kosten liegen über 2 Mio. Euro.", "über"),
    ("eine Forderung von über 1,7 Mio. €", "über"),
])
def test_ueber_is_a_qualifier_only_where_it_means_more_than(text, qualifier):
    [m] = find_money(text)
    assert m.qualifier == qualifier


@pytest.mark.parametrize("text", [
    "Den 500-Euro-Schein gibt es nicht mehr.", "Ein 1,5-Milliarden-Euro-Programm.", "Für jeden Cent legt es nichts drauf.",
    "Sie zahlten 300 Dollar.", "Die Euro-Zone wächst um 2 Prozent.", "Seite 12 500 Mal gedruckt.",
    "Die Preise stiegen von 2019 bis 2021.", "Das kostet den letzten Cent.",
])
def test_real_text_non_amounts(text):
    assert find_money(text) == []


def test_the_component_finds_cent_amounts():
    """The component's per-word currency check lets Cent through (it knew only Euro/EUR/€)."""
    nlp = spacy.blank("de")
    nlp.add_pipe("newsmine_money")
    doc = nlp("Windenergie gibt es für 4 Cent pro Kilowattstunde.")
    assert [(a.text, a.value_eur) for a in doc._.money] == [("4 Cent", 0.04)]
    assert parse_money("4 Cent").value == 0.04


def test_searching_around_currencies_finds_what_searching_everywhere_finds(monkeypatch):
    """The windowed search (money-1.1) against the whole-text search, on every corpus article and every
    gold text: the same amounts (a currency-first amount after a year, 'sind 2026 EUR 180.000', was lost
    once when the search resumed inside a window)."""
    from pipeline.corpus import read_jsonl
    from pipeline.nlp import money_parser

    texts = [r["text"] for r in read_jsonl()]
    texts += [r["text"] for split in ("dev", "test") for r in money_gold.read(GOLD / f"{split}.jsonl")]
    windowed = [find_money(t) for t in texts]
    monkeypatch.setattr(money_parser, "_windows", lambda text: [(0, len(text))] if text else [])
    assert [find_money(t) for t in texts] == windowed
    assert find_money("Für das Stadtteilbüro sind 2026 EUR 180.000 vorgesehen.")[0].text == "EUR 180.000"
