"""Place gazetteer: link LOC entities to coordinates, federal state and GeoNames id.

Data: GeoNames `cities500` German places (population >= 500), bundled as
``pipeline/data/places-de.tsv.gz`` by :func:`build` from ../shared/data/gazetteers.
Place data © GeoNames (https://www.geonames.org), CC BY 4.0.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import math
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "places-de.tsv.gz"
SOURCE = (Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "gazetteers" / "geonames-de"
          / "geonames-de-places-pop500.tsv")
VERSION = "places-1.0"

# Regions and the state written as names in regional news (not GeoNames populated places).
REGIONS = [
    ("NRW", 51.4332, 7.6616, "Nordrhein-Westfalen"), ("Nordrhein-Westfalen", 51.4332, 7.6616, "Nordrhein-Westfalen"),
    ("Ruhrgebiet", 51.4700, 7.2000, "Nordrhein-Westfalen"), ("Niederrhein", 51.5000, 6.4000, "Nordrhein-Westfalen"),
    ("Rheinland", 50.9000, 6.8000, "Nordrhein-Westfalen"), ("Westfalen", 51.9000, 7.9000, "Nordrhein-Westfalen"),
    ("Münsterland", 51.9500, 7.4000, "Nordrhein-Westfalen"), ("Sauerland", 51.2500, 8.1000, "Nordrhein-Westfalen"),
    ("Bergisches Land", 51.1500, 7.2500, "Nordrhein-Westfalen"), ("Ostwestfalen-Lippe", 51.9500, 8.7500, "Nordrhein-Westfalen"),
]


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    state: str
    population: int
    geonames_id: int | None

    def columns(self) -> dict:
        """The store's entity columns of this place."""
        return {"latitude": self.lat, "longitude": self.lon, "state": self.state, "geonames_id": self.geonames_id}


def place_key(name: str) -> str:
    """The gazetteer's key of a name: casefolded, hyphens as spaces (``Mülheim an der Ruhr``)."""
    return " ".join(name.casefold().replace("-", " ").split())


def build(source: Path = SOURCE, out: Path = DATA) -> int:
    """Write the compact bundled gazetteer (name and Latin-script alternate names)."""
    rows = []
    with open(source, encoding="utf-8") as handle:
        for rec in csv.DictReader(handle, delimiter="\t"):
            names = {rec["name"]}
            names |= {n for n in rec["alternatenames"].split("|")
                      if n and len(n) <= 40 and re.fullmatch(r"[A-Za-zÄÖÜäöüß .'()-]+", n)}
            rows.append([rec["geonameid"], rec["name"], rec["latitude"], rec["longitude"], rec["population"],
                         rec["state"], "|".join(sorted(names - {rec["name"]}))])
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter="\t", lineterminator="\n")
    writer.writerow(["geonameid", "name", "latitude", "longitude", "population", "state", "alternatenames"])
    writer.writerows(rows)
    out.write_bytes(gzip.compress(buf.getvalue().encode("utf-8"), 9, mtime=0))
    return len(rows)


def records(path: Path = DATA) -> Iterator[tuple[dict[str, str], list[str]]]:
    """Rows of the bundled table, each with its names (main name first, then alternates)."""
    rows = _rows() if path == DATA else _read_rows(path)
    for rec in rows:
        yield rec, [rec["name"], *filter(None, rec["alternatenames"].split("|"))]


def _read_rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader)
        return [dict(zip(header, row)) for row in reader]


@functools.lru_cache(maxsize=1)
def _rows() -> tuple[dict[str, str], ...]:
    """The bundled table, read once per process (the place index, the name lists and the
    gazetteer all start from it)."""
    return tuple(_read_rows(DATA))


@functools.lru_cache(maxsize=1)
def _candidates() -> dict[str, tuple[Place, ...]]:
    """Normalised name -> every place of that name, most populous first."""
    found: dict[str, dict[int, Place]] = {}
    for rec, names in records():
        place = Place(rec["name"], float(rec["latitude"]), float(rec["longitude"]), rec["state"],
                      int(rec["population"] or 0), int(rec["geonameid"]))
        main = _plain(rec["name"])
        for name in names:
            if name != rec["name"] and _plain(name) == main:
                continue  # ``Munster`` for Münster: German text writes the umlaut; Munster is another place
            found.setdefault(place_key(name), {})[place.geonames_id] = place
    index = {k: tuple(sorted(v.values(), key=lambda p: (-p.population, p.geonames_id))) for k, v in found.items()}
    for name, lat, lon, state in REGIONS:  # ``NRW`` is the state written short: one entity
        index[place_key(name)] = (Place(state if name.isupper() else name, lat, lon, state, 0, None),)
    return index


def _plain(name: str) -> str:
    """``Münster`` -> ``munster``, ``Düsseldorf``/``Duesseldorf`` -> ``dusseldorf``."""
    name = place_key(name).replace("ae", "a").replace("oe", "o").replace("ue", "u").replace("ß", "ss")
    if name.isascii():  # nothing to decompose (most names): the same result, 20 times faster
        return name
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def all_names() -> set[str]:
    """Every place name of the gazetteer, normalised as :func:`pipeline.names.normalise_name` does
    for one-word names (casefolded; hyphens kept)."""
    return {" ".join(n.casefold().split()) for rec, names in records() for n in names} | {
        n.casefold() for n, *_ in REGIONS}


@functools.lru_cache(maxsize=4)
def keys_of_places_over(population: int) -> frozenset[str]:
    """Keys (:func:`place_key`) of the names of places with at least ``population`` inhabitants."""
    return frozenset(k for k, found in _candidates().items() if any(p.population >= population for p in found))


_PREFIXES = ("Stadt ", "Gemeinde ")


def candidates(name: str) -> tuple[Place, ...]:
    """Every place called ``name`` (``Stadt Essen`` -> Essen), most populous first; districts
    (``Kreis Wesel``) are not their towns."""
    index = _candidates()
    found = index.get(place_key(name))
    if found:
        return found
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return index.get(place_key(name[len(prefix):]), ())
    return ()


def lookup(name: str) -> Place | None:
    """The most populous place called ``name``, without context (see :func:`pipeline.resolve`)."""
    found = candidates(name)
    return found[0] if found else None


def distance_km(a: Place, b: Place) -> float:
    """Great-circle distance between two places."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


if __name__ == "__main__":
    print(f"wrote {build()} places to {DATA}")
