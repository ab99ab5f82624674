"""Entity resolution on text the project did not write: every name fold on GermEval 2014 dev.

GermEval has no entity links, so this is an audit, not a score: it lists each gold PER/LOC/ORG
span whose canonical name (pipeline.resolve) differs from its surface (``Deutschlands`` ->
``Deutschland``), with its sentence, for reading; and counts the spans that look inflected
(``-s`` after ``des``, ``-en`` adjectives) but were left as written. Usage:

    python bench/entity_folds.py [--sample N] [--seed S]

Writes nothing; the figures of the last reading are in bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipeline.resolve import resolve_mentions  # noqa: E402

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "germeval2014" / "NER-de-dev.outer.tsv"
LABELS = {"PER": "PER", "LOC": "LOC", "ORG": "ORG"}


def sentences(path: Path = DEV):
    """(text, spans) per sentence; tokens joined by spaces."""
    words: list[str] = []
    tags: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if words:
                yield _spans(words, tags)
            words, tags = [], []
            continue
        word, tag = line.split("\t")[:2]
        words.append(word)
        tags.append(tag)


def _spans(words: list[str], tags: list[str]):
    text, offsets = "", []
    for w in words:
        offsets.append(len(text))
        text += w + " "
    spans, cur = [], None
    for i, tag in enumerate(tags + ["O"]):
        if cur and not tag.startswith("I-"):
            label, s, e = cur
            if label in LABELS:
                spans.append({"start": offsets[s], "end": offsets[e] + len(words[e]), "label": label,
                              "text": text[offsets[s]:offsets[e] + len(words[e])]})
            cur = None
        if tag.startswith("B-"):
            cur = (tag[2:], i, i)
        elif tag.startswith("I-") and cur:
            cur = (cur[0], cur[1], i)
    return text.strip(), spans


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=60)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    folds, spans_total, kinds = [], 0, Counter()
    for text, spans in sentences():
        spans_total += len(spans)
        for span, res in zip(spans, resolve_mentions(text, spans)):
            if res.name != span["text"] and span["label"] != "PER" or (
                    span["label"] == "PER" and res.name.split()[-1:] != span["text"].split()[-1:]
                    and " " not in span["text"]):
                kinds[span["label"]] += 1
                folds.append((span["label"], span["text"], res.name, text))
    print(f"GermEval dev: {spans_total} gold PER/LOC/ORG spans, {len(folds)} folded "
          f"({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
    rng = random.Random(args.seed)
    for label, surface, name, text in sorted(rng.sample(folds, min(args.sample, len(folds)))):
        print(f"{label}\t{surface} -> {name}\t| {text[:160]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
