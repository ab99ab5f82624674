"""Extraction on real pages: newsmine's extractor vs. trafilatura on ../shared/data/extraction-real.

Two sets the project did not write (see that folder's README; the pages are never copied here):

``snippets``    trafilatura's evaluation pages (862 real pages, 411 on .de/.at/.ch hosts). For each page a
                ``with`` snippet found in the output (whitespace collapsed) is a TP, a missing one a FN; a
                ``without`` snippet found is a FP, an absent one a TN. Micro P/R/F1 over all snippets. An
                exception or an empty output counts as empty text.
``scrapinghub`` ScrapingHub's article-extraction-benchmark (181 pages): word 4-gram shingles (``\\w+``
                tokens) of gold body and output, per-page TP/FP/FN as multiset overlaps, precision and
                recall averaged over pages (1.0 where both sides are empty), F1 of the two means.

Metadata (snippets set, pages where the annotators recorded it): title equal after normalisation
(case, whitespace, quotes and dashes), published date equal to the day, authors equal as a set of
normalised names.

Tools, all in one run on the same bytes: newsmine ``extract()``, ``trafilatura.extract`` with its default
settings and with ``favor_recall=True``; trafilatura's metadata from ``bare_extraction(with_metadata=True)``.
Speed: per page the tools run one after the other (so load drift hits all alike); pages/s = pages / summed
extraction time, after an untimed warm-up on three pages (imports, lazily loaded data) and of dateparser's
locale data (:func:`warm_date_parser`: a one-time cost of the process, not of a page). newsmine's ``extract``
returns text and metadata; trafilatura's ``extract`` with default settings returns the text only.

    .venv/bin/python bench/extraction/real.py                     # all tools, writes bench/extraction/RESULTS-real.md
    .venv/bin/python bench/extraction/real.py --tools newsmine    # quick: newsmine only (~15 s)
    .venv/bin/python bench/extraction/real.py --errors build/extraction-real-errors.json

The per-page error list (missed ``with`` and leaked ``without`` snippets, wrong metadata) goes to
``--errors`` (default ``build/extraction-real-errors.json``, outside git: it quotes the pages).
Needs trafilatura in the venv for the comparison (``.venv/bin/pip install trafilatura lxml_html_clean``).
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import os
import platform
import re
import sys
import time
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.extract import EXTRACTOR_VERSION, extract  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "extraction-real"
GERMAN_TLDS = ("de", "at", "ch")


# --------------------------------------------------------------------------- data


@dataclass
class Page:
    set: str  # "snippets" | "scrapinghub"
    name: str
    url: str | None
    html: bytes
    gold: dict


def load_pages(data: Path = DATA, limit: int | None = None) -> list[Page]:
    """Both sets' pages, read into memory (gzip-decompressed raw bytes)."""
    pages: list[Page] = []
    snippets = json.loads((data / "snippets.json").read_text(encoding="utf-8"))
    for name, item in snippets.items():
        if name == "_about":
            continue
        url = item.get("url") if str(item.get("url", "")).startswith(("http://", "https://")) else None
        pages.append(Page("snippets", name, url, gzip.open(data / item["file"]).read(), item))
    truth = json.loads((data / "scrapinghub" / "ground-truth.json").read_text(encoding="utf-8"))
    for pid, item in truth.items():
        html = gzip.open(data / "scrapinghub" / "html" / f"{pid}.html.gz").read()
        pages.append(Page("scrapinghub", pid, item.get("url"), html, item))
    if limit:
        pages = [p for p in pages if p.set == "snippets"][:limit] + [p for p in pages if p.set != "snippets"][:limit]
    return pages


# --------------------------------------------------------------------------- scoring


def collapse(text: str | None) -> str:
    return " ".join((text or "").split())


def snippet_counts(text: str, wanted: list[str], unwanted: list[str]) -> dict:
    """TP/FN/FP/TN of one page as trafilatura's evaluation counts them, and the snippets that were
    missed or leaked (whitespace collapsed on both sides). Also used by bench/extraction/run.py."""
    out = collapse(text)
    missed = [s for s in wanted if collapse(s) not in out]
    leaked = [s for s in unwanted if collapse(s) in out]
    return {"tp": len(wanted) - len(missed), "fn": len(missed), "fp": len(leaked), "tn": len(unwanted) - len(leaked),
            "missed": missed, "leaked": leaked}


def score_snippets(text: str, gold: dict) -> dict:
    """:func:`snippet_counts` of one page of trafilatura's evaluation set."""
    return snippet_counts(text, gold.get("with", []), gold.get("without", []))


def prf(c: dict) -> dict:
    """Precision, recall, F1 and accuracy of summed TP/FN/FP/TN counts."""
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
    n = sum(c.get(k, 0) for k in ("tp", "fn", "fp", "tn"))
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "accuracy": (c["tp"] + c.get("tn", 0)) / n if n else 0.0}


_WORD_RE = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _WORD_RE.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def score_shingles(text: str, gold_body: str) -> tuple[float, float]:
    """Per-page precision and recall over word 4-gram multisets (ScrapingHub's benchmark)."""
    pred, true = shingles(text), shingles(gold_body)
    tp = sum((pred & true).values())
    fp, fn = sum(pred.values()) - tp, sum(true.values()) - tp
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    if tp == 0:
        return 0.0, 0.0
    return tp / (tp + fp), tp / (tp + fn)


_QUOTES = str.maketrans({"„": '"', "“": '"', "”": '"', "»": '"', "«": '"', "‚": "'", "‘": "'", "’": "'",
                         "–": "-", "—": "-", "\u00a0": " "})


def norm_meta(value: str | None) -> str:
    value = unicodedata.normalize("NFC", value or "").translate(_QUOTES).casefold()
    return collapse(value).strip(" .:;,|-")


def split_authors(value: str | list[str] | None) -> set[str]:
    if not value:
        return set()
    items = value if isinstance(value, list) else [value]
    names: set[str] = set()
    for item in items:
        for part in re.split(r"\s*(?:;|,|&|\band\b|\bund\b|/|\|)\s*", item):
            if norm_meta(part):
                names.add(norm_meta(part))
    return names


def score_metadata(meta: dict, gold: dict) -> dict[str, bool]:
    """Which of title / date / author match where the page has them annotated."""
    out: dict[str, bool] = {}
    if gold.get("title"):
        out["title"] = norm_meta(meta.get("title")) == norm_meta(gold["title"])
    if gold.get("date"):
        out["date"] = (meta.get("date") or "")[:10] == gold["date"][:10]
    if gold.get("author"):
        out["author"] = split_authors(meta.get("authors")) == split_authors(gold["author"])
    return out


# --------------------------------------------------------------------------- tools


@dataclass
class Output:
    text: str
    meta: dict = field(default_factory=dict)
    error: str | None = None


def run_newsmine(page: Page) -> Output:
    e = extract(page.html, page.url)
    return Output(e.text, {"title": e.title, "date": e.published or e.modified, "authors": e.authors})


def _trafilatura():
    import trafilatura

    return trafilatura


def run_trafilatura(page: Page) -> Output:
    return Output(_trafilatura().extract(page.html, url=page.url) or "")


def run_trafilatura_recall(page: Page) -> Output:
    return Output(_trafilatura().extract(page.html, url=page.url, favor_recall=True) or "")


def trafilatura_metadata(page: Page) -> dict:
    doc = _trafilatura().bare_extraction(page.html, url=page.url, with_metadata=True)
    if doc is None:
        return {}
    get = (lambda k: getattr(doc, k, None)) if not isinstance(doc, dict) else doc.get
    return {"title": get("title"), "date": get("date"), "authors": get("author")}


TOOLS: dict[str, Callable[[Page], Output]] = {
    "newsmine": run_newsmine,
    "trafilatura": run_trafilatura,
    "trafilatura-recall": run_trafilatura_recall,
}


def safe(fn: Callable[[Page], Output], page: Page) -> tuple[Output, float]:
    start = time.perf_counter()
    try:
        out = fn(page)
    except Exception as err:  # noqa: BLE001 - a crash scores as empty text
        out = Output("", {}, f"{type(err).__name__}: {err}"[:200])
    return out, time.perf_counter() - start


# --------------------------------------------------------------------------- run


def half(name: str) -> str:
    """``"dev"`` or ``"held"``: the half of the evaluation pages a page belongs to, by ``zlib.crc32`` of its
    name (its key in ``snippets.json``) modulo 2. Rules are studied on the dev half only; a rule that helps
    there but not on the held-back half is noise."""
    return "dev" if zlib.crc32(name.encode("utf-8")) % 2 == 0 else "held"


def warm_date_parser() -> None:
    """Load all of dateparser's locale data, untimed. htmldate's full-text date search (trafilatura's
    metadata; newsmine's date fallback until extract-2.14) hands some strings to dateparser, which compiles the
    regular expressions of each of its ~200 locales the first time it tries that locale: about 2-3 s
    in all, once per process, which a three-page warm-up does not cover and which otherwise lands on
    whichever tool first meets a string that no early locale reads (mostly newsmine, which runs first
    on each page). A string that no locale reads makes it try, and compile, them all."""
    try:
        from htmldate.extractors import get_external_parser
    except ImportError:
        return
    try:
        get_external_parser().get_date_data("31 xqzt 2020")
    except Exception:  # noqa: BLE001 - a warm-up only
        pass


def evaluate(pages: list[Page], tools: list[str], with_metadata: bool = True) -> dict:
    """Score and time every tool on every page. Returns figures and the per-page errors."""
    counts = {t: {k: Counter() for k in ("all", "german", "dev", "held")} for t in tools}
    sh = {t: [] for t in tools}
    seconds = {t: {"snippets": 0.0, "scrapinghub": 0.0} for t in tools}
    meta_hits = {t: Counter() for t in tools + (["trafilatura-meta"] if with_metadata else [])}
    meta_total: Counter = Counter()
    meta_seconds = {"snippets": 0.0, "scrapinghub": 0.0}
    errors: dict[str, list] = {t: [] for t in tools}
    for page in pages[:3]:  # warm-up, untimed: imports, lazily loaded data (htmldate's date parser)
        for tool in tools:
            safe(TOOLS[tool], page)
        if with_metadata:
            safe(lambda pg: Output("", trafilatura_metadata(pg)), page)
    warm_date_parser()
    for i, page in enumerate(pages):
        gold = page.gold
        for tool in tools:
            out, sec = safe(TOOLS[tool], page)
            seconds[tool][page.set] += sec
            if page.set == "snippets":
                s = score_snippets(out.text, gold)
                subsets = ["all", half(page.name)] + (["german"] if gold.get("tld") in GERMAN_TLDS else [])
                for sub in subsets:
                    counts[tool][sub].update({k: s[k] for k in ("tp", "fn", "fp", "tn")})
                meta = score_metadata(out.meta, gold) if tool == "newsmine" else {}
                meta_hits[tool].update(k for k, ok in meta.items() if ok)
                if s["missed"] or s["leaked"] or out.error or not all(meta.values()):
                    errors[tool].append({"set": page.set, "page": page.name, "url": page.url, "error": out.error,
                                         "missed": s["missed"], "leaked": s["leaked"], "chars": len(out.text),
                                         "metadata": {k: {"gold": gold.get(k if k != "author" else "author"),
                                                          "got": out.meta.get("authors" if k == "author" else k)}
                                                      for k, ok in meta.items() if not ok}})
            else:
                p, r = score_shingles(out.text, gold.get("articleBody", ""))
                sh[tool].append((p, r))
                if p < 0.9 or r < 0.9 or out.error:
                    errors[tool].append({"set": page.set, "page": page.name, "url": page.url, "error": out.error,
                                         "precision": round(p, 3), "recall": round(r, 3), "chars": len(out.text)})
        if with_metadata:  # trafilatura with its metadata, as newsmine's extract() always does
            start = time.perf_counter()
            try:
                tmeta = trafilatura_metadata(page)
            except Exception:  # noqa: BLE001
                tmeta = {}
            meta_seconds[page.set] += time.perf_counter() - start
            if page.set == "snippets":
                meta_hits["trafilatura-meta"].update(k for k, ok in score_metadata(tmeta, gold).items() if ok)
        if page.set == "snippets":
            meta_total.update(k for k in ("title", "date", "author") if gold.get(k))
        if (i + 1) % 200 == 0:
            print(f"  {i + 1}/{len(pages)} pages", file=sys.stderr, flush=True)

    n_snip = sum(1 for p in pages if p.set == "snippets")
    n_german = sum(1 for p in pages if p.set == "snippets" and p.gold.get("tld") in GERMAN_TLDS)
    n_sh = len(pages) - n_snip
    figures: dict = {"pages": {"snippets": n_snip, "german": n_german, "scrapinghub": n_sh},
                     "metadata_annotated": dict(meta_total), "tools": {}}
    for tool in tools:
        ps, rs = [p for p, _ in sh[tool]], [r for _, r in sh[tool]]
        mp, mr = (sum(ps) / len(ps), sum(rs) / len(rs)) if ps else (0.0, 0.0)
        figures["tools"][tool] = {
            "snippets": {**prf(counts[tool]["all"]), **dict(counts[tool]["all"])},
            "german": {**prf(counts[tool]["german"]), **dict(counts[tool]["german"])},
            "dev": {**prf(counts[tool]["dev"]), **dict(counts[tool]["dev"])},
            "held": {**prf(counts[tool]["held"]), **dict(counts[tool]["held"])},
            "scrapinghub": {"precision": mp, "recall": mr, "f1": 2 * mp * mr / (mp + mr) if mp + mr else 0.0},
            "pages_per_s": {s: (n / seconds[tool][s] if seconds[tool][s] else 0.0)
                            for s, n in (("snippets", n_snip), ("scrapinghub", n_sh))},
        }
    if with_metadata:
        figures["trafilatura_with_metadata_pages_per_s"] = {
            s: (n / meta_seconds[s] if meta_seconds[s] else 0.0) for s, n in (("snippets", n_snip), ("scrapinghub", n_sh))}
    for tool, hits in meta_hits.items():
        if tool == "newsmine" or tool == "trafilatura-meta":
            figures.setdefault("metadata", {})[tool] = {k: hits[k] / meta_total[k] if meta_total[k] else 0.0
                                                        for k in ("title", "date", "author")}
    return {"figures": figures, "errors": errors}


def versions() -> dict:
    out = {"newsmine": EXTRACTOR_VERSION}
    try:
        out["trafilatura"] = _trafilatura().__version__
    except ImportError:
        pass
    return out


def markdown(figures: dict, tools: list[str]) -> str:
    ver = versions()
    label = {"newsmine": f"newsmine `{ver['newsmine']}`",
             "trafilatura": f"trafilatura {ver.get('trafilatura', '?')} (default)",
             "trafilatura-recall": f"trafilatura {ver.get('trafilatura', '?')} (`favor_recall`)"}
    p = figures["pages"]
    lines = [
        "# Extraction on real pages: newsmine vs. trafilatura",
        "",
        f"{datetime.date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}. Command: `.venv/bin/python bench/extraction/real.py` "
        "(also `bench/run_all.py --only extraction`).",
        "",
        f"Pages: `../shared/data/extraction-real/` (never copied here): trafilatura's evaluation set, {p['snippets']} "
        f"pages ({p['german']} on .de/.at/.ch), snippet scoring; ScrapingHub's article benchmark, "
        f"{p['scrapinghub']} pages, 4-gram shingle scoring. All tools get the raw bytes and the page URL.",
        "",
        "| tool | all pages P / R / F1 | .de/.at/.ch F1 | ScrapingHub P / R / F1 | pages/s (real set) "
        "| pages/s (ScrapingHub) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for tool in tools:
        f = figures["tools"][tool]
        a, g, s = f["snippets"], f["german"], f["scrapinghub"]
        lines.append(f"| {label[tool]} | {a['precision']:.3f} / {a['recall']:.3f} / **{a['f1']:.3f}** | "
                     f"**{g['f1']:.3f}** | {s['precision']:.3f} / {s['recall']:.3f} / **{s['f1']:.3f}** | "
                     f"{f['pages_per_s']['snippets']:.1f} | {f['pages_per_s']['scrapinghub']:.1f} |")
    if "newsmine" in tools and "trafilatura" in tools:
        n, t = figures["tools"]["newsmine"], figures["tools"]["trafilatura"]
        lines += ["", "newsmine minus trafilatura (default): F1 all pages "
                  f"{n['snippets']['f1'] - t['snippets']['f1']:+.3f}, .de/.at/.ch "
                  f"{n['german']['f1'] - t['german']['f1']:+.3f}, ScrapingHub "
                  f"{n['scrapinghub']['f1'] - t['scrapinghub']['f1']:+.3f}; halves of the evaluation pages by "
                  f"crc32 of the name (dev studied / held back): {n['dev']['f1']:.3f} vs {t['dev']['f1']:.3f} / "
                  f"{n['held']['f1']:.3f} vs {t['held']['f1']:.3f}; speed "
                  f"{n['pages_per_s']['snippets'] / t['pages_per_s']['snippets']:.2f}x / "
                  f"{n['pages_per_s']['scrapinghub'] / t['pages_per_s']['scrapinghub']:.2f}x trafilatura's text-only "
                  "`extract` (evaluation pages / ScrapingHub)."]
        tm = figures.get("trafilatura_with_metadata_pages_per_s")
        if tm and tm["snippets"]:
            lines += ["", "Like for like (newsmine always returns title, dates and authors too): trafilatura's "
                      f"`bare_extraction(with_metadata=True)` runs at {tm['snippets']:.1f} / {tm['scrapinghub']:.1f} "
                      f"pages/s; newsmine is {n['pages_per_s']['snippets'] / tm['snippets']:.2f}x / "
                      f"{n['pages_per_s']['scrapinghub'] / tm['scrapinghub']:.2f}x that."]
    if "metadata" in figures:
        ann = figures["metadata_annotated"]
        lines += ["", f"Metadata on the evaluation pages where annotated (title {ann.get('title', 0)}, date "
                  f"{ann.get('date', 0)}, author {ann.get('author', 0)} pages): share exactly right.", "",
                  "| tool | title | date (day) | authors |", "| --- | ---: | ---: | ---: |"]
        for tool, m in figures["metadata"].items():
            name = label["newsmine"] if tool == "newsmine" else f"trafilatura {ver.get('trafilatura', '?')} " \
                "(`bare_extraction`)"
            lines.append(f"| {name} | {m['title']:.3f} | {m['date']:.3f} | {m['author']:.3f} |")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated, of {', '.join(TOOLS)}")
    ap.add_argument("--no-metadata", action="store_true", help="skip trafilatura's metadata run")
    ap.add_argument("--limit", type=int, help="first N pages of each set (smoke test)")
    ap.add_argument("--errors", type=Path, default=ROOT / "build" / "extraction-real-errors.json")
    ap.add_argument("--out", type=Path, help="markdown file (default bench/extraction/RESULTS-real.md when "
                    "all tools run, else none)")
    ap.add_argument("--json", type=Path, help="write the figures as JSON")
    args = ap.parse_args(argv)
    tools = [t for t in args.tools.split(",") if t]
    unknown = [t for t in tools if t not in TOOLS]
    if unknown:
        ap.error(f"unknown tool(s): {', '.join(unknown)}")
    if not DATA.is_dir():
        ap.error(f"{DATA} not found (../shared beside the project)")
    pages = load_pages(limit=args.limit)
    with_meta = not args.no_metadata and "trafilatura" in tools
    result = evaluate(pages, tools, with_metadata=with_meta)
    md = markdown(result["figures"], tools)
    print(md)
    args.errors.parent.mkdir(parents=True, exist_ok=True)
    args.errors.write_text(json.dumps(result["errors"], ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"per-page errors: {args.errors}", file=sys.stderr)
    out = args.out or (HERE / "RESULTS-real.md" if set(tools) == set(TOOLS) and not args.limit else None)
    if out:
        out.write_text(md, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps(result["figures"], indent=1), encoding="utf-8")
    return {"versions": versions(), **result["figures"]}


if __name__ == "__main__":
    main()
