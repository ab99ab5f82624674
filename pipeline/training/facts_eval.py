"""Score the rule-based facts layer (roles, quotes, speakers) on the annotated corpus.

A predicted role counts when its span (start, end) matches a gold ROLE and its person
equals the gold person. Quotes are scored three ways: ``span`` (start, end only),
``speaker_acc`` (share of span-matched quotes whose speaker equals the gold speaker,
``None`` included) and the headline P/R/F1 where a quote counts only when span AND
speaker match. Everything is computed per split, with the gold entities or with the
shipped NER model's entities (``use_gold_entities=False``).

Run ``python -m pipeline.training.facts_eval`` for the table over train/dev/test.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.corpus import JSONL_PATH, SPLITS, read_jsonl
from pipeline.names import normalise_name
from pipeline.nlp.facts import FACTS_VERSION, find_quotes, find_roles
from pipeline.resolve import resolve_mentions
from pipeline.training.evaluate import prf

LINKS_PATH = JSONL_PATH.parent / "links.jsonl"


def _model_entities(records: list[dict], nlp: Any) -> list[list[dict]]:
    """PER/LOC/ORG spans from the NER model for each record."""
    from pipeline.nlp import model as nm

    if nlp is None:
        nlp = nm.load()
    out: list[list[dict]] = []
    for doc in nlp.pipe([r["text"] for r in records], batch_size=16):
        out.append([{"start": e.start, "end": e.end, "label": e.label, "text": e.text} for e in nm.entities(doc)])
    return out


def evaluate_facts(records: Iterable[dict], use_gold_entities: bool = True, nlp: Any = None) -> dict[str, Any]:
    """Precision/recall/F1 of roles and quotes per split (and ``all``).

    Returns ``{split: {"roles": prf, "quotes": prf, "quote_spans": prf,
    "speaker_acc": float | None, "articles": n}}`` plus ``"entities"`` ("gold"/"model")
    and ``"version"``. ``nlp`` is used only with ``use_gold_entities=False`` (default:
    the shipped model from ``pipeline.nlp.model.load()``).
    """
    records = list(records)
    if use_gold_entities:
        ents_per_record = [r["entities"] for r in records]
    else:
        ents_per_record = _model_entities(records, nlp)
    counts: dict[str, dict[str, int]] = {}
    for rec, ents in zip(records, ents_per_record):
        text = rec["text"]
        roles = find_roles(text, ents)
        quotes = find_quotes(text, ents, roles)
        for split in (rec["split"], "all"):
            c = counts.setdefault(split, {k: 0 for k in (
                "role_tp", "role_fp", "role_fn", "q_tp", "q_fp", "q_fn",
                "qs_tp", "qs_fp", "qs_fn", "spk_ok", "articles")})
            c["articles"] += 1
            gold_roles = {(g["start"], g["end"], g["person"]) for g in rec["roles"]}
            pred_roles = {(r.start, r.end, r.person) for r in roles}
            c["role_tp"] += len(gold_roles & pred_roles)
            c["role_fp"] += len(pred_roles - gold_roles)
            c["role_fn"] += len(gold_roles - pred_roles)
            gold_q = {(g["start"], g["end"], g["speaker"]) for g in rec["quotes"]}
            pred_q = {(q.start, q.end, q.speaker) for q in quotes}
            c["q_tp"] += len(gold_q & pred_q)
            c["q_fp"] += len(pred_q - gold_q)
            c["q_fn"] += len(gold_q - pred_q)
            gold_spans = {(g["start"], g["end"]): g["speaker"] for g in rec["quotes"]}
            pred_spans = {(q.start, q.end): q.speaker for q in quotes}
            matched = gold_spans.keys() & pred_spans.keys()
            c["qs_tp"] += len(matched)
            c["qs_fp"] += len(pred_spans.keys() - gold_spans.keys())
            c["qs_fn"] += len(gold_spans.keys() - pred_spans.keys())
            c["spk_ok"] += sum(gold_spans[k] == pred_spans[k] for k in matched)
    report: dict[str, Any] = {"version": FACTS_VERSION, "entities": "gold" if use_gold_entities else "model"}
    for split, c in counts.items():
        report[split] = {
            "articles": c["articles"],
            "roles": prf(c["role_tp"], c["role_fp"], c["role_fn"]),
            "quotes": prf(c["q_tp"], c["q_fp"], c["q_fn"]),
            "quote_spans": prf(c["qs_tp"], c["qs_fp"], c["qs_fn"]),
            "speaker_acc": round(c["spk_ok"] / c["qs_tp"], 4) if c["qs_tp"] else None,
        }
    return report


def read_links(path: Path = LINKS_PATH) -> dict[str, dict[tuple[int, int], tuple[str, str]]]:
    """Gold mention links: article id -> {(start, end): (label, canonical name)}."""
    gold: dict[str, dict[tuple[int, int], tuple[str, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            gold.setdefault(row["id"], {})[(row["start"], row["end"])] = (row["label"], row["canonical"])
    return gold


def evaluate_links(records: Iterable[dict], gold: dict[str, dict[tuple[int, int], tuple[str, str]]] | None = None,
                   use_gold_entities: bool = True, nlp: Any = None) -> dict[str, Any]:
    """Mention linking scored on the gold links (PER and ORG mentions of dev and test).

    A *link* is a mention whose canonical name differs from its own text (surname ->
    full name, abbreviation -> organisation, ``Landgerichts Kleve`` -> ``Landgericht Kleve``);
    the canonical is the one :func:`pipeline.resolve.resolve_mentions` gives (names compared
    normalised, as entity keys are). Recall: gold links predicted with the
    same canonical; precision: predicted links (on gold-annotated mention spans) that
    are right. ``accuracy``: share of all gold mentions whose canonical is right.
    """
    gold = read_links() if gold is None else gold
    records = [r for r in records if r["id"] in gold]
    ents_per_record = [r["entities"] for r in records] if use_gold_entities else _model_entities(records, nlp)
    counts: dict[str, Counter] = {}
    for rec, ents in zip(records, ents_per_record):
        ents = [e for e in ents if e["label"] in ("PER", "ORG", "LOC")]
        canon = {(int(e["start"]), int(e["end"])): r.name for e, r in zip(ents, resolve_mentions(rec["text"], ents))}
        texts = {(int(e["start"]), int(e["end"])): e["text"] for e in ents}
        for split in (rec["split"], "all"):
            c = counts.setdefault(split, Counter())
            for span, (label, want) in gold[rec["id"]].items():
                if label not in ("PER", "ORG"):  # places: newsmine evaluate --entities
                    continue
                got = canon.get(span)
                got = want if got is not None and normalise_name(got) == normalise_name(want) else got
                is_link = want != rec["text"][span[0]:span[1]]
                c["mentions"] += 1
                c["correct"] += got == want
                if is_link:
                    c["gold_links"] += 1
                    c["tp"] += got == want
                if got is not None and got != texts[span]:
                    c["pred_links"] += 1
                    c["pred_ok"] += got == want
    report: dict[str, Any] = {"version": FACTS_VERSION, "entities": "gold" if use_gold_entities else "model"}
    for split, c in counts.items():
        p = c["pred_ok"] / c["pred_links"] if c["pred_links"] else 0.0
        r = c["tp"] / c["gold_links"] if c["gold_links"] else 0.0
        report[split] = {"p": round(p, 4), "r": round(r, 4), "f": round(2 * p * r / (p + r), 4) if p + r else 0.0,
                         "gold_links": c["gold_links"], "pred_links": c["pred_links"], "mentions": c["mentions"],
                         "accuracy": round(c["correct"] / c["mentions"], 4) if c["mentions"] else 0.0}
    return report


def format_links(reports: list[dict[str, Any]]) -> str:
    """A plain-text table of mention-linking scores."""
    head = f"{'entities':<9}{'split':<7}{'links P':>8}{'R':>7}{'F1':>7}{'gold':>6}{'mentions':>10}{'acc':>7}"
    lines = [head, "-" * len(head)]
    for rep in reports:
        for split in (*SPLITS, "all"):
            row = rep.get(split)
            if row:
                lines.append(f"{rep['entities']:<9}{split:<7}{row['p']:>8.3f}{row['r']:>7.3f}{row['f']:>7.3f}"
                             f"{row['gold_links']:>6}{row['mentions']:>10}{row['accuracy']:>7.3f}")
    return "\n".join(lines)


def format_table(reports: list[dict[str, Any]]) -> str:
    """A plain-text table: one row per (entities, split)."""
    head = (f"{'entities':<9}{'split':<7}{'roles P':>8}{'R':>7}{'F1':>7}{'gold':>6}"
            f"{'quotes P':>10}{'R':>7}{'F1':>7}{'gold':>6}{'span F1':>9}{'spk acc':>9}")
    lines = [head, "-" * len(head)]
    for rep in reports:
        for split in (*SPLITS, "all"):
            row = rep.get(split)
            if not row:
                continue
            ro, qu, qs = row["roles"], row["quotes"], row["quote_spans"]
            acc = f"{row['speaker_acc']:.3f}" if row["speaker_acc"] is not None else "-"
            lines.append(
                f"{rep['entities']:<9}{split:<7}{ro['p']:>8.3f}{ro['r']:>7.3f}{ro['f']:>7.3f}{ro['tp'] + ro['fn']:>6}"
                f"{qu['p']:>10.3f}{qu['r']:>7.3f}{qu['f']:>7.3f}{qu['tp'] + qu['fn']:>6}{qs['f']:>9.3f}{acc:>9}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the facts table for train/dev/test with gold and (unless ``--gold-only``) model entities."""
    parser = argparse.ArgumentParser(prog="python -m pipeline.training.facts_eval", description="Score roles and quotes on the corpus.")
    parser.add_argument("--gold-only", action="store_true", help="skip the NER model run")
    parser.add_argument("--model", default=None, help="spaCy pipeline to use for model entities")
    args = parser.parse_args(argv)
    records = list(read_jsonl())
    t0 = time.perf_counter()
    reports = [evaluate_facts(records, use_gold_entities=True)]
    links = [evaluate_links(records, use_gold_entities=True)]
    t_gold = time.perf_counter() - t0
    if not args.gold_only:
        from pipeline.nlp import model as nm

        nlp = nm.load(args.model)
        reports.append(evaluate_facts(records, use_gold_entities=False, nlp=nlp))
        links.append(evaluate_links(records, use_gold_entities=False, nlp=nlp))
    print(f"newsmine facts evaluation ({FACTS_VERSION}, {len(records)} articles; "
          f"rules on gold entities: {t_gold * 1000:.0f} ms)")
    print(format_table(reports))
    print()
    print("mention linking (gold links: corpus/articles/links.jsonl, dev + test)")
    print(format_links(links))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
