"""Draw the texts of the real-text money gold set (corpus/money-real) from text the project did not write.

    python corpus/money-real/sample.py [--shared ../shared] [--out build/money-real]

Reads ``../shared/data`` (never copied whole): the Bundestag and Hessian Landtag protocols of
``raw-text-de``, GermEval 2014, SmartData, MobIE and LER. Every paragraph or sentence is sorted into
the *formats* below by regular expressions that only look for the format (not newsmine's parser), so
rare forms are drawn as often as common ones; each format is drawn from every source that has it, and
hard negatives (currencies other than the euro, ``Euro`` without an amount, ``Euro-Zone``, years,
percentages, paragraph and page numbers) as texts that hold no euro amount. A text goes to dev or
test by a hash of its text, so the two splits never share a text. The candidates are then annotated
by hand by ``../shared/ANNOTATION.md`` into ``dev.jsonl`` / ``test.jsonl``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LICENCES = {
    "bundestag": "amtliches Werk (§ 5 UrhG), speeches in public proceedings (§ 48 UrhG): raw-text-de README",
    "hessischer-landtag": "amtliches Werk (§ 5 UrhG), speeches in public proceedings (§ 48 UrhG): raw-text-de README",
    "germeval2014": "CC BY 4.0 (GermEval 2014 NER, Benikova et al.)",
    "smartdata": "CC BY 4.0 (DFKI SmartData Corpus)",
    "mobie": "CC BY 4.0 (DFKI MobIE)",
    "ler": "CC BY 4.0 (German LER, Leitner et al.)",
}

_N = r"\d{1,3}"
_CUR = r"(?:Euro|EUR|€)"
_SCALE = r"(?:Millionen|Million|Milliarden|Milliarde|Mio\.?|Mrd\.?|Billionen|Tsd\.|Tausend)"
_WORD = (r"(?:ein|eine|einen|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwanzig|dreißig|vierzig|"
         r"fünfzig|sechzig|siebzig|achtzig|neunzig|hundert|tausend)\w*")
FORMATS: dict[str, str] = {
    "space-thousands": rf"\b{_N}(?: \d{{3}})+(?:,\d+)? ?{_CUR}",
    "nbsp-thin-thousands": rf"\b{_N}(?:[\u00a0\u202f\u2009]\d{{3}})+(?:,\d+)?[\s\u00a0]?{_CUR}",
    "apostrophe-thousands": rf"\b{_N}(?:['’]\d{{3}})+(?:,\d+)? ?{_CUR}",
    "dot-thousands": rf"\b{_N}(?:\.\d{{3}})+(?:,\d+)? ?{_CUR}",
    "plain-number": rf"\b\d{{1,4}}(?:,\d{{1,2}})? {_CUR}\b",
    "decimal-scale": rf"\b\d+,\d+ {_SCALE} ?{_CUR}",
    "integer-scale": rf"\b\d+ {_SCALE} ?{_CUR}",
    "number-words": rf"\b{_WORD} (?:{_SCALE} )?{_CUR}",
    "fractions": rf"\b(?:halbe|halben|anderthalb|eineinhalb|zweieinhalb|dreieinhalb)\w* {_SCALE}",
    "range-bis": rf"\b(?:von )?[\d\w,.]+ (?:{_SCALE} )?(?:bis|-|–) [\d\w,.]+ (?:{_SCALE} )?{_CUR}",
    "range-zwischen": rf"\bzwischen [\d\w,.]+ (?:{_SCALE} )?und [\d\w,.]+ (?:{_SCALE} )?{_CUR}",
    "cent": r"\b[\d\w,]+ (?:Euro-)?Cent\b",
    "currency-first": rf"(?:EUR|€) ?\d[\d.,]*(?: {_SCALE})?",
    "thousand-abbrev": r"\b\d[\d.,]* ?(?:T€|TEUR|Tsd\. ?(?:Euro|EUR|€))",
    "scale-sign": r"\b\d[\d.,]* ?(?:Mio\.|Mrd\.) ?€",
    "compound": rf"\b[\d,.]+-(?:{_SCALE}-)?Euro-\w+",
    "signed": rf"\b(?:minus|plus|−|-)\s?\d[\d.,]* (?:{_SCALE} )?{_CUR}",
    "qualified": rf"\b(?:rund|etwa|ca\.|fast|knapp|mehr als|über|bis zu|mindestens|weniger als) \d[\d.,]* (?:{_SCALE} )?{_CUR}",
}
NEGATIVES: dict[str, str] = {
    "other-currency": r"\b\d[\d.,]* (?:Millionen |Milliarden |Mio\. |Mrd\. )?(?:Dollar|US-Dollar|Franken|Pfund|DM|D-Mark|Yen|Rubel|Kronen)\b",
    "euro-word": r"\b(?:den|der|des|dem|die) Euro\b(?! ?\d)",
    "euro-compound": r"\bEuro-?(?:zone|Zone|raum|Raum|päische|länder|Länder|krise|Krise|stabilität)\w*",
    "percent": r"\b\d+(?:,\d+)? (?:Prozent|%)",
    "paragraph-page": r"(?:§|Art\.|Seite|S\.|Drucksache) ?\d+",
    "year": r"\b(?:im Jahr|seit|bis) (?:19|20)\d\d\b",
}
#: Formats drawn more often: the ones the issue names as lost on real text.
WEIGHT = {"space-thousands": 2, "number-words": 2, "range-bis": 2, "range-zwischen": 2, "fractions": 2}
SOURCES = ("bundestag", "hessischer-landtag", "germeval2014", "smartdata", "mobie", "ler")
MAX_CHARS = 500
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ„\"])")
_DETOK = [(re.compile(r" ([,.;:!?)\]“])"), r"\1"), (re.compile(r"([(\[„]) "), r"\1"), (re.compile(r" - "), "-")]


def _detokenize(tokens: list[str]) -> str:
    text = " ".join(tokens)
    for pattern, repl in _DETOK:
        text = pattern.sub(repl, text)
    return text


def _conll_sentences(path: Path, column: int) -> Iterator[str]:
    tokens: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                if tokens:
                    yield _detokenize(tokens)
                tokens = []
                continue
            parts = line.rstrip("\n").split("\t" if "\t" in line else " ")
            if len(parts) > column:
                tokens.append(parts[column])
    if tokens:
        yield _detokenize(tokens)


def _pieces(paragraph: str) -> Iterator[str]:
    """A paragraph, or its sentences where it is long."""
    paragraph = paragraph.strip()
    if len(paragraph) <= MAX_CHARS:
        yield paragraph
        return
    for sentence in _SENTENCE_END.split(paragraph):
        if 20 <= len(sentence) <= MAX_CHARS:
            yield sentence.strip()


def texts(source: str, data: Path, max_mb: int = 12) -> Iterator[str]:
    """Paragraphs or sentences of one source."""
    if source in ("bundestag", "hessischer-landtag"):
        folder = {"bundestag": ["bundestag-plenarprotokolle", "bundestag-plenarprotokolle-wp18"],
                  "hessischer-landtag": ["hessischer-landtag-plenarprotokolle"]}[source]
        for name in folder:
            for path in sorted((data / "raw-text-de" / name).glob("*.txt.gz")):
                with gzip.open(path, "rt", encoding="utf-8") as fh:
                    for line in fh.read(max_mb * 1_000_000).splitlines():
                        yield from _pieces(line)
    elif source == "germeval2014":
        for name in ("NER-de-train.outer.tsv", "NER-de-dev.tsv", "NER-de-test.tsv"):
            yield from _conll_sentences(data / "germeval2014" / name, 1)
    elif source == "smartdata":
        for split in ("train", "test"):
            with gzip.open(data / "smartdata-corpus-de" / "original" / f"{split}.json.gz", "rt", encoding="utf-8") as fh:
                raw = fh.read()
            for doc in re.findall(r'"raw" : "((?:[^"\\]|\\.)*)"', raw):
                body = re.sub(r"<[^>]+>", "", json.loads(f'"{doc}"'))
                for line in body.splitlines():
                    yield from _pieces(line)
    elif source == "mobie":
        for split in ("train", "dev", "test"):
            yield from _conll_sentences(data / "mobie-de" / f"{split}.tsv", 0)
    elif source == "ler":
        for split in ("train", "dev", "test"):
            yield from _conll_sentences(data / "legal-ner-ler" / f"ler_{split}.conll", 0)


def split_of(text: str) -> str:
    return "dev" if hashlib.sha256(text.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def sample(data: Path, per_format: int, per_negative: int, seed: int) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    compiled = {k: re.compile(v) for k, v in FORMATS.items()}
    negatives = {k: re.compile(v) for k, v in NEGATIVES.items()}
    any_euro = re.compile(r"Euro|EUR|€|Cent|T€")
    pools: dict[tuple[str, str], list[str]] = {}
    for source in SOURCES:
        seen: set[str] = set()
        for text in texts(source, data):
            if text in seen or len(text) < 20:
                continue
            seen.add(text)
            for fmt, rx in compiled.items():
                if rx.search(text):
                    pools.setdefault((fmt, source), []).append(text)
            if not any_euro.search(text):
                for fmt, rx in negatives.items():
                    if rx.search(text):
                        pools.setdefault((f"negative:{fmt}", source), []).append(text)
            elif re.search(r"Euro-?(?:zone|Zone|raum|Raum)|\b(?:den|der|des) Euro\b(?! ?\d)", text):
                pools.setdefault(("negative:euro-word", source), []).append(text)
    chosen: dict[str, list[dict]] = {"dev": [], "test": []}
    taken: set[str] = set()
    for (fmt, source), pool in sorted(pools.items()):
        k = per_negative if fmt.startswith("negative:") else per_format * WEIGHT.get(fmt, 1)
        rng.shuffle(pool)
        for split in ("dev", "test"):
            picked = [t for t in pool if split_of(t) == split and t not in taken][:k]
            for t in picked:
                taken.add(t)
                n = len(chosen[split]) + 1
                chosen[split].append({"id": f"{split}-{n:04d}", "source": source, "licence": LICENCES[source],
                                      "format": fmt, "text": t})
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "money-real")
    parser.add_argument("--per-format", type=int, default=3, help="texts per (format, source) and split")
    parser.add_argument("--per-negative", type=int, default=2, help="negative texts per (kind, source) and split")
    parser.add_argument("--seed", type=int, default=20261206)
    args = parser.parse_args()
    chosen = sample(args.shared / "data", args.per_format, args.per_negative, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for split, rows in chosen.items():
        with open(args.out / f"candidates-{split}.jsonl", "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{split}: {len(rows)} texts -> {args.out / f'candidates-{split}.jsonl'}")


if __name__ == "__main__":
    main()
