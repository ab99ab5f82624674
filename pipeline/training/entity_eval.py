"""Score entity resolution on the corpus gold (``corpus/articles/links.jsonl``; ``newsmine evaluate --entities``).

The project's resolver (:func:`pipeline.resolve.resolve_mentions`) runs on the GOLD mentions (gold spans
and labels, so NER errors do not count) of every article of a split, as if the articles were stored in
one database: two mentions are predicted to be one entity when they got the same entity ``key``, in the
same article or not. The gold says two mentions are one entity when they have the same label and the
same ``canonical`` (compared case-insensitively, hyphens as spaces, whitespace collapsed).

- **Mention clustering**: pairwise precision/recall/F1 over all pairs of mentions of the split
  (precision: of the pairs predicted same, those gold-same; recall: of the gold-same pairs, those
  predicted same), per label (pairs inside the label) and overall; B-cubed precision/recall/F1
  (per mention: the share of its predicted entity that is its gold entity, and the reverse) as a
  second view, where one wrong merge of two big entities does not weigh quadratically.
- **Geocoding** (gold LOC mentions): a *pin* is a predicted place with coordinates. Precision:
  pins whose GeoNames id equals the gold ``geonames_id`` / all pins (a pin on a mention whose gold
  is null, a street, a river, a quarter not in GeoNames, a district, is wrong); recall: correct pins /
  gold LOC mentions that have a ``geonames_id``. A region placed as itself (a place without GeoNames
  id named like the gold canonical or the mention: ``NRW``, ``Ruhrgebiet``, see
  :data:`pipeline.places.REGIONS`) on a mention whose gold is null is not a pin: it is counted under
  ``regions``. Pins outside Nordrhein-Westfalen are counted too (all corpus articles are about NRW,
  but a few name Berlin or Leipzig, which are right there).

``errors`` lists wrong merges (one predicted entity holding mentions of several gold entities) and
splits (one gold entity spread over several predicted entities), grouped by entity, and every wrong,
missing or spurious pin with its article id and text.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.corpus import JSONL_PATH

__all__ = ["LINKS_PATH", "ClusterError", "PinError", "check_gold", "evaluate_entities", "format_entity_errors",
           "format_entity_report", "geonames_table", "normalise", "read_gold", "score_clusters", "score_pins"]

LINKS_PATH = JSONL_PATH.parent / "links.jsonl"
LABELS = ("PER", "LOC", "ORG")
GOLD_SPLITS = ("dev", "test")
NRW = "Nordrhein-Westfalen"
_COORD_TOLERANCE = 1e-6

Resolver = Callable[..., list]  # resolve_mentions(text, mentions, region=...) -> [Resolved(name, key, place)]


def normalise(name: str) -> str:
    """How gold canonicals are compared: case-folded, hyphens as spaces, whitespace collapsed."""
    return " ".join(name.casefold().replace("-", " ").split())


# ---------------------------------------------------------------------------
# Gold file
# ---------------------------------------------------------------------------


def read_gold(path: Path = LINKS_PATH) -> list[dict]:
    """The gold lines of ``links.jsonl`` (one dict per mention), in file order."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{n}: not JSON ({err.msg})") from None
    return rows


def geonames_table(path: Path | None = None) -> dict[int, dict]:
    """The GeoNames table the gold ids point into: id -> {name, lat, lon, state}."""
    if path is None:
        from pipeline.places import SOURCE as path
    with open(path, encoding="utf-8") as handle:
        return {int(r["geonameid"]): {"name": r["name"], "lat": float(r["latitude"]), "lon": float(r["longitude"]),
                                      "state": r["state"]}
                for r in csv.DictReader(handle, delimiter="\t")}


def check_gold(records: Iterable[dict], rows: Sequence[dict], table: Mapping[int, Mapping] | None) -> list[str]:
    """Problems of the gold file against the corpus (empty list: valid).

    Every line is a PER/LOC/ORG entity of a dev/test article of the corpus (id, start, end, label and
    text equal), every such entity has exactly one line, lines are sorted by article and offset,
    canonicals are non-empty, LOC lines carry ``geonames_id`` (an id of ``table`` or null) with the
    table's ``lat``/``lon`` (null with a null id), PER/ORG lines carry none, and one LOC canonical
    never names two GeoNames places. ``table`` None skips the id checks.
    """
    problems: list[str] = []
    corpus: dict[tuple, dict] = {}
    articles: dict[str, str] = {}
    for rec in records:
        articles[rec["id"]] = rec["split"]
        if rec["split"] in GOLD_SPLITS:
            for e in rec["entities"]:
                if e["label"] in LABELS:
                    corpus[(rec["id"], e["start"], e["end"])] = e
    seen: Counter = Counter()
    place_of: dict[str, set] = defaultdict(set)
    previous: tuple | None = None
    for n, row in enumerate(rows, 1):
        where = f"line {n} ({row.get('id')} {row.get('start')}-{row.get('end')} {row.get('text')!r})"
        missing = [k for k in ("id", "start", "end", "label", "text", "canonical") if k not in row]
        if missing:
            problems.append(f"{where}: missing {', '.join(missing)}")
            continue
        span = (row["id"], row["start"], row["end"])
        order = (str(row["id"]), row["start"]) if isinstance(row["start"], int) else None
        if previous is not None and order is not None and order < previous:
            problems.append(f"{where}: not sorted by article and offset")
        previous = order or previous
        if articles.get(row["id"]) not in GOLD_SPLITS:
            problems.append(f"{where}: article {row['id']!r} is not a dev/test article of the corpus")
        ent = corpus.get(span)
        if ent is None:
            problems.append(f"{where}: no corpus entity with these offsets")
        elif (ent["label"], ent["text"]) != (row["label"], row["text"]):
            problems.append(f"{where}: corpus has {ent['label']} {ent['text']!r} there")
        seen[span] += 1
        canonical = row["canonical"]
        if not isinstance(canonical, str) or not canonical.strip():
            problems.append(f"{where}: empty canonical")
            continue
        if row["label"] != "LOC":
            if any(k in row for k in ("geonames_id", "lat", "lon")):
                problems.append(f"{where}: geonames_id/lat/lon on a {row['label']} line")
            continue
        if not all(k in row for k in ("geonames_id", "lat", "lon")):
            problems.append(f"{where}: LOC line without geonames_id/lat/lon (null where there is none)")
            continue
        gid, lat, lon = row["geonames_id"], row["lat"], row["lon"]
        place_of[normalise(canonical)].add(gid)
        if gid is None:
            if lat is not None or lon is not None:
                problems.append(f"{where}: lat/lon without a geonames_id")
        elif not isinstance(gid, int) or isinstance(gid, bool):
            problems.append(f"{where}: geonames_id {gid!r} is not an int")
        elif table is not None:
            place = table.get(gid)
            if place is None:
                problems.append(f"{where}: geonames_id {gid} is not in the GeoNames table")
            elif not (isinstance(lat, (int, float)) and isinstance(lon, (int, float))
                      and abs(lat - place["lat"]) <= _COORD_TOLERANCE and abs(lon - place["lon"]) <= _COORD_TOLERANCE):
                problems.append(f"{where}: lat/lon {lat}, {lon} differ from the table's {place['lat']}, {place['lon']}")
    for span, count in sorted(seen.items()):
        if count > 1:
            problems.append(f"{span[0]} {span[1]}-{span[2]}: {count} gold lines for one mention")
    for span, ent in sorted(corpus.items()):
        if span not in seen:
            problems.append(f"{span[0]} {span[1]}-{span[2]} {ent['label']} {ent['text']!r}: no gold line")
    for name, ids in sorted(place_of.items()):
        if len(ids) > 1:
            problems.append(f"LOC {name!r}: one canonical for several places {sorted(ids, key=str)} "
                            "(different places need different canonicals)")
    return problems


# ---------------------------------------------------------------------------
# Scores
# ---------------------------------------------------------------------------


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def _f(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_clusters(gold: Sequence[Any], pred: Sequence[Any]) -> dict:
    """Pairwise and B-cubed scores of a clustering: ``gold[i]`` and ``pred[i]`` are the gold and the
    predicted entity of mention ``i`` (any hashable values)."""
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    cells = Counter(zip(gold, pred))
    gsize, psize = Counter(gold), Counter(pred)
    tp = sum(_pairs(n) for n in cells.values())
    pred_pairs = sum(_pairs(n) for n in psize.values())
    gold_pairs = sum(_pairs(n) for n in gsize.values())
    p, r = _ratio(tp, pred_pairs), _ratio(tp, gold_pairs)
    m = len(gold)
    b3p = _ratio(sum(n * n / psize[pk] for (_, pk), n in cells.items()), m)
    b3r = _ratio(sum(n * n / gsize[gk] for (gk, _), n in cells.items()), m)
    return {"mentions": m, "gold_entities": len(gsize), "pred_entities": len(psize),
            "tp": tp, "pred_pairs": pred_pairs, "gold_pairs": gold_pairs,
            "p": round(p, 4), "r": round(r, 4), "f": round(_f(p, r), 4),
            "b3_p": round(b3p, 4), "b3_r": round(b3r, 4), "b3_f": round(_f(b3p, b3r), 4)}


def _place_fields(place: Any) -> dict | None:
    if place is None:
        return None
    return {"name": getattr(place, "name", None), "geonames_id": getattr(place, "geonames_id", None),
            "state": getattr(place, "state", None), "lat": getattr(place, "lat", None),
            "lon": getattr(place, "lon", None)}


def _has_coordinates(place: Any) -> bool:
    return place is not None and getattr(place, "lat", None) is not None and getattr(place, "lon", None) is not None


def _pin_kind(gold: Mapping, place: Any) -> str:
    """``correct`` | ``wrong`` (pin on another place) | ``on_null`` (pin where the gold has no id) |
    ``missing`` (gold id, no pin) | ``region`` (a region placed as itself) | ``none`` (no id, no pin)."""
    gid = gold.get("geonames_id")
    if not _has_coordinates(place):
        return "none" if gid is None else "missing"
    pid = getattr(place, "geonames_id", None)
    if gid is None:
        if pid is None and normalise(str(place.name)) in {normalise(gold["canonical"]), normalise(gold["text"])}:
            return "region"
        return "on_null"
    return "correct" if pid == gid else "wrong"


def score_pins(gold: Sequence[Mapping], places: Sequence[Any]) -> dict:
    """Geocoding scores of gold LOC mentions (``gold[i]`` a gold line, ``places[i]`` the predicted place)."""
    kinds = Counter(_pin_kind(g, p) for g, p in zip(gold, places))
    pins = kinds["correct"] + kinds["wrong"] + kinds["on_null"]
    with_id = sum(g.get("geonames_id") is not None for g in gold)
    outside = [(g, p) for g, p in zip(gold, places)
               if _pin_kind(g, p) in ("correct", "wrong", "on_null") and getattr(p, "state", None) != NRW]
    p, r = _ratio(kinds["correct"], pins), _ratio(kinds["correct"], with_id)
    return {"gold_loc": len(gold), "gold_with_id": with_id, "pins": pins, "correct": kinds["correct"],
            "p": round(p, 4), "r": round(r, 4), "f": round(_f(p, r), 4),
            "wrong_place": kinds["wrong"], "on_null": kinds["on_null"], "missing": kinds["missing"],
            "regions": kinds["region"], "outside_nrw": len(outside),
            "outside_nrw_wrong": sum(_pin_kind(g, p) != "correct" for g, p in outside)}


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ClusterError:
    kind: str  # merge: one predicted entity, several gold entities | split: one gold entity, several predicted
    label: str
    entity: str  # the predicted key (merge) or the gold canonical (split)
    groups: dict[str, list[str]] = field(default_factory=dict)  # gold canonical / predicted key -> "id: text"


@dataclass(frozen=True)
class PinError:
    kind: str  # wrong | on_null | missing
    article: str
    start: int
    text: str
    gold_canonical: str
    gold_geonames_id: int | None
    pred: dict | None  # name, geonames_id, state, lat, lon of the predicted place


def _cluster_errors(items: list[dict]) -> list[ClusterError]:
    errors: list[ClusterError] = []
    by_pred: dict[str, list[dict]] = defaultdict(list)
    by_gold: dict[tuple, list[dict]] = defaultdict(list)
    for it in items:
        by_pred[it["key"]].append(it)
        by_gold[it["gold"]].append(it)

    def show(group: list[dict]) -> list[str]:
        return [f"{it['id']}: {it['text']}" for it in group]

    for key, group in sorted(by_pred.items()):
        golds: dict[str, list[dict]] = defaultdict(list)
        for it in group:
            golds[f"{it['label']} {it['canonical']}"].append(it)
        if len({it["gold"] for it in group}) > 1:
            errors.append(ClusterError("merge", group[0]["label"], key, {g: show(v) for g, v in sorted(golds.items())}))
    for gold, group in sorted(by_gold.items()):
        keys: dict[str, list[dict]] = defaultdict(list)
        for it in group:
            keys[it["key"]].append(it)
        if len(keys) > 1:
            errors.append(ClusterError("split", gold[0], group[0]["canonical"],
                                       {k: show(v) for k, v in sorted(keys.items())}))
    return errors


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------


def _default_resolver() -> tuple[Resolver, str]:
    from pipeline.resolve import RESOLVE_VERSION, resolve_mentions

    return resolve_mentions, RESOLVE_VERSION


def evaluate_entities(records: Iterable[dict], gold_rows: Iterable[dict], *, resolve: Resolver | None = None,
                      region_from_town: bool = False, errors: list | None = None) -> dict:
    """Clustering and geocoding scores of ``resolve`` (default: :func:`pipeline.resolve.resolve_mentions`)
    on the gold mentions of ``records`` (the articles of one split). ``errors``, when a list, receives
    :class:`ClusterError` and :class:`PinError` items."""
    version = None
    if resolve is None:
        resolve, version = _default_resolver()
    by_article: dict[str, list[dict]] = defaultdict(list)
    for row in gold_rows:
        by_article[row["id"]].append(row)
    records = list(records)
    items: list[dict] = []
    for rec in records:
        rows = sorted(by_article.get(rec["id"], []), key=lambda r: (r["start"], r["end"]))
        if not rows:
            continue
        mentions = [{"start": r["start"], "end": r["end"], "label": r["label"], "text": r["text"]} for r in rows]
        region = (rec["town"],) if region_from_town and rec.get("town") else ()
        resolved = resolve(rec["text"], mentions, region=region)
        if len(resolved) != len(rows):
            raise ValueError(f"{rec['id']}: the resolver returned {len(resolved)} results for {len(rows)} mentions")
        for row, res in zip(rows, resolved):
            items.append({**row, "gold": (row["label"], normalise(row["canonical"])), "key": str(res.key),
                          "name": res.name, "place": getattr(res, "place", None)})
    clustering = {"all": score_clusters([it["gold"] for it in items], [it["key"] for it in items])}
    for label in LABELS:
        sub = [it for it in items if it["label"] == label]
        clustering[label] = score_clusters([it["gold"] for it in sub], [it["key"] for it in sub])
    locs = [it for it in items if it["label"] == "LOC"]
    geocoding = score_pins(locs, [it["place"] for it in locs])
    if errors is not None:
        errors.extend(_cluster_errors(items))
        for it in locs:
            kind = _pin_kind(it, it["place"])
            if kind in ("wrong", "on_null", "missing"):
                errors.append(PinError(kind, it["id"], it["start"], it["text"], it["canonical"], it.get("geonames_id"),
                                       _place_fields(it["place"]) if _has_coordinates(it["place"]) else None))
    splits = sorted({r["split"] for r in records})
    return {"split": splits[0] if len(splits) == 1 else ",".join(splits), "articles": len({it["id"] for it in items}),
            "mentions": len(items), "region_from_town": region_from_town, "resolve_version": version,
            "clustering": clustering, "geocoding": geocoding}


def format_entity_report(report: dict, title: str = "") -> str:
    lines = [title] if title else []
    lines.append(f"{report['mentions']} gold mentions in {report['articles']} articles (resolved as one database; "
                 f"region from town: {'yes' if report['region_from_town'] else 'no'})")
    head = (f"{'clustering':<10}{'mentions':>9}{'pairs P':>9}{'R':>7}{'F1':>7}{'tp/pred/gold pairs':>21}"
            f"{'B3 P':>8}{'R':>7}{'F1':>7}{'entities gold/pred':>20}")
    lines += [head, "-" * len(head)]
    for label in ("all", *LABELS):
        c = report["clustering"][label]
        pairs = f"{c['tp']}/{c['pred_pairs']}/{c['gold_pairs']}"
        lines.append(f"{label:<10}{c['mentions']:>9}{c['p']:>9.3f}{c['r']:>7.3f}{c['f']:>7.3f}{pairs:>21}"
                     f"{c['b3_p']:>8.3f}{c['b3_r']:>7.3f}{c['b3_f']:>7.3f}"
                     f"{str(c['gold_entities']) + '/' + str(c['pred_entities']):>20}")
    g = report["geocoding"]
    lines.append(f"geocoding: P {g['p']:.3f}  R {g['r']:.3f}  F1 {g['f']:.3f}  ({g['correct']} correct of {g['pins']} pins; "
                 f"{g['gold_with_id']} of {g['gold_loc']} gold LOC have a GeoNames id)")
    lines.append(f"  wrong place {g['wrong_place']}, pin where the gold has none {g['on_null']}, missing {g['missing']}, "
                 f"regions placed {g['regions']}; pins outside {NRW}: {g['outside_nrw']} "
                 f"({g['outside_nrw_wrong']} of them wrong)")
    return "\n".join(lines)


def format_entity_errors(errors: Sequence[ClusterError | PinError]) -> str:
    lines: list[str] = []
    for e in errors:
        if isinstance(e, ClusterError):
            what = "wrong merge: predicted" if e.kind == "merge" else "split: gold"
            lines.append(f"{e.kind:<7} {e.label} {what} {e.entity!r}")
            for name, mentions in e.groups.items():
                lines.append(f"          {name}: {'; '.join(mentions)}")
        else:
            pred = "-" if e.pred is None else (f"{e.pred['name']} #{e.pred['geonames_id']} ({e.pred['state']}, "
                                               f"{e.pred['lat']:.3f}, {e.pred['lon']:.3f})")
            lines.append(f"{e.kind:<7} LOC {e.article}@{e.start} {e.text!r}: gold {e.gold_canonical} "
                         f"#{e.gold_geonames_id}, pred {pred}")
    counts = Counter(e.kind for e in errors)
    lines.append("errors: " + (", ".join(f"{k} {n}" for k, n in sorted(counts.items())) or "none"))
    return "\n".join(lines)


def errors_as_dicts(errors: Sequence[ClusterError | PinError]) -> list[dict]:
    return [{"type": "cluster" if isinstance(e, ClusterError) else "pin", **asdict(e)} for e in errors]
