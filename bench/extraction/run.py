"""Extraction benchmark: newsmine's extractor vs. trafilatura on bench/extraction/pages.

Scoring follows trafilatura's own evaluation (tests/comparison*.py): for each page,
a ``must`` snippet found in the extracted text is a true positive, a missing one a false
negative; a ``must_not`` snippet found is a false positive, an absent one a true negative.
Texts and snippets are compared with whitespace collapsed. Totals over all pages give
precision, recall, F1 and accuracy per tool.

Speed: extraction only (pages read into memory first), the same pages for both tools,
tools alternated, best of 3 repeats; pages per second = pages / best time.

Installs nothing. Needs trafilatura in the venv (benchmark-only, not a project dependency):
    .venv/bin/pip install trafilatura lxml_html_clean
Usage: .venv/bin/python bench/extraction/run.py
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import trafilatura  # noqa: E402
from real import prf as metrics  # noqa: E402  (scoring shared with the real-page benchmark)
from real import snippet_counts  # noqa: E402

from pipeline.extract import EXTRACTOR_VERSION, extract  # noqa: E402

DATE = datetime.date.today().isoformat()
REPEATS = 3


def run_traf(html: bytes, url: str) -> str:
    return trafilatura.extract(html, url=url, favor_precision=False) or ""


def run_newsmine(html: bytes, url: str) -> str:
    return extract(html, url).text


TOOLS = {"newsmine": run_newsmine, "trafilatura": run_traf}


def score(text: str, item: dict) -> dict:
    return snippet_counts(text, item["must"], item["must_not"])


def main(write: bool = True) -> dict:
    """Score and time both tools; writes RESULTS.md unless ``write`` is False; returns the figures."""
    expected = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
    pages = [(name, (HERE / "pages" / name).read_bytes(), item) for name, item in expected.items()]

    results: dict[str, dict] = {}
    for tool, fn in TOOLS.items():
        tot = {"tp": 0, "fn": 0, "fp": 0, "tn": 0}
        per_page = {}
        for name, html, item in pages:
            r = score(fn(html, item["url"]), item)
            for k in tot:
                tot[k] += r[k]
            n_must, n_not = len(item["must"]), len(item["must_not"])
            r["page_recall"] = r["tp"] / n_must if n_must else 1.0
            r["page_precision"] = r["tp"] / (r["tp"] + r["fp"]) if r["tp"] + r["fp"] else 0.0
            per_page[name] = r
        results[tool] = {"counts": tot, **metrics(tot), "pages": per_page}

    # speed: alternate tools, best of REPEATS
    best = {t: float("inf") for t in TOOLS}
    order = list(TOOLS)
    for rep in range(REPEATS):
        for tool in (order if rep % 2 == 0 else order[::-1]):
            fn = TOOLS[tool]
            t0 = time.perf_counter()
            for _name, html, item in pages:
                fn(html, item["url"])
            best[tool] = min(best[tool], time.perf_counter() - t0)
    for tool in TOOLS:
        results[tool]["pages_per_s"] = len(pages) / best[tool]

    arch = platform.machine() or subprocess.run(["uname", "-m"], capture_output=True, text=True).stdout.strip()
    cores = os.cpu_count()
    n_must = sum(len(i["must"]) for i in expected.values())
    n_not = sum(len(i["must_not"]) for i in expected.values())
    layouts = sorted({i["layout"] for i in expected.values()})

    table = ["| tool | precision | recall | F1 | accuracy | TP | FN | FP | TN | pages/s |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for tool in TOOLS:
        r, c = results[tool], results[tool]["counts"]
        label = f"newsmine `{EXTRACTOR_VERSION}`" if tool == "newsmine" else f"trafilatura {trafilatura.__version__}"
        table.append(f"| {label} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['accuracy']:.3f} | "
                     f"{c['tp']} | {c['fn']} | {c['fp']} | {c['tn']} | {r['pages_per_s']:.1f} |")
    table_md = "\n".join(table)
    print(table_md)

    def failures(tool: str) -> list[str]:
        out = []
        for name, r in results[tool]["pages"].items():
            if r["missed"] or r["leaked"]:
                out.append(f"- `{name}` (recall {r['page_recall']:.2f}, precision {r['page_precision']:.2f})")
                out += [f"  - missing: “{s}”" for s in r["missed"]]
                out += [f"  - leaked: “{s}”" for s in r["leaked"]]
        return out or ["- none"]

    per_layout = ["| layout | " + " | ".join(f"{t} P / R" for t in TOOLS) + " |",
                  "| --- | " + " | ".join("---:" for _ in TOOLS) + " |"]
    for lay in layouts:
        cells = []
        for tool in TOOLS:
            c = {"tp": 0, "fn": 0, "fp": 0, "tn": 0}
            for name, r in results[tool]["pages"].items():
                if expected[name]["layout"] == lay:
                    for k in c:
                        c[k] += r[k]
            m = metrics(c)
            cells.append(f"{m['precision']:.3f} / {m['recall']:.3f}")
        per_layout.append(f"| {lay} | " + " | ".join(cells) + " |")

    md = [
        "# Extraction benchmark: newsmine vs. trafilatura",
        "",
        f"{DATE}, {arch}, {cores} cores (`uname -m`, `nproc`), Python {platform.python_version()}.",
        "Command: `.venv/bin/python bench/extraction/run.py`",
        "",
        f"{len(pages)} synthetic German regional-news pages (`pages/`, generated by `make_pages.py`), "
        f"{len(layouts)} CMS layouts ({', '.join(layouts)}); {n_must} `must` snippets (main text, incl. first "
        f"and last paragraph) and {n_not} `must_not` snippets (teasers, cookie/newsletter/paywall text, "
        "captions, photo credits, comments) in `expected.json`.",
        "Scoring as in trafilatura's evaluation: TP = must found, FN = must missing, FP = must_not found, "
        "TN = must_not absent; totals over all pages. newsmine scored on `Extracted.text`; trafilatura as "
        "`trafilatura.extract(html, url=url, favor_precision=False)` (defaults otherwise). Both get the raw bytes.",
        f"Speed: extraction only, same pages, tools alternated, best of {REPEATS} repeats.",
        "",
        table_md,
        "",
        "## By layout (precision / recall)",
        "",
        *per_layout,
        "",
        "## newsmine failures",
        "",
        *failures("newsmine"),
        "",
        "## trafilatura failures",
        "",
        *failures("trafilatura"),
        "",
        "Caveat: the pages are synthetic (written for this benchmark, not crawled), so the figures show "
        "behaviour on these layouts, not on the real web.",
        "",
    ]
    if write:
        (HERE / "RESULTS.md").write_text("\n".join(md), encoding="utf-8")
    print()
    print("\n".join(md[md.index("## By layout (precision / recall)"):]))
    return {"pages": len(pages), "extractor": EXTRACTOR_VERSION, "trafilatura_version": trafilatura.__version__,
            **{tool: {k: results[tool][k] for k in ("precision", "recall", "f1", "pages_per_s")} for tool in TOOLS}}


if __name__ == "__main__":
    main()
