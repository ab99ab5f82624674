"""Where the time of a newsmine run goes, by stage, from a py-spy sampling profile.

    .venv/bin/py-spy record -f raw -r 200 -o build/bench/spy.txt -- \\
        .venv/bin/python -m pipeline.cli reextract --db build/bench/prof.db --workers 1
    .venv/bin/python bench/profile_stages.py build/bench/spy.txt

A sample counts for the first stage (in the order below) whose pattern occurs in its stack
(``-f raw`` writes one collapsed stack per line with its sample count), so the shares add up
to 100%. py-spy samples busy threads only, so the counts are CPU time. With ``--subprocesses``
(``--workers N``) the samples are split into the main process (the writer) and the workers.
Used for docs/profiling.md.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

# (stage, substrings of a frame; the first stage with a match takes the sample)
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("model load + imports", ("load (pipeline/nlp/model.py", "_find_and_load", "_load_model (pipeline/cli.py")),
    ("extract: HTML -> main text", ("(pipeline/extract/",)),
    ("decompress gzip", ("decompress (gzip.py",)),
    ("SimHash", ("simhash (pipeline/dedup.py",)),
    ("money component", ("(pipeline/nlp/money.py",)),
    ("entity spans (model.entities)", ("entities (pipeline/nlp/model.py",)),
    ("facts: roles, quotes, linking", ("(pipeline/nlp/facts.py",)),
    ("spaCy pipeline (tokenizer, tok2vec, NER)", ("(spacy/", "(thinc/")),
    ("near-duplicate lookup", ("near_duplicate (pipeline/store.py", "NearDuplicateIndex", "closest (pipeline/run.py")),
    ("write: articles + mentions (SQLite)", ("save_articles (pipeline/store.py",)),
    ("write: other (exact-duplicate query, page errors)", ("Writer.write (pipeline/run.py", "_write_chunk")),
    ("read HTML + pending pages", ("_load_html (pipeline/run.py", "pending_pages (pipeline/run.py")),
    ("worker IPC (pickle, queues)", ("multiprocessing/",)),
]


def summarise(path: Path) -> dict[str, tuple[int, Counter]]:
    """Samples per stage (``other`` for the rest), per process kind: ``all``, and with
    ``--subprocesses`` profiles also ``main`` and ``workers``."""
    out: dict[str, tuple[int, Counter]] = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        stage = next((name for name, pats in STAGES if any(p in stack for p in pats)), "other")
        kinds = ["all"]
        if stack.startswith("process "):
            kinds.append("workers" if stack.count(";process ") else "main")
        for kind in kinds:
            total, counts = out.get(kind, (0, Counter()))
            counts[stage] += int(n)
            out[kind] = (total + int(n), counts)
    return out


def table(total: int, counts: Counter) -> str:
    rows = ["| stage | samples | share |", "| --- | ---: | ---: |"]
    for name in [n for n, _ in STAGES] + ["other"]:
        if counts.get(name):
            rows.append(f"| {name} | {counts[name]} | {counts[name] / total:.1%} |")
    return "\n".join(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("raw", type=Path, nargs="+", help="py-spy `-f raw` output file(s)")
    args = ap.parse_args()
    for path in args.raw:
        for kind, (total, counts) in summarise(path).items():
            print(f"{path} ({kind}): {total} samples\n{table(total, counts)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
