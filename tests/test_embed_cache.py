"""Memoised token embeddings (pipeline/nlp/embed_cache.py) change speed, not output."""

import numpy as np
import pytest
import spacy

from pipeline.nlp.embed_cache import memoise_embeddings
from pipeline.nlp.model import DEFAULT_MODEL, load

TEXTS = [
    "Oberbürgermeister Sören Link (SPD) eröffnete am Montag in Duisburg-Marxloh das neue Bürgerbüro.",
    "Die Stadtwerke Essen investieren rund 12,5 Millionen Euro in das Fernwärmenetz.",
    "„Wir bleiben dran“, sagte die Kämmerin. Das Kommunale Integrationszentrum (KI) lädt ein.",
    "Duisburg Duisburg Duisburg, Essen und Köln: dreimal derselbe Name, zweimal neue.",
    "z.B. am 3. Okt. um 18 Uhr – u.a. in der Königstraße 12 –  \n\n Doppelte  Leerzeichen.",
    "",
]


@pytest.fixture(scope="module")
def pair():
    return spacy.load(DEFAULT_MODEL), spacy.load(DEFAULT_MODEL)


def _tokvecs(nlp, docs):
    return nlp.get_pipe("tok2vec").model.predict(docs)


def test_memoised_pipeline_gives_identical_vectors_and_entities(pair):
    plain, memo = pair
    assert memoise_embeddings(memo) == 1
    assert memoise_embeddings(memo) == 0  # idempotent
    for _ in range(2):  # first pass fills the cache, second reads from it
        a = list(plain.pipe(TEXTS))
        b = list(memo.pipe(TEXTS))
        assert [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in a] == \
               [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in b]
        for x, y in zip(_tokvecs(plain, a), _tokvecs(memo, b)):
            np.testing.assert_allclose(x, y, rtol=0, atol=1e-6)


def test_cache_reset_when_full_keeps_output():
    plain = spacy.load(DEFAULT_MODEL)
    memo = spacy.load(DEFAULT_MODEL)
    memoise_embeddings(memo, max_entries=8)  # smaller than one text's vocabulary
    for text in TEXTS[:3] * 2:
        x = _tokvecs(plain, [plain.make_doc(text)])[0]
        y = _tokvecs(memo, [memo.make_doc(text)])[0]
        np.testing.assert_allclose(x, y, rtol=0, atol=1e-6)


def test_training_path_is_spacys_own(pair):
    plain, memo = pair
    memoise_embeddings(memo)
    doc = memo.make_doc(TEXTS[0])
    embed = memo.get_pipe("tok2vec").model.layers[0]
    out, backprop = embed.begin_update([doc])  # is_train=True: gradient available
    assert out[0].shape[0] == len(doc)
    with pytest.raises(RuntimeError, match="inference only"):
        embed._func(embed, [doc], False)[1](out)


def test_load_memoises_by_default_and_can_opt_out():
    assert load().get_pipe("tok2vec").model.layers[0].attrs.get("newsmine_memoised")
    assert not load(memoise=False).get_pipe("tok2vec").model.layers[0].attrs.get("newsmine_memoised")
