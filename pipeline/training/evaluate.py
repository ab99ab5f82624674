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


@dataclass(frozen=True)
class SpanError:
    """One disagreement between gold and prediction, classified the usual way."""

    kind: str  # "missed", "spurious", "label" (same span, other label) or "boundary" (overlap)
    gold: tuple | None  # (start, end, label) or None
    pred: tuple | None
    context: str  # the sentence or the text around the span, the span itself in [brackets]


def classify_errors(gold: set[tuple], pred: set[tuple]) -> list[tuple[str, tuple | None, tuple | None]]:
    """Pair up the unmatched gold and predicted spans: label errors, boundary errors, misses, spurious.

    A prediction with the exact span of a gold entity but another label is a ``label`` error; one
    that overlaps a gold entity is a ``boundary`` error (each counted once, whichever label);
    what is left is ``missed`` (gold) or ``spurious`` (prediction).
    """
    missed = sorted(gold - pred)
    extra = sorted(pred - gold)
    out: list[tuple[str, tuple | None, tuple | None]] = []
    for g in list(missed):
        same = next((p for p in extra if p[:2] == g[:2]), None)
        if same:
            out.append(("label", g, same))
            missed.remove(g)
            extra.remove(same)
    for g in list(missed):
        over = next((p for p in extra if p[0] < g[1] and g[0] < p[1]), None)
        if over:
            out.append(("boundary", g, over))
            missed.remove(g)
            extra.remove(over)
    out += [("missed", g, None) for g in missed] + [("spurious", None, p) for p in extra]
    return sorted(out, key=lambda e: (e[1] or e[2])[:2])


def prf(tp: int, fp: int, fn: int) -> dict:
    """Precision, recall and F1 (rounded to 4 places) with the counts they come from."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


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

    def report(self, labels: Iterable[str] = LABELS) -> dict:
        labels = list(labels)
        out = {lab: prf(self.tp[lab], self.fp[lab], self.fn[lab]) for lab in labels}
        out["micro"] = prf(sum(self.tp[lab] for lab in LABELS),
                           sum(self.fp[lab] for lab in LABELS),
                           sum(self.fn[lab] for lab in LABELS))
        out["docs"] = self.docs
        return out


def _mapped(label: str) -> str | None:
    return LABEL_MAP.get(label, label if label in LABELS else None)


def evaluate_bio(nlp: Language, path: Path, batch_size: int = 256, limit: int | None = None,
                 errors: list[SpanError] | None = None) -> dict:
    """Score ``nlp`` on a BIO file (2-column outer, or 4-column GermEval original).

    With ``errors`` (a list), every disagreement is appended to it as a :class:`SpanError`
    whose context is the whole sentence with the gold (or else the predicted) span in brackets.
    """
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
        if errors is not None:
            words = [t for t, _ in sent]

            def text_of(a: int, b: int, words: list[str] = words) -> str:
                return " ".join(words[a:b])

            for kind, g, p in classify_errors(gold, pred):
                a, b = (g or p)[:2]
                context = " ".join([*words[:a], f"[{text_of(a, b)}]", *words[b:]])
                errors.append(SpanError(kind, _with_text(g, text_of), _with_text(p, text_of), context))
        scores.docs += 1
    return scores.report()


def _with_text(span: tuple | None, text_of) -> tuple | None:
    return None if span is None else (*span, text_of(span[0], span[1]))


def evaluate_corpus(nlp: Language, records: Iterable[dict], batch_size: int = 16,
                    errors: list[SpanError] | None = None, window: int = 60) -> dict:
    """Score PER/LOC/ORG (and MONEY spans/values) on corpus records.

    With ``errors`` (a list), every disagreement is appended as a :class:`SpanError` whose
    context is ``window`` characters either side, prefixed by the article id.
    """
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
        if errors is not None:
            text = rec["text"]

            def text_of(a: int, b: int, text: str = text) -> str:
                return text[a:b]

            for kind, g, p in classify_errors(gold, pred):
                marked = [x for x in (g, p) if x]
                lo = max(0, min(x[0] for x in marked) - window)
                hi = min(len(text), max(x[1] for x in marked) + window)
                a, b = marked[0][:2]
                context = f"{text[lo:a]}[{text[a:b]}]{text[b:hi]}".replace("\n", " ")
                errors.append(SpanError(kind, _with_text(g, text_of), _with_text(p, text_of),
                                        f"{rec.get('id', '?')}: {context}"))
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


def error_summary(errors: list[SpanError]) -> dict[str, dict[str, int]]:
    """Counts per error kind and gold (else predicted) label."""
    out: dict[str, Counter] = {}
    for err in errors:
        label = (err.gold or err.pred)[2]
        out.setdefault(err.kind, Counter())[label] += 1
    return {kind: dict(sorted(c.items())) for kind, c in sorted(out.items())}


def format_errors(errors: list[SpanError]) -> str:
    """One line per error: kind, gold and predicted span, context."""
    lines = []
    for err in errors:
        gold = f"{err.gold[2]} {err.gold[3]!r}" if err.gold else "-"
        pred = f"{err.pred[2]} {err.pred[3]!r}" if err.pred else "-"
        lines.append(f"{err.kind:<9} gold {gold:<40} pred {pred:<40} | {err.context}")
    summary = error_summary(errors)
    lines.append("errors: " + "; ".join(f"{kind} " + ", ".join(f"{lab} {n}" for lab, n in c.items())
                                        for kind, c in summary.items()))
    return "\n".join(lines)


def format_report(report: dict, title: str = "") -> str:
    lines = [title] if title else []
    lines.append(f"{'label':<8}{'P':>8}{'R':>8}{'F1':>8}{'gold':>8}")
    for label, row in report.items():
        if isinstance(row, dict):
            lines.append(f"{label:<8}{row['p']:>8.3f}{row['r']:>8.3f}{row['f']:>8.3f}{row['tp'] + row['fn']:>8}")
    if report.get("money_value_exact") is not None:
        lines.append(f"money values exact (±0.5 ct): {report['money_value_exact']:.3f}")
    return "\n".join(lines)
