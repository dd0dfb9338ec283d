"""The library's pages, rendered on the server: plain HTML and forms, no script at all.

Every piece of text from a saved page is escaped here; article bodies are the reader's
sanitised HTML with images pointed at the local store.
"""
from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from proxy.library.store import Article, Page, snippet_html
from proxy.library.style import CSS, CSS_SOURCE, date_of, meta_line, site_of

# No script from anywhere; images and forms only from the service itself. Referrers only to
# the service: with none at all, Chromium sends its own forms with `Origin: null`.
PAGE_CSP = (f"default-src 'none'; img-src 'self'; style-src {CSS_SOURCE}; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
PAGE_HEADERS = {"Content-Security-Policy": PAGE_CSP, "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}


def _page(title: str, body: str, lang: str = "en") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{CSS}</style></head>\n<body>{body}</body></html>\n")


def library_page(page: Page, q: str, tag: str, limit: int, offset: int) -> str:
    """`/`: saved articles newest first (or by rank for a search), a search box, tag filter."""
    options = "".join(f'<option value="{escape(t)}"{" selected" if t == tag else ""}>{escape(t)} ({n})</option>'
                      for t, n in page.tags)
    search = (f'<form method="get" action="/" role="search"><input type="search" name="q" value="{escape(q)}" '
              f'placeholder="Search your library" aria-label="Search"> '
              f'<select name="tag" aria-label="Tag"><option value="">All tags</option>{options}</select> '
              f"<button>Search</button></form>")
    if page.articles:
        items = "".join(_item(a) for a in page.articles)
        listing = f'<ol class="articles">{items}</ol>'
    elif q or tag:
        listing = "<p>Nothing saved matches.</p>"
    else:
        listing = ("<p>No reading copies yet. Save one with the extension's “Save reading copy”, "
                   "<code>quietpage save URL</code>, or <code>POST /api/articles</code>.</p>")
    what = f"{page.total} saved" if not (q or tag) else f"{page.total} found"
    pager = _pager(q, tag, limit, offset, page.total)
    body = (f'<div class="page"><header><h1>Reading copies</h1>{search}<p class="meta">{what}</p></header>'
            f"<main>{listing}</main>{pager}</div>")
    return _page("QuietPage library" + (f": {q}" if q else ""), body)


def _item(article: Article) -> str:
    text = snippet_html(article.snippet) if article.snippet else escape(article.excerpt)
    tags = "".join(f'<a class="tag" href="/?{urlencode({"tag": t})}">#{escape(t)}</a>' for t in article.tags)
    return (f'<li><article><h2><a href="/articles/{article.id}">{escape(article.title)}</a></h2>'
            f'<p class="meta">{escape(site_of(article))} · <time>{escape(date_of(article))}</time> · '
            f"{article.reading_minutes} min read{' · ' + tags if tags else ''}</p>"
            f'<p class="excerpt">{text}</p></article></li>')


def _pager(q: str, tag: str, limit: int, offset: int, total: int) -> str:
    links = []
    base = {k: v for k, v in (("q", q), ("tag", tag)) if v}
    if offset > 0:
        links.append(f'<a rel="prev" href="/?{urlencode({**base, "offset": max(0, offset - limit)})}">Newer</a>')
    if offset + limit < total:
        links.append(f'<a rel="next" href="/?{urlencode({**base, "offset": offset + limit})}">Older</a>')
    return f'<nav class="pager">{" · ".join(links)}</nav>' if links else ""


def reader_page(article: Article, body_html: str, csrf: str) -> str:
    """`/articles/{id}`: the copy in calm type, its images from the store, the original linked."""
    tags = ", ".join(article.tags)
    exports = " · ".join(f'<a href="/articles/{article.id}/download?format={f}">{label}</a>'
                         for f, label in (("html", "HTML"), ("md", "Markdown"), ("epub", "EPUB")))
    body = (f'<div class="page"><nav><a href="/">← Library</a></nav><main><article>'
            f"<header><h1>{escape(article.title)}</h1><p class=\"meta\">{meta_line(article)}</p>"
            f'<p class="meta"><a href="{escape(article.url)}" rel="noreferrer noopener">Original at '
            f"{escape(site_of(article))}</a></p></header>\n"
            f'<div class="copy">{body_html}</div></article></main>\n'
            f"<footer><hr>"
            f'<form method="post" action="/articles/{article.id}/tags"><input type="hidden" name="csrf" value="{csrf}">'
            f'<label>Tags (comma-separated): <input name="tags" value="{escape(tags)}"></label> '
            f"<button>Save tags</button></form>"
            f"<p>Export: {exports}</p>"
            f'<form method="post" action="/articles/{article.id}/delete"><input type="hidden" name="csrf" value="{csrf}">'
            f"<button>Delete this copy</button></form></footer></div>")
    return _page(article.title, body, article.lang or "en")
