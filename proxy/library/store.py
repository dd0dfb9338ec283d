"""The library's tables in QuietPage's SQLite file: articles, their images and tags, and
an FTS5 index over title, byline and text; their schema is the part `SCHEMA`.

Functions of a `Store` opened with `SCHEMA` (plain sqlite3, raising proxy.errors), so the
service runs them on its store thread and the CLI on its own connection. A save is one
transaction: after `kill -9` an article is there whole, with its images and index entry,
or not at all.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field, replace

from proxy.database import SchemaPart
from proxy.errors import InvalidInput, NotFound
from proxy.library.copies import Image, PreparedCopy, reading_minutes
from proxy.store import Store

MAX_TAGS = 20
MAX_TAG = 50
MAX_TITLE = 300
# Marks around the matched words in FTS5 snippets: control characters no article text holds,
# so the text can be escaped for HTML first and the marks turned into <mark> after.
HIT_START, HIT_END = "\x02", "\x03"
_COLUMNS = ("id, url, source_url, title, byline, published, site_name, lang, lead_image, excerpt, words, "
            "saved_at, updated_at")



# The library's tables (see proxy.database for how parts are versioned). Never edit a
# migration that shipped: add the next one.
SCHEMA = SchemaPart("library", (
    """
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        url TEXT NOT NULL UNIQUE,               -- canonical: saving it again updates this row
        source_url TEXT NOT NULL,               -- the address it was saved from
        title TEXT NOT NULL,
        byline TEXT,
        published TEXT,                         -- YYYY-MM-DD
        site_name TEXT,
        lang TEXT,
        lead_image TEXT,
        html TEXT NOT NULL,                     -- sanitised; images keep their original URLs
        text TEXT NOT NULL,
        excerpt TEXT NOT NULL,
        words INTEGER NOT NULL,
        saved_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE INDEX articles_saved ON articles (saved_at);
    CREATE TABLE article_images (
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        n INTEGER NOT NULL,                     -- order of appearance in the article
        url TEXT NOT NULL,
        content_type TEXT NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (article_id, n)
    );
    CREATE TABLE article_tags (
        article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (article_id, tag)
    );
    CREATE INDEX article_tags_tag ON article_tags (tag);
    CREATE VIRTUAL TABLE articles_fts USING fts5 (title, byline, text, tokenize = 'porter unicode61 remove_diacritics 2');
    """,
))


@dataclass(frozen=True)
class Article:
    id: int
    url: str
    source_url: str
    title: str
    byline: str | None
    published: str | None
    site_name: str | None
    lang: str | None
    lead_image: str | None
    excerpt: str
    words: int
    saved_at: float
    updated_at: float
    tags: tuple[str, ...] = ()
    image_count: int = 0
    html: str | None = None  # only when asked for the whole article
    text: str | None = None
    snippet: str | None = None  # search hits between HIT_START and HIT_END

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.words)

    def as_json(self) -> dict:
        out = {"id": self.id, "url": self.url, "source_url": self.source_url, "title": self.title,
               "byline": self.byline, "published": self.published, "site_name": self.site_name, "lang": self.lang,
               "lead_image": self.lead_image, "excerpt": self.excerpt, "words": self.words,
               "reading_minutes": self.reading_minutes, "tags": list(self.tags), "images": self.image_count,
               "saved_at": self.saved_at, "updated_at": self.updated_at, "reader": f"/articles/{self.id}"}
        if self.snippet is not None:
            out["snippet"] = snippet_html(self.snippet)
        return out


@dataclass(frozen=True)
class Page:
    articles: list[Article]
    total: int
    tags: list[tuple[str, int]] = field(default_factory=list)


def snippet_html(snippet: str) -> str:
    """A search snippet as HTML: the text escaped, the hits in <mark>."""
    escaped = snippet.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    return escaped.replace(HIT_START, "<mark>").replace(HIT_END, "</mark>")


def normalize_tags(tags) -> list[str]:
    """Tags as stored: whitespace collapsed, each once; InvalidInput naming `tags` if one is unusable."""
    out: list[str] = []
    for tag in tags:
        if not isinstance(tag, str):
            raise InvalidInput("tags must be a list of strings", field="tags")
        clean = re.sub(r"\s+", " ", tag).strip()
        if not clean or len(clean) > MAX_TAG or not clean.isprintable():
            raise InvalidInput(f"a tag is 1 to {MAX_TAG} printable characters, not {tag!r}", field="tags")
        if clean not in out:
            out.append(clean)
    if len(out) > MAX_TAGS:
        raise InvalidInput(f"at most {MAX_TAGS} tags an article", field="tags")
    return out


def fts_query(q: str) -> str | None:
    """The person's words as an FTS5 query: every word must occur (as a prefix for the last);
    FTS5 syntax in `q` is taken literally, never parsed."""
    words = re.findall(r"\w+", q)[:20]
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def save_article(store: Store, prepared: PreparedCopy, tags: list[str] = ()) -> tuple[Article, bool]:
    """Store a copy; the same canonical URL again replaces the copy and keeps its tags.
    Returns the article and whether it is new."""
    db, copy, now = store.db, prepared.copy, time.time()
    values = (prepared.source_url, prepared.title[:MAX_TITLE], copy.byline, copy.published, copy.site_name, copy.lang,
              copy.lead_image, copy.html, copy.text, prepared.excerpt, prepared.words)
    with store.transaction():
        row = db.execute("SELECT id FROM articles WHERE url = ?", (prepared.url,)).fetchone()
        if row is None:
            (article_id,) = db.execute(
                "INSERT INTO articles (url, source_url, title, byline, published, site_name, lang, lead_image, html, "
                "text, excerpt, words, saved_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id", (prepared.url, *values, now, now)).fetchone()
        else:
            article_id = row[0]
            db.execute("UPDATE articles SET source_url = ?, title = ?, byline = ?, published = ?, site_name = ?, "
                       "lang = ?, lead_image = ?, html = ?, text = ?, excerpt = ?, words = ?, updated_at = ? "
                       "WHERE id = ?", (*values, now, article_id))
            db.execute("DELETE FROM article_images WHERE article_id = ?", (article_id,))
            db.execute("DELETE FROM articles_fts WHERE rowid = ?", (article_id,))
        db.executemany("INSERT INTO article_images (article_id, n, url, content_type, data) VALUES (?, ?, ?, ?, ?)",
                       [(article_id, im.n, im.url, im.content_type, im.data) for im in prepared.images])
        db.execute("INSERT INTO articles_fts (rowid, title, byline, text) VALUES (?, ?, ?, ?)",
                   (article_id, prepared.title[:MAX_TITLE], copy.byline or "", copy.text))
        db.executemany("INSERT OR IGNORE INTO article_tags (article_id, tag) VALUES (?, ?)",
                       [(article_id, t) for t in tags])
        article = _get(store, article_id, whole=False)
    return article, row is None


def get_article(store: Store, article_id: int, whole: bool = True) -> Article:
    return _get(store, article_id, whole)


def _get(store: Store, article_id: int, whole: bool) -> Article:
    db = store.db
    row = db.execute(f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        raise NotFound(f"no saved article {article_id}")
    extra = {}
    if whole:
        extra = dict(zip(("html", "text"), db.execute("SELECT html, text FROM articles WHERE id = ?", (article_id,)).fetchone()))
    return Article(*row, tags=_tags_of(store, article_id), image_count=_image_count(store, article_id), **extra)


def _tags_of(store: Store, article_id: int) -> tuple[str, ...]:
    return tuple(t for (t,) in store.db.execute("SELECT tag FROM article_tags WHERE article_id = ? ORDER BY tag",
                                                (article_id,)))


def _image_count(store: Store, article_id: int) -> int:
    return store.db.execute("SELECT count(*) FROM article_images WHERE article_id = ?", (article_id,)).fetchone()[0]


def list_articles(store: Store, q: str | None = None, tag: str | None = None, limit: int = 50,
                  offset: int = 0) -> Page:
    """Newest first; with `q`, the matches by BM25 rank (title weighs most), with snippets."""
    db = store.db
    query = fts_query(q) if q else None
    where, params = [], []
    if tag:
        where.append("a.id IN (SELECT article_id FROM article_tags WHERE tag = ?)")
        params.append(tag)
    columns = ", ".join(f"a.{c.strip()}" for c in _COLUMNS.split(","))
    if q is not None and q.strip() and query is None:
        return Page([], 0, all_tags(store))  # nothing searchable in what was typed
    # One read transaction: the count and the rows agree.
    with store.reading():
        if query is not None:
            clause = " AND ".join(["articles_fts MATCH ?", *where])
            total = db.execute(f"SELECT count(*) FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
                               f"WHERE {clause}", (query, *params)).fetchone()[0]
            rows = db.execute(
                f"SELECT {columns}, snippet(articles_fts, -1, ?, ?, '…', 24) FROM articles_fts "
                f"JOIN articles a ON a.id = articles_fts.rowid WHERE {clause} "
                f"ORDER BY bm25(articles_fts, 10.0, 3.0, 1.0), a.saved_at DESC LIMIT ? OFFSET ?",
                (HIT_START, HIT_END, query, *params, limit, offset)).fetchall()
            articles = [Article(*r[:-1], snippet=r[-1]) for r in rows]
        else:
            clause = ("WHERE " + " AND ".join(where)) if where else ""
            total = db.execute(f"SELECT count(*) FROM articles a {clause}", params).fetchone()[0]
            rows = db.execute(f"SELECT {columns} FROM articles a {clause} ORDER BY a.saved_at DESC, a.id DESC "
                              f"LIMIT ? OFFSET ?", (*params, limit, offset)).fetchall()
            articles = [Article(*r) for r in rows]
        articles = [_with_tags(store, a) for a in articles]
        tags = all_tags(store)
    return Page(articles, total, tags)


def _with_tags(store: Store, article: Article) -> Article:
    return replace(article, tags=_tags_of(store, article.id), image_count=_image_count(store, article.id))


def all_tags(store: Store) -> list[tuple[str, int]]:
    return [(t, n) for t, n in store.db.execute("SELECT tag, count(*) FROM article_tags GROUP BY tag ORDER BY tag")]


def update_article(store: Store, article_id: int, title: str | None = None, tags: list[str] | None = None) -> Article:
    """A new title and/or a new set of tags (replacing the old set)."""
    db = store.db
    with store.transaction():
        if db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is None:
            raise NotFound(f"no saved article {article_id}")
        if title is not None:
            db.execute("UPDATE articles SET title = ?, updated_at = ? WHERE id = ?", (title, time.time(), article_id))
            db.execute("UPDATE articles_fts SET title = ? WHERE rowid = ?", (title, article_id))
        if tags is not None:
            db.execute("DELETE FROM article_tags WHERE article_id = ?", (article_id,))
            db.executemany("INSERT INTO article_tags (article_id, tag) VALUES (?, ?)", [(article_id, t) for t in tags])
    return _get(store, article_id, whole=False)


def delete_article(store: Store, article_id: int) -> None:
    db = store.db
    with store.transaction():
        if db.execute("DELETE FROM articles WHERE id = ? RETURNING id", (article_id,)).fetchone() is None:
            raise NotFound(f"no saved article {article_id}")
        db.execute("DELETE FROM articles_fts WHERE rowid = ?", (article_id,))
        # foreign_keys is on: images and tags go with the article.


def article_images(store: Store, article_id: int) -> list[Image]:
    return [Image(*row) for row in store.db.execute(
        "SELECT n, url, content_type, data FROM article_images WHERE article_id = ? ORDER BY n", (article_id,))]


def article_image(store: Store, article_id: int, n: int) -> Image:
    row = store.db.execute("SELECT n, url, content_type, data FROM article_images WHERE article_id = ? AND n = ?",
                           (article_id, n)).fetchone()
    if row is None:
        raise NotFound(f"article {article_id} has no stored image {n}")
    return Image(*row)


def image_index(store: Store, article_id: int) -> dict[str, int]:
    """Stored images of an article: original URL -> n."""
    return {url: n for n, url in store.db.execute("SELECT n, url FROM article_images WHERE article_id = ?", (article_id,))}


def to_export(store: Store, ids: list[int] | None = None) -> list[tuple[Article, list[Image]]]:
    """Articles with their HTML and images, for export: those of `ids`, or (None) the whole
    library, newest first; NotFound if there is nothing to export."""
    if ids is None:
        ids = [i for (i,) in store.db.execute("SELECT id FROM articles ORDER BY saved_at DESC, id DESC")]
        if not ids:
            raise NotFound("the library is empty: nothing to export")
    return [(_get(store, i, whole=True), article_images(store, i)) for i in ids]
