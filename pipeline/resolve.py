"""Entity resolution: which entity each mention names, in one place.

``resolve_mentions(text, mentions)`` is the one step that turns an article's PER/LOC/ORG
mentions into entities; ``run``, ``reextract``, ``scale``, ``annotate``, corrections, the
store's re-keying migration and ``newsmine evaluate --entities`` all call it. Pure Python and
model-free: it needs the article text and the mention spans, nothing of spaCy.

For each mention, in this order:

1. **Base form** (:func:`pipeline.names.canonical_name`): genitive and adjective inflection
   folded on evidence (``Duisburgs`` -> ``Duisburg``, ``Kommunalen Integrationszentrum`` ->
   ``Kommunale Integrationszentrum``); the other mentions of the article count as evidence.
2. **Links inside the article** (:func:`link_mentions`): surname -> the full name introduced
   in the article, abbreviation -> the organisation, short form -> the longer name.
3. **Place** (LOC): a name that surely means one place (a region; a town of 20,000 or more
   by its GeoNames main name, a city of 100,000 or more by any name, with no namesake a tenth
   its size) is placed there; such places are the article's anchors, with the towns of the
   source's ``region``. Any other name is placed at the namesake nearest to an anchor, if it
   lies near enough for its size (:func:`near_km`), and inside the state of a region the
   article names. A name with no such namesake (``Neudorf`` in a Duisburg article: the
   gazetteer's Neudorfs lie in other states) gets no coordinates: a wrong pin is worse than
   none.
4. **Key** (:func:`pipeline.names.entity_key`): the normalised canonical name; a placed place
   is keyed with its GeoNames id and named as the gazetteer names it (``Emmerich`` and
   ``Emmerich am Rhein`` are one entity; Bonn's ``Oberkassel`` is not Düsseldorf's, which
   the gazetteer lacks).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline import places
from pipeline.names import KnownNames, canonical_name, entity_key
from pipeline.places import Place

RESOLVE_VERSION = "resolve-1.0"

__all__ = ["RESOLVE_VERSION", "Resolved", "resolve_mentions", "link_mentions", "collect_aliases"]

# Places: a large city is a plausible mention in any article; a smaller place must lie near the
# article's other places. Decided on the corpus dev split (newsmine evaluate --entities dev).
CITY_POPULATION = 100_000
TOWN_POPULATION = 20_000
NEAR_KM = 40.0
_BEFORE_CHARS = 40


@dataclass(frozen=True)
class Resolved:
    """The entity a mention names: display ``name``, store ``key``, and for LOC its ``place``."""

    name: str
    key: str
    place: Place | None = None


@dataclass(frozen=True)
class _Ent:
    start: int
    end: int
    label: str
    text: str


def _ent_one(e: Any) -> _Ent:
    if isinstance(e, Mapping):
        return _Ent(int(e["start"]), int(e["end"]), str(e["label"]), str(e["text"]))
    return _Ent(int(e.start), int(e.end), str(e.label), str(e.text))


_PARTICLES = {"van", "von", "de", "der", "den", "ten", "ter", "zu", "vom", "da", "di", "le", "la", "el", "al"}


def _strip_genitive(name: str) -> list[str]:
    """Candidate base forms of a possibly genitive name (``Links`` -> ``Link``)."""
    out = [name]
    for suffix in ("’", "'", "s"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            out.append(name[: -len(suffix)])
    return out


def _is_full_name(text: str) -> bool:
    parts = text.split()
    return len(parts) >= 2 and parts[0][:1].isupper() and parts[0].lower() not in _PARTICLES


def _is_abbreviation(text: str) -> bool:
    if " " in text or len(text) > 10 or len(text) < 2:
        return False
    return sum(c.isupper() for c in text) >= 2


def _initials(name: str) -> set[str]:
    """Possible initials of an organisation name (``Verkehrsverbund Rhein-Ruhr`` -> ``VRR``)."""
    words = re.findall(r"[^\W\d_]+", name)
    caps = "".join(w[0] for w in words if w[0].isupper()).upper()
    every = "".join(w[0] for w in words).upper()
    spaced = "".join(w[0] for w in name.split() if w[:1].isalpha() and w[0].isupper()).upper()
    return {x for x in (caps, every, spaced) if len(x) >= 2}


def link_mentions(entities: Sequence[Any], text: str | None = None) -> list[str]:
    """Canonical name for each entity, in the order given.

    - a PER mention that is the end of a full name introduced earlier (surname only,
      also genitive: ``Links`` -> ``Sören Link``; ``van Dyck``) links to the most recent
      such full name; without an earlier one, to the first later full name; two people
      with the same surname stay distinct (each full name is its own canonical);
    - an ORG abbreviation links to the organisation it was introduced for
      (``Kommunales Integrationszentrum (KI)``: the ``KI`` mentions link to the full name)
      or, failing that, to an earlier ORG whose initials it is;
    - an ORG short form links to an earlier ORG that starts with it as whole words
      (``Rheintec`` -> ``Rheintec Antriebssysteme GmbH``);
    - everything else maps to itself.

    ``text`` (the article) is optional; with it, abbreviations in brackets after an
    ORG are found even when they are not entity spans themselves.
    """
    items = [(i, _ent_one(e)) for i, e in enumerate(entities)]
    items.sort(key=lambda x: (x[1].start, x[1].end))
    canon: dict[int, str] = {}
    people = _People([e.text for _, e in items if e.label == "PER"])
    orgs: list[tuple[_Ent, str]] = []  # ORG mention and its canonical
    abbrev: dict[str, str] = {}
    org_texts = [(e.start, e.text) for _, e in items if e.label == "ORG"]

    def later_orgs(ent: _Ent) -> list[str]:
        return [t for start, t in org_texts if start > ent.start]

    for idx, ent in items:
        if ent.label == "PER":
            canon[idx] = people.link(ent.text)
        elif ent.label == "ORG":
            name = ent.text
            if name in abbrev:
                canon[idx] = abbrev[name]
            elif _is_abbreviation(name):
                prev = orgs[-1] if orgs else None
                if prev and 1 <= ent.start - prev[0].end <= 3 and (
                        text is None or text[prev[0].end:ent.start].strip() == "("):
                    canon[idx] = prev[1]
                    abbrev[name] = prev[1]
                else:
                    canon[idx] = _by_initials(name, orgs) or _by_prefix(name, orgs) or name
            else:
                canon[idx] = _by_prefix(name, orgs) or _by_prefix_ahead(name, later_orgs(ent)) or name
                if text is not None:
                    m = re.match(r"\s*\(([A-ZÄÖÜ][\w&./-]{1,10})\)", text[ent.end:ent.end + 16])
                    if m and _is_abbreviation(m.group(1)):
                        abbrev[m.group(1)] = name
            orgs.append((ent, canon[idx]))
        else:
            canon[idx] = ent.text
    return [canon[i] for i in range(len(items))]


def _by_prefix(name: str, orgs: list[tuple[_Ent, str]]) -> str | None:
    """The most recent earlier organisation whose name starts with ``name`` as whole
    words (``Rheintec`` -> ``Rheintec Antriebssysteme GmbH``, ``VfL`` -> ``VfL Bochum``)."""
    for _ent, canonical in reversed(orgs):
        if canonical.startswith(name + " ") and len(name) >= 3:
            return canonical
    return None


def _by_prefix_ahead(name: str, later: list[str]) -> str | None:
    """The one later organisation name that starts with ``name`` as whole words (the article
    names ``das Kommunale Integrationszentrum`` before ``Kommunale Integrationszentrum Köln``).
    One-word short forms stay: ``Rheintec`` before ``Rheintec Antriebssysteme GmbH`` may be another firm."""
    if " " not in name or _is_abbreviation(name):
        return None
    fuller = {t for t in later if t.startswith(name + " ")}
    return fuller.pop() if len(fuller) == 1 else None


def _tails(full: str) -> list[str]:
    """``Hans Peter Müller`` -> ``Hans Peter Müller``, ``Peter Müller``, ``Müller``."""
    parts = full.split()
    return [" ".join(parts[k:]) for k in range(len(parts))]


class _People:
    """Links PER mentions (given in text order) to full names."""

    def __init__(self, mentions: list[str]):
        self.mentions = mentions
        self.seen: dict[str, str] = {}  # tail -> most recent full name ending with it
        self.first_names: dict[str, set[str]] = {}
        self.pos = 0

    def _ahead(self, k: int) -> dict[str, str]:
        """Tails of the first full names after mention ``k`` (within the next 200 mentions)."""
        ahead: dict[str, str] = {}
        for m in reversed(self.mentions[k + 1:k + 200]):
            if _is_full_name(m):
                for tail in _tails(m)[1:]:
                    ahead[tail] = m
        return ahead

    def link(self, mention: str) -> str:
        k = self.pos
        self.pos += 1
        bases = _strip_genitive(mention)
        if _is_full_name(mention) and mention not in self.seen:
            # a full name of its own, unless it is the genitive of one seen before
            canonical = next((b for b in bases[1:] if self.seen.get(b) == b), mention)
        else:
            canonical = next((self.seen[b] for b in bases if b in self.seen), "")
            if not canonical:
                ahead = self._ahead(k)
                canonical = next((ahead[b] for b in bases if b in ahead), "")
            if not canonical:
                firsts = self.first_names.get(mention, set())
                canonical = next(iter(firsts)) if len(firsts) == 1 else mention
        if _is_full_name(canonical) and canonical == mention:
            for tail in _tails(mention):
                self.seen[tail] = mention
            self.first_names.setdefault(mention.split()[0], set()).add(mention)
        return canonical


def _by_initials(abbr: str, orgs: list[tuple[_Ent, str]]) -> str | None:
    key = abbr.upper()
    for ent, canonical in reversed(orgs):
        if _is_abbreviation(ent.text):
            continue
        inits = _initials(ent.text)
        # "KI" for "Kommunales Integrationszentrum Duisburg": the place may be left out
        if key in inits or any(len(i) == len(key) + 1 and len(key) >= 2 and i.startswith(key) for i in inits):
            return canonical
    return None


def collect_aliases(entities: Sequence[Any], text: str | None = None) -> dict[str, str]:
    """``{mention text: canonical name}`` for PER and ORG mentions whose canonical differs."""
    ents = list(entities)
    out: dict[str, str] = {}
    for e, c in zip((_ent_one(x) for x in ents), link_mentions(ents, text)):
        if e.label in ("PER", "ORG") and c != e.text:
            out[e.text] = c
    return out


# ---------------------------------------------------------------------------
# Places in context
# ---------------------------------------------------------------------------


def _by_main_name(name: str, place: Place) -> bool:
    """``name`` is the place's GeoNames main name (not one of its alternate or historical names)."""
    return places.place_key(place.name) in (places.place_key(name), places.place_key("Stadt " + name))


def _anchor(name: str) -> Place | None:
    """The place ``name`` surely means, without context: a region, or a town of at least
    ``TOWN_POPULATION`` (a large city by any of its names) with no namesake a tenth its size."""
    found = places.candidates(name)
    if not found:
        return None
    top = found[0]
    if top.geonames_id is None:
        return top
    if len(found) > 1 and found[1].population * 10 > top.population:
        return None
    if top.population >= CITY_POPULATION or (top.population >= TOWN_POPULATION and _by_main_name(name, top)):
        return top
    return None


def _anchors(anchors: Iterable[Place | None]) -> tuple[list[Place], set[str]]:
    """Of the places the article's names (and the source's ``region`` towns) surely mean
    (:func:`_anchor`): the points, and the states of the regions (``NRW``, ``Ruhrgebiet``)."""
    points: list[Place] = []
    states: set[str] = set()
    for place in anchors:
        if place is None:
            continue
        if place.geonames_id is None:
            states.add(place.state)
        else:
            points.append(place)
    return points, states


def near_km(place: Place) -> float:
    """How far from the article's places a place may lie: a town is written about in its
    surroundings, a village only next door (40 km at 10,000 inhabitants, growing with the root)."""
    return NEAR_KM * max(place.population, 500) ** 0.5 / 100.0


def _choose_place(name: str, anchor: Place | None, points: list[Place], states: set[str]) -> Place | None:
    """The place ``name`` means in an article with these anchors (``anchor``: the one of ``name`` itself)."""
    if anchor is not None:
        return anchor
    found = places.candidates(name)
    if states:
        found = tuple(c for c in found if c.state in states)
    others = [p for p in points if places.place_key(p.name) != places.place_key(name)]
    near = [(min(places.distance_km(c, p) for p in others), c) for c in found] if others else []
    near = [(d, c) for d, c in near if d <= near_km(c)]
    if near:
        return min(near, key=lambda x: (x[0], -x[1].population))[1]
    if found and found[0].population >= CITY_POPULATION:  # Hamm (NRW) rather than Hamm (Hamburg)
        return found[0]
    return None


def _display_name(name: str, place: Place) -> str:
    """The gazetteer's name of a place, but the German one where GeoNames has an exonym (``Munich``)."""
    return name if place.name.isascii() and not name.isascii() else place.name


# ---------------------------------------------------------------------------
# Resolution
# ---------------------------------------------------------------------------


def warm() -> None:
    """Load the gazetteer and the name lists now (0.6 s), e.g. before forking workers that share them."""
    KnownNames().strong("")
    places.candidates("")


def resolve_mentions(text: str, mentions: Sequence[Any], *, region: Sequence[str] = ()) -> list[Resolved]:
    """The entity of each mention (dicts or objects with start, end, label, text), in the order given."""
    ents = [_ent_one(m) for m in mentions]
    known = KnownNames(e.text for e in ents)
    bases = [canonical_name(e.label, e.text, before=text[max(0, e.start - _BEFORE_CHARS):e.start], known=known)
             for e in ents]
    linked = link_mentions([_Ent(e.start, e.end, e.label, b) for e, b in zip(ents, bases)], text)
    loc_names = {n for e, n in zip(ents, linked) if e.label == "LOC"}
    anchored = {name: _anchor(name) for name in [*sorted(loc_names), *region]}
    points, states = _anchors(anchored.values())
    out: list[Resolved] = []
    chosen: dict[str, Place | None] = {}
    for e, name in zip(ents, linked):
        if e.label != "LOC":
            out.append(Resolved(name, entity_key(e.label, name)))
            continue
        if name not in chosen:
            chosen[name] = _choose_place(name, anchored[name], points, states)
        place = chosen[name]
        if place is None:
            out.append(Resolved(name, entity_key("LOC", name)))
        elif place.geonames_id is None:  # a region, by its one name (NRW: Nordrhein-Westfalen)
            out.append(Resolved(place.name, entity_key("LOC", place.name), place))
        else:
            shown = _display_name(name, place)
            out.append(Resolved(shown, entity_key("LOC", shown, place.geonames_id), place))
    return out
