"""Score euro amounts against a real-text gold file (``corpus/money-real``; ``newsmine evaluate --money``).

Spans count when start and end match exactly (ANNOTATION.md). On the matched spans: the value is
exact when ``value_eur`` and ``high_eur`` agree to a millionth of a euro (``high_eur`` absent on both
or present on both), and the qualifier when it is the same (or absent on both). Every disagreement
can be listed with its context: ``missed``, ``spurious``, ``boundary`` (overlapping spans),
``value`` and ``qualifier``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from spacy.language import Language

from pipeline.training.evaluate import prf

__all__ = ["MoneyError", "evaluate_money", "format_money_errors", "format_money_report"]

TOLERANCE = 0.000001  # a millionth of a euro: values are exact, Cent amounts too (0,5393 Cent = 0.005393)


@dataclass(frozen=True)
class MoneyError:
    kind: str  # missed | spurious | boundary | value | qualifier
    gold: dict | None
    pred: dict | None
    context: str  # the text around the span(s), the gold (else predicted) span in [brackets]


def _same_value(gold: dict, pred: dict) -> bool:
    if abs(pred["value_eur"] - gold["value_eur"]) > TOLERANCE:
        return False
    g, p = gold.get("high_eur"), pred.get("high_eur")
    return (g is None) == (p is None) and (g is None or abs(p - g) <= TOLERANCE)


def _context(rid: str, text: str, spans: list[dict], window: int) -> str:
    a, b = spans[0]["start"], spans[0]["end"]
    lo = max(0, min(s["start"] for s in spans) - window)
    hi = min(len(text), max(s["end"] for s in spans) + window)
    return f"{rid}: {text[lo:a]}[{text[a:b]}]{text[b:hi]}".replace("\n", " ")


def _brief(m: dict | None) -> dict | None:
    return None if m is None else {k: m.get(k) for k in ("start", "end", "text", "value_eur", "high_eur", "qualifier")}


def evaluate_money(nlp: Language, records: Iterable[dict], errors: list[MoneyError] | None = None,
                   batch_size: int = 32, window: int = 50) -> dict:
    """Span P/R/F1, value and qualifier agreement of the pipeline's amounts on gold ``records``."""
    from pipeline.annotate import annotate_doc

    records = list(records)
    counts: Counter = Counter()
    by_source: dict[str, Counter] = {}
    for rec, doc in zip(records, nlp.pipe([r["text"] for r in records], batch_size=batch_size)):
        gold = {(m["start"], m["end"]): m for m in rec["money"]}
        pred = {(m["start"], m["end"]): m for m in annotate_doc(doc)["money"]}
        src = by_source.setdefault(rec.get("source", "?"), Counter())
        rid, text = str(rec.get("id", "?")), rec["text"]
        for key, g in gold.items():
            p = pred.get(key)
            if p is None:
                continue
            counts["tp"] += 1
            src["tp"] += 1
            value_ok = _same_value(g, p)
            qualifier_ok = (g.get("qualifier") or None) == (p.get("qualifier") or None)
            counts["value_exact"] += value_ok
            counts["qualifier_same"] += qualifier_ok
            if errors is not None and not value_ok:
                errors.append(MoneyError("value", _brief(g), _brief(p), _context(rid, text, [g], window)))
            if errors is not None and not qualifier_ok:
                errors.append(MoneyError("qualifier", _brief(g), _brief(p), _context(rid, text, [g], window)))
        missed = [g for k, g in gold.items() if k not in pred]
        extra = [p for k, p in pred.items() if k not in gold]
        counts["fn"] += len(missed)
        counts["fp"] += len(extra)
        src["fn"] += len(missed)
        src["fp"] += len(extra)
        if errors is not None:
            for g in missed:
                over = next((p for p in extra if p["start"] < g["end"] and g["start"] < p["end"]), None)
                if over is not None:
                    extra.remove(over)
                    errors.append(MoneyError("boundary", _brief(g), _brief(over),
                                             _context(rid, text, [g, over], window)))
                else:
                    errors.append(MoneyError("missed", _brief(g), None, _context(rid, text, [g], window)))
            errors.extend(MoneyError("spurious", None, _brief(p), _context(rid, text, [p], window)) for p in extra)
    return {"texts": len(records), "gold": counts["tp"] + counts["fn"], **prf(counts["tp"], counts["fp"], counts["fn"]),
            "value_exact": _ratio(counts["value_exact"], counts["tp"]),
            "value_exact_of_gold": _ratio(counts["value_exact"], counts["tp"] + counts["fn"]),
            "qualifier_agreement": _ratio(counts["qualifier_same"], counts["tp"]),
            "by_source": {s: {"gold": c["tp"] + c["fn"], **prf(c["tp"], c["fp"], c["fn"])} for s, c in sorted(by_source.items())}}


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def format_money_report(report: dict, title: str = "") -> str:
    def num(x: float | None) -> str:
        return "-" if x is None else f"{x:.3f}"

    lines = [title] if title else []
    lines.append(f"money spans: P {report['p']:.3f}  R {report['r']:.3f}  F1 {report['f']:.3f}  "
                 f"(gold {report['gold']}, tp {report['tp']}, fp {report['fp']}, fn {report['fn']}; "
                 f"{report['texts']} texts)")
    lines.append(f"values exact on matched spans: {num(report['value_exact'])}  "
                 f"(of all gold amounts: {num(report['value_exact_of_gold'])})")
    lines.append(f"qualifier agreement on matched spans: {num(report['qualifier_agreement'])}")
    for source, row in report["by_source"].items():
        lines.append(f"  {source:<20} gold {row['gold']:>4}  P {row['p']:.3f}  R {row['r']:.3f}  F1 {row['f']:.3f}")
    return "\n".join(lines)


def format_money_errors(errors: list[MoneyError]) -> str:
    def show(m: dict | None) -> str:
        if m is None:
            return "-"
        high = f"-{m['high_eur']:g}" if m.get("high_eur") is not None else ""
        qual = f" ({m['qualifier']})" if m.get("qualifier") else ""
        return f"{m['text']!r} = {m['value_eur']:g}{high}{qual}"

    lines = [f"{e.kind:<10} gold {show(e.gold):<45} pred {show(e.pred):<45} | {e.context}" for e in errors]
    lines.append("errors: " + ", ".join(f"{k} {n}" for k, n in sorted(Counter(e.kind for e in errors).items())))
    return "\n".join(lines)


def errors_as_dicts(errors: list[MoneyError]) -> list[dict]:
    return [asdict(e) for e in errors]
