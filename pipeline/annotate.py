"""The JSON Lines annotation contract (``newsmine annotate``).

Input, one object per line: ``{"id": ..., "text": ...}``.
Output, one object per input line, same order::

    {"id": ..., "entities": [{"start", "end", "label", "text"}],
     "money": [{"start", "end", "text", "value_eur", "high_eur", "qualifier"}]}

A line that is not valid JSON, or lacks a string ``text``, gives
``{"id": <id or null>, "line": N, "error": "..."}`` on stdout, a message on stderr,
and the rest is processed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from spacy.language import Language

from pipeline.nlp.model import entities as doc_entities


def parse_line(line: str, number: int) -> tuple[object, str | None, str | None]:
    """Return ``(id, text, error)`` for one input line."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as err:
        return None, None, f"line {number}: invalid JSON ({err.msg} at column {err.colno})"
    if not isinstance(obj, dict):
        return None, None, f"line {number}: expected a JSON object, got {type(obj).__name__}"
    text = obj.get("text")
    if not isinstance(text, str):
        return obj.get("id"), None, f"line {number}: \"text\" must be a string"
    return obj.get("id"), text, None


def annotate_doc(doc) -> dict:
    return {
        "entities": [{"start": e.start, "end": e.end, "label": e.label, "text": e.text}
                     for e in doc_entities(doc)],
        "money": [{"start": m.start, "end": m.end, "text": m.text, "value_eur": m.value_eur,
                   "high_eur": m.high_eur, "qualifier": m.qualifier} for m in (doc._.money or [])],
    }


def annotate_lines(nlp: Language, lines: Iterable[str], batch_size: int = 32,
                   on_error=None) -> Iterator[dict]:
    """Annotate JSON Lines; yields output objects in input order."""
    pending: list[tuple[int, object, str | None, str | None]] = []

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
        id_, text, err = parse_line(line, number)
        pending.append((number, id_, text, err))
        if len(pending) >= batch_size:
            yield from flush()
    yield from flush()
