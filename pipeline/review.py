"""Review in Datasette: the metadata newsmine serves its database with.

Titles, descriptions, licence notes, per-table descriptions, default facets and
sort orders, and hidden internal tables (FTS shadow tables, migrations).
"""

from __future__ import annotations

import json
from pathlib import Path

TABLES = {
    "articles": {"description": "One row per article: canonical URL, title, dates, authors, text; extractor and model versions.",
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
    "pages": {"description": "Every fetch outcome: status, error, timing, ETag/Last-Modified, compressed HTML.",
              "facets": ["status", "source", "error"], "sort_desc": "fetched_at"},
    "sources": {"description": "Configured sources.", "label_column": "name"},
    "runs": {"description": "Each run: when, with which model and versions, counts, status.",
             "facets": ["status"], "sort_desc": "started_at"},
}
HIDDEN = ["articles_fts", "articles_fts_data", "articles_fts_idx", "articles_fts_docsize",
          "articles_fts_config", "_sqlite_migrations"]


def metadata(database: str) -> dict:
    """Datasette metadata for a newsmine database named ``database``."""
    tables = {name: dict(spec) for name, spec in TABLES.items()}
    for name in HIDDEN:
        tables[name] = {"hidden": True}
    return {
        "title": "newsmine",
        "description": "People, places, organisations and euro amounts in German regional news.",
        "license": "Code Apache-2.0; demo articles fictional (CC BY 4.0); place data © GeoNames, CC BY 4.0",
        "source": "newsmine", "source_url": "https://github.com/newsmine/newsmine",
        "databases": {database: {"tables": tables}},
    }


def write_metadata(db_path: Path, out: Path) -> Path:
    out.write_text(json.dumps(metadata(db_path.stem), ensure_ascii=False, indent=2), encoding="utf-8")
    return out
