"""Euro amounts: formats of ../shared/ANNOTATION.md, qualifiers, ranges, non-money."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.nlp.money_parser import find_money, number_words, parse_money

FORMATS = [
    ("39,4 Millionen Euro", 39_400_000.0, None),
    ("2,5 Mio. Euro", 2_500_000.0, None),
    ("1.250.000 Euro", 1_250_000.0, None),
    ("500.000 Euro", 500_000.0, None),
    ("1,2 Mrd. €", 1_200_000_000.0, None),
    ("1,2 Milliarden Euro", 1_200_000_000.0, None),
    ("€ 3.000", 3000.0, None),
    ("EUR 12,50", 12.5, None),
    ("12,50 €", 12.5, None),
    ("500,- €", 500.0, None),
    ("500,-- Euro", 500.0, None),
    ("3 Tsd. Euro", 3000.0, None),
    ("3 T€", 3000.0, None),
    ("15 Euro", 15.0, None),
    ("250.000 EUR", 250_000.0, None),
    ("zwei Millionen Euro", 2_000_000.0, None),
    ("eine halbe Million Euro", 500_000.0, None),
    ("eine Milliarde Euro", 1_000_000_000.0, None),
    ("anderthalb Millionen Euro", 1_500_000.0, None),
    ("zehntausend Euro", 10_000.0, None),
    ("zweihundertfünfzig Euro", 250.0, None),
    ("2 bis 3 Mio. Euro", 2_000_000.0, 3_000_000.0),
    ("2-3 Mio. €", 2_000_000.0, 3_000_000.0),
    ("1,5 bis 2 Millionen Euro", 1_500_000.0, 2_000_000.0),
    ("500.000 bis 1 Million Euro", 500_000.0, 1_000_000.0),
    ("2 und 3 Millionen Euro", 2_000_000.0, 3_000_000.0),
]


@pytest.mark.parametrize(("text", "value", "high"), FORMATS)
def test_every_guideline_format_parses(text, value, high):
    money = parse_money(text)
    assert money is not None, text
    assert money.value == pytest.approx(value, abs=0.005)
    assert money.high == (None if high is None else pytest.approx(high, abs=0.005))


@pytest.mark.parametrize("qualifier", ["rund", "etwa", "ca.", "fast", "knapp", "mehr als", "über",
                                       "bis zu", "mindestens", "weniger als"])
def test_qualifiers_are_outside_the_span(qualifier):
    text = f"Die Stadt zahlt {qualifier} 4,5 Millionen Euro für die Schule."
    [m] = find_money(text)
    assert m.text == "4,5 Millionen Euro"
    assert m.qualifier == qualifier
    assert m.value == 4_500_000.0


def test_zwischen_range_span_starts_at_first_number():
    text = "Das kostet zwischen 2 und 3 Millionen Euro, sagte sie."
    [m] = find_money(text)
    assert (m.text, m.value, m.high, m.qualifier) == ("2 und 3 Millionen Euro", 2e6, 3e6, None)


def test_und_without_zwischen_is_not_a_range():
    text = "Die Kosten stiegen um 2 und 3 Millionen Euro fehlen."
    spans = [m.text for m in find_money(text)]
    assert spans == ["3 Millionen Euro"]


def test_vague_amounts_give_no_span():
    text = "Ein zweistelliger Millionenbetrag und Hunderttausende Euro, Millionen Euro flossen."
    assert find_money(text) == []


NON_MONEY = (
    [f"am {d}.{m:02d}.20{y:02d}" for d, m, y in [(1, 3, 25), (14, 3, 26), (28, 2, 25), (31, 12, 24), (7, 7, 26)]]
    + [f"am {d}. {month} {y}" for d, month, y in [(1, "Januar", 2026), (12, "März", 2025), (3, "Oktober", 2024),
                                                   (24, "Dezember", 2026), (9, "Mai", 2025)]]
    + [f"um {h}.{mi:02d} Uhr" for h in (8, 13, 18, 20) for mi in (0, 15, 30)]
    + [f"um {h}:{mi:02d} Uhr" for h in (9, 11, 19) for mi in (5, 45)]
    + [f"Tel. 0{a} {b}-{c}" for a, b, c in [(203, 283, 0), (201, 88, 12345), (211, 899, 1), (221, 221, 23456),
                                              (2841, 201, 0), (2064, 40, 111)]]
    + [f"Telefon 0{n}" for n in ("203 94 00", "176 12345678", "800 1110111", "201-123456")]
    + [f"{p} Prozent" for p in ("12", "3,5", "0,8", "47", "100", "2,25")]
    + [f"{p} %" for p in ("12", "3,5", "9,9", "66")]
    + [f"{p}%" for p in ("5", "18,5", "72")]
    + [f"ein {a}:{b}-Sieg" for a, b in [(2, 1), (3, 0), (4, 2), (1, 0)]]
    + [f"endete {a}:{b}" for a, b in [(0, 0), (1, 1), (2, 2), (5, 3)]]
    + [f"im Jahr {y}" for y in range(1990, 2031, 2)]
    + [f"seit {y}" for y in (1998, 2004, 2012, 2019, 2023)]
    + [f"§ {n} Abs. {a}" for n, a in [(34, 1), (12, 2), (242, 3), (3, 1)]]
    + [f"Artikel {n} GG" for n in (1, 3, 5, 20, 28)]
    + [f"Paragraf {n}" for n in (13, 35, 89)]
    + [f"{n} {cur}" for n in ("200", "1.500", "3,5 Millionen", "12,99", "40.000") for cur in
       ("Dollar", "US-Dollar", "Schweizer Franken", "Pfund", "Yen", "Zloty")]
    + [f"$ {n}" for n in ("200", "1.500")]
    + [f"CHF {n}" for n in ("300", "12,50")]
    + [f"{n} Besucher" for n in ("1.200", "35.000", "zweitausend")]
    + [f"{n} Meter" for n in ("400", "1,5", "12.000")]
    + [f"{n} Kilometer" for n in ("3", "27,4")]
    + [f"{n} Einwohner" for n in ("500.000", "1,1 Millionen", "zwei Millionen")]
    + [f"{n} Quadratmeter" for n in ("850", "12.500")]
    + [f"Linie {n}" for n in ("901", "U79", "903")]
    + [f"Hausnummer {n}" for n in ("12", "7a")]
    + [f"Königstraße {n}" for n in ("12", "140")]
    + [f"PLZ {n}" for n in ("47051", "45127", "40213")]
    + [f"Aktenzeichen {n}" for n in ("12 O 345/25", "3 K 1234/26")]
    + [f"A{n}" for n in ("40", "59", "3")]
    + [f"Euro {y}" for y in ("2024", "2028")]
    + ["Euro-Raum", "EU-Mittel", "Millionen Euro", "Milliarden Euro an Steuern", "der Euro-Kurs",
       "drei Millionen Menschen", "eine Million Besucher", "zwei Prozent", "Tausende Euro",
       "ein sechsstelliger Betrag", "ein zweistelliger Millionenbetrag", "mehrere Millionen Euro",
       "Euro 7 Norm", "1. FC Köln", "Schalke 04", "Fortuna Düsseldorf 1895", "Bundesliga 2025/26",
       "Version 2.1", "Kapitel 3.4", "ISBN 978-3-16-148410-0", "Windows 11", "COVID-19",
       "Level 3", "5G", "Tempo 30", "B 224", "Stufe 2", "Klasse 5b", "Gleis 13", "Zimmer 1.012",
       "Ausgabe 12/2026", "Saison 2025/2026", "Jahrgang 1968", "20er Jahre", "Block B 12",
       "Landtagswahl 2027", "Abschnitt 4.2.1", "0,5 Promille", "37,8 Grad", "130 km/h"]
)


def test_at_least_200_non_money_expressions_give_no_amount():
    assert len(NON_MONEY) >= 200
    found = {expr: [m.text for m in find_money(f"Laut Bericht {expr} und sonst nichts.")] for expr in NON_MONEY}
    assert {k: v for k, v in found.items() if v} == {}


def _german(value: Decimal, decimals: int, thousands: bool) -> str:
    q = f"{value:.{decimals}f}"
    whole, _, frac = q.partition(".")
    if thousands:
        whole = f"{int(whole):,}".replace(",", ".")
    return whole + ("," + frac if frac else "")


@given(
    cents=st.integers(min_value=1, max_value=99_999_999_999),
    thousands=st.booleans(),
    style=st.sampled_from(["{n} Euro", "{n} €", "€ {n}", "EUR {n}", "{n} EUR"]),
)
def test_round_trip_plain_amounts(cents, thousands, style):
    value = Decimal(cents) / 100
    decimals = 0 if cents % 100 == 0 else 2
    text = style.format(n=_german(value, decimals, thousands))
    money = parse_money(text)
    assert money is not None, text
    assert money.value == pytest.approx(float(value), abs=0.005)


@given(
    tenths=st.integers(min_value=1, max_value=9999),
    scale=st.sampled_from([("Mio. Euro", 10**6), ("Millionen Euro", 10**6), ("Mrd. €", 10**9),
                           ("Milliarden Euro", 10**9), ("Tsd. Euro", 10**3), ("T€", 10**3)]),
    qualifier=st.sampled_from(["", "rund ", "knapp ", "mehr als ", "bis zu "]),
)
def test_round_trip_scaled_amounts_in_sentences(tenths, scale, qualifier):
    number = Decimal(tenths) / 10
    word, factor = scale
    amount = f"{_german(number, 1 if tenths % 10 else 0, False)} {word}"
    [m] = find_money(f"Im Jahr 2025 gab die Stadt {qualifier}{amount} aus.")
    assert m.text == amount
    assert m.value == pytest.approx(float(number * factor), abs=0.005)
    assert m.qualifier == (qualifier.strip() or None)


@given(low=st.integers(1, 500), step=st.integers(1, 500),
       sep=st.sampled_from([" bis ", "-", " – "]), word=st.sampled_from(["Mio. Euro", "Millionen Euro"]))
def test_round_trip_ranges(low, step, sep, word):
    text = f"{low}{sep}{low + step} {word}"
    money = parse_money(text)
    assert money is not None, text
    assert (money.value, money.high) == (low * 1e6, (low + step) * 1e6)


@pytest.mark.parametrize(("words", "value"), [("eins", 1), ("zwölf", 12), ("einundzwanzig", 21),
                                              ("hundert", 100), ("dreihundertvierzig", 340),
                                              ("zweitausendfünfhundert", 2500), ("eine halbe", 0.5)])
def test_number_words(words, value):
    assert number_words(words) == Decimal(str(value))


def test_text_without_digits_or_garbage_is_safe():
    assert find_money("") == []
    assert parse_money("Euro") is None
    assert parse_money("12,5,5 Euro") is None


@pytest.mark.parametrize("text", [text for text, _, _ in FORMATS])
def test_component_finds_what_the_parser_finds_in_any_spelling(text):
    """The component's cheap per-word currency check never hides an amount."""
    import spacy

    from pipeline.nlp import money as _money  # noqa: F401  (registers newsmine_money)

    nlp = spacy.blank("de")
    nlp.add_pipe("newsmine_money")
    for sentence in (f"Der Bau kostet {text}.", f"({text})", f"Kosten:{text}", text.replace(" ", "")):
        doc = nlp(sentence)
        expected = [(m.start, m.end, m.value) for m in find_money(sentence)]
        assert [(a.start, a.end, a.value_eur) for a in doc._.money] == expected
    assert nlp(f"Der Bau kostet {text}.")._.money  # every format is found in a sentence
    assert nlp("Kein Betrag hier, nur 2024 und 12 Prozent.")._.money == []
    assert nlp("")._.money == []
