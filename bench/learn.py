"""Learning curve of ``newsmine learn``: a new site simulated with MobIE traffic reports.

``python bench/learn.py`` (figures in bench/RESULTS.md and models/README.md). The "site" is the
670 RSS traffic reports of DFKI MobIE (radio stations, police, transport operators; the original
CoNLL files, documents kept whole, labels mapped to PER/LOC/ORG as ``mobie-de/README.md`` maps
them, routes ``A 5``/``S4`` not entities). MobIE was never in the shipped model's training data
(``newsmine_training_docs`` in ``models/de_news/meta.json``: GermEval, SmartData, corpus train).
The reports are shuffled once (seed 0) and cut into fixed parts:

- ``eval``: 200 reports, the held-out documents of the site: F1 on them is the curve;
- ``tune``: 100 other reports, only for choosing learn's defaults (``--tune``), never for the curve;
- ``review``: 40 more reports; the first k of them are "reviewed" (k = 0, 10, 20, 40): their gold
  is what reviewers' corrections would make of them (every gold span; the corrections themselves,
  which the name lists learn from, are the gold spans the base model does not find exactly, and
  the base model's other spans as deletions).

For each k and seed, :func:`pipeline.training.learn.learn` runs as ``newsmine learn`` does (its own
held-out quarter of the k reports decides whether it writes the model) and the candidate it made
is also scored on the ``eval`` part; k = 0 is the base model. GermEval dev and corpus dev are learn's
own before/after figures; the wall time is learn's (evaluations included).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.training.learn import LearnSpec, Rehearsal, evaluate_records, learn  # noqa: E402
from pipeline.training.train import SHARED  # noqa: E402

MOBIE = SHARED / "mobie-de" / "original"
LABELS = {"person": "PER", "location": "LOC", "location-city": "LOC", "location-street": "LOC",
          "location-stop": "LOC", "organization": "ORG", "organization-company": "ORG"}
PARTS = {"eval": 200, "tune": 100, "review": 40}
KS = (0, 10, 20, 40)
SEEDS = (0, 1)
OUT = ROOT / "build" / "bench-learn"


def mobie_documents(folder: Path = MOBIE) -> list[dict]:
    """Every MobIE document of the three original files as ``{"id", "kind", "text", "entities"}``:
    tokens joined by spaces, sentences too; entities ``[start, end, label]`` (character offsets).
    ``kind``: ``rss`` (a URL id: traffic reports) or ``tweet``."""
    docs: list[dict] = []
    for part in ("train", "dev", "test"):
        doc = None
        prev = "O"
        for line in (folder / f"{part}.conll2003").read_text(encoding="utf-8").splitlines():
            if line.startswith("-DOCSTART-"):
                doc_id = line.split()[1].strip("-")
                doc = {"id": doc_id, "part": part, "kind": "rss" if doc_id.startswith("http") else "tweet",
                       "tokens": []}
                docs.append(doc)
                prev = "O"
                continue
            if not line.strip() or doc is None:
                prev = "O"
                continue
            token, *_, tag = line.split("\t")
            doc["tokens"].append((token, tag, prev))
            prev = tag
    out = []
    for doc in docs:
        words = [token for token, _, _ in doc["tokens"]]
        starts = [sum(len(w) + 1 for w in words[:0])]
        for w in words[:-1]:
            starts.append(starts[-1] + len(w) + 1)
        spans: list[list] = []  # [first token, last token + 1, label]
        for i, (_, tag, prev) in enumerate(doc["tokens"]):
            prefix, _, raw = tag.partition("-")
            label = LABELS.get(raw)
            # I- continues only after the same original label (the README's mapping)
            if label and prefix == "I" and spans and spans[-1][1] == i and prev.partition("-")[2] == raw:
                spans[-1][1] = i + 1
            elif label:
                spans.append([i, i + 1, label])
        entities = []
        for first, end, label in spans:
            first, end = _trim(words, first, end)
            if first < end:
                entities.append([starts[first], starts[end - 1] + len(words[end - 1]), label])
        out.append({"id": doc["id"], "part": doc["part"], "kind": doc["kind"], "text": " ".join(words),
                    "entities": entities})
    return out


def _trim(words: list[str], first: int, end: int) -> tuple[int, int]:
    """Punctuation at either end of a span left out (upstream spans sometimes take in a bracket or a
    comma after the name: ``Warszawa Wschódnia )``; newsmine's guideline keeps it outside), except a
    closing bracket whose opening one is in the span (``Frankfurt ( Main )``)."""
    def punct(w: str) -> bool:
        return not any(c.isalnum() for c in w)

    while first < end and punct(words[first]):
        first += 1
    while first < end and punct(words[end - 1]) and not (words[end - 1] == ")" and "(" in words[first:end - 1]):
        end -= 1
    return first, end


def site_parts(seed: int = 0) -> dict[str, list[dict]]:
    """The fixed parts of the simulated site (see the module docstring)."""
    reports = [d for d in mobie_documents() if d["kind"] == "rss"]
    random.Random(seed).shuffle(reports)
    parts, i = {}, 0
    for name, n in PARTS.items():
        parts[name] = reports[i:i + n]
        i += n
    return parts


def reviewed(docs: list[dict], nlp) -> list[dict]:
    """Reviewed-article records (as :func:`pipeline.training.learn.reviewed_records` reads them) from
    gold documents: the gold spans; ``added``: the gold spans the base model misses (exactly);
    ``deleted``: the texts of the base model's other spans; ``corrections``: their number."""
    from pipeline.annotate import annotate_doc

    out = []
    for doc, parsed in zip(docs, nlp.pipe([d["text"] for d in docs])):
        pred = {(e["start"], e["end"], e["label"]) for e in annotate_doc(parsed)["entities"]}
        gold = {tuple(e) for e in doc["entities"]}
        added = [[s, e, lab, doc["text"][s:e]] for s, e, lab in sorted(gold - pred)]
        deleted = [doc["text"][s:e] for s, e, _ in sorted(pred - gold) if (s, e) not in {g[:2] for g in gold}]
        out.append({"url": doc["id"], "title": "", "text": doc["text"], "entities": [list(e) for e in sorted(gold)],
                    "added": added, "deleted": deleted, "corrections": len(added) + len(deleted)})
    return out


def run(ks, seeds, spec_args: dict, evaluate_on: str, log) -> list[dict]:
    from pipeline.nlp.model import DEFAULT_MODEL, load

    parts = site_parts()
    base_nlp = load(DEFAULT_MODEL)
    site = parts[evaluate_on]
    base_site = evaluate_records(base_nlp, site)
    pool = reviewed(parts["review"], base_nlp)
    rehearsal = Rehearsal(SHARED)
    rows = []
    for k in ks:
        for seed in seeds:
            if k == 0:
                rows.append({"k": 0, "seed": seed, "site": base_site, "accepted": None, "seconds": 0.0})
                if seed != seeds[0]:
                    continue
                log(f"k=0: {evaluate_on} F1 {100 * base_site:.1f}")
                continue
            out = OUT / f"k{k}-s{seed}"
            if out.exists():
                shutil.rmtree(out)
            spec = LearnSpec(out=out, seed=seed, database=f"MobIE RSS reports, review part [:{k}]", **spec_args)
            site_f1: dict = {}

            def score(nlp, into: dict = site_f1) -> None:
                into["site"] = evaluate_records(nlp, site)

            started = time.monotonic()
            result = learn(pool[:k], spec, rehearsal=rehearsal, inspect=score)
            seconds = time.monotonic() - started
            row = {"k": k, "seed": seed, "site": site_f1["site"], "base_site": base_site, "accepted": result.accepted,
                   "reason": result.reason, "before": result.before, "after": result.after, "steps": result.steps,
                   "names_added": result.names_added, "seconds": round(seconds, 1), "spec": spec_args}
            rows.append(row)
            log(f"k={k} seed={seed}: {evaluate_on} F1 {100 * base_site:.1f} -> {100 * row['site']:.1f}; "
                f"{result.figures()}; {'written' if result.accepted else 'refused: ' + result.reason}; "
                f"{len(result.names_added)} names; {result.steps} steps; {seconds:.0f} s")
            if out.exists():
                shutil.rmtree(out)
    return rows


def time_news(n: int = 40, seed: int = 0) -> dict:
    """The wall time of a learn from ``n`` articles of regional-news length: the MobIE reports are short
    (~47 words), so the corpus train split's articles (~330 words; already in the model's training data,
    so the figures mean nothing, only the time counts) stand in as the reviewed articles."""
    from pipeline.corpus import read_jsonl

    records = [{"url": r["id"], "title": r["title"], "text": r["text"], "corrections": 0,
                "entities": [[e["start"], e["end"], e["label"]] for e in r["entities"]], "added": [], "deleted": []}
               for r in read_jsonl() if r["split"] == "train"][:n]
    out = OUT / "news-timing"
    if out.exists():
        shutil.rmtree(out)
    started = time.monotonic()
    result = learn(records, LearnSpec(out=out, seed=seed, database=f"corpus train split [:{n}]"))
    seconds = time.monotonic() - started
    if out.exists():
        shutil.rmtree(out)
    return {"articles": len(records), "words": sum(len(r["text"].split()) for r in records), "steps": result.steps,
            "seconds": round(seconds, 1), "accepted": result.accepted, "figures": result.figures()}


def table(rows: list[dict]) -> str:
    """Markdown: per k, the mean (and both seeds) of each figure."""
    lines = ["| k reviewed | site F1 (held-out 200) | Δ site | GermEval dev F1 | Δ GermEval | corpus dev F1 | "
             "Δ corpus | learn wall time | written by learn |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    base = next(r for r in rows if r["k"] == 0)
    ref = next((r for r in rows if r["k"] > 0), None)
    for k in sorted({r["k"] for r in rows}):
        rs = [r for r in rows if r["k"] == k]
        if k == 0:
            g = ref["before"]["germeval"] if ref else float("nan")
            c = ref["before"]["corpus"] if ref else float("nan")
            lines.append(f"| 0 | {100 * base['site']:.1f} | – | {100 * g:.1f} | – | {100 * c:.1f} | – | – | (base model) |")
            continue

        def fmt(values: list[float], delta: bool = False) -> str:
            mean = sum(values) / len(values)
            sign = "+" if delta else ""
            each = " / ".join(f"{v:{sign}.1f}" for v in values)
            return f"{mean:{sign}.1f} ({each})"

        site = [100 * r["site"] for r in rs]
        dsite = [100 * (r["site"] - base["site"]) for r in rs]
        ge = [100 * r["after"]["germeval"] for r in rs]
        dge = [100 * (r["after"]["germeval"] - r["before"]["germeval"]) for r in rs]
        co = [100 * r["after"]["corpus"] for r in rs]
        dco = [100 * (r["after"]["corpus"] - r["before"]["corpus"]) for r in rs]
        secs = " / ".join(f"{r['seconds']:.0f} s" for r in rs)
        acc = " / ".join("yes" if r["accepted"] else "no" for r in rs)
        lines.append(f"| {k} | {fmt(site)} | {fmt(dsite, True)} | {fmt(ge)} | {fmt(dge, True)} | {fmt(co)} | "
                     f"{fmt(dco, True)} | {secs} | {acc} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ks", type=int, nargs="+", default=list(KS))
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--tune", action="store_true",
                        help="score the candidates on the tune part (for choosing the defaults), not eval")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--learn-rate", type=float, default=None)
    parser.add_argument("--rehearsal", type=float, default=None)
    parser.add_argument("--keep", type=float, default=None)
    parser.add_argument("--out", type=Path, default=OUT / "curve.jsonl", help="rows as JSON Lines")
    parser.add_argument("--news-timing", action="store_true",
                        help="only time a learn from 40 news-length articles (see time_news)")
    args = parser.parse_args(argv)
    if args.news_timing:
        print(json.dumps(time_news(), ensure_ascii=False))
        return
    spec_args = {k: v for k, v in (("epochs", args.epochs), ("learn_rate", args.learn_rate),
                                   ("rehearsal", args.rehearsal), ("keep", args.keep))
                 if v is not None}
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    rows = run(args.ks, args.seeds, spec_args, "tune" if args.tune else "eval", lambda m: print(m, flush=True))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "a", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(table(rows))
    print(f"total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
