"""The parts of the newsmine schema that are not plain tables: the corrections table with its views
and triggers, the review UI's indexes and the co-occurrence tables.

Owned by :mod:`pipeline.store`, whose migrations m006 and m007 apply :func:`create_corrections` and
:func:`create_review_indexes`. The statements here are **frozen**: a database upgraded years later
must get exactly what an older one got, so a schema change is a new migration in ``store.py``, never
an edit here. This module imports nothing of newsmine (the store imports it; nothing else needs to).

What the views mean is described in :mod:`pipeline.corrections` (which reads and writes through them).
"""

from __future__ import annotations

import sqlite_utils

EFFECTIVE_VIEW = """
SELECT c.id, c.article_id, c.article_url, c.start, c."end", c.text, c.label, c.action,
       c.original_label, c.entity_id, c.reviewer, c.created_at, c.note
FROM corrections c JOIN articles a ON a.id = c.article_id AND a.url = c.article_url
WHERE c.id = (SELECT max(c2.id) FROM corrections c2
              WHERE c2.article_id = c.article_id AND c2.start = c.start AND c2."end" = c."end")
  AND substr(a.text, c.start + 1, c."end" - c.start) = c.text
"""

# Mentions of articles without corrections pass through (one in-memory probe per row);
# ``corrected_mentions`` holds the reviewed mentions of corrected articles: the model's
# mentions no correction hides, and the corrected spans.
_MENTION_COLUMNS = """m.id, m.article_id, m.entity_id, m.start, m."end", m.text, m.label, m.sentence, m.model,
       'model' AS origin, NULL AS correction_id"""
CORRECTED_VIEW = f"""
SELECT {_MENTION_COLUMNS}
FROM mentions m
WHERE m.article_id IN (SELECT article_id FROM corrections)
  AND NOT EXISTS (
    SELECT 1 FROM corrections_effective c
    WHERE c.article_id = m.article_id AND c.start < m."end" AND m.start < c."end"
      AND (c.label IS NOT NULL OR (c.start = m.start AND c."end" = m."end")))
UNION ALL
SELECT NULL, c.article_id, c.entity_id, c.start, c."end", c.text, c.label, NULL, 'review',
       'review', c.id
FROM corrections_effective c
WHERE c.label IS NOT NULL
"""
REVIEWED_VIEW = f"""
SELECT {_MENTION_COLUMNS}
FROM mentions m
WHERE m.article_id NOT IN (SELECT article_id FROM corrections WHERE article_id IS NOT NULL)
UNION ALL
SELECT * FROM corrected_mentions
"""

# corrections.article_id follows the article's URL: re-processing keeps an article's id,
# and an article deleted and stored again (or a database rebuilt) gets its corrections back.
CORRECTION_TRIGGERS = {
    "corrections_follow_article_insert": """AFTER INSERT ON articles BEGIN
    UPDATE corrections SET article_id = NEW.id WHERE article_url = NEW.url; END""",
    "corrections_follow_article_url": """AFTER UPDATE OF url ON articles BEGIN
    UPDATE corrections SET article_id = NULL WHERE article_id = OLD.id;
    UPDATE corrections SET article_id = NEW.id WHERE article_url = NEW.url; END""",
    "corrections_follow_article_delete": """AFTER DELETE ON articles BEGIN
    UPDATE corrections SET article_id = NULL WHERE article_id = OLD.id; END""",
}

PLACES_VIEW = """
SELECT e.id, e.name, e.state, e.latitude, e.longitude, e.geonames_id,
       count(*) AS mentions, count(DISTINCT m.article_id) AS articles
FROM entities e JOIN mentions_reviewed m ON m.entity_id = e.id
WHERE e.label = 'LOC' AND e.latitude IS NOT NULL AND m.label = 'LOC'
GROUP BY e.id
"""


def create_corrections(db: sqlite_utils.Database) -> None:
    """The corrections table, its triggers and views (migration m006)."""
    db["corrections"].create({
        "id": int, "article_id": int, "article_url": str, "start": int, "end": int, "text": str,
        "label": str, "action": str, "original_label": str, "entity_id": int, "reviewer": str,
        "created_at": str, "note": str,
    }, pk="id", foreign_keys=[("entity_id", "entities", "id")])
    db["corrections"].create_index(["article_url", "start", "end"])
    db["corrections"].create_index(["article_id", "start", "end"])
    for name, body in CORRECTION_TRIGGERS.items():
        db.execute(f"CREATE TRIGGER {name} {body}")
    db.create_view("corrections_effective", EFFECTIVE_VIEW)
    db.create_view("corrected_mentions", CORRECTED_VIEW)
    db.create_view("mentions_reviewed", REVIEWED_VIEW)
    db.create_view("places_map", PLACES_VIEW)


# Entities per article and pairs of entities named in the same article, kept current by
# triggers on ``mentions`` (like the FTS index on ``articles``): co-occurrence over 10,000
# articles means millions of pairs, too many to count per request. They count the model's
# mentions; the ``cooccurrence_pairs`` canned query adds the few corrected articles' delta.
# Migration m009 dropped ``entity_pairs_insert``: the writer counts new pairs (store.deferred_pairs).
PAIR_TRIGGERS = {
    "article_entities_mention_insert": """AFTER INSERT ON mentions WHEN NEW.entity_id IS NOT NULL BEGIN
    INSERT INTO article_entities (article_id, entity_id, mentions) VALUES (NEW.article_id, NEW.entity_id, 1)
    ON CONFLICT (article_id, entity_id) DO UPDATE SET mentions = mentions + 1; END""",
    "article_entities_mention_delete": """AFTER DELETE ON mentions WHEN OLD.entity_id IS NOT NULL BEGIN
    UPDATE article_entities SET mentions = mentions - 1
    WHERE article_id = OLD.article_id AND entity_id = OLD.entity_id;
    DELETE FROM article_entities WHERE article_id = OLD.article_id AND entity_id = OLD.entity_id AND mentions <= 0;
    END""",
    "entity_pairs_insert": """AFTER INSERT ON article_entities BEGIN
    INSERT INTO entity_pairs (a_id, b_id, articles)
    SELECT min(NEW.entity_id, ae.entity_id), max(NEW.entity_id, ae.entity_id), 1 FROM article_entities ae
    WHERE ae.article_id = NEW.article_id AND ae.entity_id != NEW.entity_id
    ON CONFLICT (a_id, b_id) DO UPDATE SET articles = articles + 1; END""",
    "entity_pairs_delete": """AFTER DELETE ON article_entities BEGIN
    UPDATE entity_pairs SET articles = articles - 1
    WHERE a_id = OLD.entity_id AND b_id IN (SELECT entity_id FROM article_entities WHERE article_id = OLD.article_id);
    UPDATE entity_pairs SET articles = articles - 1
    WHERE b_id = OLD.entity_id AND a_id IN (SELECT entity_id FROM article_entities WHERE article_id = OLD.article_id);
    DELETE FROM entity_pairs WHERE (a_id = OLD.entity_id OR b_id = OLD.entity_id) AND articles <= 0; END""",
}


def create_review_indexes(db: sqlite_utils.Database) -> None:
    """Indexes and co-occurrence tables behind the canned queries (migration m007).

    See bench/CANNED_QUERIES.md for the timings they give on 10,000 articles. ``idx_pages_failed``
    (an extraction outcome was an ``extract:`` prefix of ``pages.error`` then) is replaced by
    ``idx_pages_failed_fetches`` in migration m011.
    """
    db["mentions"].create_index(["label", "article_id", "entity_id"], if_not_exists=True)
    db["mentions"].create_index(["article_id", "label", "entity_id"], if_not_exists=True)
    db["articles"].create_index(["published"], if_not_exists=True)
    db["articles"].create_index(["source", "published"], if_not_exists=True)
    db["entities"].create_index(["state"], if_not_exists=True)
    db["money"].create_index(["article_id", "value_eur"], if_not_exists=True)
    db.execute("CREATE INDEX IF NOT EXISTS idx_pages_failed ON pages (fetched_at) "
               "WHERE error IS NOT NULL AND error NOT LIKE 'extract:%'")
    db.execute("CREATE TABLE article_entities (article_id INTEGER NOT NULL, entity_id INTEGER NOT NULL, "
               "mentions INTEGER NOT NULL, PRIMARY KEY (article_id, entity_id)) WITHOUT ROWID")
    db.execute("CREATE TABLE entity_pairs (a_id INTEGER NOT NULL, b_id INTEGER NOT NULL, "
               "articles INTEGER NOT NULL, PRIMARY KEY (a_id, b_id)) WITHOUT ROWID")
    db.execute("CREATE INDEX idx_entity_pairs_b ON entity_pairs (b_id)")
    db.execute("INSERT INTO article_entities SELECT article_id, entity_id, count(*) FROM mentions "
               "WHERE entity_id IS NOT NULL GROUP BY article_id, entity_id")
    db.execute("INSERT INTO entity_pairs SELECT x.entity_id, y.entity_id, count(*) FROM article_entities x "
               "JOIN article_entities y ON y.article_id = x.article_id AND y.entity_id > x.entity_id "
               "GROUP BY x.entity_id, y.entity_id")
    for name, body in PAIR_TRIGGERS.items():
        db.execute(f"CREATE TRIGGER {name} {body}")
