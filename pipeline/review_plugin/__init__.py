"""The newsmine Datasette plugin (entry point ``datasette: newsmine``).

Routes (all under ``/-/newsmine/``):

- ``articles``: the articles, newest first, linking to their review pages; ``?q=`` searches
  title and text (the sentence around each hit);
- ``article/{id}``: the article text with highlighted PER/LOC/ORG mentions (corrections
  applied) and euro amounts (normalised value on hover), each linking to its entity;
  with the write token, a click on a highlight or a text selection records a correction;
- ``entity/{id}``: aliases, roles, quotes, mentions in context, co-occurring entities,
  mentions per month;
- ``corrections`` (POST): record a correction (JSON or form), for the reviewer only;
- ``login`` / ``logout``: check the token printed by ``newsmine serve`` / forget it;
- ``tiles/{z}/{x}/{y}.png``: offline map tiles for datasette-cluster-map.

Writes need the token from the plugin config (``{"$env": "NEWSMINE_TOKEN"}`` in the
metadata, so it never appears in ``/-/metadata``), sent as ``Authorization: Bearer`` and
compared with :func:`hmac.compare_digest`: it makes the request's actor the reviewer, and
only the reviewer has the ``newsmine-correct`` permission. Without a configured token
everything is read-only. The token is never put in a cookie: cookies ignore ports, so
every other server on 127.0.0.1 would receive it. The page script keeps it in the tab's
``sessionStorage`` (per origin: scheme, host *and* port) and sends it as the Bearer header.

Every request passes :func:`asgi_wrapper` first: a write (any method but GET, HEAD,
OPTIONS, TRACE) whose ``Origin`` is not the server's own, or whose ``Sec-Fetch-Site`` is
``same-site``/``cross-site``, is refused with 403; requests Datasette or asgi-csrf would
answer with a 500 (multipart bodies, form bodies or cookies that are not UTF-8, unknown
methods) get a 4xx; a ``Host`` that is not a loopback name is refused (DNS rebinding);
no page may be framed. Datasette's CSRF protection stays on for cookie-bearing posts.
"""

from __future__ import annotations

import hmac
import inspect
import ipaddress
import json
import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

import sqlite_utils
from datasette import Forbidden, NotFound, Request, Response, hookimpl
from markupsafe import Markup

if TYPE_CHECKING:
    from datasette.app import Datasette
    from datasette.database import Database

from pipeline import corrections
from pipeline.review_plugin import pages, tiles

PLUGIN = "newsmine"
WRITE_ACTION = "newsmine-correct"
REVIEWER_HEADER = "x-newsmine-reviewer"  # the reviewer's name, percent-encoded (set by review.js)
LEGACY_COOKIES = ("newsmine_token", "newsmine_reviewer")  # set by earlier versions; expired at login/logout
LABELS = ("PER", "LOC", "ORG", "MONEY")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})  # not writes (as asgi-csrf counts them)
KNOWN_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"})  # Datasette's views
MAX_BODY = 1 << 20  # bytes of a form or JSON body; no endpoint needs more
SQLITE_MAX_INT = 2**63 - 1
FRAME_HEADERS = ((b"x-frame-options", b"DENY"), (b"content-security-policy", b"frame-ancestors 'none'"))

ASGIApp = Callable[[dict, Callable[[], Awaitable[dict]], Callable[[dict], Awaitable[None]]], Awaitable[None]]


def _config(datasette: Datasette) -> dict:
    return datasette.plugin_config(PLUGIN) or {}


def _token(datasette: Datasette) -> str | None:
    """The configured write token (None: read-only). Short tokens are refused."""
    token = _config(datasette).get("token")
    return token if isinstance(token, str) and len(token) >= 16 else None


def _database(datasette: Datasette) -> Database:
    """The newsmine database: the configured one, else the first one that is not internal."""
    name = _config(datasette).get("database")
    if name and name in datasette.databases:
        return datasette.get_database(name)
    for db_name, db in datasette.databases.items():
        if db_name != "_internal" and not getattr(db, "is_memory", False):
            return db
    raise NotFound("no newsmine database")


def _reviewer_name(raw: str | None) -> str:
    name = re.sub(r"[^\w .@-]", "", (raw or "").strip())[:40]
    return name or "reviewer"


def _bearer_matches(datasette: Datasette, authorization: str) -> bool:
    """Whether an ``Authorization`` header carries the configured token."""
    token = _token(datasette)
    if token is None or not authorization.startswith("Bearer "):
        return False
    supplied = authorization[7:].strip()
    return bool(supplied) and hmac.compare_digest(supplied.encode("utf-8"), token.encode("utf-8"))


@hookimpl
def actor_from_request(datasette: Datasette, request: Request) -> dict | None:
    """The reviewer actor when the request carries the token as ``Authorization: Bearer``.

    Never from a cookie: a cookie for 127.0.0.1 goes to every port of 127.0.0.1.
    """
    if not _bearer_matches(datasette, request.headers.get("authorization", "")):
        return None
    return {"id": _reviewer_name(unquote(request.headers.get(REVIEWER_HEADER, ""))), "newsmine": "reviewer"}


@hookimpl
def permission_allowed(datasette: Datasette, actor: dict | None, action: str, resource: object) -> bool | None:
    """Only the reviewer actor may record corrections."""
    if action == WRITE_ACTION:
        return bool(actor and actor.get("newsmine") == "reviewer")
    return None


# --- the guard in front of Datasette ---------------------------------------------------


def _header_map(scope: dict) -> dict[bytes, bytes]:
    return {k.lower(): v for k, v in scope.get("headers") or []}


def _origin(scheme: str, netloc: str) -> str | None:
    """``scheme://host[:port]`` in lower case, the default port left out (None: unparsable)."""
    try:
        parts = urlsplit(f"{scheme}://{netloc}")
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or parts.username is not None or parts.path:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default = {"http": 80, "https": 443}.get(scheme.lower())
    return f"{scheme.lower()}://{host}" + (f":{port}" if port is not None and port != default else "")


def _own_origins(datasette: Datasette, scope: dict, host: str) -> set[str]:
    schemes = {scope.get("scheme") or "http"}
    if datasette.setting("force_https_urls"):
        schemes.add("https")
    return {o for o in (_origin(s, host) for s in schemes) if o}


def _is_loopback_host(host: str) -> bool:
    """Whether a ``Host`` header names this machine's loopback interface (any port)."""
    try:
        name = urlsplit(f"//{host}").hostname or ""
    except ValueError:
        return False
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _refusal(datasette: Datasette, scope: dict) -> tuple[int, str] | None:
    """Why a request is refused before Datasette sees it: (status, message), else None."""
    method = scope.get("method", "GET").upper()
    if method not in KNOWN_METHODS:
        return 405, f"method {method} not allowed"
    headers = _header_map(scope)
    host = headers.get(b"host", b"").decode("latin-1")
    if _config(datasette) and not _is_loopback_host(host):
        return 403, "this server answers only on 127.0.0.1 / localhost (Host refused)"
    try:
        headers.get(b"cookie", b"").decode("utf-8")
    except UnicodeDecodeError:
        return 400, "the Cookie header is not UTF-8"
    if method in SAFE_METHODS:
        return None
    site = headers.get(b"sec-fetch-site", b"").decode("latin-1").strip().lower()
    if site in ("same-site", "cross-site"):
        return 403, f"write refused: the request came from another origin (Sec-Fetch-Site: {site})"
    if b"origin" in headers:  # browsers send it with every POST; scripts (curl) need not
        origin = headers[b"origin"].decode("latin-1").strip()
        scheme, sep, netloc = origin.partition("://")
        if not sep or _origin(scheme, netloc) not in _own_origins(datasette, scope, host):
            return 403, f"write refused: Origin {origin[:100]!r} is not this server"
    content_type = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
    if content_type == b"multipart/form-data":
        return 415, "multipart/form-data is not accepted: post JSON or application/x-www-form-urlencoded"
    return None


async def _send_text(send: Callable[[dict], Awaitable[None]], status: int, message: str,
                     headers: tuple = ()) -> None:
    extra = [(b"allow", b", ".join(m.encode() for m in sorted(KNOWN_METHODS)))] if status == 405 else []
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), *FRAME_HEADERS, *extra, *headers]})
    await send({"type": "http.response.body", "body": message.encode("utf-8")})


async def _buffer_body(receive: Callable[[], Awaitable[dict]]) -> tuple[list[dict], bytes | None]:
    """Every request message and the body (None: larger than :data:`MAX_BODY`)."""
    messages: list[dict] = []
    body = b""
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, body
        body += message.get("body", b"")
        if len(body) > MAX_BODY:
            return messages, None
        if not message.get("more_body"):
            return messages, body


@hookimpl
def asgi_wrapper(datasette: Datasette) -> Callable[[ASGIApp], ASGIApp]:
    """Refuse cross-origin writes and malformed requests before Datasette; forbid framing."""
    def wrap(app: ASGIApp) -> ASGIApp:
        async def guard(scope: dict, receive: Callable[[], Awaitable[dict]],
                        send: Callable[[dict], Awaitable[None]]) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            refusal = _refusal(datasette, scope)
            if refusal:
                await _send_text(send, *refusal)
                return

            async def send_framed(event: dict) -> None:
                if event["type"] == "http.response.start":
                    names = {k.lower() for k, _ in event.get("headers") or []}
                    event = {**event, "headers": [*(event.get("headers") or []),
                                                  *(h for h in FRAME_HEADERS if h[0] not in names)]}
                await send(event)

            content_type = _header_map(scope).get(b"content-type", b"").split(b";", 1)[0].strip().lower()
            if scope["method"].upper() not in SAFE_METHODS and content_type == b"application/x-www-form-urlencoded":
                # asgi-csrf and Datasette decode form bodies as UTF-8 without catching the error
                messages, body = await _buffer_body(receive)
                if body is None:
                    await _send_text(send, 413, f"request body larger than {MAX_BODY} bytes")
                    return
                try:
                    body.decode("utf-8")
                except UnicodeDecodeError:
                    await _send_text(send, 400, "the form body is not UTF-8")
                    return

                async def replay() -> dict:
                    return messages.pop(0) if messages else await receive()

                await app(scope, replay, send_framed)
                return
            await app(scope, receive, send_framed)

        return guard

    return wrap


def _awaited_inside_except(result: Any, exception: BaseException) -> Any:
    """A handler's result (a function or coroutine, as Datasette's ``await_me_maybe`` takes it)
    called and awaited inside an ``except`` block for ``exception``."""
    if not (callable(result) or inspect.isawaitable(result)) or isinstance(result, Response):
        return result

    async def run() -> Any:
        try:
            raise exception
        except BaseException:
            value = result() if callable(result) else result
            return await value if inspect.isawaitable(value) else value

    return run()


@hookimpl(specname="handle_exception", hookwrapper=True)
def handle_exception_outside_except(datasette: Datasette, request: Request,
                                    exception: BaseException) -> Iterator[None]:
    """Datasette's default error page prints the exception with rich, and rich 15 raises when
    that happens outside an ``except`` block (a 404 for a path no route matches, a POST to an
    unknown path): a 500 instead of the 404. Run every handler inside one."""
    outcome = yield
    outcome.force_result([_awaited_inside_except(r, exception) for r in outcome.get_result()])


def _is_post_to_read_view(exception: BaseException) -> bool:
    """Datasette 0.65's failures for a POST to a table (``assert canned_query``) and to a
    canned query that does not write (the view returns a tuple, not a response)."""
    return (type(exception) is AssertionError and "POST to a canned query" in str(exception)) or (
        type(exception) is AttributeError and "has no attribute 'asgi_send'" in str(exception))


@hookimpl
def handle_exception(datasette: Datasette, request: Request, exception: BaseException) -> Response | None:
    """A POST to a table or a read-only canned query: 405, not Datasette's 500."""
    if request.method not in SAFE_METHODS and _is_post_to_read_view(exception):
        return Response.text("Method not allowed: only canned queries that write accept POST", status=405,
                             headers={"Allow": "GET, HEAD"})
    return None


# --- routes ----------------------------------------------------------------------------


@hookimpl
def register_routes(datasette: Datasette) -> list:
    """The plugin's pages under ``/-/newsmine/``."""
    return [
        (r"^/-/newsmine/articles$", articles_page),
        (r"^/-/newsmine/article/(?P<article_id>[0-9]+)$", article_page),
        (r"^/-/newsmine/entity/(?P<entity_id>[0-9]+)$", entity_page),
        (r"^/-/newsmine/corrections$", corrections_endpoint),
        (r"^/-/newsmine/login$", login),
        (r"^/-/newsmine/logout$", logout),
        (r"^/-/newsmine/tiles/(?P<z>[0-9]{1,2})/(?P<x>[0-9]{1,7})/(?P<y>[0-9]{1,7})\.png$", tile),
    ]


ENTITY_ID_COLUMNS = {  # a column holding an entity's name -> the columns that may hold its id
    "name": ("entity_id",), "entity": ("entity_id",), "person": ("entity_id",),
    "speaker": ("entity_id", "speaker_entity_id"), "entity_a": ("a_id",), "entity_b": ("b_id",)}
TEXT_PREVIEW = 200  # characters of an article's text in Datasette's tables (the JSON has all of it)


def _preview(text: str, limit: int = TEXT_PREVIEW) -> str:
    """``text`` cut at a word boundary near ``limit`` characters, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if " " in cut[limit // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.–-") + " …"


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _entity_link(datasette: Datasette, entity_id: object, value: object) -> Markup | None:
    if not isinstance(entity_id, int) or isinstance(entity_id, bool):
        return None
    return Markup('<a href="{}" title="entity page">{}</a>').format(
        datasette.urls.path(f"/-/newsmine/entity/{entity_id}"), value)


@hookimpl
def render_cell(row: object, value: object, column: str, table: str | None, database: str,
                datasette: Datasette) -> Markup | None:
    """In Datasette's HTML tables and canned queries (the JSON stays as stored): article titles
    link to the review page, entity names to the entity page (wherever an id is next to them),
    article texts are shortened, euro amounts (``*_eur``) read ``5,5 Mrd. €`` with the exact
    value on hover."""
    if value is None or not hasattr(row, "keys"):
        return None
    configured = _config(datasette).get("database")
    if configured and database != configured:
        return None
    keys = set(row.keys())
    if column.endswith("_eur") and _is_number(value):
        return Markup('<span class="newsmine-eur" title="{} €">{}</span>').format(value, pages.euros_short(value))
    if table == "articles" and column == "text" and isinstance(value, str) and len(value) > TEXT_PREVIEW:
        if "id" not in keys:
            return Markup('<span class="newsmine-preview">{}</span>').format(_preview(value))
        return Markup('<span class="newsmine-preview">{}</span> <a href="{}" title="the whole text, '
                      'highlighted">full text</a>').format(
            _preview(value), datasette.urls.path(f"/-/newsmine/article/{int(row['id'])}"))
    if column == "title" and (table == "articles" and "id" in keys or table is None and "article_id" in keys):
        article_id = row["id"] if table == "articles" else row["article_id"]
        if isinstance(article_id, int):
            return Markup('<a href="{}" title="review page">{}</a>').format(
                datasette.urls.path(f"/-/newsmine/article/{article_id}"), value)
        return None
    if table in ("entities", "places_map"):
        return _entity_link(datasette, row["id"], value) if column == "name" and "id" in keys else None
    for id_column in ENTITY_ID_COLUMNS.get(column, ()):
        if id_column in keys:
            return _entity_link(datasette, row[id_column], value)
    return None


@hookimpl
def extra_css_urls(database: str | None, datasette: Datasette) -> list[str]:
    """The plugin's stylesheet on Datasette's pages of the newsmine database too (the articles
    table's column widths, the amounts)."""
    configured = _config(datasette).get("database")
    if not database or configured and database != configured:
        return []
    return [datasette.urls.static_plugins(PLUGIN, "review.css")]


@hookimpl
def menu_links(datasette: Datasette, actor: dict | None) -> list[dict]:
    """The article list; log in / log out (only when writes are possible at all) in Datasette's menu.

    The server cannot tell whether a tab holds the token (it is in the tab's sessionStorage,
    sent only with the script's posts), so both links are shown."""
    review = [{"href": datasette.urls.path("/-/newsmine/articles"), "label": "newsmine: articles to review"}]
    if not _token(datasette):
        return review
    return [*review, {"href": datasette.urls.path("/-/newsmine/login"), "label": "newsmine: log in to correct"},
            {"href": datasette.urls.path("/-/newsmine/logout"), "label": "newsmine: log out"}]


def _method_not_allowed(allowed: str) -> Response:
    return Response.text(f"Method not allowed (use {allowed})", status=405, headers={"Allow": allowed})


def _row_id(request: Request, name: str, what: str) -> int:
    """The id in the URL; ids SQLite cannot hold are 404 (not an OverflowError's 500)."""
    raw = request.url_vars[name]
    if len(raw) > 19 or int(raw) > SQLITE_MAX_INT:
        raise NotFound(f"no {what} with id {raw[:30]}")
    return int(raw)


async def article_page(datasette: Datasette, request: Request) -> Response:
    """The article text with highlights; the correction UI when the server takes corrections."""
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed("GET, HEAD")
    db = _database(datasette)
    article_id = _row_id(request, "article_id", "article")
    data = await db.execute_fn(lambda conn: pages.article(sqlite_utils.Database(conn), article_id))
    if data is None:
        raise NotFound(f"no article with id {article_id}")
    return Response.html(await datasette.render_template("newsmine_article.html", {
        "article": data, "database": db.name, "writable": _token(datasette) is not None,
        "labels": LABELS, "label_names": pages.LABEL_NAMES,
        "url_is_web": urlsplit(data["url"] or "").scheme in ("http", "https"),
        "script_url": datasette.urls.static_plugins(PLUGIN, "review.js"),
        "css_url": datasette.urls.static_plugins(PLUGIN, "review.css"),
    }, request=request))


async def articles_page(datasette: Datasette, request: Request) -> Response:
    """The articles, newest first, each linking to its review page; ``?q=`` searches title and
    text and shows the sentence around the first hit; ``?page=``."""
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed("GET, HEAD")
    db = _database(datasette)
    q = request.args.get("q") or ""
    raw_page = request.args.get("page") or "1"
    page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() and len(raw_page) <= 6 else 1
    listing = await db.execute_fn(lambda conn: pages.articles_list(sqlite_utils.Database(conn), q, page))
    return Response.html(await datasette.render_template("newsmine_articles.html", {
        "listing": listing, "database": db.name, "page_size": pages.PAGE_SIZE,
        "writable": _token(datasette) is not None,
        "css_url": datasette.urls.static_plugins(PLUGIN, "review.css"),
    }, request=request))


async def entity_page(datasette: Datasette, request: Request) -> Response:
    """An entity with its mentions, aliases, roles, co-occurring entities and timeline."""
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed("GET, HEAD")
    db = _database(datasette)
    entity_id = _row_id(request, "entity_id", "entity")
    data = await db.execute_fn(lambda conn: pages.entity(sqlite_utils.Database(conn), entity_id))
    if data is None:
        raise NotFound(f"no entity with id {entity_id}")
    return Response.html(await datasette.render_template("newsmine_entity.html", {
        "entity": data, "database": db.name, "label_names": pages.LABEL_NAMES,
        "css_url": datasette.urls.static_plugins(PLUGIN, "review.css"),
    }, request=request))


def _wants_json(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json"


class _BadField(ValueError):
    """A correction field of the wrong type or out of range (400)."""


class _TooLarge(ValueError):
    """A request body larger than :data:`MAX_BODY` (413)."""


def _bad_body(err: ValueError) -> Response:
    return Response.json({"ok": False, "error": f"bad request body: {err}"},
                         status=413 if isinstance(err, _TooLarge) else 400)


def _int_field(fields: dict, name: str) -> int:
    """An integer field (a JSON number or a string of digits) that SQLite can hold."""
    value = fields.get(name)
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,19}", value.strip()):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _BadField(f"{name} must be an integer")
    if not -SQLITE_MAX_INT <= value <= SQLITE_MAX_INT:
        raise _BadField(f"{name} is out of range")
    return value


async def _request_fields(request: Request, as_json: bool) -> dict:
    """The posted fields (JSON object or form); ValueError for a malformed body."""
    body = await request.post_body()
    if len(body) > MAX_BODY:
        raise _TooLarge(f"larger than {MAX_BODY} bytes")
    if not as_json:  # the body is read once: a second read would wait for the client forever
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    try:
        fields = json.loads(body or b"{}")
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    if not isinstance(fields, dict):
        raise ValueError("expected a JSON object")
    return fields


async def corrections_endpoint(datasette: Datasette, request: Request) -> Response:
    """POST a correction: ``{"article_id", "start", "end", "label" (null = not an entity), "text", "note"}``."""
    if request.method != "POST":
        return Response.json({"ok": False, "error": "POST a correction here"}, status=405,
                             headers={"Allow": "POST"})
    as_json = _wants_json(request)
    if not await datasette.permission_allowed(request.actor, WRITE_ACTION, default=False):
        if as_json:
            return Response.json({"ok": False, "error": "corrections need the token printed by `newsmine serve`"},
                                 status=403)
        raise Forbidden("corrections need the token printed by `newsmine serve`")
    try:
        fields = await _request_fields(request, as_json)
        article_id, start, end = (_int_field(fields, name) for name in ("article_id", "start", "end"))
    except ValueError as err:
        return _bad_body(err)
    label = fields.get("label")
    label = None if label in (None, "", "none", "null") else str(label)
    text = fields.get("text") if isinstance(fields.get("text"), str) else None
    note = str(fields["note"])[:500] if fields.get("note") else None
    reviewer = request.actor["id"]
    db = _database(datasette)

    def write(conn: sqlite3.Connection) -> dict:
        try:
            row = corrections.add_correction(sqlite_utils.Database(conn), article_id, start, end, label,
                                             text=text, reviewer=reviewer, note=note)
        except corrections.CorrectionError as err:
            return {"error": err}  # not the exception itself: Datasette would re-raise a returned one
        finally:
            if conn.in_transaction:
                conn.commit()
        return row

    result = await db.execute_write_fn(write, block=True)
    if "error" in result:
        err = result["error"]
        if as_json:
            return Response.json({"ok": False, "error": str(err)}, status=err.status)
        return Response.text(str(err), status=err.status)
    if as_json:
        return Response.json({"ok": True, "correction": result}, status=201)
    return Response.redirect(datasette.urls.path(f"/-/newsmine/article/{int(result['article_id'])}"))


_UNSAFE_IN_PATH = re.compile(r"[\x00-\x20\x7f-\x9f\\]")


def _safe_next(value: object) -> str:
    """``value`` when it is a path on this server, else ``/`` (no open redirect).

    A local path starts with exactly one ``/`` and is printable ASCII: no ``//`` or
    backslash (other hosts), no whitespace or control characters (browsers drop tabs and
    newlines, so ``/<TAB>/evil`` becomes ``//evil``), no scheme; the same holds after
    percent-decoding the path (``/%09/evil``, ``/%2F/evil``, ``/%5Cevil``).
    """
    if not isinstance(value, str) or not value.startswith("/") or not value.isascii() \
            or _UNSAFE_IN_PATH.search(value):
        return "/"
    path = re.split(r"[?#]", value, maxsplit=1)[0]
    for _ in range(5):  # nested encodings (%2509) too
        if path.startswith("//") or _UNSAFE_IN_PATH.search(path) or any(c.isspace() for c in path):
            return "/"
        decoded = unquote(path)
        if decoded == path:
            return value
        path = decoded
    return "/"


def _expire_legacy_cookies(response: Response) -> Response:
    for name in LEGACY_COOKIES:
        response.set_cookie(name, "", max_age=0, path="/")
    return response


async def login(datasette: Datasette, request: Request) -> Response:
    """GET: the token form. POST (by review.js): check the Bearer token, answer JSON.

    The page's script keeps the token in the tab's sessionStorage; no cookie is set. A form
    post without the script is told that logging in needs JavaScript."""
    if request.method not in ("GET", "HEAD", "POST"):
        return _method_not_allowed("GET, HEAD, POST")
    next_url = _safe_next(request.args.get("next"))
    error, status = None, 200
    if request.method == "POST":
        as_json = _wants_json(request)
        try:
            fields = await _request_fields(request, as_json)
        except ValueError as err:
            return _bad_body(err)
        next_url = _safe_next(fields.get("next")) if "next" in fields else next_url
        token = _token(datasette)
        if as_json:
            if request.actor and request.actor.get("newsmine") == "reviewer":
                name = _reviewer_name(fields.get("name") if isinstance(fields.get("name"), str) else None)
                return _expire_legacy_cookies(Response.json({"ok": True, "reviewer": name, "next": next_url}))
            error = "wrong token" if token else "this server is read-only (no token configured)"
            return Response.json({"ok": False, "error": error}, status=403)
        supplied = fields.get("token")
        if token and isinstance(supplied, str) and supplied.strip() \
                and hmac.compare_digest(supplied.strip().encode("utf-8"), token.encode("utf-8")):
            error, status = "logging in needs JavaScript: the token is kept in this browser tab, never in a cookie", 400
        else:
            error = "wrong token" if token else "this server is read-only (no token configured)"
            status = 403
    html = await datasette.render_template("newsmine_login.html", {
        "error": error, "next": next_url, "writable": _token(datasette) is not None,
        "script_url": datasette.urls.static_plugins(PLUGIN, "review.js"),
        "css_url": datasette.urls.static_plugins(PLUGIN, "review.css"),
    }, request=request)
    return Response.html(html, status=status)


async def logout(datasette: Datasette, request: Request) -> Response:
    """GET: a button; review.js forgets the tab's token, the POST expires old cookies."""
    if request.method == "POST":
        return _expire_legacy_cookies(Response.redirect(datasette.urls.path("/")))
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed("GET, HEAD, POST")
    return Response.html(await datasette.render_template("newsmine_login.html", {
        "logout": True, "writable": True, "script_url": datasette.urls.static_plugins(PLUGIN, "review.js"),
        "css_url": datasette.urls.static_plugins(PLUGIN, "review.css"),
    }, request=request))


async def tile(request: Request) -> Response:
    """An offline map tile (see :mod:`pipeline.review_plugin.tiles`)."""
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed("GET, HEAD")
    z, x, y = (int(request.url_vars[k]) for k in ("z", "x", "y"))
    return Response(tiles.tile_for(z, x, y), content_type="image/png",
                    headers={"Cache-Control": "public, max-age=86400"})
