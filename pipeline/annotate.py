"""The JSON Lines annotation contract (``newsmine annotate``).

Input, one object per line: ``{"id": ..., "text": ...}``.
Output, one object per input line, same order::

    {"id": ..., "entities": [{"start", "end", "label", "text"}],
     "money": [{"start", "end", "text", "value_eur", "high_eur", "qualifier"}]}

A line that is not valid JSON (or not UTF-8, or nested too deeply), that lacks a string
``text``, whose ``text`` or ``id`` is not valid Unicode (unpaired surrogates), or whose
``text`` is longer than the pipeline accepts (``nlp.max_length``) gives
``{"id": <id or null>, "line": N, "error": "..."}`` on stdout, a message on stderr,
and the rest is processed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from spacy.language import Language

from pipeline.nlp.model import entities as doc_entities


def _has_surrogate(value: object, depth: int = 0) -> bool:
    """True if a string anywhere in ``value`` holds an unpaired surrogate (not encodable as UTF-8)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if depth > 50:
        return False
    if isinstance(value, dict):
        return any(_has_surrogate(k, depth + 1) or _has_surrogate(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v, depth + 1) for v in value)
    return False


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number {literal[:30]} is out of range")
    return value


def parse_line(line: str | bytes, number: int, max_length: int | None = None) -> tuple[object, str | None, str | None]:
    """Return ``(id, text, error)`` for one input line (``str``, or ``bytes`` that must be UTF-8)."""
    if isinstance(line, bytes | bytearray):
        try:
            line = bytes(line).decode("utf-8")
        except UnicodeDecodeError as err:
            return None, None, f"line {number}: not UTF-8 (byte {err.start + 1})"
    try:
        obj = json.loads(line, parse_constant=_no_constant, parse_float=_finite_float)
    except json.JSONDecodeError as err:
        return None, None, f"line {number}: invalid JSON ({err.msg} at column {err.colno})"
    except RecursionError:
        return None, None, f"line {number}: invalid JSON (nested too deeply)"
    except ValueError as err:  # NaN/Infinity, 1e999, an integer with more digits than Python converts
        reason = "integer with too many digits" if "integer string conversion" in str(err) \
            else " ".join(str(err).split())[:120]
        return None, None, f"line {number}: invalid JSON ({reason})"
    if not isinstance(obj, dict):
        return None, None, f"line {number}: expected a JSON object, got {type(obj).__name__}"
    id_ = obj.get("id")
    if _has_surrogate(id_):
        return None, None, f"line {number}: \"id\" is not valid Unicode (unpaired surrogate)"
    text = obj.get("text")
    if not isinstance(text, str):
        return id_, None, f"line {number}: \"text\" must be a string"
    if _has_surrogate(text):
        return id_, None, f"line {number}: \"text\" is not valid Unicode (unpaired surrogate)"
    if max_length is not None and len(text) > max_length:
        return id_, None, f"line {number}: \"text\" has {len(text)} characters, more than the limit of {max_length}"
    return id_, text, None


def annotate_doc(doc) -> dict:
    return {
        "entities": [{"start": e.start, "end": e.end, "label": e.label, "text": e.text}
                     for e in doc_entities(doc)],
        "money": [{"start": m.start, "end": m.end, "text": m.text, "value_eur": m.value_eur,
                   "high_eur": m.high_eur, "qualifier": m.qualifier} for m in (doc._.money or [])],
    }


def annotate_lines(nlp: Language, lines: Iterable[str | bytes], batch_size: int = 32,
                   on_error: Callable[[str], None] | None = None) -> Iterator[dict]:
    """Annotate JSON Lines (``str``, or ``bytes`` such as ``sys.stdin.buffer``); yields output objects in input order."""
    pending: list[tuple[int, object, str | None, str | None]] = []
    max_length = getattr(nlp, "max_length", None)

    def flush() -> Iterator[dict]:
        texts = [text for _, _, text, err in pending if err is None]
        docs = iter(nlp.pipe(texts, batch_size=batch_size))
        for number, id_, _text, err in pending:
            if err is not None:
                if on_error:
                    on_error(err)
                yield {"id": id_, "line": number, "error": err}
            else:
                yield {"id": id_, **annotate_doc(next(docs))}
        pending.clear()

    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        id_, text, err = parse_line(line, number, max_length)
        pending.append((number, id_, text, err))
        if len(pending) >= batch_size:
            yield from flush()
    yield from flush()
