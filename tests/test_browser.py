"""End to end in a real headless Chromium: `newsmine serve`, the article page, a correction made
through the UI, the places map; every request the pages make must stay on 127.0.0.1.

Uses the system Chromium (Debian packages ``chromium``/``chromium-driver``; .ci/run installs
them) through Playwright, without downloading a browser. Skipped only when /usr/bin/chromium is
missing outside CI; in CI (``CI`` set) a missing browser is a failure.
Set NEWSMINE_UPDATE_SCREENSHOTS=1 to refresh the screenshots in docs/img/ (every page of the
review UI at 1,400 px: index, database, articles-table, review-list, article, entity, query, map).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from chromium import CHROMIUM
from serving import ROOT, article_with_all_labels, free_words, rows, start_serve, stop_serve

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                                reason=f"no Chromium at {CHROMIUM} (apt-get install chromium); runs in CI")


@pytest.fixture(scope="module")
def served(demo_db):
    """The module's copy of the demo database (tests/conftest.py) behind a real `newsmine serve` on a free
    127.0.0.1 port."""
    proc, base, token = start_serve(demo_db)
    yield demo_db, base, token
    stop_serve(proc)


@pytest.fixture
def page(browser):
    """A page whose every request is recorded; anything not for 127.0.0.1 is blocked."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="de-DE")
    seen: list[str] = []

    def guard(route):
        seen.append(route.request.url)
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.seen = seen
    yield pg
    context.close()
    off_host = [u for u in seen if urlsplit(u).hostname != "127.0.0.1" and not u.startswith(("data:", "blob:"))]
    assert not off_host, f"requests left 127.0.0.1: {off_host}"


def colour(pg, selector: str) -> str:
    return pg.eval_on_selector(selector, "el => getComputedStyle(el).backgroundColor")


WIDE = {"width": 1400, "height": 900}


def screenshot(pg, name: str) -> Path:
    """A screenshot of the viewport in build/screenshots/ (and docs/img/ with NEWSMINE_UPDATE_SCREENSHOTS)."""
    shot = ROOT / "build" / "screenshots" / f"{name}.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000, name
    if os.environ.get("NEWSMINE_UPDATE_SCREENSHOTS"):
        shutil.copy(shot, ROOT / "docs" / "img" / f"{name}.png")
    return shot


# elements that show a box (border, background or shadow) with nothing in it, and hidden elements with a box
EMPTY_BOXES = """root => [...document.querySelectorAll(root + ' *')].filter(el => {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || s.visibility === 'hidden') return false;
    if (el.hidden) return true;
    if (el.textContent.trim() || el.querySelector('img, svg, canvas, input, button')) return false;
    return parseFloat(s.borderTopWidth) > 0 || parseFloat(s.borderBottomWidth) > 0 || s.boxShadow !== 'none'
        || s.backgroundColor !== 'rgba(0, 0, 0, 0)';
}).map(el => el.tagName + '#' + el.id + '.' + el.className)"""


def assert_side_panel_beside_the_text(pg) -> None:
    text, side = pg.locator("#article-text").bounding_box(), pg.locator(".newsmine-side").bounding_box()
    assert side["x"] >= text["x"] + text["width"], (text, side)
    assert side["y"] < text["y"] + text["height"], (text, side)  # beside it, not below


def assert_in_viewport(pg, selector: str) -> None:
    box = pg.locator(selector).bounding_box()
    view = pg.viewport_size
    assert box and box["width"] > 20 and box["height"] > 20, box
    assert 0 <= box["x"] and box["x"] + box["width"] <= view["width"], (box, view)
    assert 0 <= box["y"] and box["y"] + box["height"] <= view["height"], (box, view)


def test_article_page_highlights_and_a_correction_made_in_the_browser(served, page, tmp_path):
    db, base, token = served
    art = article_with_all_labels(db)
    page.goto(f"{base}/-/newsmine/login?next=/-/newsmine/article/{art['id']}")
    page.fill("#token", token)
    page.fill("#name", "Browser Test")
    page.click("#login")
    page.wait_for_url(f"{base}/-/newsmine/article/{art['id']}")
    page.wait_for_selector("#review-hint")

    # every label is highlighted, visible, in its own colour; amounts show their value on hover
    colours = {}
    for label in ("PER", "LOC", "ORG", "MONEY"):
        first = page.locator(f"#article-text a.ent-{label}").first
        box = first.bounding_box()
        assert box and box["width"] > 5 and box["height"] > 5, label
        colours[label] = colour(page, f"#article-text a.ent-{label}")
    assert len(set(colours.values())) == 4 and "rgba(0, 0, 0, 0)" not in colours.values(), colours
    money = page.locator("#article-text a.ent-MONEY").first
    assert "€" in money.get_attribute("title") and "value_eur" in money.get_attribute("title")
    assert page.eval_on_selector("#article-text", "el => el.textContent") == art["text"]

    # at 1,400 px the side panel is beside the text; the closed correction menu shows no box
    page.set_viewport_size(WIDE)
    assert_side_panel_beside_the_text(page)
    assert page.locator("#review-menu").bounding_box() is None
    assert page.evaluate(EMPTY_BOXES, ".newsmine-article") == []
    screenshot(page, "article")

    # a highlight at the bottom edge of the window: the menu opens inside the viewport (above it)
    last = page.locator("#article-text a.ent-PER").last
    last.evaluate("el => el.scrollIntoView({block: 'end'})")
    page.evaluate("window.scrollBy(0, 4)")
    box = last.bounding_box()
    assert box["y"] + box["height"] > WIDE["height"] - 60, box
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#review-menu:not([hidden])")
    assert_in_viewport(page, "#review-menu")
    page.keyboard.press("Escape")
    assert page.locator("#review-menu").bounding_box() is None

    # click a place: "not an entity"
    loc = page.locator("#article-text a.ent-LOC").first
    start, end = int(loc.get_attribute("data-start")), int(loc.get_attribute("data-end"))
    loc.click()
    page.wait_for_selector("#review-menu:not([hidden])")
    assert_in_viewport(page, "#review-menu")
    with page.expect_navigation():
        page.click("#review-menu .review-delete")
    page.wait_for_selector("#corrections")
    assert page.locator(f'#article-text a.ent[data-start="{start}"][data-end="{end}"]').count() == 0

    # select a word (double click) and add it as an organisation
    w_start, w_end, _ = free_words(db, art)
    word = art["text"][w_start:w_end]
    target = page.locator("#article-text span", has_text=word).first
    rect = target.evaluate("""(el, word) => {
        const node = el.firstChild, i = node.data.indexOf(word), r = document.createRange();
        r.setStart(node, i); r.setEnd(node, i + word.length);
        const b = r.getBoundingClientRect(); return {x: b.x + b.width / 2, y: b.y + b.height / 2};
    }""", word)
    page.mouse.dblclick(rect["x"], rect["y"])
    page.wait_for_selector("#review-menu:not([hidden]) .review-add-ORG")
    assert word in page.inner_text("#review-menu .title")
    with page.expect_navigation():
        page.click("#review-menu .review-add-ORG")
    added = page.locator(f'#article-text a.ent-ORG[data-start="{w_start}"][data-end="{w_end}"]')
    assert added.count() == 1 and added.get_attribute("data-origin") == "review"

    # it is stored, and still there after a reload
    page.reload()
    assert page.locator(f'#article-text a.ent-ORG[data-start="{w_start}"]').count() == 1
    assert page.locator(f'#article-text a.ent[data-start="{start}"][data-end="{end}"]').count() == 0
    assert page.locator("#corrections tbody tr").count() == 2
    stored = rows(db, 'SELECT action, label, start, "end", text, reviewer FROM corrections ORDER BY id')
    assert stored == [
        {"action": "delete", "label": None, "start": start, "end": end, "text": art["text"][start:end],
         "reviewer": "Browser Test"},
        {"action": "add", "label": "ORG", "start": w_start, "end": w_end, "text": word, "reviewer": "Browser Test"}]
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM mentions_reviewed WHERE article_id = ? AND start = ? AND label = 'ORG'",
                       (art["id"], w_start)).fetchone()[0] == 1
    con.close()
    assert any(u.endswith("/-/newsmine/corrections") for u in page.seen)


def test_read_only_visitor_cannot_correct(served, page):
    db, base, _ = served
    art = article_with_all_labels(db)
    page.goto(f"{base}/-/newsmine/article/{art['id']}")
    link = page.locator("#article-text a.ent-PER").first
    href = link.get_attribute("href")
    link.click()  # no review script: a highlight is a plain link to its entity page
    page.wait_for_url(base + href)
    assert page.locator("#entity-name").count() == 1
    status = page.evaluate("""async () => (await fetch('/-/newsmine/corrections', {method: 'POST',
        headers: {'content-type': 'application/json'}, body: JSON.stringify({article_id: 1, start: 0, end: 3})})).status""")
    assert status == 403


def test_every_page_a_newcomer_meets_at_1400px(served, page):
    """Front page -> review list -> article -> entity; the articles table, a canned query:
    each loads, shows what #24 asked for, and is photographed for docs/img/."""
    db, base, _ = served
    stem = db.stem
    art = article_with_all_labels(db)
    page.set_viewport_size(WIDE)

    assert page.goto(f"{base}/").status == 200  # the front page leads to the review list, the map, the queries
    for href in ("/-/newsmine/articles", f"/{stem}/places_map", f"/{stem}/top_entities_per_month"):
        assert page.locator(f'.newsmine-start a[href="{href}"]').first.is_visible(), href
    screenshot(page, "index")
    assert page.goto(f"{base}/{stem}").status == 200
    assert page.locator('.newsmine-start a[href="/-/newsmine/articles"]').is_visible()
    assert page.locator(f'.newsmine-start a[href="/{stem}/places_map"]').is_visible()
    screenshot(page, "database")

    assert page.goto(f"{base}/{stem}/articles").status == 200  # short texts: a row is not a screen
    row_heights = page.eval_on_selector_all("table.rows-and-columns tbody tr",
                                            "trs => trs.map(tr => tr.getBoundingClientRect().height)")
    screenshot(page, "articles-table")
    assert row_heights and max(row_heights) < 250, row_heights

    page.goto(f"{base}/")
    with page.expect_navigation():
        page.click('.newsmine-start a[href="/-/newsmine/articles"]')
    assert page.locator("#articles li").count() == len(rows(db, "SELECT id FROM articles"))
    page.fill("#q", "dezernen")
    with page.expect_navigation():
        page.click(".newsmine-search button")
    snippets = page.locator("#articles .snippet")
    assert snippets.count() >= 2 and all(len(t.split()) >= 8 for t in snippets.all_inner_texts())
    screenshot(page, "review-list")
    with page.expect_navigation():
        page.click(f'#articles a[href="/-/newsmine/article/{art["id"]}"]')

    # the article page, read-only: side panel beside the text, no empty boxes, amounts in German
    assert_side_panel_beside_the_text(page)
    assert page.locator("#review-menu").bounding_box() is None
    assert page.evaluate(EMPTY_BOXES, "section.content") == []
    amounts = page.locator(".newsmine-side td.newsmine-eur").all_inner_texts()
    assert amounts and all(a.endswith(("€", ")")) for a in amounts), amounts
    with page.expect_navigation():
        page.locator(".newsmine-side .newsmine-entities a").first.click()
    assert page.locator("#entity-name").is_visible() and page.locator("#mentions li").count() > 0
    screenshot(page, "entity")

    assert page.goto(f"{base}/{stem}/top_entities_per_month").status == 200  # names link to entity pages
    names = page.locator("td.col-name a")
    assert names.count() > 0 and names.first.get_attribute("href").startswith("/-/newsmine/entity/")
    screenshot(page, "query")
    with page.expect_navigation():
        names.first.click()
    assert page.locator("#entity-name").is_visible()


def test_places_map_draws_markers_on_local_tiles(served, page):
    db, base, _ = served
    page.set_viewport_size(WIDE)
    page.goto(f"{base}/{db.stem}/places_map")
    page.wait_for_selector(".leaflet-tile-loaded", timeout=20_000)
    page.wait_for_selector(".leaflet-marker-icon", timeout=20_000)
    tiles = [u for u in page.seen if "/-/newsmine/tiles/" in u]
    assert tiles and all(urlsplit(u).hostname == "127.0.0.1" for u in tiles)
    if os.environ.get("NEWSMINE_UPDATE_SCREENSHOTS"):
        page.locator(".leaflet-container").screenshot(path=str(ROOT / "docs" / "img" / "map.png"))
