"""Pages built to make the extraction slow (pipeline.extract.limits): one test per shape.

Each test checks the structural effect -- what was cut or skipped, the ``page error`` warning, the visible
text that survives -- never a time: the CPU seconds of each shape are measured by
bench/extraction/adversarial.py. Shapes the parsers handle in linear time (nesting, a huge text node) are
checked to stay untouched.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extract import core, extract, failure_reason, limits
from pipeline.extract.limits import MAX_ELEMENTS, MAX_TAG_ATTRIBUTES, guard_page
from pipeline.extract.markup import html5_normalise

ROOT = Path(__file__).resolve().parent.parent
SENTENCE = "Hallo Welt, ein Text über Duisburg und seine Brücken."
ARTICLE = ("<p>Der Rat der Stadt Duisburg hat am Montagabend den Haushalt für das kommende Jahr beschlossen, "
           "die Kämmerin rechnet mit einem Defizit von rund 48 Millionen Euro.</p>")


def page_errors(warnings: list[str]) -> list[str]:
    return [w for w in warnings if w.startswith("page error")]


def attributes(n: int, value: str = '"x"') -> str:
    return " ".join(f"a{i}={value}" for i in range(n))


# --------------------------------------------------------------------------- attributes


def test_a_tag_with_300k_attributes_is_cut_to_its_name_and_its_text_kept() -> None:
    page = f"<html><body><p {attributes(300_000)}>{SENTENCE}</p></body></html>"
    warnings: list[str] = []
    assert guard_page(page, warnings) == f"<html><body><p>{SENTENCE}</p></body></html>"
    assert warnings == [f"page error: 1 tag with an abnormal number of attributes cut (up to 300,000 attributes; "
                        f"limit {MAX_TAG_ATTRIBUTES})"]
    ex = extract(page)
    assert ex.text == SENTENCE
    assert page_errors(ex.warnings) == warnings


@pytest.mark.parametrize("attrs", [
    pytest.param(attributes(50_000, '"x>y"'), id="quoted-values-holding-gt"),
    pytest.param(attributes(50_000, "'<b>'"), id="single-quoted-values-holding-tags"),
    pytest.param(attributes(50_000, "x"), id="unquoted-values"),
    pytest.param(" ".join(f"a{i}" for i in range(50_000)), id="no-values"),
    pytest.param("".join(f'a{i}="x"' for i in range(50_000)), id="no-space-between-attributes"),
    pytest.param("\n".join(f"data-a{i} = 'x'" for i in range(50_000)), id="newlines-and-spaces-around-equals"),
])
def test_every_way_of_writing_many_attributes_is_cut(attrs: str) -> None:
    page = f"<html><body><div class='article'><p {attrs}>{SENTENCE}</p></div></body></html>"
    warnings: list[str] = []
    assert guard_page(page, warnings) == f"<html><body><div class='article'><p>{SENTENCE}</p></div></body></html>"
    assert "(up to 50,000 attributes" in warnings[0]
    assert extract(page).text == SENTENCE


def test_the_attribute_limit_is_exclusive_and_each_tag_is_counted_alone() -> None:
    at_limit = f"<p {attributes(MAX_TAG_ATTRIBUTES)}>{SENTENCE}</p>"
    page = f"<html><body>{at_limit * 3}<p {attributes(MAX_TAG_ATTRIBUTES + 1)} />{SENTENCE}</body></html>"
    warnings: list[str] = []
    out = guard_page(page, warnings)
    assert out == f"<html><body>{at_limit * 3}<p>{SENTENCE}</body></html>"
    assert warnings == [f"page error: 1 tag with an abnormal number of attributes cut (up to "
                        f"{MAX_TAG_ATTRIBUTES + 1} attributes; limit {MAX_TAG_ATTRIBUTES})"]
    warnings = []
    assert guard_page(f"<html><body>{at_limit * 3}</body></html>", warnings) == f"<html><body>{at_limit * 3}</body></html>"
    assert warnings == []


def test_several_cut_tags_are_counted_in_one_warning() -> None:
    page = f"<html><body><div {attributes(1_000)}><p {attributes(5_000)}>{SENTENCE}</p></div></body></html>"
    warnings: list[str] = []
    assert guard_page(page, warnings) == f"<html><body><div><p>{SENTENCE}</p></div></body></html>"
    assert warnings == [f"page error: 2 tags with an abnormal number of attributes cut (up to 5,000 attributes; "
                        f"limit {MAX_TAG_ATTRIBUTES})"]


def test_a_script_tag_with_many_attributes_stays_a_script() -> None:
    page = (f"<html><body><script {attributes(20_000)}>var geheim = 'kein Artikeltext';</script>"
            f"<p>{SENTENCE}</p></body></html>")
    warnings: list[str] = []
    assert guard_page(page, warnings) == ("<html><body><script>var geheim = 'kein Artikeltext';</script>"
                                         f"<p>{SENTENCE}</p></body></html>")
    ex = extract(page)
    assert ex.text == SENTENCE
    assert page_errors(ex.warnings)


def test_tag_lookalikes_in_scripts_styles_and_long_values_are_left_alone() -> None:
    bomb = f"<p {attributes(1_000)}>"
    page = (f"<html><head><script>var s = '{bomb}';</script><STYLE>/* {bomb} */</STYLE></head><body>"
            f'<img src="data:image/png;base64,{"A" * 300_000}" alt="{bomb.replace(chr(34), "&quot;")}"><h1 class="h1" "tabindex="0">Titel</h1>'
            f"<p>{SENTENCE}</p></body></html>")
    warnings: list[str] = []
    assert guard_page(page, warnings) is page
    assert warnings == []


def test_an_unterminated_tag_full_of_attributes_is_cut() -> None:
    page = f"<html><body><p>{SENTENCE}</p><div {attributes(10_000)}"
    warnings: list[str] = []
    assert guard_page(page, warnings) == f"<html><body><p>{SENTENCE}</p><div>"
    assert extract(page).text == SENTENCE


# --------------------------------------------------------------------------- elements


def test_a_page_with_200k_sibling_elements_is_cut_after_the_element_limit() -> None:
    page = f"<html><body>{ARTICLE}<div>" + "<span>Wort</span> " * 200_000 + "</div></body></html>"
    warnings: list[str] = []
    out = guard_page(page, warnings)
    assert out.count("<span>") == MAX_ELEMENTS - 4  # <html>, <body>, <p>, <div> come first
    assert page.startswith(out) and out.endswith("<span>Wort</span> ")
    assert warnings == [f"page error: page cut after {MAX_ELEMENTS:,} elements (200,004 start tags in all)"]


@pytest.fixture
def small_element_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    """The element limit lowered to 2,000, so a page over it stays small (the scan is the same)."""
    monkeypatch.setattr(limits, "MAX_ELEMENTS", 2_000)
    return 2_000


def test_a_page_of_tiny_tags_keeps_the_text_before_the_cut(small_element_limit: int) -> None:
    page = f"<html><body>{ARTICLE}<div>" + "<b>a</b>" * 20_000 + "</div></body></html>"
    ex = extract(page)
    assert ex.text.startswith("Der Rat der Stadt Duisburg hat am Montagabend")
    assert page_errors(ex.warnings) == [f"page error: page cut after {small_element_limit:,} elements "
                                        "(20,004 start tags in all)"]


def test_an_article_after_the_element_limit_is_reported_as_a_page_error(small_element_limit: int) -> None:
    page = "<html><body><div>" + "<i></i>" * 5_000 + f"</div>{ARTICLE}</body></html>"
    ex = extract(page)
    assert ex.text == ""
    assert failure_reason(ex) == (f"no main text (page error: page cut after {small_element_limit:,} elements "
                                  "(5,004 start tags in all))")


def test_a_page_at_the_element_limit_is_not_cut(small_element_limit: int) -> None:
    page = f"<html><body>{ARTICLE}<div>" + "<b>a</b>" * (small_element_limit - 4) + "</div></body></html>"
    warnings: list[str] = []
    assert guard_page(page, warnings) is page
    assert warnings == []


def test_100k_nested_divs_are_left_to_the_parser_depth_limit() -> None:
    """libxml2 stops reading at a depth of 256 (a "parser resource limit"), so the page is not cut
    although it has more start tags than the limit; the text before the nesting survives."""
    page = (f"<html><body>{ARTICLE}" + "<div>" * 100_000 + "<p>Ganz innen.</p>" + "</div>" * 100_000
            + "</body></html>")
    warnings: list[str] = []
    assert guard_page(page, warnings) is page
    ex = extract(page)
    assert ex.text.startswith("Der Rat der Stadt Duisburg hat am Montagabend")
    assert not page_errors(ex.warnings)
    assert any(w.startswith("parser resource limit") for w in ex.warnings)


def test_a_10mb_text_node_is_left_to_the_parser_limit() -> None:
    page = "<html><body><p>" + SENTENCE * (10_000_000 // len(SENTENCE)) + "</p></body></html>"
    warnings: list[str] = []
    assert guard_page(page, warnings) is page
    ex = extract(page)
    assert not page_errors(ex.warnings)
    assert failure_reason(ex).startswith("no main text (parser resource limit")


def test_the_guards_leave_the_benchmark_pages_alone() -> None:
    pages = sorted((ROOT / "bench" / "extraction" / "pages").glob("*.html"))
    assert pages
    for path in pages:
        text = path.read_bytes().decode("utf-8", errors="replace")
        warnings: list[str] = []
        assert guard_page(text, warnings) is text, path.name
        assert warnings == []


# --------------------------------------------------------------------------- the HTML5 repair (lexbor)


@pytest.fixture
def repairs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The length of each page handed to lexbor's HTML5 repair (which then runs as usual)."""
    calls: list[int] = []

    def spy(text: str, warnings: list[str]) -> str:
        calls.append(len(text))
        return html5_normalise(text, warnings)

    monkeypatch.setattr(core, "html5_normalise", spy)
    return calls


def test_open_formatting_elements_in_many_blocks_skip_the_repair(repairs: list[int]) -> None:
    """An HTML5 parser re-opens every open formatting element in each new block: this 25 kB page
    would become about 10 MB of markup."""
    page = f"<html><body>{ARTICLE}" + "".join(f"<p><b class=c{i}>x</p>" for i in range(1_000)) + "</i></body></html>"
    ex = extract(page)
    assert repairs == []
    assert page_errors(ex.warnings) == ["page error: HTML5 markup repair skipped (1,000 formatting elements left "
                                        "open among 2,003 elements)"]
    assert ex.text.startswith("Der Rat der Stadt Duisburg hat am Montagabend")


def test_a_page_with_more_elements_than_the_repair_limit_is_not_repaired(
        repairs: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_REPAIR_ELEMENTS", 1_000)
    page = f"<html><body>{ARTICLE}<select>" + "<option>x" * 1_500 + "</i></select></body></html>"
    ex = extract(page)
    assert repairs == []
    assert page_errors(ex.warnings) == ["page error: HTML5 markup repair skipped (1,504 elements; limit 1,000)"]
    assert ex.text.startswith("Der Rat der Stadt Duisburg hat am Montagabend")


def test_deep_nesting_with_a_mismatched_tag_is_not_repaired(repairs: list[int]) -> None:
    page = (f"<html><body>{ARTICLE}" + "<b>" * 20_000 + "<p>Ganz innen.</i></p>" * 10 + "</b>" * 20_000
            + "</body></html>")
    ex = extract(page)
    assert repairs == []
    assert not page_errors(ex.warnings)
    assert any(w.startswith("parser resource limit") for w in ex.warnings)
    assert ex.text.startswith("Der Rat der Stadt Duisburg hat am Montagabend")


def test_an_ordinary_mis_nested_page_is_still_repaired(repairs: list[int]) -> None:
    page = (f"<html><body><div class='article'><b>{ARTICLE}</i><p><a href='/x'>Mehr</a> <b>fett <i>kursiv</b></i>"
            "</p></div></body></html>")
    ex = extract(page)
    assert repairs == [len(page)]
    assert not page_errors(ex.warnings)


@pytest.mark.parametrize(("page", "n_open"), [
    ("<b><i>x</i></b>" * 100, 0),
    ("</b>" * 100 + "<b>" * 100, 100),  # an end tag before any start tag closes nothing
    ("<B>" * 50 + "</b>" * 20 + "<font size=2>" * 7, 37),
    ("<script>var s = '" + "<b>" * 100 + "';</script><style>/* <a> */</style><a href=x>", 1),
    ("<br><bdi><body><big>", 1),
])
def test_open_formatting_elements_are_counted_per_name(page: str, n_open: int,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_REPAIR_ELEMENTS", 10**9)  # only the open formatting elements decide
    n_elements = limits.MAX_REPAIR_CLONES // max(n_open, 1)  # just at the limit: safe
    assert limits.repair_risk(page, n_elements) is None
    if n_open:
        assert limits.repair_risk(page, n_elements + 1) == (f"{n_open:,} formatting elements left open among "
                                                            f"{n_elements + 1:,} elements")
