"""Span scoring and the error list of ``newsmine evaluate --errors``."""

import json

from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.corpus import read_jsonl
from pipeline.training.evaluate import classify_errors, error_summary, evaluate_bio, evaluate_corpus


def test_errors_are_classified_once_each():
    gold = {(0, 2, "PER"), (5, 6, "LOC"), (8, 10, "ORG"), (12, 13, "LOC")}
    pred = {(0, 2, "PER"), (5, 6, "ORG"), (9, 10, "LOC"), (15, 16, "PER")}
    assert classify_errors(gold, pred) == [
        ("label", (5, 6, "LOC"), (5, 6, "ORG")),
        ("boundary", (8, 10, "ORG"), (9, 10, "LOC")),
        ("missed", (12, 13, "LOC"), None),
        ("spurious", None, (15, 16, "PER")),
    ]
    assert classify_errors(gold, gold) == []


def _check_counts(report: dict, errors: list) -> None:
    """Every false positive and false negative is in exactly one error."""
    fp = sum(report[lab]["fp"] for lab in ("PER", "LOC", "ORG", "MONEY") if lab in report)
    fn = sum(report[lab]["fn"] for lab in ("PER", "LOC", "ORG", "MONEY") if lab in report)
    assert fp == sum(1 for e in errors if e.pred)
    assert fn == sum(1 for e in errors if e.gold)


def test_corpus_errors_match_the_scores(nlp):
    records = [r for r in read_jsonl() if r["split"] == "dev"][:4]
    errors: list = []
    report = evaluate_corpus(nlp, records, errors=errors)
    assert errors, "the model is not perfect on dev"
    _check_counts(report, errors)
    texts = {r["id"]: r["text"] for r in records}
    for err in errors:
        art, context = err.context.split(": ", 1)
        span = err.gold or err.pred
        assert texts[art][span[0]:span[1]] == span[3]
        assert f"[{span[3]}]".replace("\n", " ") in context
    assert sum(sum(c.values()) for c in error_summary(errors).values()) == len(errors)


def test_germeval_errors_show_the_sentence(nlp, tmp_path):
    path = tmp_path / "gold.tsv"
    path.write_text("Peter\tB-PER\nwohnt\tO\nin\tO\nBochum\tB-LOC\n.\tO\n\n"
                    "Die\tO\nKirmes\tO\nbeginnt\tB-ORG\n.\tO\n", encoding="utf-8")
    errors: list = []
    report = evaluate_bio(nlp, path, errors=errors)
    _check_counts(report, errors)
    missed = [e for e in errors if e.gold and e.gold[3] == "beginnt"]  # a verb: never predicted
    assert missed and missed[0].kind == "missed" and missed[0].context == "Die Kirmes [beginnt] ."


def test_cli_lists_errors_as_json():
    run = CliRunner().invoke(cli, ["evaluate", "--corpus", "dev", "--errors", "--json"])  # in this process
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    kinds = {e["kind"] for e in report["errors"]}
    assert kinds <= {"missed", "spurious", "label", "boundary"} and kinds
    assert sum(sum(c.values()) for c in report["error_counts"].values()) == len(report["errors"])
    assert report["micro"]["fn"] == sum(1 for e in report["errors"] if e["gold"] and e["gold"][2] != "MONEY")
