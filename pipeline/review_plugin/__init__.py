"""The newsmine Datasette plugin (entry point ``datasette: newsmine``).

Routes (all under ``/-/newsmine/``):

- ``article/{id}``: the article text with highlighted PER/LOC/ORG mentions (corrections
  applied) and euro amounts (normalised value on hover), each linking to its entity;
  with the write token, a click on a highlight or a text selection records a correction;
- ``entity/{id}``: aliases, roles, quotes, mentions in context, co-occurring entities,
  mentions per month;
- ``corrections`` (POST): record a correction (JSON or form), for the reviewer only;
- ``login`` / ``logout``: exchange the token printed by ``newsmine serve`` for a cookie;
- ``tiles/{z}/{x}/{y}.png``: offline map tiles for datasette-cluster-map.

Writes need the token from the plugin config (``{"$env": "NEWSMINE_TOKEN"}`` in the
metadata, so it never appears in ``/-/metadata``): sent as ``Authorization: Bearer`` or
the ``newsmine_token`` cookie, compared with :func:`hmac.compare_digest`, it makes the
request's actor the reviewer, and only the reviewer has the ``newsmine-correct``
permission. Without a configured token everything is read-only. Datasette's CSRF
protection stays on: the page's script sends the CSRF token in the ``x-csrftoken``
header (cookie path); a Bearer request carries no ambient credentials and is exempt.
"""

from __future__ import annotations

import hmac
import json
import re
import sqlite3
from typing import TYPE_CHECKING
from urllib.parse import urlencode, urlsplit

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
COOKIE = "newsmine_token"
NAME_COOKIE = "newsmine_reviewer"
LABELS = ("PER", "LOC", "ORG", "MONEY")


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


@hookimpl
def actor_from_request(datasette: Datasette, request: Request) -> dict | None:
    """The reviewer actor when the request carries the token (Bearer header or cookie)."""
    token = _token(datasette)
    if token is None:
        return None
    auth = request.headers.get("authorization", "")
    supplied = auth[7:].strip() if auth.startswith("Bearer ") else request.cookies.get(COOKIE, "")
    if supplied and hmac.compare_digest(supplied.encode("utf-8"), token.encode("utf-8")):
        return {"id": _reviewer_name(request.cookies.get(NAME_COOKIE)), "newsmine": "reviewer"}
    return None


@hookimpl
def permission_allowed(datasette: Datasette, actor: dict | None, action: str, resource: object) -> bool | None:
    """Only the reviewer actor may record corrections."""
    if action == WRITE_ACTION:
        return bool(actor and actor.get("newsmine") == "reviewer")
    return None


@hookimpl
def register_routes(datasette: Datasette) -> list:
    """The plugin's pages under ``/-/newsmine/``."""
    return [
        (r"^/-/newsmine/article/(?P<article_id>\d+)$", article_page),
        (r"^/-/newsmine/entity/(?P<entity_id>\d+)$", entity_page),
        (r"^/-/newsmine/corrections$", corrections_endpoint),
        (r"^/-/newsmine/login$", login),
        (r"^/-/newsmine/logout$", logout),
        (r"^/-/newsmine/tiles/(?P<z>\d{1,2})/(?P<x>\d{1,7})/(?P<y>\d{1,7})\.png$", tile),
    ]


@hookimpl
def render_cell(row: object, value: object, column: str, table: str | None, database: str,
                datasette: Datasette) -> Markup | None:
    """Link article titles to the review page, entity names to the entity page."""
    if value is None or not hasattr(row, "keys") or "id" not in row.keys():
        return None
    if table == "articles" and column == "title":
        return Markup('<a href="{}" title="review page">{}</a>').format(
            datasette.urls.path(f"/-/newsmine/article/{int(row['id'])}"), value)
    if table in ("entities", "places_map") and column == "name":
        return Markup('<a href="{}">{}</a>').format(datasette.urls.path(f"/-/newsmine/entity/{int(row['id'])}"), value)
    return None


@hookimpl
def menu_links(datasette: Datasette, actor: dict | None) -> list[dict]:
    """Log in / log out in Datasette's menu (only when writes are possible at all)."""
    links = [{"href": datasette.urls.path("/-/newsmine/login"), "label": "newsmine: log in to correct"}]
    if actor and actor.get("newsmine") == "reviewer":
        links = [{"href": datasette.urls.path("/-/newsmine/logout"), "label": "newsmine: log out"}]
    return links if _token(datasette) else []


async def _can_write(datasette: Datasette, request: Request) -> bool:
    return await datasette.permission_allowed(request.actor, WRITE_ACTION, default=False)


async def article_page(datasette: Datasette, request: Request) -> Response:
    """The article text with highlights; the correction UI for the reviewer."""
    db = _database(datasette)
    article_id = int(request.url_vars["article_id"])
    data = await db.execute_fn(lambda conn: pages.article(sqlite_utils.Database(conn), article_id))
    if data is None:
        raise NotFound(f"no article with id {article_id}")
    can_write = await _can_write(datasette, request)
    return Response.html(await datasette.render_template("newsmine_article.html", {
        "article": data, "database": db.name, "can_write": can_write, "writable": _token(datasette) is not None,
        "labels": LABELS, "label_names": pages.LABEL_NAMES,
        "url_is_web": urlsplit(data["url"] or "").scheme in ("http", "https"),
        "script_url": datasette.urls.static_plugins(PLUGIN, "review.js"),
        "css_url": datasette.urls.static_plugins(PLUGIN, "review.css"),
    }, request=request))


async def entity_page(datasette: Datasette, request: Request) -> Response:
    """An entity with its mentions, aliases, roles, co-occurring entities and timeline."""
    db = _database(datasette)
    entity_id = int(request.url_vars["entity_id"])
    data = await db.execute_fn(lambda conn: pages.entity(sqlite_utils.Database(conn), entity_id))
    if data is None:
        raise NotFound(f"no entity with id {entity_id}")
    return Response.html(await datasette.render_template("newsmine_entity.html", {
        "entity": data, "database": db.name, "label_names": pages.LABEL_NAMES,
        "css_url": datasette.urls.static_plugins(PLUGIN, "review.css"),
    }, request=request))


def _wants_json(request: Request) -> bool:
    return request.headers.get("content-type", "").split(";")[0].strip() == "application/json"


async def corrections_endpoint(datasette: Datasette, request: Request) -> Response:
    """POST a correction: ``{"article_id", "start", "end", "label" (null = not an entity), "text", "note"}``."""
    if request.method != "POST":
        return Response.json({"ok": False, "error": "POST a correction here"}, status=405,
                             headers={"Allow": "POST"})
    as_json = _wants_json(request)
    if not await _can_write(datasette, request):
        if as_json:
            return Response.json({"ok": False, "error": "corrections need the token printed by `newsmine serve`"},
                                 status=403)
        raise Forbidden("corrections need the token printed by `newsmine serve`")
    try:
        fields = json.loads(await request.post_body() or b"{}") if as_json else dict(await request.post_vars())
        if not isinstance(fields, dict):
            raise ValueError("expected a JSON object")
    except ValueError as err:
        return Response.json({"ok": False, "error": f"bad request body: {err}"}, status=400)
    label = fields.get("label")
    label = None if label in (None, "", "none", "null") else str(label)
    reviewer = request.actor["id"]
    db = _database(datasette)

    def write(conn: sqlite3.Connection) -> dict:
        try:
            row = corrections.add_correction(
                sqlite_utils.Database(conn), fields.get("article_id"), fields.get("start"), fields.get("end"), label,
                text=fields.get("text") if isinstance(fields.get("text"), str) else None, reviewer=reviewer,
                note=str(fields["note"])[:500] if fields.get("note") else None)
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


def _safe_next(value: str | None) -> str:
    """Only local paths are followed after logging in (no open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


async def login(datasette: Datasette, request: Request) -> Response:
    """GET: a form for the token; POST: check it and set the cookie."""
    error = None
    next_url = _safe_next(request.args.get("next"))
    if request.method == "POST":
        form = await request.post_vars()
        next_url = _safe_next(form.get("next"))
        token = _token(datasette)
        supplied = (form.get("token") or "").strip()
        if token and supplied and hmac.compare_digest(supplied.encode("utf-8"), token.encode("utf-8")):
            response = Response.redirect(next_url)
            response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")
            response.set_cookie(NAME_COOKIE, _reviewer_name(form.get("name")), samesite="strict", path="/")
            return response
        error = "wrong token" if token else "this server is read-only (no token configured)"
    html = await datasette.render_template("newsmine_login.html", {
        "error": error, "next": next_url, "writable": _token(datasette) is not None,
        "query": urlencode({"next": next_url}),
    }, request=request)
    return Response.html(html, status=403 if error else 200)


async def logout(datasette: Datasette, request: Request) -> Response:
    """POST: forget the token cookie. GET: a button that does that."""
    if request.method == "POST":
        response = Response.redirect("/")
        response.set_cookie(COOKIE, "", max_age=0, path="/")
        return response
    return Response.html(await datasette.render_template("newsmine_login.html", {
        "logout": True, "writable": True}, request=request))


async def tile(request: Request) -> Response:
    """An offline map tile (see :mod:`pipeline.review_plugin.tiles`)."""
    z, x, y = (int(request.url_vars[k]) for k in ("z", "x", "y"))
    return Response(tiles.tile_for(z, x, y), content_type="image/png",
                    headers={"Cache-Control": "public, max-age=86400"})
