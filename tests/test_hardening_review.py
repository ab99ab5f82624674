"""Hardening of the review server (issue #23): each attack reproduced on 127.0.0.1 only (no other
address is ever connected to), with the outcome asserted.

* Row 5: a page on another port of 127.0.0.1 while a reviewer is logged in. Cookies ignore
  ports, so the token must never be a cookie (another local server would receive it) and a
  write from another origin (``Origin``, ``Sec-Fetch-Site``) is refused with 403. In a real
  Chromium: log in, open a hostile page served on another port, let its script try the posts.
* Row 12: ``next`` after logging in takes only local paths (``/%09/host/...`` is ``//host/...``
  once a browser drops the tab).
* Row 13: malformed requests (multipart bodies, ids SQLite cannot hold, POSTs to unknown paths,
  bad bodies, odd methods) get a 4xx, never a 500: through Datasette's own test client and
  through the real `newsmine serve`.

One demo database (`newsmine run`) and one `newsmine serve` are shared by the whole module.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from chromium import CHROMIUM
from loopback import LoopbackServer, Reply
from serving import TOKEN, article_with_all_labels, datasette, soup, start_serve, stop_serve

from pipeline import store
from pipeline.review_plugin import _safe_next

CORRECTIONS = "/-/newsmine/corrections"
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists() and not os.environ.get("CI"),
                                    reason=f"no Chromium at {CHROMIUM} (apt-get install chromium); runs in CI")


@pytest.fixture(scope="module")
def demo(demo_db) -> Path:
    """The module's copy of the demo database (tests/conftest.py), schema upgraded."""
    store.open_db(demo_db).conn.close()
    return demo_db


@pytest.fixture(scope="module")
def served(demo):
    """A real `newsmine serve` on a free 127.0.0.1 port: (base URL, token, log file)."""
    proc, base, printed = start_serve(demo)
    yield base, printed, demo.with_name(f"serve-{urlsplit(base).port}.log")
    stop_serve(proc)


@pytest.fixture
def page(browser):
    """A fresh browser context and page; any request not for 127.0.0.1 is aborted before it leaves."""
    context = browser.new_context(locale="de-DE")
    context.route("**/*", lambda route: route.continue_() if urlsplit(route.request.url).hostname == "127.0.0.1"
                  else route.abort())
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def corrections_count(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM corrections").fetchone()[0]
    finally:
        con.close()


def mentions(db: Path, article_id: int) -> list[dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    out = [dict(r) for r in con.execute('SELECT start, "end", label, text FROM mentions_reviewed '
                                        "WHERE article_id = ? ORDER BY start", (article_id,))]
    con.close()
    return out


def run(coroutine: Coroutine) -> Any:
    """``asyncio.run`` in a thread of its own (Playwright's sync API keeps a loop running in this one)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def run_all(db: Path, *requests: tuple) -> list[httpx.Response | Exception]:
    """``(method, url, kwargs)`` requests through Datasette's test client; an exception the
    application raised is returned in place of its response."""
    async def go() -> list:
        ds = datasette(db)
        out: list = []
        for method, url, kwargs in requests:
            try:
                out.append(await ds.client.request(method, url, **kwargs))
            except Exception as err:  # noqa: BLE001  (what a real server would answer with a 500)
                out.append(err)
        return out

    return run(go())


def bearer(**headers: str) -> dict:
    return {"authorization": f"Bearer {TOKEN}", **headers}


def log_in(page, base: str, token: str, next_path: str, name: str = "Hardening Test") -> str:
    """Log in through the login page; the URL the browser went to afterwards."""
    page.goto(f"{base}/-/newsmine/login?next={next_path}")
    page.fill("#token", token)
    page.fill("#name", name)
    with page.expect_navigation():
        page.click("#login")
    return page.url


# --- row 5: a page on another port of 127.0.0.1 -----------------------------------------


def test_row5_the_token_is_never_a_cookie_and_a_cookie_grants_nothing(demo, token):
    art = article_with_all_labels(demo)
    first = mentions(demo, art["id"])[0]
    before = corrections_count(demo)

    def delete(m: dict) -> dict:
        return {"article_id": art["id"], "start": m["start"], "end": m["end"], "label": None, "text": m["text"]}

    async def go() -> tuple:
        ds = datasette(demo)
        form = await ds.client.get("/-/newsmine/login?next=/-/newsmine/article/1")
        csrf_cookie = form.cookies["ds_csrftoken"]
        csrf = soup(form.text).find("input", attrs={"name": "csrftoken"})["value"]
        login = await ds.client.post("/-/newsmine/login", headers=bearer(),
                                     json={"name": "Erika", "next": "/-/newsmine/article/1"})
        wrong = await ds.client.post("/-/newsmine/login", headers={"authorization": "Bearer " + "x" * 43},
                                     json={"name": "Erika"})
        # what a page on another port can make the browser send: every 127.0.0.1 cookie
        jar = {"ds_csrftoken": csrf_cookie, "newsmine_token": TOKEN, "newsmine_reviewer": "Erika"}
        cookie_json = await ds.client.post(CORRECTIONS, json=delete(first), cookies=jar,
                                           headers={"x-csrftoken": csrf_cookie})
        cookie_form = await ds.client.post(CORRECTIONS, cookies=jar, data={
            "csrftoken": csrf, **{k: "" if v is None else str(v) for k, v in delete(first).items()}})
        page = await ds.client.get(f"/-/newsmine/article/{art['id']}")
        return login, wrong, cookie_json, cookie_form, page

    login, wrong, cookie_json, cookie_form, page = run(go())
    assert (cookie_json.status_code, cookie_form.status_code) == (403, 403)
    assert corrections_count(demo) == before
    # logging in checks the Bearer token and sets no cookie (only expires those of earlier versions)
    assert login.status_code == 200, login.text[:300]
    assert login.json() == {"ok": True, "reviewer": "Erika", "next": "/-/newsmine/article/1"}
    set_cookies = login.headers.get_list("set-cookie")
    assert TOKEN not in json.dumps(set_cookies) and not [c for c in set_cookies if "max-age=0" not in c.lower()]
    assert wrong.status_code == 403 and wrong.json()["ok"] is False
    # the review page cannot be framed by another origin's page (no clickjacking of the UI)
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    # the page carries no credential: the script reads the token from the tab's sessionStorage
    assert TOKEN not in page.text and "review.js" in page.text


def test_row5_writes_from_another_origin_are_refused(demo, token):
    art = article_with_all_labels(demo)
    first, second = mentions(demo, art["id"])[:2]
    before = corrections_count(demo)

    def delete(m: dict) -> dict:
        return {"article_id": art["id"], "start": m["start"], "end": m["end"], "label": None, "text": m["text"]}

    foreign = [
        {"origin": "http://127.0.0.1:1"},                          # another port of the same host
        {"origin": "http://localhost:8002"},
        {"origin": "http://rebind.example"},
        {"origin": "null"},                                        # sandboxed frame, data: URL
        {"origin": "http://localhost", "sec-fetch-site": "same-site"},
        {"sec-fetch-site": "same-site"},
        {"sec-fetch-site": "cross-site"},
    ]
    results = run_all(
        demo,
        *[("POST", CORRECTIONS, {"json": delete(first), "headers": bearer(**h)}) for h in foreign],
        *[("POST", "/-/newsmine/login", {"json": {"name": "x"}, "headers": bearer(**h)}) for h in foreign[:2]],
        ("POST", "/-/newsmine/logout", {"headers": {"origin": "http://127.0.0.1:1"}}),
        # the server's own page: Origin http://localhost (Datasette's test client's host)
        ("POST", CORRECTIONS, {"json": delete(second),
                               "headers": bearer(origin="http://localhost", **{"sec-fetch-site": "same-origin"})}),
    )
    refused, own = results[:-1], results[-1]
    assert [r.status_code for r in refused] == [403] * len(refused), [getattr(r, "text", r) for r in refused]
    assert all("refused" in r.text for r in refused)
    assert own.status_code == 201, own.text
    assert corrections_count(demo) == before + 1


def test_row5_dns_rebinding_host_is_refused(demo, token):
    """A name that resolves to 127.0.0.1 but is not a loopback name (DNS rebinding) gets nothing."""
    rebound, loopback = run_all(demo, ("GET", "/", {"headers": {"host": "rebind.example:8001"}}),
                                ("GET", "/", {"headers": {"host": "127.0.0.1:8001"}}))
    assert rebound.status_code == 403 and "Host" in rebound.text
    assert loopback.status_code == 200


HOSTILE_PAGE = """<!doctype html><title>hostile</title>
<iframe name="sink" id="sink"></iframe>
<form id="f" target="sink" method="POST" action="{target}"></form>
<script>
(async () => {{
  const target = "{target}";
  const results = {{}};
  const m = document.cookie.match(/(?:^|; )ds_csrftoken=([^;]*)/);
  const csrf = m ? decodeURIComponent(m[1]) : "";
  results.cookies = document.cookie;
  results.storage = sessionStorage.getItem("newsmine_token") || localStorage.getItem("newsmine_token");
  // 1. the attack of issue #23: a form-encoded POST (no CORS preflight) with the CSRF cookie it can read
  try {{
    await fetch(target, {{method: "POST", mode: "no-cors", credentials: "include",
      body: new URLSearchParams({{csrftoken: csrf, article_id: "{article_id}", start: "{a_start}",
                                 end: "{a_end}", label: ""}})}});
    results.form = "sent";
  }} catch (err) {{ results.form = String(err); }}
  // 2. JSON with the CSRF header (needs a preflight)
  try {{
    const r = await fetch(target, {{method: "POST", credentials: "include",
      headers: {{"content-type": "application/json", "x-csrftoken": csrf}},
      body: JSON.stringify({{article_id: {article_id}, start: {a_start}, end: {a_end}, label: null}})}});
    results.json = r.status;
  }} catch (err) {{ results.json = "blocked"; }}
  // 3. a classic cross-site form submitted into a frame
  const f = document.getElementById("f");
  for (const [k, v] of Object.entries({{csrftoken: csrf, article_id: "{article_id}", start: "{b_start}",
                                        end: "{b_end}", label: ""}})) {{
    const i = document.createElement("input"); i.type = "hidden"; i.name = k; i.value = v; f.appendChild(i);
  }}
  await new Promise((done) => {{
    document.getElementById("sink").addEventListener("load", done, {{once: true}});
    setTimeout(done, 3000);
    f.submit();
  }});
  results.frame = "submitted";
  document.title = "done " + JSON.stringify(results);
}})();
</script>"""


@needs_chromium
def test_row5_a_page_on_another_port_cannot_correct_or_see_the_token(served, demo, page):
    base, token_value, _ = served
    art = article_with_all_labels(demo)
    a, b = mentions(demo, art["id"])[2:4]
    with LoopbackServer() as hostile:
        hostile.route("/evil.html", Reply(body=HOSTILE_PAGE.format(
            target=base + CORRECTIONS, article_id=art["id"], a_start=a["start"], a_end=a["end"],
            b_start=b["start"], b_end=b["end"])))
        assert log_in(page, base, token_value, f"/-/newsmine/article/{art['id']}") == \
            f"{base}/-/newsmine/article/{art['id']}"
        page.wait_for_selector("#review-hint")
        before = corrections_count(demo)

        page.goto(hostile.url("/evil.html"))  # the same tab: the reviewer follows a link
        page.wait_for_function("document.title.startsWith('done ')", timeout=20_000)
        results = json.loads(page.title()[len("done "):])
        assert results["form"] == "sent" and results["frame"] == "submitted", results  # the attacks ran
        cookies = [r.header("cookie") or "" for r in hostile.requests]
        leaked = [c for c in cookies if token_value in c or "newsmine_token" in c]
        stored = corrections_count(demo) - before
        assert (stored, leaked) == (0, []), "corrections stored by the hostile page / cookies it got with the token"
        assert hostile.requests and results["storage"] is None and token_value not in results["cookies"]

    # the reviewer's own tab still works, and logging out forgets the token
    page.goto(f"{base}/-/newsmine/article/{art['id']}")
    page.wait_for_selector("#review-hint")
    assert page.inner_text("#review-name") == "Hardening Test"
    page.goto(f"{base}/-/newsmine/logout")
    with page.expect_navigation():
        page.click("#logout")
    assert page.evaluate("sessionStorage.getItem('newsmine_token')") is None
    page.goto(f"{base}/-/newsmine/article/{art['id']}")
    assert page.locator("#review-login").is_visible() and not page.locator("#review-hint").is_visible()
    assert all(token_value not in c["value"] for c in page.context.cookies())


# --- row 12: next after logging in --------------------------------------------------------


HOSTILE_NEXT = [
    "//evil.example/", "/\\evil.example/", "/\\/evil.example/", "/\t/evil.example/", "/\n/evil.example/",
    "/\r\n/evil.example/", "\t//evil.example/", " //evil.example/", "/%09/evil.example/", "/%0a/evil.example/",
    "/%2F/evil.example/", "/%2f%2fevil.example/", "/%5Cevil.example/", "/%2509/evil.example/",
    "https://evil.example/", "http:evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)",
    "/\x00/evil.example", "/\u3000/evil.example", "", "evil.example",
]


def test_row12_next_accepts_only_local_paths(demo, token):
    for value in HOSTILE_NEXT:
        assert _safe_next(value) == "/", repr(value)
    for value in ("/", "/-/newsmine/article/5", "/newsmine/articles?_sort=id&_search=a%20b", "/newsmine/a%2Fb#x"):
        assert _safe_next(value) == value
    results = run_all(
        demo,
        *[("GET", f"/-/newsmine/login?next={quote(v, safe='')}", {}) for v in HOSTILE_NEXT],
        ("GET", "/-/newsmine/login?next=/%09/127.0.0.2:18712/e.html", {}),  # the URL, as sent
        *[("POST", "/-/newsmine/login", {"json": {"next": v}, "headers": bearer()}) for v in HOSTILE_NEXT],
    )
    forms, logins = results[:len(HOSTILE_NEXT) + 1], results[len(HOSTILE_NEXT) + 1:]
    for value, form in zip([*HOSTILE_NEXT, "/\t/127.0.0.2:18712/e.html"], forms):
        assert soup(form.text).find("input", attrs={"name": "next"})["value"] == "/", repr(value)
    for value, login in zip(HOSTILE_NEXT, logins):
        assert login.status_code == 200 and login.json()["next"] == "/", (repr(value), login.text[:200])


@needs_chromium
def test_row12_logging_in_never_leaves_the_server(served, page):
    base, token_value, _ = served
    with LoopbackServer() as other:  # another origin on 127.0.0.1 stands in for the 127.0.0.2
        other.route("/e.html", Reply(body="<title>elsewhere</title>"))
        went_to = log_in(page, base, token_value, f"/%09/127.0.0.1:{other.port}/e.html")
        assert went_to == f"{base}/" and other.requests_to("/e.html") == [], went_to
    assert page.evaluate("sessionStorage.getItem('newsmine_token')") == token_value


# --- row 13: malformed requests get a 4xx -----------------------------------------------------


MULTIPART = b'--b0\r\nContent-Disposition: form-data; name="article_id"\r\n\r\n1\r\n--b0--\r\n'
BIG = "9" * 20


def malformed() -> list[tuple[str, str, dict, int | None]]:
    """(method, path, request kwargs, expected status or None for any 4xx)."""
    cookie = {"cookie": "ds_csrftoken=x"}
    js = bearer(**{"content-type": "application/json"})
    return [
        # multipart: asgi-csrf's parser fails with the installed python-multipart
        ("POST", CORRECTIONS, {"content": MULTIPART, "headers": {**cookie, "content-type": "multipart/form-data; "
                                                                                    "boundary=b0"}}, 415),
        ("POST", CORRECTIONS, {"content": MULTIPART, "headers": {**cookie, "content-type": "multipart/form-data"}},
         415),
        ("POST", "/-/newsmine/login", {"content": MULTIPART, "headers": bearer(**{
            "content-type": "multipart/form-data; boundary=b0"})}, 415),
        # ids SQLite cannot hold, and ids that are no ids
        ("GET", f"/-/newsmine/article/{BIG}", {}, 404),
        ("GET", f"/-/newsmine/entity/{BIG}", {}, 404),
        ("GET", "/-/newsmine/article/" + "9" * 5000, {}, 404),
        ("GET", "/-/newsmine/article/-1", {}, 404),
        ("GET", "/-/newsmine/article/abc", {}, 404),
        ("GET", "/-/newsmine/entity/1.5", {}, 404),
        # POSTs to unknown paths, tables and read-only queries; Datasette's 404 for no route at all
        ("POST", "/nope", {}, None),
        ("POST", "/-/nope", {}, 404),
        ("POST", "/newsmine/nope", {}, 405),
        ("POST", "/newsmine/articles", {}, 405),
        ("POST", "/newsmine/top_entities_per_month", {}, 405),
        ("POST", "/newsmine.json/x", {}, 404),
        ("GET", "/newsmine.json/x", {}, 404),
        ("POST", f"/-/newsmine/article/{BIG}", {}, None),
        # bodies
        ("POST", CORRECTIONS, {"content": b"", "headers": js}, 400),
        ("POST", CORRECTIONS, {"content": b"{", "headers": js}, 400),
        ("POST", CORRECTIONS, {"content": b"[]", "headers": js}, 400),
        ("POST", CORRECTIONS, {"content": b"null", "headers": js}, 400),
        ("POST", CORRECTIONS, {"content": b"[" * 100_000, "headers": js}, 400),
        ("POST", CORRECTIONS, {"content": b"\xff\xfe{}", "headers": js}, 400),
        ("POST", CORRECTIONS, {"content": json.dumps({"article_id": int(BIG) * 1000, "start": 0, "end": 3}),
                               "headers": js}, 400),
        ("POST", CORRECTIONS, {"content": b'{"article_id": 1, "start": 0, "end": 1e999}', "headers": js}, 400),
        ("POST", CORRECTIONS, {"content": b'{"article_id": 1, "start": 1e400, "end": NaN}', "headers": js}, 400),
        ("POST", CORRECTIONS, {"content": b'{"article_id": -5, "start": -1, "end": 3}', "headers": js}, None),
        ("POST", CORRECTIONS, {"content": b'{"article_id": [1], "start": {}, "end": true}', "headers": js}, 400),
        ("POST", CORRECTIONS, {"content": b'{"article_id": 1, "start": 0, "end": 3, "label": {"x": 1}}',
                               "headers": js}, None),
        ("POST", CORRECTIONS, {"content": b"x" * (1 << 21), "headers": js}, 413),
        # content types
        ("POST", CORRECTIONS, {"content": b"hello", "headers": bearer(**{"content-type": "text/plain"})}, 400),
        ("POST", CORRECTIONS, {"content": b"a=%ff%fe&article_id=" + BIG.encode(),
                               "headers": bearer(**{"content-type": "application/x-www-form-urlencoded"})}, 400),
        ("POST", CORRECTIONS, {"content": b"\xff\xfe", "headers": {
            **cookie, "content-type": "application/x-www-form-urlencoded"}}, 400),
        ("POST", "/-/newsmine/login", {"content": b"token=\xff", "headers": {
            "content-type": "application/x-www-form-urlencoded"}}, 400),
        ("POST", "/-/newsmine/login", {"content": b"{", "headers": js}, 400),
        ("POST", CORRECTIONS, {"content": b"<x/>", "headers": {**cookie, "content-type": "application/xml"}}, 403),
        ("POST", CORRECTIONS, {"headers": cookie}, 403),
        # headers
        ("GET", "/", {"headers": {"cookie": b"ds_csrftoken=\xff\xfe"}}, 400),
        # methods on the write endpoints
        *[(m, path, {}, 405) for m in ("HEAD", "PUT", "DELETE", "PATCH", "GET")
          for path in (CORRECTIONS,)],
        *[(m, path, {}, 405) for m in ("PUT", "DELETE", "PATCH") for path in ("/-/newsmine/login",
                                                                              "/-/newsmine/logout")],
        ("OPTIONS", CORRECTIONS, {}, 405),
        ("FOO", "/", {}, 405),
        ("TRACE", "/", {}, 405),
        ("PROPFIND", CORRECTIONS, {}, 405),
    ]


def check(cases: list, answers: list) -> None:
    wrong = [(method, path[:60], kwargs.get("content", b"")[:30], expected,
              getattr(answer, "status_code", repr(answer)[:200]))
             for (method, path, kwargs, expected), answer in zip(cases, answers)
             if not isinstance(answer, httpx.Response)
             or not (answer.status_code == expected if expected else 400 <= answer.status_code < 500)]
    assert not wrong, "\n".join(map(str, wrong))


def test_row13_malformed_requests_get_a_4xx_through_datasette(demo, token):
    before = corrections_count(demo)
    cases = malformed()
    check(cases, run_all(demo, *[(method, path, kwargs) for method, path, kwargs, _ in cases]))
    assert corrections_count(demo) == before


def test_row13_malformed_requests_get_a_4xx_from_newsmine_serve(served, demo):
    base, token_value, log = served
    before = corrections_count(demo)
    cases = [(m, p, {**kw, "headers": {k: (f"Bearer {token_value}" if v == f"Bearer {TOKEN}" else v)
                                       for k, v in kw.get("headers", {}).items()}}, expected)
             for m, p, kw, expected in malformed()]
    answers: list = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for method, path, kwargs, _ in cases:
            client.cookies.clear()  # each request carries only the cookies its case names
            try:
                answers.append(client.request(method, path, **kwargs))
            except httpx.HTTPError as err:
                answers.append(err)
    check(cases, answers)
    assert corrections_count(demo) == before
    assert " 500 " not in log.read_text(errors="replace")
