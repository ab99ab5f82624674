"""The annotated corpus: valid, complete, reproducible from its markup sources."""

import json

import pytest

from pipeline.corpus import (
    JSONL_PATH,
    SRC_DIR,
    CorpusError,
    label_counts,
    parse_article,
    read_jsonl,
    read_sources,
    to_docbin,
    validate,
)


@pytest.fixture(scope="module")
def records():
    return list(read_jsonl())


def test_corpus_validates(records):
    assert validate(records) == []


def test_corpus_size_meets_the_acceptance(records):
    total = sum(label_counts(records).values(), start=__import__("collections").Counter())
    assert len(records) >= 80
    assert total["PER"] + total["LOC"] + total["ORG"] >= 1200
    for label in ("PER", "LOC", "ORG", "MONEY"):
        assert total[label] >= 250, label
    assert {r["split"] for r in records} == {"train", "dev", "test"}
    assert len({r["town"] for r in records}) >= 25


def test_jsonl_is_built_from_the_markup_sources(records):
    rebuilt = [a.to_json() for a in read_sources(SRC_DIR)]
    assert rebuilt == records, "corpus.jsonl is stale: run `newsmine corpus build`"


def test_docbin_conversion_keeps_every_entity(records):
    import spacy

    nlp = spacy.blank("de")
    docs = list(to_docbin(records[:10], nlp).get_docs(nlp.vocab))
    for rec, doc in zip(records[:10], docs):
        gold = {(e["start"], e["end"], e["label"]) for e in rec["entities"]}
        got = {(e.start_char, e.end_char, e.label_) for e in doc.ents}
        assert len(got) == len(gold)


def test_validator_catches_bad_records():
    good = {"id": "x", "split": "train", "text": "Sören Link zahlt 5 Euro.",
            "entities": [{"start": 0, "end": 10, "label": "PER", "text": "Sören Link"}],
            "money": [{"start": 17, "end": 23, "text": "5 Euro", "value_eur": 5.0, "high_eur": None, "qualifier": None}]}
    assert validate([good]) == []
    shifted = json.loads(json.dumps(good))
    shifted["entities"][0]["start"] = 1
    assert any("offsets" in p for p in validate([shifted]))
    unknown = json.loads(json.dumps(good))
    unknown["entities"][0]["label"] = "MISC"
    assert any("unknown label" in p for p in validate([unknown]))
    overlap = json.loads(json.dumps(good))
    overlap["entities"].append({"start": 6, "end": 10, "label": "PER", "text": "Link"})
    assert any("overlaps" in p for p in validate([overlap]))
    wrong_value = json.loads(json.dumps(good))
    wrong_value["money"][0]["value_eur"] = 50.0
    assert any("parses to" in p for p in validate([wrong_value]))


def test_markup_errors_are_reported_with_position():
    with pytest.raises(CorpusError, match="unclosed"):
        parse_article("id: a\ntitle: t\ntown: x\npublished: 2026-01-01\ntopic: t\nsplit: train\n---\n[[PER:Anna", "f.txt")
    with pytest.raises(CorpusError, match="header lacks"):
        parse_article("id: a\n---\ntext", "f.txt")


def test_jsonl_path_is_inside_the_corpus_folder():
    assert JSONL_PATH.parent.name == "articles"


def test_readme_states_the_current_counts(records):
    from pipeline.corpus import CORPUS_DIR, counts_table

    assert counts_table(records) in (CORPUS_DIR / "README.md").read_text(encoding="utf-8")
