"""The per-type sentencizer (pipeline/nlp/sentences.py) splits exactly like spaCy's."""

import functools

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc

from pipeline.corpus import read_jsonl
from pipeline.nlp import sentences as _sentences  # noqa: F401  (registers newsmine_sentencizer)

PIECES = ["Der", "Rat", "tagt", ".", "!", "?", "…", "„", "“", "(", ")", "-", ",", ":", ";", "3.", "z.B.",
          "Dr.", "Essen", "...", "!?", "»", "«", "|", "。", "'", '"', "2024"]


def _starts(nlp, doc):
    return [t.is_sent_start for t in nlp(doc)]


@functools.cache
def _pair():
    """spaCy's sentencizer and newsmine's, each in a blank German pipeline (built once: stateless)."""
    plain, fast = spacy.blank("de"), spacy.blank("de")
    plain.add_pipe("sentencizer")
    fast.add_pipe("newsmine_sentencizer")
    return plain, fast


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=0, max_size=40))
def test_same_sentence_starts_as_spacy_on_any_token_sequence(words):
    plain, fast = _pair()
    assert _starts(fast, Doc(fast.vocab, words=words)) == _starts(plain, Doc(plain.vocab, words=words))


def test_same_sentences_on_the_corpus_and_batches():
    plain, fast = _pair()
    texts = [r["text"] for r in read_jsonl()]
    a = [[s.text for s in d.sents] for d in plain.pipe(texts, batch_size=7)]
    b = [[s.text for s in d.sents] for d in fast.pipe(texts, batch_size=7)]
    assert a == b and sum(map(len, a)) > 1000
    assert [t.is_sent_start for t in fast("Ein Satz. Noch einer! Und „zitiert.“ Ende")] == \
           [True, False, False, True, False, False, True, False, False, False, False, True]


def test_existing_boundaries_are_kept_unless_overwrite():
    plain, fast = _pair()
    for nlp in (plain, fast):
        doc = nlp.make_doc("Erster Satz ohne Punkt zweiter Satz. Dritter")
        doc[4].is_sent_start = True
        doc[1].is_sent_start = False
        nlp.get_pipe(nlp.pipe_names[0])(doc)
        assert [t.is_sent_start for t in doc] == [True, False, False, False, True, False, False, True]
