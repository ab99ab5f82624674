"""The euro-amount component's share of the pipeline's time, on text with few and with many amounts.

    python bench/money_cost.py [--repeat 3]

Runs the shipped pipeline with ``newsmine_money`` disabled over the texts (best of ``--repeat``), then
the component alone over the docs that pipeline made (best of ``--repeat``): its share is
component / (pipeline without it + component). Texts: GermEval 2014 test sentences in ~400-token
documents (news: few amounts), and 2,000 paragraphs of a Bundestag protocol with the most euro
amounts (``../shared/data/raw-text-de``; budget debates: many amounts). One core, one process.
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse  # noqa: E402
import gzip  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))  # this checkout's pipeline, whatever is installed


def germeval_docs(limit_tokens: int = 400) -> list[str]:
    docs, current, n = [], [], 0
    sentence: list[str] = []
    for line in open(SHARED / "germeval2014" / "NER-de-test.tsv", encoding="utf-8"):
        if line.startswith("#"):
            continue
        if not line.strip():
            if sentence:
                current.append(" ".join(sentence))
                n += len(sentence)
                sentence = []
            if n >= limit_tokens:
                docs.append(" ".join(current))
                current, n = [], 0
            continue
        sentence.append(line.split("\t")[1])
    return docs + ([" ".join(current)] if current else [])


def bundestag_paragraphs(n: int = 2000) -> list[str]:
    path = SHARED / "raw-text-de" / "bundestag-plenarprotokolle" / "bundestag-plenarprotokolle-000.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = [ln for ln in fh.read(30_000_000).splitlines() if len(ln) > 200]
    lines.sort(key=lambda ln: -ln.count("Euro"))
    return lines[:n]


def measure(nlp, texts: list[str], repeat: int) -> dict:
    money = nlp.get_pipe("newsmine_money")
    best_pipe = best_money = float("inf")
    amounts = 0
    for _ in range(repeat):
        with nlp.select_pipes(disable=["newsmine_money"]):
            t = time.perf_counter()
            docs = list(nlp.pipe(texts, batch_size=32))
            best_pipe = min(best_pipe, time.perf_counter() - t)
        t = time.perf_counter()
        for doc in docs:
            money(doc)
        best_money = min(best_money, time.perf_counter() - t)
        amounts = sum(len(doc._.money or []) for doc in docs)
    return {"texts": len(texts), "characters": sum(map(len, texts)), "amounts": amounts,
            "pipeline_s": best_pipe, "money_s": best_money, "share": best_money / (best_pipe + best_money)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from pipeline.nlp.model import load
    from pipeline.nlp.money_parser import VERSION

    nlp = load()
    list(nlp.pipe(germeval_docs()[:20]))  # warm-up
    print(f"## Euro-amount component cost ({VERSION}; {date.today()}, {platform.processor() or platform.machine()}, "
          f"1 core, best of {args.repeat})\n")
    print("| texts | characters | amounts found | pipeline without money (s) | money component (s) | share |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, texts in (("GermEval 2014 test, ~400-token docs", germeval_docs()),
                        ("Bundestag paragraphs richest in Euro", bundestag_paragraphs())):
        r = measure(nlp, texts, args.repeat)
        print(f"| {name} ({r['texts']}) | {r['characters']:,} | {r['amounts']:,} | {r['pipeline_s']:.2f} | "
              f"{r['money_s']:.3f} | {100 * r['share']:.2f} % |")


if __name__ == "__main__":
    main()
