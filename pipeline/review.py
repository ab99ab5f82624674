"""Review in Datasette: the metadata newsmine serves its database with.

Titles, descriptions, licence notes, per-table descriptions, default facets and
sort orders, hidden internal tables (FTS shadow tables, migrations), the canned
queries, and the plugin configuration: the newsmine plugin
(``pipeline/review_plugin``: article and entity pages, corrections, offline map
tiles) and datasette-cluster-map pointed at those local tiles. The write token is
never in the metadata: the plugin config names the environment variable holding it.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from datasette.utils import tilde_encode

TABLES = {
    "articles": {"description": "One row per article: canonical URL, title (links to the review page), dates, "
                                "authors, text (shortened here; the JSON has all of it); extractor and model versions.",
                 "sort_desc": "published", "facets": ["source", "language", "model"],
                 "fts_table": "articles_fts", "fts_pk": "id", "label_column": "title"},
    "mentions": {"description": "Every PER/LOC/ORG mention: article, entity, character offsets, sentence, model.",
                 "facets": ["label", "model"], "sort": "article_id"},
    "entities": {"description": "Canonical entities (label + normalised name) with aliases; places with coordinates.",
                 "facets": ["label", "state"], "label_column": "name", "sort": "name"},
    "money": {"description": "Euro amounts: value_eur (low end of a range), high_eur, qualifier, sentence, years named.",
              "facets": ["qualifier", "parser_version"], "sort_desc": "value_eur"},
    "roles": {"description": "Roles and offices written next to a person, with party and affiliation.",
              "facets": ["text", "party"], "sort": "person"},
    "quotes": {"description": "Direct quotes with their speaker (null when no named person said it).",
               "facets": ["speaker"], "sort": "article_id"},
    "pages": {"description": "Every fetched page: status, outcome (ok, duplicate, near-duplicate, no text, "
                             "url conflict, failed; empty: not processed yet), the article it duplicates "
                             "(duplicate_of, a URL), error (the reason), timing, ETag/Last-Modified, compressed HTML.",
              "facets": ["outcome", "status", "source"], "sort_desc": "fetched_at"},
    "sources": {"description": "Configured sources.", "label_column": "name"},
    "runs": {"description": "Each run: when, with which model and versions, counts, status.",
             "facets": ["status"], "sort_desc": "started_at"},
}
TABLES.update({
    "corrections": {"description": "Reviewers' corrections (add / relabel / delete a span), keyed by article URL, "
                                   "offsets and text so they survive re-extraction. label NULL = not an entity.",
                    "facets": ["action", "label", "reviewer"], "sort_desc": "created_at"},
    "mentions_reviewed": {"description": "Mentions with the corrections applied (what the review pages and "
                                         "`newsmine query` show). origin: model or review.",
                          "facets": ["label", "origin"]},
    "corrections_effective": {"description": "The latest correction per span whose text still matches the article."},
    "places_map": {"description": "Places with coordinates (GeoNames) and their reviewed mention counts.",
                   "facets": ["state"], "sort_desc": "mentions"},
})
TOKEN_ENV = "NEWSMINE_TOKEN"
TILE_URL = "/-/newsmine/tiles/{z}/{x}/{y}.png"

_LABEL = "coalesce(nullif(:label, ''), 'PER')"
QUERIES: dict[str, dict] = {
    "top_entities_per_month": {
        "title": "Top people, places or organisations per month",
        "description": "The ten most mentioned entities of a label (PER, LOC, ORG; default PER) in each month "
                       "of publication, optionally one month (YYYY-MM). Corrections applied.",
        "params": ["label", "month"],
        "sql": f"""WITH counts AS (
  SELECT substr(a.published, 1, 7) AS month, m.entity_id, count(*) AS mentions,
         count(DISTINCT m.article_id) AS articles
  FROM mentions_reviewed m JOIN articles a ON a.id = m.article_id
  WHERE m.label = {_LABEL} AND a.published IS NOT NULL
    AND (:month = '' OR a.published >= :month AND a.published < :month || '~')
  GROUP BY month, m.entity_id
), ranked AS (
  SELECT *, row_number() OVER (PARTITION BY month ORDER BY mentions DESC, articles DESC, entity_id) AS rank
  FROM counts
)
SELECT r.month, r.rank, r.entity_id, e.name, e.label, r.mentions, r.articles
FROM ranked r JOIN entities e ON e.id = r.entity_id
WHERE r.rank <= 10 ORDER BY r.month DESC, r.rank""",
    },
    "top_entities_per_state": {
        "title": "Top people, places or organisations per federal state",
        "description": "The ten most mentioned entities of a label (default PER) in the articles that mention "
                       "a place in each federal state (GeoNames), optionally one state.",
        "params": ["label", "state"],
        "sql": f"""WITH article_states AS (
  SELECT DISTINCT m.article_id, p.state
  FROM entities p JOIN mentions_reviewed m ON m.entity_id = p.id
  WHERE p.state IS NOT NULL AND m.label = 'LOC' AND (:state = '' OR p.state = :state)
), counts AS (
  SELECT s.state, m.entity_id, count(*) AS mentions, count(DISTINCT m.article_id) AS articles
  FROM article_states s JOIN mentions_reviewed m ON m.article_id = s.article_id
  WHERE m.label = {_LABEL}
  GROUP BY s.state, m.entity_id
), ranked AS (
  SELECT *, row_number() OVER (PARTITION BY state ORDER BY articles DESC, mentions DESC, entity_id) AS rank
  FROM counts
)
SELECT r.state, r.rank, r.entity_id, e.name, e.label, r.articles, r.mentions
FROM ranked r JOIN entities e ON e.id = r.entity_id
WHERE r.rank <= 10 ORDER BY r.state, r.rank""",
    },
    "money_by_article": {
        "title": "Money by article",
        "description": "Euro amounts per article: how many, their sum (low end of ranges) and the largest; "
                       "optionally only articles with at least :min euros in total.",
        "params": ["min"],
        "sql": """SELECT a.id AS article_id, a.title, a.published, count(*) AS amounts,
       sum(mo.value_eur) AS total_eur, max(coalesce(mo.high_eur, mo.value_eur)) AS largest_eur
FROM money mo JOIN articles a ON a.id = mo.article_id
GROUP BY mo.article_id
HAVING :min = '' OR sum(mo.value_eur) >= CAST(:min AS REAL)
ORDER BY total_eur DESC""",
    },
    "money_by_year": {
        "title": "Money by year",
        "description": "Euro amounts per year, counted like `newsmine query money --year`: every year the "
                       "amount's sentence names, or the year of publication when it names none (an amount "
                       "naming two years counts in both).",
        "sql": """WITH per_year AS (
  SELECT mo.article_id, mo.value_eur, mo.high_eur, CAST(j.value AS INTEGER) AS year
  FROM money mo, json_each(CASE WHEN json_valid(mo.years) THEN mo.years ELSE '[]' END) j
  UNION ALL
  SELECT mo.article_id, mo.value_eur, mo.high_eur, CAST(substr(a.published, 1, 4) AS INTEGER)
  FROM money mo JOIN articles a ON a.id = mo.article_id
  WHERE mo.years IS NULL OR mo.years IN ('[]', '') OR NOT json_valid(mo.years)
)
SELECT year, count(*) AS amounts, count(DISTINCT article_id) AS articles, sum(value_eur) AS total_eur,
       max(coalesce(high_eur, value_eur)) AS largest_eur
FROM per_year WHERE year IS NOT NULL GROUP BY year ORDER BY year DESC""",
    },
    "quotes_by_speaker": {
        "title": "Quotes by speaker",
        "description": "Direct quotes of named speakers, the most quoted first; optionally speakers whose name "
                       "contains :speaker.",
        "params": ["speaker"],
        "sql": """SELECT coalesce(e.name, q.speaker) AS speaker, q.speaker_entity_id AS entity_id,
       count(*) OVER (PARTITION BY coalesce(e.name, q.speaker)) AS speaker_quotes,
       a.published, q.article_id, a.title, q.text AS quote
FROM quotes q JOIN articles a ON a.id = q.article_id
LEFT JOIN entities e ON e.id = q.speaker_entity_id
WHERE q.speaker IS NOT NULL
  AND (:speaker = '' OR q.speaker LIKE '%' || :speaker || '%' OR e.name LIKE '%' || :speaker || '%')
ORDER BY speaker_quotes DESC, speaker, a.published DESC""",
    },
    "cooccurrence_pairs": {
        "title": "Entities named together",
        "description": "The 1000 pairs of entities mentioned in the most articles together (at least two), "
                       "optionally only pairs with an entity whose name contains :name. Corrections applied: "
                       "the counts kept in entity_pairs (model mentions) plus the difference the corrected "
                       "articles make.",
        "params": ["name"],
        "sql": """WITH corrected AS (
  SELECT DISTINCT article_id FROM corrections WHERE article_id IS NOT NULL
), model_ae AS (
  SELECT article_id, entity_id FROM article_entities WHERE article_id IN (SELECT article_id FROM corrected)
), review_ae AS (
  SELECT DISTINCT article_id, entity_id FROM corrected_mentions WHERE entity_id IS NOT NULL
), delta AS (
  SELECT a_id, b_id, sum(d) AS d FROM (
    SELECT x.entity_id AS a_id, y.entity_id AS b_id, -1 AS d
    FROM model_ae x JOIN model_ae y ON y.article_id = x.article_id AND y.entity_id > x.entity_id
    UNION ALL
    SELECT x.entity_id, y.entity_id, 1
    FROM review_ae x JOIN review_ae y ON y.article_id = x.article_id AND y.entity_id > x.entity_id
  ) GROUP BY a_id, b_id HAVING sum(d) != 0
), focus AS (
  SELECT id FROM entities WHERE :name != '' AND name LIKE '%' || :name || '%'
), unchanged AS (
  SELECT * FROM (
    SELECT a_id, b_id, articles FROM entity_pairs p
    WHERE :name = '' AND NOT EXISTS (SELECT 1 FROM delta d WHERE d.a_id = p.a_id AND d.b_id = p.b_id)
    ORDER BY articles DESC, a_id DESC, b_id DESC LIMIT 1000)
  UNION ALL
  SELECT a_id, b_id, articles FROM entity_pairs p
  WHERE (p.a_id IN (SELECT id FROM focus) OR p.b_id IN (SELECT id FROM focus))
    AND NOT EXISTS (SELECT 1 FROM delta d WHERE d.a_id = p.a_id AND d.b_id = p.b_id)
), changed AS (
  SELECT d.a_id, d.b_id, coalesce(p.articles, 0) + d.d AS articles
  FROM delta d LEFT JOIN entity_pairs p ON p.a_id = d.a_id AND p.b_id = d.b_id
  WHERE :name = '' OR d.a_id IN (SELECT id FROM focus) OR d.b_id IN (SELECT id FROM focus)
), top AS (
  SELECT * FROM (SELECT * FROM unchanged UNION ALL SELECT * FROM changed)
  WHERE articles >= 2 ORDER BY articles DESC, a_id DESC, b_id DESC LIMIT 1000
)
SELECT t.a_id, ea.name AS entity_a, ea.label AS label_a, t.b_id, eb.name AS entity_b, eb.label AS label_b,
       t.articles
FROM top t JOIN entities ea ON ea.id = t.a_id JOIN entities eb ON eb.id = t.b_id
ORDER BY t.articles DESC, entity_a, entity_b""",
    },
    "articles_per_source_per_day": {
        "title": "Articles per source per day",
        "description": "How many articles each source published per day (by publication date).",
        "sql": """SELECT substr(published, 1, 10) AS day, source, count(*) AS articles
FROM articles WHERE published IS NOT NULL
GROUP BY day, source ORDER BY day DESC, source""",
    },
    "failed_fetches": {
        "title": "Failed fetches",
        "description": "Pages whose last fetch failed (HTTP errors, timeouts, robots.txt, size limits), newest "
                       "first: outcome 'failed'. Extraction outcomes (duplicates, no text) are not fetch failures.",
        "sql": """SELECT id, url, source, status, error, attempts, elapsed_ms, fetched_at
FROM pages WHERE outcome = 'failed'
ORDER BY fetched_at DESC""",
    },
    "corrections_log": {
        "title": "Corrections",
        "description": "Every correction, newest first; applied = 0 when a later correction of the same span "
                       "replaced it or the article text at its offsets changed (stale).",
        "sql": """SELECT c.id, c.created_at, c.reviewer, c.action, c.original_label, c.label, c.text, c.start, c."end",
       c.article_id, c.article_url, c.note,
       EXISTS (SELECT 1 FROM corrections_effective f WHERE f.id = c.id) AS applied
FROM corrections c ORDER BY c.id DESC""",
    },
}

HIDDEN = ["article_entities", "entity_pairs", "articles_fts", "articles_fts_data", "articles_fts_idx", "articles_fts_docsize",
          "articles_fts_config", "_sqlite_migrations"]


DESCRIPTION = "People, places, organisations and euro amounts in German regional news."


def description_html(database: str) -> str:
    """The front page's and the database page's description: where to start reviewing (the
    article list, the places map, the entities) and every canned query, linked."""
    db = "/" + tilde_encode(database)

    def link(path: str, text: str, title: str = "") -> str:
        attr = f' title="{escape(title)}"' if title else ""
        return f'<a href="{escape(path)}"{attr}>{escape(text)}</a>'

    queries = " · ".join(link(f"{db}/{name}", spec["title"], spec.get("description", ""))
                         for name, spec in QUERIES.items())
    return (f'<p>{escape(DESCRIPTION)}</p>\n<ul class="newsmine-start">'
            f'<li><strong>Review:</strong> {link("/-/newsmine/articles", "articles to review")} '
            f"(each article's text with its people, places, organisations and euro amounts highlighted; "
            f"search) · {link(db + '/places_map', 'places map')} · {link(db + '/entities', 'entities')}</li>"
            f"<li><strong>Canned queries:</strong> {queries}</li></ul>")


def metadata(database: str, token_env: str = TOKEN_ENV) -> dict:
    """Datasette metadata for a newsmine database named ``database``.

    Writes (corrections) need the token held in the environment variable ``token_env``;
    without it the review pages are read-only.
    """
    tables = {name: dict(spec) for name, spec in TABLES.items()}
    for name in HIDDEN:
        tables[name] = {"hidden": True}
    queries = {name: {k: v for k, v in spec.items()} for name, spec in QUERIES.items()}
    return {
        "title": "newsmine",
        "description_html": description_html(database),
        "license": "Code Apache-2.0; demo articles fictional (CC BY 4.0); place data © GeoNames, CC BY 4.0",
        "source": "newsmine", "source_url": "https://github.com/newsmine/newsmine",
        "databases": {database: {"description_html": description_html(database), "tables": tables,
                                 "queries": queries}},
        "plugins": {
            "newsmine": {"database": database, "token": {"$env": token_env}},
            "datasette-cluster-map": {
                "tile_layer": TILE_URL,
                "tile_layer_options": {"maxZoom": 12, "attribution": "offline tiles: newsmine; places © GeoNames"},
            },
        },
    }


def write_metadata(db_path: Path, out: Path) -> Path:
    """Write :func:`metadata` for ``db_path`` as JSON to ``out``."""
    out.write_text(json.dumps(metadata(db_path.stem), ensure_ascii=False, indent=2), encoding="utf-8")
    return out
