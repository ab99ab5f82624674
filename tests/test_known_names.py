"""The ``newsmine_known_names`` rule (names of pipeline/data/known_names.tsv -> ORG / LOC) and
the check of that list against the training data (pipeline.training.name_list)."""

from collections import Counter

import pytest
import spacy
from rule_docs import NLP, doc_with, spans

from pipeline.nlp.known_names import KnownNames, read_names, with_genitives
from pipeline.nlp.model import DEFAULT_MODEL, entities, load
from pipeline.training.name_list import agreement, apply, disagrees

NAMES = [("ORG", n) for n in ["Regiobahn", "Sparkasse Duisburg", "Evonik", "Bundesfinanzhof", "Trianel", "Nokia",
                                "Bundesrat", "Verdi", "Signal Iduna"]]
NAMES += [("LOC", n) for n in ["Grenzlandstadion", "Königsallee", "Signal Iduna Park", "Landschaftspark Duisburg-Nord"]]


def rule(relabel: bool = False) -> KnownNames:
    return KnownNames(NLP.make_doc, relabel=relabel, names=NAMES)


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
    # places: a venue the NER missed, a site around the NER's town; a number after a place is
    # a house number, not a model (the addresses rule takes it later)
    ("die Nebenplätze am Grenzlandstadion in Rheydt".split(), [(5, 6, "LOC")],
     [("Grenzlandstadion", "LOC"), ("Rheydt", "LOC")]),
    ("im Landschaftspark Duisburg-Nord feiern".split(), [(2, 3, "LOC")], [("Landschaftspark Duisburg-Nord", "LOC")]),
    ("an der Königsallee 12 eröffnet".split(), [], [("Königsallee", "LOC")]),
    # the longest name wins across the lists: the stadium, not the insurer
    ("im Signal Iduna Park jubeln".split(), [], [("Signal Iduna Park", "LOC")]),
    ("bei der Signal Iduna versichert".split(), [], [("Signal Iduna", "ORG")]),
])
def test_known_names_become_entities_where_the_ner_leaves_room(words, ents, expected):
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
    path.write_text("# label\tkind\tname\nORG\ttransport\tRegiobahn\n#drop\tORG\tpublic\tLandtag\t(none 15)\n\n"
                    "LOC\tsite\tGrugapark\n")
    assert read_names(path) == [("ORG", "Regiobahn"), ("LOC", "Grugapark")]
    # a file saved by an editor that writes a byte-order mark and Windows line ends reads the same
    path.write_bytes(b"\xef\xbb\xbf" + path.read_text().replace("\n", "\r\n").encode("utf-8"))
    assert read_names(path) == [("ORG", "Regiobahn"), ("LOC", "Grugapark")]
    names = read_names()
    assert ("ORG", "Rheinbahn") in names and ("LOC", "Grugapark") in names
    assert all(name != "Bundesregierung" for _, name in names)
    assert len({name for _, name in names}) == len(names)  # one label per name


@pytest.mark.parametrize("line", ["ORG\tRegiobahn", "MISC\tevent\tRuhrtriennale", "LOC\tsite\t  "])
def test_a_malformed_list_line_is_reported_with_its_place(tmp_path, line):
    path = tmp_path / "names.tsv"
    path.write_text(f"# header\n{line}\n")
    with pytest.raises(ValueError, match=r"names.tsv:2: expected label<TAB>kind<TAB>name"):
        read_names(path)


def test_the_list_travels_with_the_model(tmp_path):
    nlp = spacy.blank("de")
    nlp.add_pipe("newsmine_known_names")
    nlp.get_pipe("newsmine_known_names").names = [("ORG", "Wupperverband"), ("LOC", "Bevertalsperre")]
    nlp.to_disk(tmp_path / "p")
    loaded = spacy.load(tmp_path / "p")
    assert loaded.get_pipe("newsmine_known_names").names == [("ORG", "Wupperverband"), ("LOC", "Bevertalsperre")]
    doc = loaded("Der Wupperverband senkt die Bevertalsperre")
    assert [(e.text, e.label_) for e in doc.ents] == [("Wupperverband", "ORG"), ("Bevertalsperre", "LOC")]
    # new names after the first document take effect
    loaded.get_pipe("newsmine_known_names").names = [("ORG", "Ruhrverband")]
    doc = loaded("Der Ruhrverband senkt die Bevertalsperre")
    assert [(e.text, e.label_) for e in doc.ents] == [("Ruhrverband", "ORG")]


def test_shipped_model_has_the_repository_list_and_uses_it():
    nlp = load()
    assert spacy.load(DEFAULT_MODEL).get_pipe("known_names").names == read_names()
    text = "Die Regiobahn fährt ab Montag wieder nach Fahrplan."
    assert [(e.text, e.label) for e in entities(nlp(text))] == [("Regiobahn", "ORG")]
    with nlp.select_pipes(disable=["known_names"]):
        # written so that the statistical NER alone misses it
        assert [(e.text, e.label) for e in entities(nlp(text))] == []


def test_agreement_counts_how_the_training_data_annotate_each_name(tmp_path):
    docs = [doc_with("Die Bundesregierung will".split(), []),
            doc_with("Die Bundesregierung will".split(), []),  # repeated documents count once
            doc_with("Die Bundesregierung sagt".split(), []),
            doc_with("laut Bundesregierung heute".split(), []),
            doc_with("die Bundesregierung Merkel".split(), [(1, 2, "ORG")]),
            doc_with("Der Bundesfinanzhof Münster".split(), [(1, 3, "ORG")]),
            doc_with("bei Rheinbahn in".split(), [(1, 2, "ORG")])]
    counts = agreement(docs, ["Bundesregierung", "Bundesfinanzhof", "Rheinbahn", "WAZ"])
    assert counts == {"Bundesregierung": Counter({"none": 3, "exact-ORG": 1}),
                      "Bundesfinanzhof": Counter({"inside-ORG": 1}), "Rheinbahn": Counter({"exact-ORG": 1})}
    assert disagrees(counts["Bundesregierung"], "ORG")
    assert not disagrees(Counter({"none": 2}), "ORG")  # too few to say
    # another label counts against a name, its own for it
    assert disagrees(Counter({"exact-LOC": 3, "exact-ORG": 1}), "ORG")
    assert not disagrees(Counter({"exact-LOC": 3, "exact-ORG": 1}), "LOC")
    path = tmp_path / "names.tsv"
    path.write_text("# header\nORG\tpublic\tBundesregierung\nORG\ttransport\tRheinbahn\n")
    assert apply(path, counts) == ["Bundesregierung"]
    assert path.read_text() == ("# header\n#drop\tORG\tpublic\tBundesregierung\t(none 3, exact-ORG 1)\n"
                                "ORG\ttransport\tRheinbahn\n")
    assert read_names(path) == [("ORG", "Rheinbahn")]
