"""Train floret static vectors on ../shared/data/raw-text-de (no downloads).

    python -m pipeline.training.vectors --dim 100 --bucket 50000

Writes build/vectors/raw-de.txt (tokenised text), the floret model and a spaCy
vectors folder for ``[initialize] vectors``.
"""

from __future__ import annotations

import argparse
import gzip
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
RAW = ROOT.parent / "shared" / "data" / "raw-text-de"
TOKEN_RE = re.compile(r"\w+(?:[-'’.]\w+)*|[^\w\s]")


def paragraphs(raw: Path = RAW) -> Iterator[str]:
    """Every line (one paragraph) of the ``*.txt.gz`` shards under ``raw``, in shard order."""
    for shard in sorted(raw.rglob("*.txt.gz")):
        with gzip.open(shard, "rt", encoding="utf-8") as src:
            yield from src


def tokenise_corpus(out: Path, raw: Path = RAW, max_lines: int | None = None) -> int:
    """Write one tokenised paragraph a line (spaCy-like punctuation splits)."""
    lines = 0
    with open(out, "w", encoding="utf-8") as handle:
        for line in paragraphs(raw):
            tokens = TOKEN_RE.findall(line)
            if len(tokens) >= 3:
                handle.write(" ".join(tokens) + "\n")
                lines += 1
                if max_lines and lines >= max_lines:
                    return lines
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--bucket", type=int, default=50000)
    parser.add_argument("--epoch", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "vectors")
    args = parser.parse_args()
    import floret

    args.out.mkdir(parents=True, exist_ok=True)
    text = args.out / "raw-de.txt"
    if not text.exists():
        print("tokenised lines:", tokenise_corpus(text), flush=True)
    model = floret.train_unsupervised(
        str(text), model="cbow", mode="floret", hashCount=2, bucket=args.bucket, minn=4, maxn=5,
        dim=args.dim, epoch=args.epoch, thread=args.threads, minCount=5)
    vec_path = args.out / f"raw-de.d{args.dim}.floret"
    model.save_floret_vectors(str(vec_path))
    subprocess.run([sys.executable, "-m", "spacy", "init", "vectors", "de", str(vec_path),
                    str(args.out / f"spacy-d{args.dim}"), "--mode", "floret"], check=True)


if __name__ == "__main__":
    main()
