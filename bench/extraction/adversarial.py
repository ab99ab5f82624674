"""Adversarial pages: CPU seconds of one :func:`pipeline.extract.extract` call per page shape.

Each case runs in its own subprocess (a fresh interpreter, so one slow case cannot stall the others;
a case that runs past ``--timeout`` seconds is reported as such), builds its page, then measures the
CPU time (``time.process_time``) of ``extract(page)`` on the decoded text, as ``pipeline.run`` calls
it. Prints the date and machine, then one line per case: size (millions of characters, about MB for
these mostly-ASCII pages), CPU seconds, seconds per MB, the length of the text kept and the warnings.
No asserts: tests/test_extract_limits.py checks the behaviour (pipeline/extract/limits.py), this
script the time.

Usage: .venv/bin/python bench/extraction/adversarial.py [--timeout 300] [case ...]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

SENTENCE = "Hallo Welt, ein Text über Duisburg und seine Brücken. "
PARAGRAPH = ("<p>Der Rat der Stadt Duisburg hat am Montagabend den Haushalt für das kommende Jahr beschlossen, "
             "die Kämmerin rechnet mit einem Defizit von rund 48 Millionen Euro.</p>")


def _page(body: str) -> str:
    return f"<html><head><title>Adversarial</title></head><body>{body}</body></html>"


def attributes_300k() -> str:
    """300,000 attributes on one <p> (2.9 MB): libxml2 and lexbor are quadratic in the attribute count."""
    attrs = " ".join(f'a{i}="x"' for i in range(300_000))
    return f"<html><body><p {attrs}>{SENTENCE.strip()}</p></body></html>"


def attributes_300k_quoted_gt() -> str:
    """300,000 attributes whose values hold ``>`` (a scan for ``>`` alone would miss the tag)."""
    attrs = " ".join(f'a{i}="x>"' for i in range(300_000))
    return f"<html><body><p {attrs}>{SENTENCE.strip()}</p></body></html>"


def attributes_at_limit() -> str:
    """About 10 MB of paragraphs whose start tags have 200 attributes each (``MAX_TAG_ATTRIBUTES``: kept)."""
    tag = "<p " + " ".join(f'a{i}="x"' for i in range(200)) + ">"
    return _page("".join(f"{tag}Absatz {i}: {SENTENCE}</p>" for i in range(10_000_000 // (len(tag) + 70))))


def long_attribute_value() -> str:
    """One attribute value of 5 MB."""
    return _page(f'<p title="{"x" * 5_000_000}">{SENTENCE.strip()}</p>')


def siblings_200k() -> str:
    """200,000 sibling <span> elements after an article paragraph."""
    return _page(PARAGRAPH + "<div>" + "<span>Wort</span> " * 200_000 + "</div>")


def sibling_paragraphs_200k() -> str:
    """200,000 sibling paragraphs of text (each a candidate unit of the main-text scorer)."""
    return _page("<div>" + "".join(f"<p>Absatz {i}: {SENTENCE}</p>" for i in range(200_000)) + "</div>")


def unclosed_paragraphs_200k() -> str:
    """200,000 paragraphs without end tags (the parsers close each at the next)."""
    return _page("".join(f"<p>Absatz {i}: {SENTENCE}" for i in range(200_000)))


def paragraphs_at_element_limit() -> str:
    """49,990 paragraphs of text, just under ``MAX_ELEMENTS`` (not cut): the most work a page can ask for."""
    return _page("<div>" + "".join(f"<p>Absatz {i}: {SENTENCE}</p>" for i in range(49_990)) + "</div>")


def tiny_tags_at_element_limit() -> str:
    """49,990 tiny tags after a paragraph, just under ``MAX_ELEMENTS`` (not cut)."""
    return _page(PARAGRAPH + "<div>" + "<b>a</b>" * 49_990 + "</div>")


def nested_100k() -> str:
    """100,000 nested <div>s (libxml2 stops at its depth limit)."""
    return _page(PARAGRAPH + "<div>" * 100_000 + "<p>Ganz innen.</p>" + "</div>" * 100_000)


def nested_100k_misnested() -> str:
    """100,000 nested <div>s plus a mismatched end tag, so the page also goes through the HTML5 repair."""
    return _page(PARAGRAPH + "<div>" * 100_000 + "<p>Ganz innen.</b></p>" + "</div>" * 100_000)


def formatting_reopened_4k() -> str:
    """4,000 paragraphs that each leave a distinct ``<b>`` open (90 kB, one mismatched end tag so lexbor's
    HTML5 repair is asked for): an HTML5 parser re-opens every open ``<b>`` in each new paragraph."""
    return _page(PARAGRAPH + "".join(f"<p><b class=c{i}>x</p>" for i in range(4_000)) + "</i>")


def select_options_20k() -> str:
    """20,000 ``<option>``s in one ``<select>``, one mismatched end tag (lexbor is quadratic here)."""
    return _page(PARAGRAPH + "<select>" + "<option>Wahl" * 20_000 + "</i></select>")


def open_b_20k_then_paragraphs() -> str:
    """A mismatched end tag, 20,000 open ``<b>``s, then 20,000 paragraphs (lexbor's scope checks scan the
    whole stack of open elements for each paragraph; libxml2 stops at its depth limit)."""
    return _page(PARAGRAPH.replace("</p>", "</i></p>") + "<b>" * 20_000 + "<p>x</p>" * 20_000)


def text_node_10mb() -> str:
    """One text node of 10 MB."""
    return _page("<p>" + SENTENCE * (10_000_000 // len(SENTENCE)) + "</p>")


def tiny_tags_20mb() -> str:
    """A page of about 20 MB of tiny tags (``<b>a</b>``, 2.4 million elements) after a paragraph."""
    return _page(PARAGRAPH + "<div>" + "<b>a</b>" * (19_900_000 // 8) + "</div>")


CASES = {f.__name__: f for f in (attributes_300k, attributes_300k_quoted_gt, attributes_at_limit, long_attribute_value,
                                 siblings_200k, sibling_paragraphs_200k, unclosed_paragraphs_200k,
                                 paragraphs_at_element_limit, tiny_tags_at_element_limit, nested_100k,
                                 nested_100k_misnested, formatting_reopened_4k, select_options_20k,
                                 open_b_20k_then_paragraphs, text_node_10mb, tiny_tags_20mb)}


def _child(name: str) -> None:
    import time

    sys.path.insert(0, str(ROOT))
    from pipeline.extract import extract

    page = CASES[name]()
    start = time.process_time()
    ex = extract(page)
    cpu = time.process_time() - start
    print(json.dumps({"chars": len(page), "cpu": cpu, "text": len(ex.text), "warnings": ex.warnings}))


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # one line per case as it finishes, also into a file
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*", help=f"cases to run (default: all): {', '.join(CASES)}")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per case before it is reported as too slow")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child)
        return
    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        ap.error(f"unknown case(s) {unknown}; known: {', '.join(CASES)}")
    print(f"# {datetime.date.today().isoformat()}  {platform.node()}  {platform.machine()}  "
          f"{platform.processor() or platform.platform()}  {os.cpu_count()} CPUs  Python {platform.python_version()}")
    print(f"# {'case':28s} {'MB':>6s} {'CPU s':>8s} {'s/MB':>6s} {'text':>8s}  warnings")
    for name in args.cases or CASES:
        try:
            proc = subprocess.run([sys.executable, __file__, "--child", name], capture_output=True, text=True,
                                  timeout=args.timeout, cwd=ROOT)
        except subprocess.TimeoutExpired:
            print(f"  {name:28s} {'':>6s} {'>' + str(int(args.timeout)):>8s}   (timed out, wall clock)")
            continue
        if proc.returncode != 0:
            print(f"  {name:28s} failed: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        mb = r["chars"] / 1e6
        print(f"  {name:28s} {mb:6.1f} {r['cpu']:8.2f} {r['cpu'] / mb:6.2f} {r['text']:8d}  {'; '.join(r['warnings'])}")


if __name__ == "__main__":
    main()
