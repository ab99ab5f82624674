"""Mention replacement for the corpus train split (pipeline/training/augment.py)."""

import random
import re

import pytest
import spacy

from pipeline.corpus import read_jsonl, to_docbin
from pipeline.training.augment import Pools, augment, augment_record, person_pools, town_pools


@pytest.fixture(scope="module")
def pools():
    nlp = spacy.blank("de")
    records = [r for r in read_jsonl() if r["split"] == "train"]
    first, last = person_pools(to_docbin(records, nlp).get_docs(nlp.vocab))
    towns, names = town_pools()
    return Pools(first, last, towns, names)


def _outside(record: dict) -> list[str]:
    """The text between entity spans."""
    pieces, pos = [], 0
    for ent in sorted(record["entities"], key=lambda e: e["start"]):
        pieces.append(record["text"][pos:ent["start"]])
        pos = ent["end"]
    return pieces + [record["text"][pos:]]


def test_pools_hold_names_and_towns(pools):
    assert "Tobias" in pools.first_names and "Reinartz" in pools.surnames
    assert {"Duisburg", "Oberhausen", "Mülheim an der Ruhr"} & pools.place_names >= {"Duisburg", "Oberhausen"}
    assert "Haus" not in pools.place_names
    assert all(not t.endswith(("s", "x", "z", "ß")) for t in pools.towns)


def test_every_corpus_article_keeps_its_spans_labels_and_context(pools):
    records = [r for r in read_jsonl() if r["split"] == "train"]
    changed = 0
    for out, rec in zip(augment(records, pools, copies=1, seed=3), records):
        assert [e["label"] for e in out["entities"]] == [e["label"] for e in rec["entities"]]
        for ent in out["entities"]:
            assert out["text"][ent["start"]:ent["end"]] == ent["text"]
        assert _outside(out) == _outside(rec)  # only names change
        assert [(m["text"], m["value_eur"]) for m in out["money"]] == [(m["text"], m["value_eur"]) for m in rec["money"]]
        for m in out["money"]:
            assert out["text"][m["start"]:m["end"]] == m["text"]
        changed += sum(a["text"] != b["text"] for a, b in zip(out["entities"], rec["entities"]))
    total = sum(len(r["entities"]) for r in records)
    assert changed > total / 2  # most names are swapped


def _record(text: str, spans: list[tuple[str, str]]) -> dict:
    entities = []
    for surface, label in spans:
        for m in re.finditer(re.escape(surface), text):
            if not any(e["start"] < m.end() and m.start() < e["end"] for e in entities):
                entities.append({"start": m.start(), "end": m.end(), "label": label, "text": surface})
    return {"text": text, "entities": sorted(entities, key=lambda e: e["start"])}


def test_names_and_towns_are_swapped_consistently(pools):
    rec = _record(
        "Tobias Reinartz von der Wirtschaftsförderung Oberhausen sprach in Oberhausen. Reinartz lobte "
        "Oberhausens Innenstadt und die Oberhausener Verkehrsbetriebe.",
        [("Tobias Reinartz", "PER"), ("Wirtschaftsförderung Oberhausen", "ORG"), ("Oberhausener Verkehrsbetriebe", "ORG"),
         ("Oberhausens", "LOC"), ("Oberhausen", "LOC"), ("Reinartz", "PER")])
    out = augment_record(rec, pools, random.Random(7))
    texts = [e["text"] for e in out["entities"]]
    full, org, town, surname, genitive, adjective_org = texts
    first, last = full.split(" ")
    assert surname == last != "Reinartz" and first != "Tobias"
    assert org == f"Wirtschaftsförderung {town}" and town != "Oberhausen"
    assert genitive == town + "s"
    assert adjective_org.endswith(" Verkehrsbetriebe") and adjective_org.startswith(town)
    # the same seed gives the same copy; another seed another one
    assert augment_record(rec, pools, random.Random(7)) == out
    assert augment_record(rec, pools, random.Random(8))["text"] != out["text"]


def test_words_that_are_not_names_stay(pools):
    rec = _record("Die Caritas und Ahmet Yılmaz trafen sich im Haus der Begegnung.",
                  [("Caritas", "ORG"), ("Ahmet Yılmaz", "PER"), ("Haus der Begegnung", "LOC")])
    out = augment_record(rec, pools, random.Random(0))
    texts = [e["text"] for e in out["entities"]]
    assert texts[0] == "Caritas" and texts[2] == "Haus der Begegnung"
    assert texts[1] == "Ahmet Yılmaz"  # letters outside the name pattern: left alone


def test_prepare_data_writes_augmented_copies_beside_the_base_data(tmp_path):
    from spacy.tokens import DocBin

    from pipeline.training.train import TrainSpec, prepare_data

    shared = tmp_path / "shared"
    (shared / "germeval2014").mkdir(parents=True)
    for name in ("NER-de-train.outer.tsv", "NER-de-dev.outer.tsv"):
        (shared / "germeval2014" / name).write_text("Sören\tB-PER\nLink\tI-PER\nsprach\tO\n\n", encoding="utf-8")
    spec = TrainSpec(shared=shared, workdir=tmp_path / "work", use_smartdata=False, corpus_repeat=1,
                     corpus_augment=2, seed=5)
    train_path, _, counts = prepare_data(spec)
    vocab = spacy.blank("de").vocab
    base = list(DocBin().from_disk(train_path / "base.spacy").get_docs(vocab))
    augmented = list(DocBin().from_disk(train_path / "augmented.spacy").get_docs(vocab))
    n_train = sum(r["split"] == "train" for r in read_jsonl())
    assert len(base) == 1 + n_train and len(augmented) == 2 * n_train == counts["corpus-train-augmented"]
    originals = {d.text for d in base}
    assert sum(d.text not in originals for d in augmented) > n_train  # names really swapped
    assert all(d.ents for d in augmented[:10])
    # the same spec gives the same data (training is reproducible)
    again, _, _ = prepare_data(TrainSpec(shared=shared, workdir=tmp_path / "again", use_smartdata=False,
                                         corpus_repeat=1, corpus_augment=2, seed=5))
    assert (again / "augmented.spacy").read_bytes() == (train_path / "augmented.spacy").read_bytes()


def test_evaluate_with_swapped_names_scores_the_same_spans():
    import json

    from click.testing import CliRunner

    from pipeline.cli import cli

    run = CliRunner().invoke(cli, ["evaluate", "--corpus", "dev", "--swap-names", "2", "--json"])  # in this process
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    dev = [r for r in read_jsonl() if r["split"] == "dev"]
    for label in ("PER", "LOC", "ORG"):
        row = report[label]
        assert row["tp"] + row["fn"] == 2 * sum(e["label"] == label for r in dev for e in r["entities"])
    assert report["MONEY"]["tp"] + report["MONEY"]["fn"] == 2 * sum(len(r["money"]) for r in dev)
    assert report["money_value_exact"] > 0.95  # amounts kept their values and offsets
    assert 0.5 < report["micro"]["f"] < 1.0
