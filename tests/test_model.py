"""The shipped German NER pipeline (models/de_news) loads and finds entities.

Sentences are written for this test; the threshold is a floor under the model's
recall on easy, unambiguous names, so a broken or untrained model fails.
"""

import pytest
import spacy

from pipeline.nlp.model import DEFAULT_MODEL, ModelError, entities, load, model_info

SENTENCES = [
    ("Angela Merkel besuchte am Montag Berlin.", [("Angela Merkel", "PER"), ("Berlin", "LOC")]),
    ("Die Deutsche Bahn erhöht die Preise in Nordrhein-Westfalen.", [("Deutsche Bahn", "ORG"), ("Nordrhein-Westfalen", "LOC")]),
    ("Der Vorstand von Siemens traf sich in München.", [("Siemens", "ORG"), ("München", "LOC")]),
    ("Thomas Müller wechselt vom FC Bayern München nach Paris.", [("Thomas Müller", "PER"), ("Paris", "LOC")]),
    ("In Frankreich und Italien wird gewählt, sagte Emmanuel Macron.", [("Frankreich", "LOC"), ("Italien", "LOC"), ("Emmanuel Macron", "PER")]),
    ("Die SPD und die CDU streiten im Bundestag über den Haushalt.", [("SPD", "ORG"), ("CDU", "ORG"), ("Bundestag", "ORG")]),
    ("Der Rhein fließt durch Köln und Düsseldorf.", [("Rhein", "LOC"), ("Köln", "LOC"), ("Düsseldorf", "LOC")]),
    ("Helmut Schmidt wurde in Hamburg geboren.", [("Helmut Schmidt", "PER"), ("Hamburg", "LOC")]),
]


def test_shipped_model_is_a_spacy_pipeline_with_newsmine_components(nlp):
    assert (DEFAULT_MODEL / "meta.json").exists()
    assert spacy.load(DEFAULT_MODEL).pipe_names[-5:] == ["ner", "known_names", "org_names", "addresses", "mentions"]
    assert nlp.pipe_names[-1] == "newsmine_money"
    info = model_info(nlp)
    assert info.name == "de_news" and info.version
    assert set(nlp.get_pipe("ner").labels) == {"PER", "LOC", "ORG"}


def test_finds_most_entities_in_written_sentences(nlp):
    expected = found = 0
    wrong_label = []
    for doc, (_, gold) in zip(nlp.pipe([s for s, _ in SENTENCES]), SENTENCES):
        predicted = {(e.text, e.label) for e in entities(doc)}
        for item in gold:
            expected += 1
            found += item in predicted
            if item not in predicted and any(t == item[0] for t, _ in predicted):
                wrong_label.append(item)
    assert found / expected >= 0.75, (found, expected, wrong_label)


def test_entities_never_overlap_money(nlp):
    doc = nlp("Die Stadt Essen zahlt 2,5 Mio. Euro an die Ruhrbahn.")
    assert [m.text for m in doc._.money] == ["2,5 Mio. Euro"]
    money_span = (doc._.money[0].start, doc._.money[0].end)
    assert all(e.end <= money_span[0] or e.start >= money_span[1] for e in entities(doc))


def test_unknown_model_gives_model_error():
    with pytest.raises(ModelError, match="cannot load"):
        load("/no/such/pipeline")


def test_foreign_pipeline_labels_are_mapped(tmp_path):
    """A pipeline with PER/LOC/ORG/MISC (like de_core_news_lg) works unchanged; MISC is dropped."""
    foreign = spacy.blank("de")
    ruler = foreign.add_pipe("entity_ruler", name="ner")
    ruler.add_patterns([{"label": "PER", "pattern": "Serap Güler"}, {"label": "MISC", "pattern": "Ruhrfestspiele"},
                        {"label": "LOC", "pattern": "Recklinghausen"}, {"label": "PERSON", "pattern": "Anna"}])
    foreign.to_disk(tmp_path / "foreign")
    nlp = load(tmp_path / "foreign")
    doc = nlp("Serap Güler eröffnet mit Anna die Ruhrfestspiele in Recklinghausen für 12,50 €.")
    assert [(e.text, e.label) for e in entities(doc)] == [("Serap Güler", "PER"), ("Anna", "PER"), ("Recklinghausen", "LOC")]
    assert [m.value_eur for m in doc._.money] == [12.5]


def test_road_number_at_sentence_end_loses_its_full_stop():
    from spacy.tokens import Span

    nlp_blank = spacy.blank("de")
    doc = nlp_blank("Stau auf der A 40. Am 3. Oktober fuhr die B 8 frei.")
    assert [t.text for t in doc][3:5] == ["A", "40."]  # the tokenizer's ordinal reading
    doc.ents = [Span(doc, 3, 5, "LOC"), Span(doc, 5, 8, "LOC"), Span(doc, 10, 12, "LOC")]
    got = [(e.text, doc.text[e.start:e.end]) for e in entities(doc)]
    assert got == [("A 40", "A 40"), ("Am 3. Oktober", "Am 3. Oktober"), ("B 8", "B 8")]
