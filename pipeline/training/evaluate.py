"""Exact-match span evaluation over PER/LOC/ORG (and MONEY on the corpus).

GermEval files are scored on their own tokenisation (the pipeline runs on the
gold tokens, as ``spacy evaluate`` does); corpus articles are scored on character
offsets of the raw text, which is what users get from ``newsmine annotate``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.nlp.model import LABEL_MAP, LABELS
from pipeline.training.conll import bio_to_spans, read_bio_sentences


@dataclass
class Scores:
    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    docs: int = 0

    def add(self, gold: set[tuple], pred: set[tuple]) -> None:
        for item in gold & pred:
            self.tp[item[-1]] += 1
        for item in pred - gold:
            self.fp[item[-1]] += 1
        for item in gold - pred:
            self.fn[item[-1]] += 1

    @staticmethod
    def _prf(tp: int, fp: int, fn: int) -> dict:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4), "tp": tp, "fp": fp, "fn": fn}

    def report(self, labels: Iterable[str] = LABELS) -> dict:
        labels = list(labels)
        out = {lab: self._prf(self.tp[lab], self.fp[lab], self.fn[lab]) for lab in labels}
        out["micro"] = self._prf(sum(self.tp[lab] for lab in LABELS),
                                 sum(self.fp[lab] for lab in LABELS),
                                 sum(self.fn[lab] for lab in LABELS))
        out["docs"] = self.docs
        return out


def _mapped(label: str) -> str | None:
    return LABEL_MAP.get(label, label if label in LABELS else None)


def evaluate_bio(nlp: Language, path: Path, batch_size: int = 256, limit: int | None = None) -> dict:
    """Score ``nlp`` on a BIO file (2-column outer, or 4-column GermEval original)."""
    first = next((ln for ln in open(path, encoding="utf-8") if ln.strip() and not ln.startswith("#")), "")
    cols = first.rstrip("\n").split("\t")
    token_col, tag_col = (1, 2) if len(cols) >= 4 and cols[0].isdigit() else (0, -1)
    sentences = list(read_bio_sentences(path, token_col=token_col, tag_col=tag_col))
    if limit:
        sentences = sentences[:limit]
    scores = Scores()
    docs = (Doc(nlp.vocab, words=[t for t, _ in s]) for s in sentences)
    for sent, doc in zip(sentences, nlp.pipe(docs, batch_size=batch_size)):
        gold = set(bio_to_spans([t for _, t in sent]))
        pred = {(e.start, e.end, _mapped(e.label_)) for e in doc.ents if _mapped(e.label_)}
        scores.add(gold, pred)
        scores.docs += 1
    return scores.report()


def evaluate_corpus(nlp: Language, records: Iterable[dict], batch_size: int = 16) -> dict:
    """Score PER/LOC/ORG (and MONEY spans/values) on corpus records."""
    from pipeline.annotate import annotate_doc

    records = list(records)
    scores = Scores()
    money_exact = money_total = 0
    for rec, doc in zip(records, nlp.pipe([r["text"] for r in records], batch_size=batch_size)):
        out = annotate_doc(doc)
        gold = {(e["start"], e["end"], e["label"]) for e in rec["entities"]}
        gold |= {(m["start"], m["end"], "MONEY") for m in rec["money"]}
        pred = {(e["start"], e["end"], e["label"]) for e in out["entities"]}
        pred |= {(m["start"], m["end"], "MONEY") for m in out["money"]}
        scores.add(gold, pred)
        scores.docs += 1
        found = {(m["start"], m["end"]): m for m in out["money"]}
        for m in rec["money"]:
            money_total += 1
            got = found.get((m["start"], m["end"]))
            if got and abs(got["value_eur"] - m["value_eur"]) <= 0.005 and (
                    (got["high_eur"] is None) == (m["high_eur"] is None)
                    and (m["high_eur"] is None or abs(got["high_eur"] - m["high_eur"]) <= 0.005)):
                money_exact += 1
    report = scores.report(labels=[*LABELS, "MONEY"])
    report["money_value_exact"] = round(money_exact / money_total, 4) if money_total else None
    return report


def format_report(report: dict, title: str = "") -> str:
    lines = [title] if title else []
    lines.append(f"{'label':<8}{'P':>8}{'R':>8}{'F1':>8}{'gold':>8}")
    for label, row in report.items():
        if isinstance(row, dict):
            lines.append(f"{label:<8}{row['p']:>8.3f}{row['r']:>8.3f}{row['f']:>8.3f}{row['tp'] + row['fn']:>8}")
    if report.get("money_value_exact") is not None:
        lines.append(f"money values exact (±0.5 ct): {report['money_value_exact']:.3f}")
    return "\n".join(lines)
