"""Issue #23, the run's rows: what one page claims never loses or overwrites another page's article
(rows 1, 2), a page that used to stall a run (row 3).

Every test runs :func:`pipeline.run.run` as ``newsmine run --config`` does, with the shipped model,
against real HTTP servers on 127.0.0.1 (tests/loopback.py) and a real SQLite file.
"""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest
from loopback import LoopbackServer, Reply
from runs import TEXTS, page, run_urls

from pipeline import run as runner
from pipeline.store import open_db


def articles(db_path: Path) -> dict[str, dict]:
    db = open_db(db_path)
    rows = {r["url"]: r for r in db.query("SELECT a.url, a.title, a.text, p.url AS page FROM articles a "
                                          "JOIN pages p ON p.id = a.page_id")}
    db.close()
    return rows


@pytest.mark.parametrize("canonical", ["/lokales/duisburg/", "/thema/stadtrat.html"],
                         ids=["section-page", "one-shared-url"])
def test_articles_that_all_name_one_canonical_url_are_all_stored(tmp_path, nlp, canonical):
    """Row 1: three articles whose pages carry the same canonical URL: all three are stored, none lost."""
    with LoopbackServer() as srv:
        srv.route("/robots.txt", Reply(status=404))
        urls = []
        for i in range(3):
            path = f"/lokales/duisburg/artikel-{i}.html"
            srv.route(path, Reply(body=page(f"Artikel {i}", TEXTS[i], srv.url(canonical))))
            urls.append(srv.url(path))
        stats = run_urls(tmp_path / "n.db", nlp, "lokal", urls)
    stored = articles(tmp_path / "n.db")
    assert stats.articles_written == 3 and stats.extract_errors == 0
    assert sorted(r["title"] for r in stored.values()) == ["Artikel 0", "Artikel 1", "Artikel 2"]
    for i in range(3):  # each article with its own text
        assert any(TEXTS[i][0] in r["text"] for r in stored.values())
    if canonical.endswith("/"):  # a section page above the article is never trusted
        assert set(stored) == set(urls)
    else:  # the first claim holds; the other two, which collide with it, keep their own URLs, with a note
        assert stored[srv.url(canonical)]["title"] == "Artikel 0"
        assert {stored[u]["title"] for u in urls[1:]} == {"Artikel 1", "Artikel 2"}
        assert len(stats.notes) == 2 and all("holds another page's article" in n for n in stats.notes)


def test_a_page_on_another_site_cannot_overwrite_an_article(tmp_path, nlp):
    """Row 2: a page on another host (another source) whose canonical names an existing article's URL."""
    db_path = tmp_path / "n.db"
    with LoopbackServer() as site, LoopbackServer() as other:
        for srv in (site, other):
            srv.route("/robots.txt", Reply(status=404))
        site.route("/a.html", Reply(body=page("Haushalt beschlossen", TEXTS[0])))
        other.route("/b.html", Reply(body=page("Neue Bäckerei", TEXTS[1], site.url("/a.html"))))
        run_urls(db_path, nlp, "site", [site.url("/a.html")])
        before = articles(db_path)
        stats = run_urls(db_path, nlp, "other", [other.url("/b.html")])
    after = articles(db_path)
    assert after[site.url("/a.html")] == before[site.url("/a.html")]  # title, text, page unchanged
    assert after[other.url("/b.html")]["title"] == "Neue Bäckerei"
    assert stats.articles_written == 1 and not stats.notes  # another site's claim is simply not believed


def test_a_copy_on_the_same_site_cannot_overwrite_an_article_and_a_page_takes_its_own_url_back(tmp_path, nlp):
    """Row 2 on one site: a page naming another page's URL as canonical, with another text, keeps its own
    URL; a page whose URL another page claimed first takes it back, and nothing is lost."""
    db_path = tmp_path / "n.db"
    with LoopbackServer() as site:
        site.route("/robots.txt", Reply(status=404))
        site.route("/a.html", Reply(body=page("Haushalt beschlossen", TEXTS[0])))
        site.route("/b.html", Reply(body=page("Neue Bäckerei", TEXTS[1], site.url("/a.html"))))
        site.route("/c.html", Reply(body=page("Derby verloren", TEXTS[2], site.url("/d.html"))))
        site.route("/d.html", Reply(body=page("Neue Straßenbahnen", TEXTS[3])))
        run_urls(db_path, nlp, "site", [site.url("/a.html"), site.url("/c.html")])
        claimed = articles(db_path)
        stats = run_urls(db_path, nlp, "site", [site.url("/b.html"), site.url("/d.html")])
    stored = articles(db_path)
    assert claimed[site.url("/d.html")]["title"] == "Derby verloren"  # /c.html's claim, before /d.html came
    assert {u: r["title"] for u, r in stored.items()} == {
        site.url("/a.html"): "Haushalt beschlossen", site.url("/b.html"): "Neue Bäckerei",
        site.url("/c.html"): "Derby verloren", site.url("/d.html"): "Neue Straßenbahnen"}
    assert stored[site.url("/a.html")] == claimed[site.url("/a.html")]
    assert stats.articles_written == 2 and stats.extract_errors == 0
    assert any("took back its URL" in n for n in stats.notes)


def test_reprocessing_keeps_every_article_where_it_was(tmp_path, nlp):
    """The URL decisions are stable: processing the stored pages again moves and loses nothing."""
    db_path = tmp_path / "n.db"
    with LoopbackServer() as srv:
        srv.route("/robots.txt", Reply(status=404))
        urls = []
        for i in range(3):
            srv.route(f"/x/{i}.html", Reply(body=page(f"Artikel {i}", TEXTS[i], srv.url("/thema/x.html"))))
            urls.append(srv.url(f"/x/{i}.html"))
        run_urls(db_path, nlp, "lokal", urls)
    before = {u: r["title"] for u, r in articles(db_path).items()}
    db = open_db(db_path)
    stats = runner.RunStats()
    runner.process_pending(db, nlp, "other-model-tag", stats, force=True)
    db.close()
    assert {u: r["title"] for u, r in articles(db_path).items()} == before
    assert stats.articles_written == 3


def attributes(n: int) -> str:
    return " ".join(f'a{i}="x"' for i in range(n))


def test_a_page_with_a_tag_of_300k_attributes_does_not_stall_a_run(tmp_path, nlp):
    """Row 3: one ``<p>`` with 300,000 attributes (2.9 MB) took the extractor 272 s (the parsers are
    quadratic in the attributes of a tag; 150,000 stalled a run for 30 to 40 s). The run must store the
    article; a 60 s alarm turns a stall into a failure (the run takes about a second)."""
    bomb = (f'<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Derby</title></head><body>'
            f"<article><h1>Derby</h1><p {attributes(300_000)}>{TEXTS[2][0]}</p>"
            + "".join(f"<p>{p}</p>" for p in TEXTS[2][1:]) + "</article></body></html>")
    assert len(bomb) > 2_800_000

    def stalled(signum, frame):
        raise TimeoutError("the run stalled on a page with 300,000 attributes in one tag")

    previous = signal.signal(signal.SIGALRM, stalled)
    signal.alarm(60)
    try:
        with LoopbackServer() as srv:
            srv.route("/robots.txt", Reply(status=404))
            srv.route("/derby.html", Reply(body=bomb))
            stats = run_urls(tmp_path / "n.db", nlp, "lokal", [srv.url("/derby.html")])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert stats.articles_written == 1
    [stored] = articles(tmp_path / "n.db").values()
    assert TEXTS[2][0] in stored["text"] and TEXTS[2][2] in stored["text"]


def test_the_run_counts_record_the_notes(tmp_path, nlp):
    """URL conflicts are kept in the run's counts (``runs.counts``), not only printed."""
    with LoopbackServer() as srv:
        srv.route("/robots.txt", Reply(status=404))
        urls = []
        for i in range(2):
            srv.route(f"/n/{i}.html", Reply(body=page(f"Artikel {i}", TEXTS[i + 3], srv.url("/same.html"))))
            urls.append(srv.url(f"/n/{i}.html"))
        run_urls(tmp_path / "n.db", nlp, "lokal", urls)
    db = open_db(tmp_path / "n.db")
    [counts] = [json.loads(r["counts"]) for r in db.query("SELECT counts FROM runs")]
    assert counts["url_conflicts"] == 1 and len(counts["notes"]) == 1
