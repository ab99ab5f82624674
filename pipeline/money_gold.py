"""The real-text money gold set (``corpus/money-real/{dev,test}.jsonl``): reading and checking.

One object per line::

    {"id", "source", "licence", "text",
     "money": [{"start", "end", "text", "value_eur", "high_eur", "qualifier"}]}

annotated by ``../shared/ANNOTATION.md`` (MONEY) and the decisions in ``corpus/money-real/README.md``.
:func:`check` finds what a hand annotation gets wrong: offsets that do not give the span's text,
spans with surrounding blanks or punctuation, overlapping or unsorted spans, values that are not
finite numbers, a range whose top is below its bottom, a qualifier that is not one of the guideline's
or is not written right before the span, a span without a currency, duplicate ids, missing sources.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

__all__ = ["GoldError", "QUALIFIERS", "SOURCES", "check", "read"]

SOURCES = frozenset({"bundestag", "hessischer-landtag", "germeval2014", "smartdata", "mobie", "ler"})
QUALIFIERS = frozenset({"mehr als", "weniger als", "bis zu", "rund", "etwa", "ca.", "circa", "fast", "knapp", "über",
                        "mindestens", "gut", "nahezu", "annähernd", "höchstens", "unter"})
_CURRENCY = re.compile(r"Euro|EUR|€|Cent|TEUR|T€", re.IGNORECASE)
_EDGE = " \t\n\u00a0\u202f\u2009.,;:!?\"'„“”()[]"


class GoldError(ValueError):
    """A gold file that cannot be read (not JSON Lines); one line naming file and line."""


def read(path: str | Path) -> list[dict]:
    """The records of a gold file, in order."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise GoldError(f"{path}:{number}: invalid JSON ({err.msg})") from err
            if not isinstance(row, dict):
                raise GoldError(f"{path}:{number}: expected a JSON object")
            rows.append(row)
    return rows


def _span_problems(rid: str, text: str, i: int, m: object, previous_end: int) -> list[str]:
    where = f"{rid} money[{i}]"
    if not isinstance(m, dict):
        return [f"{where}: not an object"]
    start, end, surface = m.get("start"), m.get("end"), m.get("text")
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        return [f"{where}: start/end {start!r}/{end!r} outside the text"]
    problems = []
    if text[start:end] != surface:
        problems.append(f"{where}: text[{start}:{end}] is {text[start:end]!r}, not {surface!r}")
    if surface and (surface[0] in _EDGE or surface[-1] in _EDGE.replace(".", "")):
        problems.append(f"{where}: {surface!r} starts or ends with a blank or punctuation")
    if start < previous_end:
        problems.append(f"{where}: overlaps or precedes the span before it")
    if not _CURRENCY.search(surface or ""):
        problems.append(f"{where}: {surface!r} has no currency (Euro, EUR, €, Cent, T€)")
    value, high = m.get("value_eur"), m.get("high_eur")
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value) or value == 0:
        problems.append(f"{where}: value_eur {value!r} is not a finite non-zero number")
    elif high is not None and (not isinstance(high, int | float) or not math.isfinite(high) or high < value):
        problems.append(f"{where}: high_eur {high!r} is not a number at least value_eur {value!r}")
    qualifier = m.get("qualifier")
    if qualifier is not None:
        if qualifier not in QUALIFIERS:
            problems.append(f"{where}: qualifier {qualifier!r} is not one of the guideline's")
        elif not re.search(rf"(?i)\b{re.escape(qualifier)}\s*$", text[:start]):
            problems.append(f"{where}: qualifier {qualifier!r} is not written right before the span")
    return problems


def check(rows: list[dict]) -> list[str]:
    """Every problem of a gold file's records, one line each (empty: the file is consistent)."""
    problems: list[str] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, 1):
        rid = str(row.get("id", f"record {n}"))
        if rid in seen:
            problems.append(f"{rid}: duplicate id")
        seen.add(rid)
        text, money = row.get("text"), row.get("money")
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{rid}: no text")
            continue
        if row.get("source") not in SOURCES:
            problems.append(f"{rid}: source {row.get('source')!r} is not one of {sorted(SOURCES)}")
        if not isinstance(row.get("licence"), str) or not row["licence"]:
            problems.append(f"{rid}: no licence")
        if not isinstance(money, list):
            problems.append(f"{rid}: money must be a list")
            continue
        previous_end = 0
        for i, m in enumerate(money):
            problems.extend(_span_problems(rid, text, i, m, previous_end))
            if isinstance(m, dict) and isinstance(m.get("end"), int):
                previous_end = max(previous_end, m["end"])
    return problems


def counts(rows: list[dict]) -> dict[str, int]:
    """Texts, texts without an amount (negatives) and amounts, by source too."""
    out = {"texts": len(rows), "negatives": sum(1 for r in rows if not r.get("money")),
           "amounts": sum(len(r.get("money") or []) for r in rows)}
    for r in rows:
        key = f"amounts:{r.get('source')}"
        out[key] = out.get(key, 0) + len(r.get("money") or [])
    return out


if __name__ == "__main__":
    import sys

    for arg in sys.argv[1:]:
        found = check(read(arg))
        print(f"{arg}: {counts(read(arg))}")
        for line in found:
            print(f"  {line}")
        if found:
            sys.exit(1)
