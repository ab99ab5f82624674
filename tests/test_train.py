"""Installing a trained pipeline (meta.json, rules) and reading what a training config needs."""

import json

import spacy

from pipeline.training.train import CONFIGS, RULES, TrainSpec, embeds_compound_heads, install, uses_gazetteer


def trained_pipeline(path):
    nlp = spacy.blank("de")
    nlp.add_pipe("ner").add_label("ORG")
    nlp.initialize()
    nlp.to_disk(path)
    return path


def test_install_adds_rules_and_writes_newsmine_meta_once(tmp_path):
    trained = trained_pipeline(tmp_path / "model-best")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "stale.txt").write_text("from an earlier model")
    spec = TrainSpec(output=tmp_path / "out", version="9.9.9")
    install(trained, spec, {"germeval-train": 24000})
    assert not (tmp_path / "out" / "stale.txt").exists()
    text = (tmp_path / "out" / "meta.json").read_text()
    meta = json.loads(text)
    assert (meta["name"], meta["version"], meta["newsmine_training_docs"]) == ("news", "9.9.9", {"germeval-train": 24000})
    assert text.startswith('{\n  "')  # indented, readable in diffs
    nlp = spacy.load(tmp_path / "out")
    assert nlp.pipe_names == ["ner", *(name for name, _ in RULES)]
    assert nlp.meta["version"] == "9.9.9"


def test_install_without_rules_keeps_the_statistical_pipeline(tmp_path):
    spec = TrainSpec(output=tmp_path / "out", version="0.0.1", rules=False)
    install(trained_pipeline(tmp_path / "model-best"), spec)
    nlp = spacy.load(tmp_path / "out")
    assert (nlp.pipe_names, nlp.meta["version"]) == (["ner"], "0.0.1")
    assert "newsmine_training_docs" not in nlp.meta


def test_config_needs_are_read_from_the_parsed_config(tmp_path):
    assert uses_gazetteer(CONFIGS / "de_news_gazetteer.cfg")
    assert not uses_gazetteer(CONFIGS / "baseline.cfg")
    assert embeds_compound_heads(CONFIGS / "de_news_heads.cfg")
    assert not embeds_compound_heads(CONFIGS / "de_news_gazetteer.cfg")
    # a comment that names the factory is not a component
    text = (CONFIGS / "baseline.cfg").read_text()
    (tmp_path / "c.cfg").write_text("# could add newsmine_gazetteer and \"LEMMA\" later\n" + text)
    assert not uses_gazetteer(tmp_path / "c.cfg")
    assert not embeds_compound_heads(tmp_path / "c.cfg")
