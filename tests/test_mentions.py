"""The ``newsmine_mentions`` rule: names cut at full stops, bare surnames of named people."""

import spacy
from rule_docs import doc_with, spans, tokenised

from pipeline.nlp.mentions import Mentions, mention_spans
from pipeline.nlp.model import DEFAULT_MODEL, entities, load


def test_a_name_is_cut_at_a_full_stop_before_a_new_sentence():
    doc = tokenised("beim Verein Weißer Ring. Terwey empfahl", [(2, 6, "ORG")])
    assert [t.text for t in doc[2:6]] == ["Weißer", "Ring", ".", "Terwey"]
    assert spans(Mentions()(doc)) == [("Weißer Ring", "ORG")]


def test_pre_tokenised_stops_and_initials_stay_inside():
    # "St . Martin" (GermEval-style tokens: a space before the stop) is one name
    doc = doc_with("im St . Martin’s Theatre".split(), [(1, 5, "LOC")])
    assert mention_spans(doc) is None
    # a stop after a short word (an initial) is not a sentence end
    doc = tokenised("von Gustav H. Lübbe verlegt", [(1, 4, "PER")])
    assert mention_spans(doc) is None


def test_a_bare_surname_of_a_person_named_in_full_is_per():
    words = "Anke Hüsgen eröffnete die Sitzung . Hüsgen sagte zu".split()
    doc = doc_with(words, [(0, 2, "PER")])
    assert spans(Mentions()(doc)) == [("Anke Hüsgen", "PER"), ("Hüsgen", "PER")]


def test_surnames_after_an_article_or_before_a_name_are_left_alone():
    words = "Sören Link sprach . Der Link zur Seite fehlt . Link Bau baut".split()
    doc = doc_with(words, [(0, 2, "PER")])
    assert mention_spans(doc) is None
    # a surname inside another entity is not touched either
    words = "Anke Hüsgen lobte die Hüsgen Stiftung".split()
    doc = doc_with(words, [(0, 2, "PER"), (4, 6, "ORG")])
    assert mention_spans(doc) is None


def test_no_person_no_change():
    assert mention_spans(doc_with("Die Stadt Essen zahlt".split(), [(2, 3, "LOC")])) is None


def test_shipped_model_runs_the_rule_last():
    assert spacy.load(DEFAULT_MODEL).pipe_names[-1] == "mentions"
    nlp = load()
    text = ("Kriminalhauptkommissar Jens Terwey rät zur Vorsicht. Opfer finden Hilfe beim "
            "Opferschutzverein Weißer Ring. Terwey empfahl zudem, Nachbarn zu informieren.")
    found = {(e.text, e.label) for e in entities(nlp(text))}
    assert {("Weißer Ring", "ORG"), ("Terwey", "PER")} <= found
    with nlp.select_pipes(disable=["mentions"]):
        # written so that the statistical NER alone runs the club's name into the next sentence
        assert ("Weißer Ring", "ORG") not in {(e.text, e.label) for e in entities(nlp(text))}
