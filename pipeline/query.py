"""The questions users ask of a newsmine database, as parameterised SQL.

Every function returns a list of dict rows; the CLI (``newsmine query``) prints
them as a table, JSON or CSV. Entity mentions are read from ``mentions_reviewed``
(reviewers' corrections applied, see ``pipeline/corrections.py``) when the database
has it.
"""

from __future__ import annotations

import sqlite_utils

from pipeline.corrections import cooccurring, mentions_table
from pipeline.snippets import snippet

LABEL_OF = {"people": "PER", "places": "LOC", "orgs": "ORG"}


def top_entities(db: sqlite_utils.Database, label: str, limit: int = 20, name: str | None = None) -> list[dict]:
    """Entities of a label by number of mentions and articles."""
    sql = """
        SELECT e.id, e.name, count(*) AS mentions, count(DISTINCT m.article_id) AS articles,
               e.aliases{place_columns}
        FROM {mentions} m JOIN entities e ON e.id = m.entity_id
        WHERE e.label = :label AND m.label = :label {name_filter}
        GROUP BY e.id ORDER BY mentions DESC, e.name LIMIT :limit"""
    params = {"label": label, "limit": limit}
    name_filter = ""
    if name:
        name_filter = "AND e.name LIKE :name"
        params["name"] = f"%{name}%"
    place_columns = ", e.latitude, e.longitude, e.state" if label == "LOC" else ""
    return list(db.query(sql.format(name_filter=name_filter, place_columns=place_columns,
                                    mentions=mentions_table(db)), params))


def money(db: sqlite_utils.Database, *, minimum: float | None = None, year: int | None = None,
          article_id: int | None = None, limit: int = 50) -> list[dict]:
    """Euro amounts, largest first, optionally filtered by size, year or article."""
    where, params = ["1 = 1"], {"limit": limit}
    if minimum is not None:
        where.append("coalesce(mo.high_eur, mo.value_eur) >= :minimum")
        params["minimum"] = minimum
    if year is not None:
        where.append("(EXISTS (SELECT 1 FROM json_each(mo.years) WHERE value = :year)"
                     " OR (mo.years IN ('[]', '') OR mo.years IS NULL) AND substr(a.published, 1, 4) = :year_s)")
        params["year"] = year
        params["year_s"] = str(year)
    if article_id is not None:
        where.append("mo.article_id = :article_id")
        params["article_id"] = article_id
    sql = f"""
        SELECT mo.article_id, a.title, mo.text, mo.value_eur, mo.high_eur, mo.qualifier,
               mo.years, mo.sentence
        FROM money mo JOIN articles a ON a.id = mo.article_id
        WHERE {' AND '.join(where)}
        ORDER BY mo.value_eur DESC LIMIT :limit"""
    return list(db.query(sql, params))


def search(db: sqlite_utils.Database, term: str, limit: int = 20) -> list[dict]:
    """Full-text search (trigram FTS5: finds parts of compounds such as 'dezernent'), each hit with the
    sentence around its first occurrence in the text (``snippet``: ``…before [hit] after…``)."""
    quoted = '"' + term.replace('"', '""') + '"'
    if len(term) < 3:  # trigram needs three characters: fall back to LIKE
        rows = db.query(
            "SELECT id, title, published, url, text FROM articles WHERE title LIKE :t OR text LIKE :t LIMIT :limit",
            {"t": f"%{term}%", "limit": limit})
    else:
        rows = db.query(
            """SELECT a.id, a.title, a.published, a.url, a.text
               FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid
               WHERE articles_fts MATCH :q ORDER BY rank LIMIT :limit""",
            {"q": quoted, "limit": limit})
    out = []
    for row in rows:
        row["snippet"] = snippet(row.pop("text") or "", term)
        out.append(row)
    return out


def article(db: sqlite_utils.Database, article_id: int) -> dict | None:
    """One article with its entities and amounts."""
    row = next(db.query("SELECT id, url, title, published, authors, word_count, model,"
                        " extractor_version, text FROM articles WHERE id = ?", [article_id]), None)
    if row is None:
        return None
    row["entities"] = list(db.query(
        f"SELECT m.start, m.end, m.label, m.text, e.name AS entity FROM {mentions_table(db)} m"
        " JOIN entities e ON e.id = m.entity_id WHERE m.article_id = ? ORDER BY m.start", [article_id]))
    row["money"] = list(db.query(
        "SELECT start, end, text, value_eur, high_eur, qualifier FROM money WHERE article_id = ?"
        " ORDER BY start", [article_id]))
    return row


def entity(db: sqlite_utils.Database, name: str, limit: int = 20) -> list[dict]:
    """Entities matching ``name`` with their mention counts and co-occurring entities."""
    table = mentions_table(db)
    rows = list(db.query(
        f"""SELECT e.id, e.label, e.name, e.aliases, count(*) AS mentions,
                  count(DISTINCT m.article_id) AS articles,
                  min(a.published) AS first_seen, max(a.published) AS last_seen
           FROM entities e JOIN {table} m ON m.entity_id = e.id JOIN articles a ON a.id = m.article_id
           WHERE e.name LIKE :name OR e.aliases LIKE :name
           GROUP BY e.id ORDER BY mentions DESC LIMIT :limit""",
        {"name": f"%{name}%", "limit": limit}))
    for row in rows:
        row["co_occurring"] = ", ".join(e["name"] for e in cooccurring(db, row["id"], limit=5))
    return rows


def people_with_roles(db: sqlite_utils.Database, limit: int = 20, name: str | None = None) -> list[dict]:
    """People with the roles, parties and affiliations written next to their names."""
    params: dict = {"limit": limit}
    name_filter = ""
    if name:
        name_filter = "AND e.name LIKE :name"
        params["name"] = f"%{name}%"
    return list(db.query(
        f"""SELECT e.id, e.name,
                   group_concat(DISTINCT r.text) AS roles,
                   group_concat(DISTINCT r.party) AS party,
                   group_concat(DISTINCT r.affiliation) AS affiliation,
                   count(DISTINCT r.article_id) AS articles
            FROM roles r JOIN entities e ON e.id = r.entity_id
            WHERE 1 = 1 {name_filter}
            GROUP BY e.id ORDER BY articles DESC, e.name LIMIT :limit""", params))


def quotes(db: sqlite_utils.Database, speaker: str | None = None, limit: int = 50) -> list[dict]:
    """Direct quotes with their speaker (None when no named person said it)."""
    params: dict = {"limit": limit}
    where = "1 = 1"
    if speaker:
        where = "(q.speaker LIKE :speaker OR e.aliases LIKE :speaker)"
        params["speaker"] = f"%{speaker}%"
    return list(db.query(
        f"""SELECT q.article_id, a.published, q.speaker, q.text
            FROM quotes q JOIN articles a ON a.id = q.article_id
            LEFT JOIN entities e ON e.id = q.speaker_entity_id
            WHERE {where} ORDER BY a.published DESC, q.article_id, q.start LIMIT :limit""", params))
