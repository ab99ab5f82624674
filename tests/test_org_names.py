"""The ``newsmine_org_names`` rule: designator + place -> one ORG (ANNOTATION.md)."""

import pytest
import spacy
from rule_docs import doc_with, spans, tokenised

from pipeline.nlp.model import DEFAULT_MODEL, entities, load
from pipeline.nlp.org_names import OrgNames
from pipeline.training.train import add_rules


@pytest.mark.parametrize("words, ents, expected", [
    # the designator joins the place and the span becomes ORG
    ("Die Wirtschaftsförderung Oberhausen lobt".split(), [(2, 3, "LOC")],
     [("Wirtschaftsförderung Oberhausen", "ORG")]),
    ("Landesverband Hamburg spielt".split(), [(1, 2, "LOC")], [("Landesverband Hamburg", "ORG")]),
    ("im Wasserverband Eifel-Rur".split(), [(2, 3, "LOC")], [("Wasserverband Eifel-Rur", "ORG")]),
    # a capitalised adjective before the designator belongs to the name
    ("Die Evangelische Stiftung Hephata hilft".split(), [(3, 4, "LOC")],
     [("Evangelische Stiftung Hephata", "ORG")]),
    # multi-word places stay whole
    ("Sparkasse Mülheim an der Ruhr".split(), [(1, 5, "LOC")], [("Sparkasse Mülheim an der Ruhr", "ORG")]),
    # a lowercase description before the designator: not a name
    ("das höchste Gericht Thailands".split(), [(3, 4, "LOC")], [("Thailands", "LOC")]),
    ("der westdeutschen Opel-Werke Rüsselsheim".split(), [(3, 4, "LOC")], [("Rüsselsheim", "LOC")]),
    # not a designator: Stadt, Kreis, venues
    ("Die Stadt Essen zahlt".split(), [(2, 3, "LOC")], [("Essen", "LOC")]),
    ("im Stadion Essen".split(), [(2, 3, "LOC")], [("Essen", "LOC")]),
    # only LOC entities are extended; a designator inside another entity is left alone
    ("Der Heimatverein Peter Schmitz".split(), [(2, 4, "PER")], [("Peter Schmitz", "PER")]),
    ("Die Sparkasse Krefeld Nord".split(), [(1, 3, "ORG"), (3, 4, "LOC")],
     [("Sparkasse Krefeld", "ORG"), ("Nord", "LOC")]),
    # public services named after their town
    ("Die Kriminalpolizei Ehingen ermittelt".split(), [(2, 3, "LOC")], [("Kriminalpolizei Ehingen", "ORG")]),
    ("der Freiwilligen Feuerwehr Neuhausen".split(), [(3, 4, "LOC")], [("Freiwilligen Feuerwehr Neuhausen", "ORG")]),
    ("mit der Regierung Ägyptens".split(), [(3, 4, "LOC")], [("Ägyptens", "LOC")]),
    # lowercase word ending like a designator is not a name part
    ("der verband Essen".split(), [(2, 3, "LOC")], [("Essen", "LOC")]),
])
def test_designator_and_place_become_one_org(words, ents, expected):
    assert spans(OrgNames()(doc_with(words, ents))) == expected


def test_designators_are_configurable():
    doc = doc_with("Das Quartiersbüro Duisburg hilft".split(), [(2, 3, "LOC")])
    assert spans(OrgNames()(doc)) == [("Duisburg", "LOC")]
    assert spans(OrgNames(designators=["büro"])(doc)) == [("Quartiersbüro Duisburg", "ORG")]


def test_shipped_model_runs_the_rule_after_the_ner():
    assert spacy.load(DEFAULT_MODEL).pipe_names == ["gazetteer", "tok2vec", "ner", "known_names", "org_names", "addresses", "mentions"]
    nlp = load()
    text = "Auch der Heimatverein Xanten lädt am Sonntag zum Fest an den Rhein."
    assert ("Heimatverein Xanten", "ORG") in {(e.text, e.label) for e in entities(nlp(text))}
    with nlp.select_pipes(disable=["org_names"]):
        # written so that the statistical NER alone finds only the town
        assert ("Xanten", "LOC") in {(e.text, e.label) for e in entities(nlp(text))}


def test_add_rules_keeps_the_weights(tmp_path):
    nlp = spacy.blank("de")
    nlp.add_pipe("ner").add_label("LOC")
    nlp.initialize()
    nlp.to_disk(tmp_path / "p")
    weights = (tmp_path / "p" / "ner" / "model").read_bytes()
    assert add_rules(tmp_path / "p", rules=(("org_names", "newsmine_org_names"),)) == ["org_names"]
    # adds only what is missing, each after the rule before it in RULES
    assert add_rules(tmp_path / "p") == ["known_names", "addresses", "mentions"]
    assert add_rules(tmp_path / "p") == []
    assert spacy.load(tmp_path / "p").pipe_names == ["ner", "known_names", "org_names", "addresses", "mentions"]
    assert (tmp_path / "p" / "ner" / "model").read_bytes() == weights


@pytest.mark.parametrize("words, ents, expected", [
    # the NER missed the company: the capitalised words before the legal form are its name
    ("Die Vestische Straßenbahnen GmbH will".split(), [], [("Vestische Straßenbahnen GmbH", "ORG")]),
    ("Der Förderverein Musik e.V. lädt".split(), [], [("Förderverein Musik e.V.", "ORG")]),
    ("der Heimatverein Hünxe e. V. feiert".split(), [], [("Heimatverein Hünxe e. V.", "ORG")]),
    ("die Schade u. Füllgrabe KG beschäftigte".split(), [], [("Schade u. Füllgrabe KG", "ORG")]),
    # a description before the name is not part of it
    ("Der Autobauer Volkswagen AG meldet".split(), [], [("Volkswagen AG", "ORG")]),
    # the NER found the name: the form joins it, a person's name becomes the company's
    ("Die Siemens AG meldet".split(), [(1, 2, "ORG")], [("Siemens AG", "ORG")]),
    ("bei der Müller GmbH in Essen".split(), [(2, 3, "PER"), (5, 6, "LOC")],
     [("Müller GmbH", "ORG"), ("Essen", "LOC")]),
    ("die Krombacher Brauerei GmbH & Co. KG wächst".split(), [(1, 3, "ORG")],
     [("Krombacher Brauerei GmbH & Co. KG", "ORG")]),
    # an entity ending in the form with another label is relabelled
    ("die Schmidt GmbH zahlt".split(), [(1, 3, "PER")], [("Schmidt GmbH", "ORG")]),
    # no name before the form: nothing
    ("Das urteilte die AG am Montag".split(), [], []),
])
def test_name_before_a_legal_form_becomes_one_org(words, ents, expected):
    assert spans(OrgNames()(doc_with(words, ents))) == expected


def test_legal_forms_can_be_switched_off():
    doc = doc_with("Die Vestische Straßenbahnen GmbH will".split(), [])
    assert spans(OrgNames(legal_forms=False)(doc)) == []


@pytest.mark.parametrize("words, ents, expected", [
    ("Die Van der Linden Logistics aus Venlo".split(), [(1, 5, "PER"), (6, 7, "LOC")],
     [("Van der Linden Logistics", "ORG"), ("Venlo", "LOC")]),
    ("an der South Mountain Community College".split(), [(2, 6, "LOC")],
     [("South Mountain Community College", "ORG")]),
    # one word, or a head that is not an organisation noun: unchanged
    ("Systems".split(), [(0, 1, "PER")], [("Systems", "PER")]),
    ("im West Bank".split(), [(1, 3, "LOC")], [("West Bank", "LOC")]),
])
def test_english_organisation_nouns_make_an_org(words, ents, expected):
    assert spans(OrgNames()(doc_with(words, ents))) == expected


def test_an_org_takes_in_a_place_joined_by_a_slash():
    text = "Vorsitzende des ADFC Wuppertal/Solingen, erinnerte"
    doc = tokenised(text, [(2, 4, "ORG"), (5, 6, "LOC")])
    assert spans(OrgNames()(doc)) == [("ADFC Wuppertal/Solingen", "ORG")]
    # the NER kept the slash in the ORG: same result
    doc = tokenised(text, [(2, 5, "ORG"), (5, 6, "LOC")])
    assert spans(OrgNames()(doc)) == [("ADFC Wuppertal/Solingen", "ORG")]
    # spaced slashes (pre-tokenised text) and two places are left alone
    doc = tokenised("die SPD Duisburg / Essen und Essen/Ruhr", [(1, 3, "ORG"), (4, 5, "LOC"), (6, 9, "LOC")])
    assert spans(OrgNames()(doc)) == [("SPD Duisburg", "ORG"), ("Essen", "LOC"), ("Essen/Ruhr", "LOC")]


@pytest.mark.parametrize("words, ents, expected", [
    ("Auch der ASV Dinslaken 1921 begrüßt".split(), [(2, 4, "ORG")], [("ASV Dinslaken 1921", "ORG")]),
    ("gegen den FC Schalke 04 .".split(), [(2, 4, "ORG")], [("FC Schalke 04", "ORG")]),
    ("beim Krefelder EV 1981 spielt".split(), [(1, 3, "ORG")], [("Krefelder EV 1981", "ORG")]),
    # a quantity, a current year, or no club marker: unchanged
    ("der SC Rheindahlen 12 Punkte".split(), [(1, 3, "ORG")], [("SC Rheindahlen", "ORG")]),
    ("der SC Rheindahlen 04 Punkte".split(), [(1, 3, "ORG")], [("SC Rheindahlen", "ORG")]),
    ("die TuS Xanten 2025 gegründet".split(), [(1, 3, "ORG")], [("TuS Xanten", "ORG")]),
    ("die SPD 1921 gespalten".split(), [(1, 2, "ORG")], [("SPD", "ORG")]),
])
def test_a_club_takes_its_founding_number(words, ents, expected):
    assert spans(OrgNames()(doc_with(words, ents))) == expected
