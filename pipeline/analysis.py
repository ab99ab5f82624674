"""One article's entities, roles and quotes, resolved once: what ``run``, ``reextract``, ``scale``
and ``annotate`` store or print.

:func:`analyse_entities` takes the article text and the NER's PER/LOC/ORG spans and returns
each mention with its entity (:func:`pipeline.resolve.resolve_mentions`: canonical name,
entity key, place), and the roles and quotes of :mod:`pipeline.nlp.facts` with the people they
name resolved to the *same* entities as the mentions: a role's person and a quote's speaker
carry the key of the PER mention they were found at. The store writes these keys as they
are; it never resolves a name itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.names import KnownNames, canonical_name, entity_key
from pipeline.nlp.facts import find_quotes, find_roles, prepare_entities
from pipeline.resolve import RESOLVE_VERSION, Resolved, resolve_mentions

__all__ = ["EntityAnalysis", "analyse_entities", "place_columns", "RESOLVE_VERSION"]


@dataclass
class EntityAnalysis:
    """Mentions (``start, end, label, text, sentence, canonical, key, place``), roles
    (``..., person, person_key``) and quotes (``..., speaker, speaker_key``) of one article."""

    entities: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)


def place_columns(resolved: Resolved) -> dict[str, Any] | None:
    """The store's place columns of a resolved LOC (None without coordinates)."""
    return resolved.place.columns() if resolved.place is not None else None


def _person(start: int | None, end: int | None, name: str | None,
            spans: dict[tuple[int, int], Resolved], overlaps: list[tuple[int, int, Resolved]]) -> tuple[str, str] | None:
    """(name, key) of the PER entity at ``start:end``; a name no mention carries is keyed by itself."""
    if not name:
        return None
    if start is not None and end is not None:
        hit = spans.get((start, end)) or next((r for s, e, r in overlaps if s < end and start < e), None)
        if hit is not None:
            return hit.name, hit.key
    base = canonical_name("PER", name)
    return base, entity_key("PER", base)


def analyse_entities(text: str, entities: Sequence[dict[str, Any]], *, region: Sequence[str] = ()) -> EntityAnalysis:
    """Resolve ``entities`` (dicts with start, end, label, text[, sentence]) and find roles and quotes."""
    resolved = resolve_mentions(text, entities, region=region)
    mentions = []
    for ent, res in zip(entities, resolved):
        mentions.append({**ent, "canonical": res.name, "key": res.key, "place": place_columns(res)})
    pers = {(int(e["start"]), int(e["end"])): r for e, r in zip(entities, resolved) if e["label"] == "PER"}
    overlaps = [(s, e, r) for (s, e), r in pers.items()]
    cleaned = prepare_entities(text, entities)
    roles_found = find_roles(text, cleaned)
    known = KnownNames(e["text"] for e in entities)
    roles = []
    for role in roles_found:
        who = _person(role.person_start, role.person_end, role.person, pers, overlaps)
        row = role.to_dict()
        if who is not None:
            row["person"], row["person_key"] = who
        if row.get("affiliation"):  # ``Duisburgs Integrationsdezernent``: the place, not its genitive
            row["affiliation"] = canonical_name("ORG", row["affiliation"], known=known)
        roles.append(row)
    quotes = []
    for quote in find_quotes(text, cleaned, roles_found):
        row = quote.to_dict()
        who = _person(quote.speaker_start, quote.speaker_end, quote.speaker, pers, overlaps)
        if who is not None:
            row["speaker"], row["speaker_key"] = who
        quotes.append(row)
    return EntityAnalysis(mentions, roles, quotes)
