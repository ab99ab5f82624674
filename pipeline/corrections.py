"""Reviewers' corrections of recognised entities, and the views that apply them.

A correction says what a span of an article *is*: an entity with a label (``add`` a
span the model missed, ``relabel`` one it got wrong) or no entity (``delete``,
label NULL). It is keyed by the article's canonical URL, the character offsets and
the span's text, never by a mention row id: re-extraction rewrites ``mentions``,
and a correction still applies afterwards as long as the article text still has
that text at those offsets (otherwise it is *stale* and ignored, never misapplied).

``corrections.article_id`` is kept pointing at the article with that URL by triggers
on ``articles`` (re-processing keeps an article's id; an article stored again under a
new id gets its corrections back). The table, triggers and views belong to the store's
schema (``pipeline/schema.py``, migration m006; schema changes need a new migration in
``pipeline/store.py``); this module reads and writes through them:

- ``corrections_effective``: the latest correction per (article, start, end) whose
  text still matches the article;
- ``mentions_reviewed``: the model's mentions with the corrections applied. A model
  mention is hidden when a correction covers exactly its span, or when a positive
  correction (label not NULL) overlaps it (a reviewer who fixes the boundaries of
  ``Link`` to ``Sören Link`` replaces the shorter span). Corrected spans appear with
  ``origin = 'review'`` and their ``correction_id``. Mentions of articles without
  corrections pass straight through; ``corrected_mentions`` is the rest.
- ``places_map``: places with coordinates and their reviewed mention counts (the map).

Migration m007 adds the canned queries' indexes and ``article_entities`` /
``entity_pairs`` (co-occurrence counts; since migration m009 new pairs are counted by the
writer, and a run rebuilds the table once at its end: ``store.deferred_pairs``).

A positive correction's entity is resolved like the model's mentions
(:func:`pipeline.resolve.resolve_mentions`, with the article's other mentions: a surname added
after a full name joins that person, a place is placed by its article).

Everything the review UI and ``newsmine query`` show reads ``mentions_reviewed``.
``newsmine export-corrections`` writes the corrected articles as training data, and
``newsmine train --extra-data`` reads them back (:func:`load_training_docbin`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from pipeline import store

LABELS = ("PER", "LOC", "ORG")
ACTIONS = ("add", "relabel", "delete")


class CorrectionError(ValueError):
    """A correction that cannot be recorded; ``status`` is the HTTP status for it."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def mentions_table(db: sqlite_utils.Database) -> str:
    """``mentions_reviewed`` when the database has it (a read-only open skips migrations)."""
    return "mentions_reviewed" if "mentions_reviewed" in db.view_names() else "mentions"


def reviewed_mentions(db: sqlite_utils.Database, article_id: int) -> list[dict]:
    """The article's mentions with corrections applied, by offset, with entity names."""
    table = mentions_table(db)
    extra = "m.origin, m.correction_id" if table == "mentions_reviewed" else "'model' AS origin, NULL AS correction_id"
    return list(db.query(
        f"""SELECT m.id, m.entity_id, m.start, m."end", m.text, m.label, {extra}, e.name AS entity
            FROM {table} m LEFT JOIN entities e ON e.id = m.entity_id
            WHERE m.article_id = ? ORDER BY m.start, m."end" """, [article_id]))


def cooccurring(db: sqlite_utils.Database, entity_id: int, limit: int = 25) -> list[dict]:
    """Entities named in the same articles as ``entity_id`` (corrections applied), by shared articles.

    Two steps, the article ids as a literal list: SQLite then looks the view's rows up by
    index instead of scanning every mention.
    """
    table = mentions_table(db)
    article_ids = [r["article_id"] for r in db.query(
        f"SELECT DISTINCT article_id FROM {table} WHERE entity_id = ?", [entity_id])]
    counts: dict[int, int] = {}
    for i in range(0, len(article_ids), 500):
        chunk = ",".join(str(int(a)) for a in article_ids[i:i + 500])
        for r in db.query(f"SELECT entity_id, count(DISTINCT article_id) AS n FROM {table} "
                          f"WHERE article_id IN ({chunk}) AND entity_id IS NOT NULL AND entity_id != ? "
                          "GROUP BY entity_id", [entity_id]):
            counts[r["entity_id"]] = counts.get(r["entity_id"], 0) + r["n"]
    if not counts:
        return []
    names = {r["id"]: r for r in db.query(
        f"SELECT id, name, label FROM entities WHERE id IN ({','.join(str(int(i)) for i in counts)})")}
    found = [{"id": i, "name": names[i]["name"], "label": names[i]["label"], "articles": n}
             for i, n in counts.items() if i in names]
    return sorted(found, key=lambda e: (-e["articles"], e["name"]))[:limit]


def _int(value: object, name: str) -> int:
    if isinstance(value, bool):
        raise CorrectionError(f"{name} must be an integer")
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise CorrectionError(f"{name} must be an integer") from None


def add_correction(db: sqlite_utils.Database, article_id: object, start: object, end: object,
                   label: str | None, *, text: str | None = None, reviewer: str | None = None,
                   note: str | None = None, now: str | None = None) -> dict:
    """Record that ``text[start:end]`` of an article is ``label`` (None: not an entity).

    The action is derived: ``delete`` (label None; there must be an entity at exactly
    that span), ``relabel`` (an entity with another label is there) or ``add``.
    ``text``, when given, must equal the article's text at the offsets (the page the
    reviewer saw is not stale). Positive corrections that overlap a new positive one
    are superseded (a ``delete`` is recorded for them). Returns the stored row.
    Raises :class:`CorrectionError` with an HTTP status (400, 404, 409).
    """
    article_id, start, end = _int(article_id, "article_id"), _int(start, "start"), _int(end, "end")
    label = label or None
    if label is not None and label not in LABELS:
        raise CorrectionError(f"label must be one of {', '.join(LABELS)} or null (not an entity)")
    with db.atomic():
        article = next(db.query("SELECT id, url, text, source FROM articles WHERE id = ?", [article_id]), None)
        if article is None:
            raise CorrectionError(f"no article with id {article_id}", 404)
        body = article["text"] or ""
        if not 0 <= start < end <= len(body):
            raise CorrectionError(f"offsets {start}-{end} are outside the article text (0-{len(body)})")
        span = body[start:end]
        if text is not None and text != span:
            raise CorrectionError(f"the article text at {start}-{end} is {span!r}, not {text!r} (reload the page)",
                                  409)
        if span != span.strip():
            raise CorrectionError("a span must not start or end with whitespace")
        if (start > 0 and body[start - 1].isalnum() and span[0].isalnum()) or (
                end < len(body) and body[end].isalnum() and span[-1].isalnum()):
            raise CorrectionError(f"{span!r} at {start}-{end} splits a word: select whole words")
        current = reviewed_mentions(db, article_id)
        here = next((m for m in current if m["start"] == start and m["end"] == end), None)
        entity_id = None
        if label is None:
            if here is None:
                raise CorrectionError(f"there is no entity at {start}-{end} to delete", 409)
            action = "delete"
        else:
            if here is not None and here["label"] == label:
                raise CorrectionError(f"{span!r} is already {label}", 409)
            action = "relabel" if here is not None else "add"
            resolved = _resolve(db, article["source"], current, start, end, label, span, body)
            entity_id = store.entity_id(db, label, resolved.name, span, key=resolved.key,
                                        place=resolved.place)
        row = {"article_id": article_id, "article_url": article["url"], "start": start, "end": end,
               "text": span, "label": label, "action": action,
               "original_label": here["label"] if here else None, "entity_id": entity_id,
               "reviewer": reviewer or "reviewer", "created_at": now or store.utcnow(), "note": note or None}
        correction_id = db["corrections"].insert(row).last_pk
        if label is not None:
            for other in current:
                overlaps = other["start"] < end and start < other["end"]
                if other["origin"] == "review" and overlaps and (other["start"], other["end"]) != (start, end):
                    db["corrections"].insert({
                        **row, "start": other["start"], "end": other["end"], "text": other["text"],
                        "label": None, "action": "delete", "original_label": other["label"], "entity_id": None,
                        "note": f"superseded by correction {correction_id}"})
        return db["corrections"].get(correction_id)


def _resolve(db: sqlite_utils.Database, source: str | None, current: list[dict], start: int, end: int,
             label: str, span: str, text: str):
    """The entity of a corrected span (``Resolved``: name, key, place), resolved like the model's mentions,
    with the article's other mentions and its source's region (surname -> full name, a place in context)."""
    from pipeline.resolve import resolve_mentions

    row = db.execute("SELECT region FROM sources WHERE name = ?", [source]).fetchone() if source else None
    region = store.region_list(row[0]) if row else []
    others = [{"start": m["start"], "end": m["end"], "label": m["label"], "text": m["text"]}
              for m in current if not (m["start"] < end and start < m["end"])]
    ents = [*others, {"start": start, "end": end, "label": label, "text": span}]
    return resolve_mentions(text, ents, region=region)[-1]


# --- training data -------------------------------------------------------------------


def _without_overlaps(spans: list[dict]) -> list[dict]:
    """Non-overlapping spans by offset; reviewed spans win, then longer ones."""
    ranked = sorted(spans, key=lambda m: (m["origin"] != "review", -(m["end"] - m["start"]), m["start"]))
    kept: list[dict] = []
    for span in ranked:
        if all(span["end"] <= k["start"] or k["end"] <= span["start"] for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda m: m["start"])


def corrected_articles(db: sqlite_utils.Database) -> Iterator[dict]:
    """Every article with at least one effective correction, as a training record.

    ``{"url", "title", "text", "entities": [[start, end, label], ...], "corrections": n}``:
    the full article with all corrections applied (model mentions elsewhere kept).
    """
    if "corrections_effective" not in db.view_names():
        return
    ids = [r["article_id"] for r in db.query(
        "SELECT article_id, count(*) AS n FROM corrections_effective GROUP BY article_id ORDER BY article_id")]
    for article_id in ids:
        art = next(db.query("SELECT url, title, text FROM articles WHERE id = ?", [article_id]))
        spans = _without_overlaps([m for m in reviewed_mentions(db, article_id) if m["label"] in LABELS])
        n = next(db.query("SELECT count(*) AS n FROM corrections_effective WHERE article_id = ?", [article_id]))["n"]
        yield {"url": art["url"], "title": art["title"], "text": art["text"],
               "entities": [[m["start"], m["end"], m["label"]] for m in spans], "corrections": n}


def export_corrections(db: sqlite_utils.Database, out: Path) -> int:
    """Write corrected articles to ``out``: JSON Lines, or a spaCy DocBin when it ends in ``.spacy``."""
    records = list(corrected_articles(db))
    if out.suffix == ".spacy":
        to_docbin(records).to_disk(out)
    else:
        with open(out, "w", encoding="utf-8") as handle:
            for rec in records:
                handle.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return len(records)


def read_training_jsonl(path: Path) -> list[dict]:
    """Records ``{"text", "entities": [[start, end, label], ...]}`` from JSON Lines (checked)."""
    records = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                text = rec["text"]
                ents = [(int(s), int(e), str(lab)) for s, e, lab in rec["entities"]]
            except (ValueError, KeyError, TypeError) as err:
                raise ValueError(f"{path}:{number}: not a training record ({err})") from None
            for s, e, lab in ents:
                if lab not in LABELS or not 0 <= s < e <= len(text):
                    raise ValueError(f"{path}:{number}: bad span [{s}, {e}, {lab!r}]")
            records.append({"text": text, "entities": ents})
    return records


def to_docbin(records: list[dict], nlp=None):
    """spaCy DocBin with the records' entities as ``doc.ents`` (token-aligned, expanding)."""
    from pipeline.corpus import to_docbin as corpus_docbin

    return corpus_docbin([{"text": r["text"], "entities": [{"start": s, "end": e, "label": lab}
                                                           for s, e, lab in r["entities"]]} for r in records], nlp)


def load_training_docbin(path: Path, nlp=None):
    """A DocBin from ``newsmine export-corrections`` output (.jsonl or .spacy)."""
    from spacy.tokens import DocBin

    if Path(path).suffix == ".spacy":
        return DocBin().from_disk(path)
    return to_docbin(read_training_jsonl(Path(path)), nlp)
