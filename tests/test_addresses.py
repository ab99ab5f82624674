"""The ``newsmine_addresses`` rule: street + house number -> one LOC (ANNOTATION.md)."""

import pytest
import spacy
from rule_docs import doc_with, spans

from pipeline.nlp.addresses import Addresses, address_spans
from pipeline.nlp.model import DEFAULT_MODEL, entities, load


@pytest.mark.parametrize("words, ents, expected", [
    # a street the NER missed, after an address preposition, with its number
    ("Einbruch in einer Wohnung am Hansaring 14 gemeldet".split(), [], [("Hansaring 14", "LOC")]),
    ("Anwohner an der Friedrich-Ebert-Straße 82 klagen".split(), [], [("Friedrich-Ebert-Straße 82", "LOC")]),
    ("Umzug zur Kaiserstraße 7a".split(), [], [("Kaiserstraße 7a", "LOC")]),
    # the NER found the street, the number joins it
    ("Das Stadion an der Hafenstraße 97".split(), [(4, 5, "LOC")], [("Hafenstraße 97", "LOC")]),
    ("die Neuendorfer Straße 90c".split(), [(1, 3, "LOC")], [("Neuendorfer Straße 90c", "LOC")]),
    # ranks and quantities are not house numbers
    ("Sie steht auf Listenplatz 5 der Liste".split(), [], []),
    ("Der Club ist auf Tabellenplatz 3".split(), [], []),
    ("Die Kreuzung am Marktplatz 3 Wochen gesperrt".split(), [], []),
    ("Die Hauptstraße ist 12 Meter breit".split(), [(1, 2, "LOC")], [("Hauptstraße", "LOC")]),
    # no address preposition, no name: left alone
    ("Diese Umgehungsstraße 2 Jahre später".split(), [], []),
    ("am Weg 5".split(), [], []),
    ("an der Straße 12".split(), [], []),
    # a number already in another entity, or a street inside an ORG, is not taken
    ("die Sparkasse am Hansaring".split(), [(3, 4, "ORG")], [("Hansaring", "ORG")]),
])
def test_street_and_house_number_become_one_loc(words, ents, expected):
    assert spans(Addresses()(doc_with(words, ents))) == expected


def test_a_range_of_house_numbers_stays_in_the_span():
    nlp = spacy.blank("de")
    assert spans(Addresses()(nlp("Sitz in der Jägerstraße 22/23 in Berlin"))) == [("Jägerstraße 22/23", "LOC")]
    # spaced: "22 - 23" reads as a count, the range is not taken
    assert spans(Addresses()(nlp("am Hansaring 22 - 23 Leute"))) == [("Hansaring 22", "LOC")]


def test_nothing_to_change_returns_none():
    assert address_spans(doc_with("Die Stadt Essen zahlt".split(), [(2, 3, "LOC")])) is None


def test_heads_are_configurable():
    doc = doc_with("Treffen am Kirchhof 3".split(), [])
    assert spans(Addresses()(doc)) == []
    assert spans(Addresses(heads=["hof"])(doc)) == [("Kirchhof 3", "LOC")]


def test_shipped_model_finds_addresses_and_drops_a_final_stop():
    assert "addresses" in spacy.load(DEFAULT_MODEL).pipe_names
    nlp = load()
    found = {(e.text, e.label) for e in entities(nlp("Den Anfang macht die Anlage am Mühlenweg 21."))}
    assert ("Mühlenweg 21", "LOC") in found  # the sentence's full stop is outside the span
    text = "Die Polizei überraschte die Täter in einer Wohnung am Hansaring 14 in Wesel."
    assert ("Hansaring 14", "LOC") in {(e.text, e.label) for e in entities(nlp(text))}
    with nlp.select_pipes(disable=["addresses"]):
        # written so that the statistical NER alone misses the address
        assert "Hansaring 14" not in {e.text for e in entities(nlp(text))}
