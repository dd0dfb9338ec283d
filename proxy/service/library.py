"""The reading-copy library over HTTP: the API (token, like every route) and the pages in
the browser (loopback only; their forms carry a CSRF token)."""
from __future__ import annotations

import asyncio
import hmac
import logging
import re

from aiohttp import web

from proxy.errors import InvalidInput, NotFound
from proxy.library import store as library
from proxy.library.copies import rewrite_images
from proxy.library.saving import save_reading_copy
from proxy.library.style import EXPORT_FORMATS
from proxy.library.views import PAGE_HEADERS, library_page, reader_page
from proxy.service.errors import UnsupportedMediaType
from proxy.service.inputs import read_json
from proxy.service.keys import config_key, csrf_key, live_key
from proxy.service.security import MAX_PAGE_BODY, body_limit, loopback_page, same_origin_form

log = logging.getLogger("quietpage")

MAX_LIMIT = 200
PAGE_SIZE = 20
ID = r"{article_id:\d+}"


def _int_param(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"\d{1,9}", raw) or not low <= int(raw) <= high:
        raise InvalidInput(f"{name} must be a whole number from {low} to {high}", field=name)
    return int(raw)


def _article_id(request: web.Request) -> int:
    raw = request.match_info["article_id"]
    if len(raw) > 18:  # past SQLite's integers
        raise NotFound(f"no saved article {raw}")
    return int(raw)


def _format(request: web.Request) -> str:
    fmt = request.query.get("format", "html")
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput("format must be html, md or epub", field="format")
    return fmt


# --- API --------------------------------------------------------------------------------

@body_limit(MAX_PAGE_BODY)
async def add_article(request: web.Request) -> web.Response:
    body = await read_json(request, {"url": (str, True), "html": (str, False), "tags": (list, False)})
    tags = library.normalize_tags(body["tags"] or [])
    live = request.app[live_key]
    saved = await save_reading_copy(body["url"].strip(), body["html"], tags, live.rules(), live.run,
                                    request.app[config_key].allow_private_fetch)
    prepared, article = saved.prepared, saved.article
    images = prepared.image_report()  # with the images not stored and why
    return web.json_response({"article": article.as_json(), "created": saved.created, "images": images},
                             status=201 if saved.created else 200, headers={"Location": f"/api/articles/{article.id}"})


async def list_articles(request: web.Request) -> web.Response:
    q = request.query.get("q", "").strip()
    tag = request.query.get("tag", "").strip()
    limit = _int_param(request, "limit", 50, 1, MAX_LIMIT)
    offset = _int_param(request, "offset", 0, 0, 10**9)
    page = await request.app[live_key].run(library.list_articles, q or None, tag or None, limit, offset)
    return web.json_response({"articles": [a.as_json() for a in page.articles], "total": page.total, "limit": limit,
                              "offset": offset, "q": q or None, "tag": tag or None,
                              "tags": [{"tag": t, "count": n} for t, n in page.tags]})


async def get_article(request: web.Request) -> web.Response:
    article_id = _article_id(request)
    live = request.app[live_key]
    article = await live.run(library.get_article, article_id)
    index = await live.run(library.image_index, article_id)
    images = [{"n": n, "url": url, "local": f"/articles/{article_id}/images/{n}"} for url, n in sorted(
        index.items(), key=lambda item: item[1])]
    return web.json_response({**article.as_json(), "html": article.html, "text": article.text, "image_files": images})


async def patch_article(request: web.Request) -> web.Response:
    body = await read_json(request, {"title": (str, False), "tags": (list, False)})
    title = body["title"]
    if title is not None:
        title = re.sub(r"\s+", " ", title).strip()
        if not title or len(title) > library.MAX_TITLE or not title.isprintable():
            raise InvalidInput(f"title must be 1 to {library.MAX_TITLE} printable characters", field="title")
    tags = library.normalize_tags(body["tags"]) if body["tags"] is not None else None
    article = await request.app[live_key].run(library.update_article, _article_id(request), title, tags)
    return web.json_response(article.as_json())


async def delete_article(request: web.Request) -> web.Response:
    article_id = _article_id(request)
    await request.app[live_key].run(library.delete_article, article_id)
    return web.json_response({"id": article_id, "deleted": True})


async def _export_response(request: web.Request, ids: list[int] | None) -> web.Response:
    fmt = _format(request)
    bulk = ids is None
    items = await request.app[live_key].run(library.to_export, ids)
    from proxy.library import export as exports  # noqa: PLC0415 - lxml, loaded on the first export

    data = await asyncio.to_thread(exports.export, items, fmt, bulk)
    name = exports.filename(None if bulk else items[0][0], fmt, bulk)
    content_type = exports.BULK_TYPES[fmt] if bulk else exports.FORMATS[fmt][0]
    return web.Response(body=data, headers={"Content-Type": content_type,
                                            "Content-Disposition": f'attachment; filename="{name}"'})


async def export_article(request: web.Request) -> web.Response:
    return await _export_response(request, [_article_id(request)])


async def export_library(request: web.Request) -> web.Response:
    return await _export_response(request, None)


# --- Pages ------------------------------------------------------------------------------

def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, content_type="text/html", status=status, headers=PAGE_HEADERS)


@loopback_page
async def library_home(request: web.Request) -> web.Response:
    q = request.query.get("q", "").strip()
    tag = request.query.get("tag", "").strip()
    limit = _int_param(request, "limit", PAGE_SIZE, 1, MAX_LIMIT)
    offset = _int_param(request, "offset", 0, 0, 10**9)
    page = await request.app[live_key].run(library.list_articles, q or None, tag or None, limit, offset)
    return _html(library_page(page, q, tag, limit, offset))


@loopback_page
async def reader(request: web.Request) -> web.Response:
    article_id = _article_id(request)
    live = request.app[live_key]
    article = await live.run(library.get_article, article_id)
    index = await live.run(library.image_index, article_id)
    # Only stored images are shown: the page must not reach out to the network when opened.
    body = rewrite_images(article.html or "", lambda src: f"/articles/{article_id}/images/{index[src]}" if src in index else None)
    return _html(reader_page(article, body, request.app[csrf_key]))


@loopback_page
async def image(request: web.Request) -> web.Response:
    raw = request.match_info["n"]
    if len(raw) > 9:
        raise NotFound(f"no stored image {raw}")
    stored = await request.app[live_key].run(library.article_image, _article_id(request), int(raw))
    return web.Response(body=stored.data, content_type=stored.content_type,
                        headers={"Cache-Control": "private, max-age=3600"})


@loopback_page
async def download(request: web.Request) -> web.Response:
    return await _export_response(request, [_article_id(request)])


async def _checked_form(request: web.Request):
    if request.content_type != "application/x-www-form-urlencoded":
        raise UnsupportedMediaType("send the form on the article's page")
    form = await request.post()
    sent = str(form.get("csrf", "")).encode("utf-8", "surrogatepass")
    if not hmac.compare_digest(sent, request.app[csrf_key].encode()):
        # 400, not 403: the door let the request in; it is the form that is stale or foreign.
        raise InvalidInput("the form is out of date or not this service's own; reload the page and try again",
                           field="csrf")
    return form


@loopback_page
@same_origin_form
async def tags_form(request: web.Request) -> web.Response:
    form = await _checked_form(request)
    tags = library.normalize_tags(t for t in str(form.get("tags", "")).split(",") if t.strip())
    article_id = _article_id(request)
    await request.app[live_key].run(library.update_article, article_id, None, tags)
    raise web.HTTPSeeOther(f"/articles/{article_id}")


@loopback_page
@same_origin_form
async def delete_form(request: web.Request) -> web.Response:
    await _checked_form(request)
    await request.app[live_key].run(library.delete_article, _article_id(request))
    raise web.HTTPSeeOther("/")


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/articles", add_article)
    app.router.add_get("/api/articles", list_articles, allow_head=False)
    app.router.add_get(f"/api/articles/{ID}", get_article, allow_head=False)
    app.router.add_patch(f"/api/articles/{ID}", patch_article)
    app.router.add_delete(f"/api/articles/{ID}", delete_article)
    app.router.add_get(f"/api/articles/{ID}/export", export_article, allow_head=False)
    app.router.add_get("/api/export", export_library, allow_head=False)
    app.router.add_get("/", library_home, allow_head=False)
    app.router.add_get(f"/articles/{ID}", reader, allow_head=False)
    app.router.add_get(f"/articles/{ID}/images/{{n:\\d+}}", image, allow_head=False)
    app.router.add_get(f"/articles/{ID}/download", download, allow_head=False)
    app.router.add_post(f"/articles/{ID}/tags", tags_form)
    app.router.add_post(f"/articles/{ID}/delete", delete_form)
