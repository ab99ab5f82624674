"""The project's annotated regional news corpus.

Articles are written in ``corpus/articles/src/*.txt`` with inline markup; ``build``
turns them into ``corpus/articles/corpus.jsonl`` (character offsets into plain
text), ``check`` validates that file, ``to_docbin`` converts a split for training.

Markup (see corpus/README.md)::

    [[PER:Sören Link]]                      a PER/LOC/ORG span
    [[MONEY:39,4 Millionen Euro|39400000|rund]]   value, optional qualifier
    [[MONEY:2 bis 3 Mio. Euro|2000000-3000000]]   a range: low-high
    [[ROLE:Oberbürgermeister|Sören Link]]   a role and the person it belongs to
    [[QUOTE:Sören Link|Wir bauen.]]         quote text (inside the marks) and speaker

Markup nests (a QUOTE may contain PER spans).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ENTITY_LABELS = ("PER", "LOC", "ORG")
MONEY_QUALIFIERS = (
    "rund", "etwa", "ca.", "fast", "knapp", "mehr als", "über", "bis zu",
    "mindestens", "weniger als", "gut", "nahezu", "circa", "annähernd", "höchstens",
    "unter",
)
SPLITS = ("train", "dev", "test")
HEADER_KEYS = ("id", "title", "town", "published", "topic", "split")

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"
SRC_DIR = CORPUS_DIR / "articles" / "src"
JSONL_PATH = CORPUS_DIR / "articles" / "corpus.jsonl"
COUNTS_START, COUNTS_END = "<!-- counts -->", "<!-- /counts -->"


class CorpusError(ValueError):
    """A markup or validation problem, with file and position in the message."""


@dataclass
class Article:
    id: str
    title: str
    town: str
    published: str
    topic: str
    split: str
    text: str
    entities: list[dict] = field(default_factory=list)
    money: list[dict] = field(default_factory=list)
    roles: list[dict] = field(default_factory=list)
    quotes: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "id": self.id, "title": self.title, "town": self.town,
            "published": self.published, "topic": self.topic, "split": self.split,
            "text": self.text, "entities": self.entities, "money": self.money,
            "roles": self.roles, "quotes": self.quotes,
        }


_OPEN, _CLOSE = "[[", "]]"
_KIND = re.compile(r"(PER|LOC|ORG|MONEY|ROLE|QUOTE):")


def parse_markup(markup: str, where: str = "<string>") -> tuple[str, list[dict]]:
    """Strip markup; return plain text and the annotations with character offsets."""
    out: list[str] = []
    pos = 0  # length of plain text so far
    stack: list[tuple[str, int, list[str], int]] = []  # kind, start, params, markup pos
    annotations: list[dict] = []
    i = 0
    while i < len(markup):
        if markup.startswith(_OPEN, i):
            m = _KIND.match(markup, i + 2)
            if not m:
                raise CorpusError(f"{where}: unknown markup at char {i}: {markup[i:i + 30]!r}")
            kind = m.group(1)
            params: list[str] = []
            j = m.end()
            if kind == "QUOTE":  # speaker first, then text
                bar = markup.find("|", j)
                if bar < 0:
                    raise CorpusError(f"{where}: QUOTE without speaker at char {i}")
                params.append(markup[j:bar])
                j = bar + 1
            stack.append((kind, pos, params, i))
            i = j
            continue
        if markup.startswith(_CLOSE, i) and stack:
            kind, start, params, mpos = stack.pop()
            surface = "".join(out)[start:]
            if kind in ("MONEY", "ROLE"):
                # surface|param|param: params are at the end of the plain text
                parts = surface.split("|")
                surface_text = parts[0]
                params.extend(parts[1:])
                # remove the params from the emitted text
                joined = "".join(out)
                joined = joined[: start + len(surface_text)]
                out = [joined]
                pos = len(joined)
                surface = surface_text
            end = start + len(surface)
            annotations.append({"kind": kind, "start": start, "end": end, "text": surface,
                                "params": params, "markup_pos": mpos})
            i += 2
            continue
        out.append(markup[i])
        pos += 1
        i += 1
    if stack:
        raise CorpusError(f"{where}: unclosed [[{stack[-1][0]}: at char {stack[-1][3]}")
    return "".join(out), annotations


def _money_fields(ann: dict, where: str) -> dict:
    params = ann["params"]
    if not params:
        raise CorpusError(f"{where}: MONEY {ann['text']!r} has no value")
    value = params[0].strip()
    low, sep, high = value.partition("-")
    try:
        value_eur = float(low)
        high_eur = float(high) if sep else None
    except ValueError as err:
        raise CorpusError(f"{where}: MONEY {ann['text']!r}: bad value {value!r}") from err
    qualifier = params[1].strip() if len(params) > 1 and params[1].strip() else None
    return {"start": ann["start"], "end": ann["end"], "text": ann["text"],
            "value_eur": value_eur, "high_eur": high_eur, "qualifier": qualifier}


def parse_article(source: str, where: str = "<string>") -> Article:
    """Parse one source file: ``key: value`` header lines, ``---``, marked-up body."""
    head, sep, body = source.partition("\n---\n")
    if not sep:
        raise CorpusError(f"{where}: missing '---' line between header and body")
    header: dict[str, str] = {}
    for line in head.splitlines():
        if line.strip():
            key, _, value = line.partition(":")
            header[key.strip()] = value.strip()
    missing = [k for k in HEADER_KEYS if not header.get(k)]
    if missing:
        raise CorpusError(f"{where}: header lacks {', '.join(missing)}")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", body.strip())]
    text, anns = parse_markup("\n\n".join(p for p in paragraphs if p), where)
    art = Article(id=header["id"], title=header["title"], town=header["town"],
                  published=header["published"], topic=header["topic"],
                  split=header["split"], text=text)
    for ann in sorted(anns, key=lambda a: (a["start"], -a["end"])):
        kind = ann["kind"]
        if kind in ENTITY_LABELS:
            art.entities.append({"start": ann["start"], "end": ann["end"],
                                 "label": kind, "text": ann["text"]})
        elif kind == "MONEY":
            art.money.append(_money_fields(ann, where))
        elif kind == "ROLE":
            person = ann["params"][0].strip() if ann["params"] else ""
            if not person:
                raise CorpusError(f"{where}: ROLE {ann['text']!r} names no person")
            art.roles.append({"start": ann["start"], "end": ann["end"],
                              "text": ann["text"], "person": person})
        elif kind == "QUOTE":
            speaker = ann["params"][0].strip() or None
            art.quotes.append({"start": ann["start"], "end": ann["end"],
                               "text": ann["text"],
                               "speaker": None if speaker in (None, "?") else speaker})
    return art


def read_sources(src_dir: Path = SRC_DIR) -> list[Article]:
    """Parse every ``*.txt`` under ``src_dir``, sorted by file name."""
    return [parse_article(p.read_text(encoding="utf-8"), str(p))
            for p in sorted(src_dir.glob("*.txt"))]


def build(src_dir: Path = SRC_DIR, out: Path = JSONL_PATH) -> list[Article]:
    """Write the JSON Lines corpus from the markup sources; return the articles."""
    articles = read_sources(src_dir)
    problems = validate(a.to_json() for a in articles)
    if problems:
        raise CorpusError("\n".join(problems))
    with open(out, "w", encoding="utf-8") as handle:
        for art in articles:
            handle.write(json.dumps(art.to_json(), ensure_ascii=False) + "\n")
    readme = CORPUS_DIR / "README.md"
    if out == JSONL_PATH and readme.exists():
        text = readme.read_text(encoding="utf-8")
        start, end = text.find(COUNTS_START), text.find(COUNTS_END)
        if 0 <= start < end:
            table = counts_table(a.to_json() for a in articles)
            text = text[: start + len(COUNTS_START)] + "\n" + table + "\n" + text[end:]
            readme.write_text(text, encoding="utf-8")
    return articles


def read_jsonl(path: Path = JSONL_PATH) -> Iterator[dict]:
    with open(path, encoding="utf-8") as handle:
        for n, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as err:
                    raise CorpusError(f"{path}:{n}: invalid JSON: {err.msg}") from err


def validate(records: Iterable[dict]) -> list[str]:
    """Return a list of problems (empty when the corpus is valid)."""
    try:
        from pipeline.nlp.money_parser import parse_money  # local: keeps corpus light
    except ImportError:  # pragma: no cover - only while bootstrapping
        def parse_money(text):  # type: ignore[no-redef]
            return None

    problems: list[str] = []
    seen_ids: set[str] = set()
    for rec in records:
        rid = rec.get("id", "?")
        if rid in seen_ids:
            problems.append(f"{rid}: duplicate id")
        seen_ids.add(rid)
        text = rec.get("text", "")
        if rec.get("split") not in SPLITS:
            problems.append(f"{rid}: split {rec.get('split')!r} not one of {SPLITS}")
        spans = []
        for ent in rec.get("entities", []):
            if ent["label"] not in ENTITY_LABELS:
                problems.append(f"{rid}: unknown label {ent['label']!r}")
            spans.append((ent["start"], ent["end"], ent["label"], ent["text"]))
        for mon in rec.get("money", []):
            spans.append((mon["start"], mon["end"], "MONEY", mon["text"]))
            parsed = parse_money(mon["text"])
            if parsed is None:
                problems.append(f"{rid}: money {mon['text']!r} does not parse")
            else:
                if abs(parsed.value - mon["value_eur"]) > 0.005:
                    problems.append(f"{rid}: money {mon['text']!r} parses to {parsed.value}, gold {mon['value_eur']}")
                if (parsed.high is None) != (mon["high_eur"] is None) or (
                        parsed.high is not None and abs(parsed.high - mon["high_eur"]) > 0.005):
                    problems.append(f"{rid}: money {mon['text']!r} high {parsed.high} != gold {mon['high_eur']}")
            if mon.get("qualifier") and mon["qualifier"] not in MONEY_QUALIFIERS:
                problems.append(f"{rid}: unknown qualifier {mon['qualifier']!r}")
        for start, end, label, surface in spans:
            if text[start:end] != surface:
                problems.append(f"{rid}: {label} offsets {start}-{end} give {text[start:end]!r}, not {surface!r}")
            if surface != surface.strip() or not surface:
                problems.append(f"{rid}: {label} {surface!r} has outer whitespace or is empty")
            if surface and surface[-1] in ".,;:!?\"'„“”»«)" and not surface.endswith((".", ")")):
                problems.append(f"{rid}: {label} {surface!r} ends in punctuation")
        spans.sort()
        for (_s1, e1, l1, t1), (s2, _e2, l2, t2) in zip(spans, spans[1:]):
            if s2 < e1:
                problems.append(f"{rid}: {l1} {t1!r} overlaps {l2} {t2!r}")
        for role in rec.get("roles", []):
            if text[role["start"]:role["end"]] != role["text"]:
                problems.append(f"{rid}: role offsets do not match {role['text']!r}")
        for quote in rec.get("quotes", []):
            if text[quote["start"]:quote["end"]] != quote["text"]:
                problems.append(f"{rid}: quote offsets do not match")
    return problems


def label_counts(records: Iterable[dict]) -> dict[str, Counter]:
    """Counts per split and label (PER/LOC/ORG/MONEY, plus roles and quotes)."""
    counts: dict[str, Counter] = {}
    for rec in records:
        c = counts.setdefault(rec["split"], Counter())
        c["articles"] += 1
        c["words"] += len(rec["text"].split())
        for ent in rec["entities"]:
            c[ent["label"]] += 1
        c["MONEY"] += len(rec["money"])
        c["ROLE"] += len(rec.get("roles", []))
        c["QUOTE"] += len(rec.get("quotes", []))
    return counts


def counts_table(records: Iterable[dict]) -> str:
    """Markdown table of articles, words and spans per split (for corpus/README.md)."""
    counts = label_counts(records)
    cols = ["articles", "words", "PER", "LOC", "ORG", "MONEY", "ROLE", "QUOTE"]
    total = sum(counts.values(), Counter())
    lines = ["| split | " + " | ".join(cols) + " |", "| --- |" + " ---: |" * len(cols)]
    for split in (*SPLITS, "total"):
        c = total if split == "total" else counts.get(split, Counter())
        lines.append(f"| {split} | " + " | ".join(f"{c[k]:,}" for k in cols) + " |")
    return "\n".join(lines)


def consistency_report(records: Iterable[dict]) -> dict[str, list[str]]:
    """Second-reading checks over the whole corpus.

    ``label_conflicts``: the same string annotated with different labels (a
    LOC/ORG alternation can be right: venue vs institution; each is reviewed).
    ``unannotated``: a string annotated somewhere that occurs elsewhere, as a
    whole word, outside any span (a likely miss).
    """
    records = list(records)
    labels: dict[str, Counter] = {}
    for rec in records:
        for ent in rec["entities"]:
            labels.setdefault(ent["text"], Counter())[ent["label"]] += 1
    conflicts = [f"{text!r}: {dict(c)}" for text, c in sorted(labels.items()) if len(c) > 1]
    misses: list[str] = []
    for rec in records:
        text = rec["text"]
        covered = [(e["start"], e["end"]) for e in rec["entities"]] + [(m["start"], m["end"]) for m in rec["money"]]
        for name in labels:
            if len(name) < 3:
                continue
            for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text):
                if not any(s <= m.start() and m.end() <= e for s, e in covered):
                    misses.append(f"{rec['id']}:{m.start()}: {name!r} not annotated "
                                  f"(elsewhere {dict(labels[name])}): …{text[max(0, m.start() - 30):m.end() + 30]}…")
    return {"label_conflicts": conflicts, "unannotated": misses}


def to_docbin(records: Iterable[dict], nlp=None, *, include_money: bool = False):
    """Convert corpus records to a spaCy DocBin (entities as doc.ents)."""
    import spacy
    from spacy.tokens import DocBin

    nlp = nlp or spacy.blank("de")
    docbin = DocBin(store_user_data=False)
    for rec in records:
        doc = nlp.make_doc(rec["text"])
        spans = []
        items = [(e["start"], e["end"], e["label"]) for e in rec["entities"]]
        if include_money:
            items += [(m["start"], m["end"], "MONEY") for m in rec["money"]]
        for start, end, label in items:
            span = doc.char_span(start, end, label=label, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.set_ents(spans, default="outside")
        docbin.add(doc)
    return docbin


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline.corpus [FILES...]``: parse and validate markup sources."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    paths = [Path(a) for a in args] or sorted(SRC_DIR.glob("*.txt"))
    problems: list[str] = []
    records = []
    for path in paths:
        try:
            records.append(parse_article(path.read_text(encoding="utf-8"), str(path)).to_json())
        except CorpusError as err:
            problems.append(str(err))
    problems += validate(records)
    for line in problems:
        print(line)
    for split, counts in sorted(label_counts(records).items()):
        print(split, dict(counts))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
