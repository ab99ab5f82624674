"""The JSON Lines annotation contract (``newsmine annotate``).

Input, one object per line: ``{"id": ..., "text": ...}``.
Output, one object per input line, same order::

    {"id": ..., "entities": [{"start", "end", "label", "text"}],
     "money": [{"start", "end", "text", "value_eur", "high_eur", "qualifier"}]}

A line that is not valid JSON (or not UTF-8, or nested too deeply), that lacks a string
``text``, whose ``text`` or ``id`` is not valid Unicode (unpaired surrogates), or whose
``text`` is longer than the pipeline accepts (``nlp.max_length``), or a blank line, gives
``{"id": <id or null>, "line": N, "error": "..."}`` on stdout, a message on stderr,
and the rest is processed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from spacy.language import Language

from pipeline.nlp.model import entities as doc_entities
from pipeline.resolve import resolve_mentions


def _has_surrogate(value: object) -> bool:
    """True if a string anywhere in ``value`` (keys included, at any depth) holds an unpaired surrogate
    (not encodable as UTF-8). Walks with its own stack: as deep as the JSON parser allowed."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
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
        msg = err.msg.removesuffix(" at")  # "Invalid control character at": the column follows
        return None, None, f"line {number}: invalid JSON ({msg} at column {err.colno})"
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


CHUNK_CHARS = 10_000
"""A longer text goes through the pipeline in pieces of at most this many characters, cut at a
paragraph, line, sentence or word boundary; the offsets of what is found refer to the whole text.
Memory grows with the characters in one call of the pipeline (one 1,000,000-character text took
2.3 GB, three 6.4 GB), so pieces keep it bounded; bench/RESULTS.md (annotate) has the figures."""

BATCH_CHARS = 50_000
"""Texts are handed to the pipeline when this many characters wait (or ``batch_size`` lines, whichever
comes first): a batch is bounded by characters, not by lines."""

_BOUNDARIES = ("\n\n", "\n", ". ", "! ", "? ", "; ", " ")


def split_text(text: str, limit: int = CHUNK_CHARS) -> list[tuple[int, str]]:
    """``(offset, piece)`` pieces of ``text``, each at most ``limit`` characters, cut after the last
    paragraph break, line break, sentence end or space in the second half of the window (a hard cut
    where there is none); the pieces put together are the text."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        window_end = start + limit
        cut = window_end
        for boundary in _BOUNDARIES:
            at = text.rfind(boundary, start + limit // 2, window_end)
            if at >= 0:
                cut = at + len(boundary)
                break
        pieces.append((start, text[start:cut]))
        start = cut
    pieces.append((start, text[start:]))
    return pieces


def annotate_doc(doc, offset: int = 0) -> dict:
    """The entities and amounts of ``doc``, with offsets moved by ``offset`` (a piece of a longer text)."""
    return {
        "entities": [{"start": e.start + offset, "end": e.end + offset, "label": e.label, "text": e.text}
                     for e in doc_entities(doc)],
        "money": [{"start": m.start + offset, "end": m.end + offset, "text": m.text, "value_eur": m.value_eur,
                   "high_eur": m.high_eur, "qualifier": m.qualifier} for m in (doc._.money or [])],
    }


def with_entities(text: str, found: dict) -> dict:
    """``found`` with each entity's ``canonical`` name and entity ``key`` (and ``lat``/``lon``/``geonames_id``
    for a placed LOC), resolved on the whole text as ``newsmine run`` stores them (:mod:`pipeline.resolve`)."""
    for ent, res in zip(found["entities"], resolve_mentions(text, found["entities"])):
        ent["canonical"], ent["key"] = res.name, res.key
        if res.place is not None and res.place.geonames_id is not None:
            ent.update(lat=res.place.lat, lon=res.place.lon, geonames_id=res.place.geonames_id)
    return found


def annotate_lines(nlp: Language, lines: Iterable[str | bytes], batch_size: int = 32,
                   on_error: Callable[[str], None] | None = None,
                   batch_chars: int = BATCH_CHARS, chunk_chars: int = CHUNK_CHARS) -> Iterator[dict]:
    """Annotate JSON Lines (``str``, or ``bytes`` such as ``sys.stdin.buffer``); yields output objects in input order.

    A batch holds at most ``batch_size`` lines and about ``batch_chars`` characters; texts longer than
    ``chunk_chars`` are annotated piece by piece (:func:`split_text`).
    """
    pending: list[tuple[int, object, str | None, str | None]] = []
    pending_chars = 0
    max_length = getattr(nlp, "max_length", None)

    def flush() -> Iterator[dict]:
        pieces = [(i, offset, piece) for i, (_, _, text, err) in enumerate(pending) if err is None
                  for offset, piece in split_text(text, chunk_chars)]
        found: dict[int, dict] = {}
        docs = nlp.pipe((piece for _, _, piece in pieces), batch_size=max(1, min(batch_size, batch_chars // chunk_chars)))
        for (i, offset, _), doc in zip(pieces, docs):
            part = annotate_doc(doc, offset)
            into = found.setdefault(i, {"entities": [], "money": []})
            into["entities"].extend(part["entities"])
            into["money"].extend(part["money"])
        for i, (number, id_, _text, err) in enumerate(pending):
            if err is not None:
                if on_error:
                    on_error(err)
                yield {"id": id_, "line": number, "error": err}
            else:
                yield {"id": id_, **with_entities(_text, found.get(i, {"entities": [], "money": []}))}
        pending.clear()

    for number, line in enumerate(lines, 1):
        if not line.strip():  # one output line per input line: a blank line is answered too
            id_, text, err = None, None, f"line {number}: empty line"
        else:
            id_, text, err = parse_line(line, number, max_length)
        pending.append((number, id_, text, err))
        pending_chars += len(text or "")
        if len(pending) >= batch_size or pending_chars >= batch_chars:
            yield from flush()
            pending_chars = 0
    yield from flush()


def output_line(obj: dict) -> tuple[str, str | None]:
    """One output object as a JSON line, and None; or, for an object that cannot be written as UTF-8
    JSON (which :func:`parse_line` should never let through), that line's error object and the error:
    never a crash that loses the lines after it."""
    try:
        line = json.dumps(obj, ensure_ascii=False, allow_nan=False)
        line.encode("utf-8")
        return line, None
    except (UnicodeEncodeError, ValueError, RecursionError) as err:
        error = f"line {obj.get('line', '?')}: cannot write the result ({' '.join(str(err).split())[:120]})"
        return json.dumps({"id": None, "line": obj.get("line"), "error": error}), error
