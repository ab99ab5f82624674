"""Cost of entity resolution per article: ``analysis.analyse_entities`` (facts + names + places)
against the facts step alone (``facts.find_facts``: roles, quotes, in-article links: what a run did
before resolve-1.0), on the gold spans of GermEval 2014 dev grouped into ~400-token documents.

    python bench/resolve_cost.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from entity_folds import sentences  # noqa: E402

from pipeline.analysis import analyse_entities  # noqa: E402
from pipeline.nlp.facts import find_facts  # noqa: E402


def documents(tokens: int = 400) -> list[tuple[str, list[dict]]]:
    docs, text, spans = [], "", []
    for sent, found in sentences():
        offset = len(text)
        text += sent + "\n"
        spans += [{**s, "start": s["start"] + offset, "end": s["end"] + offset} for s in found]
        if len(text.split()) >= tokens:
            docs.append((text, spans))
            text, spans = "", []
    return docs


def best(fn, docs, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        for text, spans in docs:
            fn(text, spans)
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    docs = documents()
    analyse_entities(*docs[0])  # load the gazetteer and name lists once, as a run does
    facts = best(find_facts, docs, args.repeat)
    full = best(lambda t, s: analyse_entities(t, s), docs, args.repeat)
    n = sum(len(s) for _, s in docs)
    print(f"{len(docs)} documents, {n} mentions; best of {args.repeat}")
    print(f"facts alone (find_facts)         {facts:.3f} s  {1000 * facts / len(docs):.2f} ms/doc")
    print(f"analyse_entities (facts+resolve) {full:.3f} s  {1000 * full / len(docs):.2f} ms/doc  ({full / facts:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
