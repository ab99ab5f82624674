"""The ``newsmine_known_orgs`` rule (names of pipeline/data/organisations.tsv -> ORG) and the
check of that list against the training data (pipeline.training.org_list)."""

from collections import Counter

import pytest
import spacy
from rule_docs import NLP, doc_with, spans
from spacy.tokens import Doc, Span

from pipeline.nlp.known_orgs import KnownOrgs, read_names, with_genitives
from pipeline.nlp.model import DEFAULT_MODEL, entities, load
from pipeline.training.org_list import agreement, apply, disagrees

NAMES = ["Regiobahn", "Sparkasse Duisburg", "Evonik", "Bundesfinanzhof", "Trianel", "Nokia", "Bundesrat", "Verdi"]


def rule(relabel: bool = False) -> KnownOrgs:
    return KnownOrgs(NLP.make_doc, relabel=relabel, names=NAMES)


@pytest.mark.parametrize("words, ents, expected", [
    # a miss of the NER
    ("Die Regiobahn fährt wieder".split(), [], [("Regiobahn", "ORG")]),
    # entities inside the name make way for it
    ("bei der Sparkasse Duisburg angelegt".split(), [(3, 4, "LOC")], [("Sparkasse Duisburg", "ORG")]),
    # a longer entity holds the name
    ("die Evonik Industries AG meldet".split(), [(1, 4, "ORG")], [("Evonik Industries AG", "ORG")]),
    # a capitalised word after the name starts a longer name: left to the NER
    ("die Evonik Creavis forscht".split(), [], []),
    # a model number makes it a product, a person's name makes it a title
    ("das Nokia 5200 kostet".split(), [], []),
    ("von Bundesrat Flavio Cotti ernannt".split(), [(2, 4, "PER")], [("Flavio Cotti", "PER")]),
    # genitive -s of a German noun; not of a vowel-final name (Verdi -> the composer's Verdis)
    ("die Senate des Bundesfinanzhofs tagen".split(), [], [("Bundesfinanzhofs", "ORG")]),
    ("kamen die Verdis an".split(), [(2, 3, "PER")], [("Verdis", "PER")]),
    # other entities stay
    ("Die Regiobahn fährt nach Mettmann".split(), [(4, 5, "LOC")], [("Regiobahn", "ORG"), ("Mettmann", "LOC")]),
])
def test_known_names_become_org_where_the_ner_leaves_room(words, ents, expected):
    assert spans(rule()(doc_with(words, ents))) == expected


def test_an_entity_exactly_on_the_name_keeps_its_label_unless_relabel():
    words = "Auch Trianel plant einen Windpark".split()
    assert spans(rule()(doc_with(words, [(1, 2, "LOC")]))) == [("Trianel", "LOC")]
    assert spans(rule(relabel=True)(doc_with(words, [(1, 2, "LOC")]))) == [("Trianel", "ORG")]


def test_genitives_only_for_consonant_final_nouns():
    assert with_genitives(["Bundesfinanzhof", "Verdi", "RWE", "Ruhrverband", "Haus & Grund"]) == [
        "Bundesfinanzhof", "Bundesfinanzhofs", "Verdi", "RWE", "Ruhrverband", "Ruhrverbands", "Haus & Grund",
        "Haus & Grunds"]


def test_the_list_file_skips_comments_and_dropped_names(tmp_path):
    path = tmp_path / "orgs.tsv"
    path.write_text("# kind\tname\ntransport\tRegiobahn\n#drop\tpublic\tLandtag\t(none 15)\n\nmedia\tWAZ\n")
    assert read_names(path) == ["Regiobahn", "WAZ"]
    names = read_names()
    assert "Rheinbahn" in names and "Bundesregierung" not in names and len(names) == len(set(names))


def test_the_list_travels_with_the_model(tmp_path):
    nlp = spacy.blank("de")
    nlp.add_pipe("newsmine_known_orgs")
    nlp.get_pipe("newsmine_known_orgs").names = ["Wupperverband"]
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    assert loaded.get_pipe("newsmine_known_orgs").names == ["Wupperverband"]
    assert [(e.text, e.label_) for e in loaded("Der Wupperverband senkt den Pegel").ents] == [("Wupperverband", "ORG")]


def test_shipped_model_has_the_repository_list_and_uses_it():
    nlp = load()
    assert spacy.load(DEFAULT_MODEL).get_pipe("known_orgs").names == read_names()
    text = "Die Regiobahn fährt ab Montag wieder nach Fahrplan."
    assert [(e.text, e.label) for e in entities(nlp(text))] == [("Regiobahn", "ORG")]
    with nlp.select_pipes(disable=["known_orgs"]):
        # written so that the statistical NER alone misses it
        assert [(e.text, e.label) for e in entities(nlp(text))] == []


def gold(words: list[str], ents: list[tuple[int, int, str]]) -> Doc:
    doc = Doc(NLP.vocab, words=words)
    doc.ents = [Span(doc, s, e, label=lab) for s, e, lab in ents]
    return doc


def test_agreement_counts_how_the_training_data_annotate_each_name(tmp_path):
    docs = [gold("Die Bundesregierung will".split(), []),
            gold("Die Bundesregierung will".split(), []),  # repeated documents count once
            gold("Die Bundesregierung sagt".split(), []),
            gold("laut Bundesregierung heute".split(), []),
            gold("die Bundesregierung Merkel".split(), [(1, 2, "ORG")]),
            gold("Der Bundesfinanzhof Münster".split(), [(1, 3, "ORG")]),
            gold("bei Rheinbahn in".split(), [(1, 2, "ORG")])]
    counts = agreement(docs, ["Bundesregierung", "Bundesfinanzhof", "Rheinbahn", "WAZ"])
    assert counts == {"Bundesregierung": Counter({"none": 3, "exact-ORG": 1}),
                      "Bundesfinanzhof": Counter({"inside-ORG": 1}), "Rheinbahn": Counter({"exact-ORG": 1})}
    assert disagrees(counts["Bundesregierung"])
    assert not disagrees(Counter({"none": 2}))  # too few to say
    path = tmp_path / "orgs.tsv"
    path.write_text("# header\npublic\tBundesregierung\ntransport\tRheinbahn\n")
    assert apply(path, counts) == ["Bundesregierung"]
    assert path.read_text() == "# header\n#drop\tpublic\tBundesregierung\t(none 3, exact-ORG 1)\ntransport\tRheinbahn\n"
    assert read_names(path) == ["Rheinbahn"]
