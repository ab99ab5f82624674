"""The data behind the review pages: an article with its highlights, an entity with its mentions.

Plain functions over a ``sqlite_utils.Database`` (the plugin calls them on Datasette's
read connection); the templates render what they return with autoescaping on, so no
function here builds HTML.
"""

from __future__ import annotations

import json
import re
from collections import Counter

import sqlite_utils

from pipeline.corrections import cooccurring, mentions_table, reviewed_mentions
from pipeline.snippets import sentence_around

LABEL_NAMES = {"PER": "person", "LOC": "place", "ORG": "organisation", "MONEY": "euro amount"}
SNIPPET = 70  # characters of context on each side of a mention


def euros(value: float | None) -> str:
    """``2500000.0`` -> ``2.500.000 €``; cents only when there are any."""
    if value is None:
        return ""
    text = f"{value:,.2f}" if value % 1 else f"{value:,.0f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".") + " €"


def money_title(row: dict) -> str:
    """Hover text of a money highlight: the normalised value, range and qualifier."""
    value = euros(row["value_eur"])
    if row.get("high_eur"):
        value += f" bis {euros(row['high_eur'])}"
    if row.get("qualifier"):
        value += f" ({row['qualifier']})"
    return f"{value} · value_eur = {row['value_eur']}"


def money_display(row: dict) -> str:
    """An amount as German readers read it: ``5,5 Mrd. €``, ``1 bis 1,5 Mio. €`` (qualifier after)."""
    value = euros_short(row["value_eur"])
    if row.get("high_eur"):
        high = euros_short(row["high_eur"])
        unit = high.split(" ", 1)[1] if " " in high else ""
        if unit and value.endswith(" " + unit):
            value = value[:-len(unit) - 1]
        value += f" bis {high}"
    if row.get("qualifier"):
        value += f" ({row['qualifier']})"
    return value


def segments(text: str, spans: list[dict]) -> list[dict]:
    """Split ``text`` into plain and highlighted pieces, in order, covering it exactly.

    ``spans`` have ``start``, ``end`` and anything else the template needs; where two
    overlap the earlier (then longer) one wins. Every piece carries its ``start`` offset.
    """
    out: list[dict] = []
    pos = 0
    for span in sorted(spans, key=lambda s: (s["start"], -s["end"])):
        if span["start"] < pos or span["end"] > len(text) or span["start"] >= span["end"]:
            continue
        if span["start"] > pos:
            out.append({"start": pos, "text": text[pos:span["start"]], "span": None})
        out.append({"start": span["start"], "text": text[span["start"]:span["end"]], "span": span})
        pos = span["end"]
    if pos < len(text):
        out.append({"start": pos, "text": text[pos:], "span": None})
    return out


def article(db: sqlite_utils.Database, article_id: int) -> dict | None:
    """An article with its reviewed mentions, amounts, quotes, roles and corrections."""
    row = next(db.query("SELECT id, url, title, published, authors, source, section, model, extractor_version, "
                        "text FROM articles WHERE id = ?", [article_id]), None)
    if row is None:
        return None
    text = row["text"] or ""
    try:
        row["authors"] = [str(a) for a in json.loads(row["authors"] or "[]")]
    except (ValueError, TypeError):
        row["authors"] = []
    mentions = reviewed_mentions(db, article_id)
    # the model that produced each mention (mentions.model, e.g. de_news@0.3.4+learn.1): a re-extraction
    # with `newsmine reextract --model DIR` shows here; corrected spans are the reviewer's
    produced = {(r["start"], r["end"]): r["model"] for r in db.query(
        'SELECT start, "end", model FROM mentions WHERE article_id = ?', [article_id])}
    for m in mentions:
        m["model"] = None if m["origin"] == "review" else produced.get((m["start"], m["end"]))
    money = list(db.query('SELECT id, start, "end", text, value_eur, high_eur, qualifier FROM money '
                          "WHERE article_id = ? ORDER BY start", [article_id]))
    spans = [{"start": m["start"], "end": m["end"], "label": m["label"], "entity_id": m["entity_id"],
              "title": f"{m['label']} · {m['entity'] or m['text']}" + (
                  " · corrected" if m["origin"] == "review" else f" · model {m['model']}" if m["model"] else ""),
              "origin": m["origin"], "correction_id": m["correction_id"], "model": m["model"]} for m in mentions]
    spans += [{"start": m["start"], "end": m["end"], "label": "MONEY", "money_id": m["id"],
               "value_eur": m["value_eur"], "title": money_title(m), "origin": "rules"} for m in money]
    entities: dict[int, dict] = {}
    for m in mentions:
        if m["entity_id"] is None:
            continue
        ent = entities.setdefault(m["entity_id"], {"id": m["entity_id"], "name": m["entity"] or m["text"],
                                                   "label": m["label"], "mentions": 0})
        ent["mentions"] += 1
    row["segments"] = segments(text, spans)
    row["entities"] = sorted(entities.values(), key=lambda e: (e["label"], -e["mentions"], e["name"]))
    row["money"] = [{**m, "display": money_display(m), "exact": money_title(m)} for m in money]
    row["quotes"] = list(db.query("SELECT q.text, q.speaker, q.speaker_entity_id FROM quotes q "
                                  "WHERE q.article_id = ? ORDER BY q.start", [article_id]))
    row["roles"] = list(db.query("SELECT r.text, r.person, r.party, r.affiliation, r.entity_id FROM roles r "
                                 "WHERE r.article_id = ? ORDER BY r.start", [article_id]))
    row["corrections"] = list(db.query(
        'SELECT c.id, c.created_at, c.reviewer, c.action, c.original_label, c.label, c.text, c.start, c."end", '
        "c.note, EXISTS (SELECT 1 FROM corrections_effective f WHERE f.id = c.id) AS applied "
        "FROM corrections c WHERE c.article_id = ? ORDER BY c.id DESC", [article_id])) \
        if "corrections" in db.table_names() else []
    row["label_counts"] = dict(Counter(m["label"] for m in mentions) + Counter("MONEY" for _ in money))
    # which models produced the mentions shown, with counts ("reviewer" for corrected spans)
    row["mention_models"] = dict(Counter(m["model"] or ("reviewer" if m["origin"] == "review" else "?")
                                         for m in mentions).most_common())
    return row


def entity(db: sqlite_utils.Database, entity_id: int, limit: int = 100) -> dict | None:
    """An entity: aliases, place data, roles, quotes, mentions in context, co-occurring entities, timeline."""
    row = next(db.query("SELECT * FROM entities WHERE id = ?", [entity_id]), None)
    if row is None:
        return None
    table = mentions_table(db)
    try:
        row["aliases"] = [str(a) for a in json.loads(row.get("aliases") or "[]")]
    except (ValueError, TypeError):
        row["aliases"] = []
    mentions = list(db.query(
        f"""SELECT m.article_id, m.start, m."end", m.text, m.label, a.title, a.published
            FROM {table} m JOIN articles a ON a.id = m.article_id
            WHERE m.entity_id = ? ORDER BY a.published DESC, m.article_id, m.start""", [entity_id]))
    row["mention_count"] = len(mentions)
    article_ids = sorted({m["article_id"] for m in mentions})
    row["article_count"] = len(article_ids)
    shown = mentions[:limit]
    texts = {r["id"]: r["text"] or "" for r in db.query(
        f"SELECT id, text FROM articles WHERE id IN ({','.join('?' * len({m['article_id'] for m in shown}))})",
        sorted({m["article_id"] for m in shown}))} if shown else {}
    for m in shown:
        text = texts.get(m["article_id"], "")
        left, right = text[max(0, m["start"] - SNIPPET):m["start"]], text[m["end"]:m["end"] + SNIPPET]
        if m["start"] > SNIPPET and " " in left:
            left = "…" + left.split(" ", 1)[1]
        if m["end"] + SNIPPET < len(text) and " " in right:
            right = right.rsplit(" ", 1)[0] + "…"
        m["before"], m["mention"], m["after"] = left, text[m["start"]:m["end"]], right
    row["mentions"] = shown
    months: dict[str, tuple[int, set[int]]] = {}
    for m in mentions:
        n, ids = months.get((m["published"] or "")[:7] or "undated", (0, set()))
        ids.add(m["article_id"])
        months[(m["published"] or "")[:7] or "undated"] = (n + 1, ids)
    top = max((n for n, _ in months.values()), default=1)
    row["timeline"] = [{"month": month, "mentions": n, "articles": len(ids), "width": round(100 * n / top)}
                       for month, (n, ids) in sorted(months.items())]
    row["cooccurring"] = cooccurring(db, entity_id)
    row["roles"] = list(db.query(
        "SELECT text, party, affiliation, count(*) AS n, count(DISTINCT article_id) AS articles "
        "FROM roles WHERE entity_id = ? GROUP BY text, party, affiliation ORDER BY n DESC", [entity_id]))
    row["quotes"] = list(db.query(
        "SELECT q.article_id, q.text, a.title, a.published FROM quotes q JOIN articles a ON a.id = q.article_id "
        "WHERE q.speaker_entity_id = ? ORDER BY a.published DESC LIMIT 50", [entity_id]))
    return row


# --- numbers as German readers read them ------------------------------------------------


def _german(number: float, decimals: int, strip: bool = True) -> str:
    text = f"{number:,.{decimals}f}"
    if decimals and strip:
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def euros_short(value: float | None) -> str:
    """``5_500_000_000`` -> ``5,5 Mrd. €``, ``1_250_000`` -> ``1,25 Mio. €``, ``12_500`` -> ``12.500 €``."""
    if value is None:
        return ""
    for size, unit in ((1e9, "Mrd."), (1e6, "Mio.")):
        if abs(value) >= size:
            return f"{_german(value / size, 2)} {unit} €"
    return _german(value, 2 if value % 1 else 0, strip=False) + " €"


# --- the article list and search ----------------------------------------------------------

PAGE_SIZE = 50
def articles_list(db: sqlite_utils.Database, q: str = "", page: int = 1) -> dict:
    """Articles, newest first, or those containing ``q`` (title or text, any case) with the
    sentence around the first hit; :data:`PAGE_SIZE` per page."""
    q = q.strip()[:200]
    offset = (max(page, 1) - 1) * PAGE_SIZE
    counts = (f"(SELECT count(*) FROM {mentions_table(db)} m WHERE m.article_id = a.id) AS mentions, "
              "(SELECT count(*) FROM money mo WHERE mo.article_id = a.id) AS amounts")
    if not q:
        found = list(db.query(
            f"SELECT a.id, a.title, a.published, a.source, {counts} FROM articles a "
            "ORDER BY a.published DESC, a.id DESC LIMIT ? OFFSET ?", [PAGE_SIZE + 1, offset]))
    elif len(q) >= 3 and "articles_fts" in db.table_names():  # trigram FTS: parts of compounds too
        found = list(db.query(
            f"SELECT a.id, a.title, a.published, a.source, a.text, {counts} FROM articles_fts f "
            "JOIN articles a ON a.rowid = f.rowid WHERE articles_fts MATCH ? ORDER BY f.rank LIMIT ? OFFSET ?",
            ['"' + q.replace('"', '""') + '"', PAGE_SIZE + 1, offset]))
    else:
        found = list(db.query(
            f"SELECT a.id, a.title, a.published, a.source, a.text, {counts} FROM articles a "
            "WHERE a.title LIKE :t OR a.text LIKE :t ORDER BY a.published DESC LIMIT :n OFFSET :o",
            {"t": f"%{q}%", "n": PAGE_SIZE + 1, "o": offset}))
    for row in found:
        text = row.pop("text", None) or ""
        at = text.casefold().find(q.casefold()) if q else -1
        # casefold keeps lengths for German text except ß -> ss; re-find on the original then
        if at >= 0 and text[at:at + len(q)].casefold() != q.casefold():
            hit = re.search(re.escape(q), text, re.IGNORECASE)
            at = hit.start() if hit else -1
        row["snippet"] = sentence_around(text, at, at + len(q)) if at >= 0 else None
    return {"q": q, "page": max(page, 1), "articles": found[:PAGE_SIZE], "more": len(found) > PAGE_SIZE,
            "total": db.execute("SELECT count(*) FROM articles").fetchone()[0]}
