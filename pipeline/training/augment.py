"""Mention replacement for the corpus train split (training data only).

The project's own regional articles are few (68 in train), so the model can
learn the names in them instead of the contexts around them. An augmented copy
of an article keeps every word outside the entity spans and swaps, consistently
within the article:

- person names: each first name and each surname for another one drawn from the
  person names of the other training data (``Tobias Reinartz`` -> ``Ida Kamps``
  and every later ``Reinartz`` -> ``Kamps``, genitive ``-s`` kept);
- place names inside LOC and ORG spans: each town for another German town
  (NRW towns most often), also as genitive (``Duisburgs``), as the adjective of
  an organisation name (``Duisburger Verkehrsgesellschaft``) and inside compounds
  (``Duisburg-Marxloh``), so that ``Wirtschaftsförderung Oberhausen`` becomes
  ``Wirtschaftsförderung Bocholt`` and stays ORG.

Spans keep their labels; offsets are recomputed. Nothing here is used at
inference time or on evaluation data.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_NAME_RE = re.compile(r"^[A-ZÄÖÜ][a-zäöüßéèáàóòíìúùçëïñ]+(?:-[A-ZÄÖÜ][a-zäöüßéèáàóòíìúùçëïñ]+)?$")
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# place names that are also common words inside organisation names
_NOT_PLACES = {"Haus", "Berg", "Bad", "Mark", "Hof", "Land", "Stadt", "Linden", "Born", "Kirchen", "Au"}


@dataclass
class Pools:
    """What replacements are drawn from."""

    first_names: list[str]
    surnames: list[str]
    towns: list[str]  # replacement towns (simple names, with repeats as weights)
    place_names: set[str]  # names recognised as a town inside a span


def person_pools(docs: Iterable, min_count: int = 1) -> tuple[list[str], list[str]]:
    """First names and surnames of two-word PER entities in annotated spaCy docs."""
    first: Counter[str] = Counter()
    last: Counter[str] = Counter()
    for doc in docs:
        for ent in doc.ents:
            if ent.label_ == "PER" and len(ent) == 2 and all(_NAME_RE.match(t.text) for t in ent):
                first[ent[0].text] += 1
                last[ent[1].text] += 1
    return ([n for n, c in first.items() if c >= min_count], [n for n, c in last.items() if c >= min_count])


def town_pools(nrw_weight: int = 3, min_population: int = 10_000) -> tuple[list[str], set[str]]:
    """Replacement towns (NRW weighted ``nrw_weight`` times) and the set of names that count as a town."""
    from pipeline.places import records

    towns: list[str] = []
    names: set[str] = set()
    for rec, alternates in records():
        population = int(rec["population"] or 0)
        if population < min_population:
            continue
        names.update(n for n in alternates if _NAME_RE.match(n) and n not in _NOT_PLACES)
        name = rec["name"]
        if _NAME_RE.match(name) and name not in _NOT_PLACES and not name.endswith(("s", "x", "z", "ß")):
            towns.extend([name] * (nrw_weight if rec["state"] == "Nordrhein-Westfalen" else 1))
    return towns, names


def pools_from(docs: Iterable) -> Pools:
    """Person names from the PER entities of annotated spaCy docs, towns from the places table."""
    first, last = person_pools(docs)
    towns, place_names = town_pools()
    return Pools(first, last, towns, place_names)


def shared_pools(shared: Path) -> Pools:
    """Pools from the shared training data (GermEval 2014 train, SmartData) and the places table."""
    import spacy

    from pipeline.training.conll import bio_file_to_docbin

    vocab = spacy.blank("de").vocab
    files = [shared / "germeval2014" / "NER-de-train.outer.tsv",
             *(shared / "smartdata-corpus-de" / f"{part}.tsv" for part in ("train", "test"))]
    return pools_from(doc for path in files if path.exists() for doc in bio_file_to_docbin(path, vocab).get_docs(vocab))


def _adjective(town: str) -> str:
    return town + ("r" if town.endswith("e") else "er")


class _Replacer:
    def __init__(self, pools: Pools, rng: random.Random) -> None:
        self.pools, self.rng = pools, rng
        self.first: dict[str, str] = {}
        self.last: dict[str, str] = {}
        self.towns: dict[str, str] = {}

    def _draw(self, pool: list[str], avoid: str) -> str:
        for _ in range(10):
            choice = self.rng.choice(pool)
            if choice != avoid:
                return choice
        return choice

    def _swap(self, table: dict[str, str], pool: list[str], name: str) -> str:
        """``name``'s replacement in this article (drawn on first use)."""
        if name not in table:
            table[name] = self._draw(pool, name)
        return table[name]

    def surname(self, name: str) -> str:
        return self._swap(self.last, self.pools.surnames, name)

    def person(self, text: str) -> str:
        words = text.split(" ")
        if not all(_NAME_RE.match(w.rstrip("s")) or w in {"von", "van", "de", "der", "zu"} for w in words):
            return text
        last = words[-1]
        genitive = last.endswith("s") and last[:-1] in self.last
        base = last[:-1] if genitive else last
        if len(words) == 1 and base in self.first and base not in self.last:
            return self.first[base] + ("s" if genitive else "")
        new = words[:]
        new[-1] = self.surname(base) + ("s" if genitive else "")
        if len(words) >= 2 and _NAME_RE.match(words[0]):
            new[0] = self.first.setdefault(words[0], self._draw(self.pools.first_names, words[0]))
        return " ".join(new)

    def town(self, name: str) -> str:
        return self._swap(self.towns, self.pools.towns, name)

    def places_in(self, text: str) -> str:
        """Swap every town name (also ``-s`` genitive and ``-er`` adjective) in a LOC/ORG span."""
        names = self.pools.place_names

        def swap(match: re.Match) -> str:
            parts = match.group(0).split("-")
            out = []
            for part in parts:
                if part in names:
                    out.append(self.town(part))
                elif part.endswith("s") and part[:-1] in names:
                    out.append(self.town(part[:-1]) + "s")
                elif part.endswith("er") and part[:-2] in names:
                    out.append(_adjective(self.town(part[:-2])))
                elif part.endswith("r") and part[:-1] in names and part[:-1].endswith("e"):
                    out.append(_adjective(self.town(part[:-1])))
                else:
                    out.append(part)
            return "-".join(out)

        return _WORD_RE.sub(swap, text)


def augment_record(record: dict, pools: Pools, rng: random.Random) -> dict:
    """A copy of a corpus record with names swapped: entity spans keep their labels, euro
    amounts their values (offsets shifted); roles and quotes are dropped."""
    replacer = _Replacer(pools, rng)
    entities = sorted(record["entities"], key=lambda e: e["start"])
    # two-word names first, so that a later bare surname maps the same way
    for ent in entities:
        if ent["label"] == "PER" and " " in ent["text"]:
            replacer.person(ent["text"])
    pieces: list[str] = []
    new_entities: list[dict] = []
    shifts: list[tuple[int, int]] = []  # (old end of an entity, length change up to there)
    pos = 0
    length = 0
    for ent in entities:
        if ent["start"] < pos:  # overlapping spans are not expected; keep the first
            continue
        before = record["text"][pos:ent["start"]]
        pieces.append(before)
        length += len(before)
        old = record["text"][ent["start"]:ent["end"]]
        new = replacer.person(old) if ent["label"] == "PER" else replacer.places_in(old)
        pieces.append(new)
        new_entities.append({"start": length, "end": length + len(new), "label": ent["label"], "text": new})
        length += len(new)
        pos = ent["end"]
        shifts.append((pos, length - pos))
    pieces.append(record["text"][pos:])
    text = "".join(pieces)
    # euro amounts lie outside entity spans: shift them by the length change before them
    money = []
    for m in record.get("money", []):
        delta = next((d for end, d in reversed(shifts) if end <= m["start"]), 0)
        money.append({**m, "start": m["start"] + delta, "end": m["end"] + delta})
    return {**record, "text": text, "entities": new_entities, "money": money, "roles": [], "quotes": []}


def augment(records: list[dict], pools: Pools, copies: int, seed: int = 0) -> list[dict]:
    """``copies`` augmented versions of every record (one random stream per copy)."""
    out = []
    for copy in range(copies):
        rng = random.Random(seed * 1000 + copy)
        out.extend(augment_record(rec, pools, rng) for rec in records)
    return out
