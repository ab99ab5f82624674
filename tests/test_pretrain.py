"""Tok2Vec pretraining (pipeline/training/pretrain.py) produces weights that the
shipped training config accepts (same architecture, static vectors loaded)."""

import gzip
import json

import numpy as np
import pytest
import spacy
from spacy.tokens import DocBin
from spacy.training.initialize import init_nlp
from spacy.util import load_config

from pipeline.nlp.model import DEFAULT_MODEL
from pipeline.training.pretrain import CONFIG, pretrain, write_corpus

WORDS = ("Der Ausschuss der Stadt Essen berät am Montag über den Haushalt und die neue Brücke "
         "an der Ruhr sagte Anna Schmitz").split()


def _raw_folder(tmp_path, lines=120):
    raw = tmp_path / "raw"
    (raw / "src").mkdir(parents=True)
    rng = np.random.default_rng(0)
    with gzip.open(raw / "src" / "src-000.txt.gz", "wt", encoding="utf-8") as handle:
        for _ in range(lines):
            handle.write(" ".join(rng.choice(WORDS, size=12)) + ".\n")
        handle.write("zu kurz\n")
    return raw


def test_write_corpus_samples_paragraphs_as_jsonl(tmp_path):
    raw = _raw_folder(tmp_path)
    out = tmp_path / "sample.jsonl"
    assert write_corpus(out, 50, raw=raw) == 50
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 50 and all(len(r["text"].split()) >= 8 for r in rows)
    assert write_corpus(tmp_path / "all.jsonl", 10_000, raw=raw) == 120  # short lines dropped


def test_pretrained_weights_load_into_the_training_config(tmp_path):
    raw = _raw_folder(tmp_path)
    corpus = tmp_path / "sample.jsonl"
    write_corpus(corpus, 100, raw=raw)
    pretrain(tmp_path / "out", corpus, DEFAULT_MODEL, max_epochs=1)
    weights = tmp_path / "out" / "model0.bin"
    assert weights.exists()
    # a second epoch continues from the first one's weights
    first = weights.read_bytes()
    pretrain(tmp_path / "out", corpus, DEFAULT_MODEL, max_epochs=2, resume=weights)
    assert weights.read_bytes() == first and (tmp_path / "out" / "model1.bin").read_bytes() != first
    with pytest.raises(SystemExit, match="modelN.bin"):
        pretrain(tmp_path / "out", corpus, DEFAULT_MODEL, max_epochs=2, resume=tmp_path / "sample.jsonl")

    nlp = spacy.blank("de")
    doc = nlp("Anna Schmitz wohnt in Essen .")
    doc.ents = [doc.char_span(0, 12, label="PER"), doc.char_span(22, 27, label="LOC")]
    DocBin(docs=[doc] * 4).to_disk(tmp_path / "tiny.spacy")
    config = load_config(CONFIG, overrides={
        "paths.train": str(tmp_path / "tiny.spacy"), "paths.dev": str(tmp_path / "tiny.spacy"),
        "paths.vectors": str(DEFAULT_MODEL), "paths.init_tok2vec": str(weights)}, interpolate=False)
    trained = init_nlp(config)
    fresh = init_nlp(load_config(CONFIG, overrides={
        "paths.train": str(tmp_path / "tiny.spacy"), "paths.dev": str(tmp_path / "tiny.spacy"),
        "paths.vectors": str(DEFAULT_MODEL)}, interpolate=False))
    tok2vec = trained.get_pipe("tok2vec").model
    assert tok2vec.to_bytes() != fresh.get_pipe("tok2vec").model.to_bytes()
    # the loaded layer is exactly the pretrained one
    probe = fresh.get_pipe("tok2vec").model
    probe.from_bytes(weights.read_bytes())
    assert probe.to_bytes() == tok2vec.to_bytes()
