"""Database files made before schema parts (PRAGMA user_version 1 and 2) open with the new
code with every row, and a new file gets every table."""
from __future__ import annotations

import sqlite3

import pytest

from proxy.database import PARTS_SCHEME, Database, SchemaPart
from proxy.library import store as library
from proxy.store import SCHEMA, Store, token_hash

# The schema as QuietPage wrote it up to user_version 2, copied as it shipped: entry N
# made version N (1: the rule state, clients and pairing; 2: the library).
OLD_MIGRATIONS = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT INTO meta (key, value) VALUES ('revision', 0);
    CREATE TABLE toggles (
        kind TEXT NOT NULL CHECK (kind IN ('rule', 'pack')),
        target TEXT NOT NULL,
        site TEXT NOT NULL DEFAULT '',          -- '' means everywhere
        enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        revision INTEGER NOT NULL,
        PRIMARY KEY (kind, target, site)
    );
    CREATE TABLE paused_sites (site TEXT PRIMARY KEY, revision INTEGER NOT NULL);
    CREATE TABLE user_rules (
        n INTEGER PRIMARY KEY AUTOINCREMENT,     -- the rule's id is 'user.<n>'
        site TEXT NOT NULL,
        title TEXT NOT NULL,
        selector TEXT,
        pattern TEXT,
        revision INTEGER NOT NULL,
        created_at REAL NOT NULL,
        CHECK (selector IS NOT NULL OR pattern IS NOT NULL)
    );
    CREATE TABLE changes (revision INTEGER PRIMARY KEY, change TEXT NOT NULL, at REAL NOT NULL);
    CREATE TABLE clients (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,        -- sha256 of the token; the token itself is never stored
        created_at REAL NOT NULL,
        revoked_at REAL
    );
    CREATE TABLE pair_requests (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL,
        client_name TEXT NOT NULL,
        created_at REAL NOT NULL,
        expires_at REAL NOT NULL,
        approved_at REAL,
        claimed_at REAL,
        client_id TEXT REFERENCES clients (id)
    );
    CREATE INDEX pair_requests_code ON pair_requests (code);
    """,
    # 2: the reading-copy library (proxy/library/store.py reads and writes these tables).
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
)


TOKEN = "qp_an-old-token"
ARTICLE_TEXT = "The lighthouse keeper asked the harbour council for a new brass lamp."


def old_file(path, version: int) -> None:
    """A file as the old code left it at `version`, with a row in the tables it had."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN IMMEDIATE")
    for script in OLD_MIGRATIONS[:version]:
        for statement in _statements(script):
            db.execute(statement)
    db.execute(f"PRAGMA user_version = {version}")
    db.execute("UPDATE meta SET value = 2 WHERE key = 'revision'")
    db.execute("INSERT INTO toggles (kind, target, site, enabled, revision) VALUES ('rule', 'rt.com.read-more', 'rt.com', 0, 1)")
    db.execute("INSERT INTO user_rules (site, title, selector, pattern, revision, created_at) "
               "VALUES ('example.org', 'Newsletter box', '.newsletter', NULL, 2, 1700000000.0)")
    db.execute("INSERT INTO clients (id, name, token_hash, created_at) VALUES ('c0ffee', 'Chromium', ?, 1700000000.0)",
               (token_hash(TOKEN),))
    if version >= 2:
        db.execute("INSERT INTO articles (url, source_url, title, byline, published, site_name, lang, lead_image, html, "
                   "text, excerpt, words, saved_at, updated_at) VALUES ('https://news.example/lamp', "
                   "'https://news.example/lamp?utm_source=x', 'A new lamp', 'Mara Quill', '2024-03-05', 'Harbour News', "
                   "'en', NULL, ?, ?, 'The lighthouse keeper asked', 12, 1700000000.0, 1700000000.0)",
                   (f"<p>{ARTICLE_TEXT}</p><img src='https://news.example/lamp.png'>", ARTICLE_TEXT))
        db.execute("INSERT INTO article_images (article_id, n, url, content_type, data) "
                   "VALUES (1, 0, 'https://news.example/lamp.png', 'image/png', x'89504e47')")
        db.execute("INSERT INTO article_tags (article_id, tag) VALUES (1, 'harbour')")
        db.execute("INSERT INTO articles_fts (rowid, title, byline, text) VALUES (1, 'A new lamp', 'Mara Quill', ?)",
                   (ARTICLE_TEXT,))
    db.execute("COMMIT")
    db.close()


def _statements(script: str) -> list[str]:
    """The old code's split of a migration into statements."""
    code = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    return [s.strip() for s in code.split(";") if s.strip()]


def assert_state_kept(store: Store) -> None:
    snapshot = store.snapshot()
    assert snapshot.revision == 2
    assert [(t.kind, t.target, t.site, t.enabled) for t in snapshot.toggles] == [("rule", "rt.com.read-more", "rt.com", False)]
    assert [(r.id, r.site, r.selector) for r in snapshot.user_rules] == [("user.1", "example.org", ".newsletter")]
    assert store.active_token_hashes() == [("c0ffee", token_hash(TOKEN))]


def test_a_file_of_version_2_keeps_its_state_and_library(tmp_path):
    path = tmp_path / "quietpage.sqlite3"
    old_file(path, 2)
    store = Store(path, library.SCHEMA)
    try:
        assert store.schema_versions() == {"library": 1, "state": 2}
        assert_state_kept(store)
        article = library.get_article(store, 1)
        assert (article.title, article.tags, article.image_count) == ("A new lamp", ("harbour",), 1)
        assert library.article_image(store, 1, 0).data == b"\x89PNG"
        found = library.list_articles(store, q="lighthous")  # stemmed, the last word as a prefix
        assert [a.id for a in found.articles] == [1] and "\x02lighthouse\x03" in found.articles[0].snippet
        assert library.list_articles(store, tag="harbour").total == 1
        # New rows go on from the old ones.
        assert store.add_user_rule("example.org", "Promo", ".promo", None)[1].id == "user.2"
        assert store.revision() == 3
    finally:
        store.close()


def test_a_file_of_version_1_keeps_its_state_and_gets_the_library(tmp_path):
    path = tmp_path / "quietpage.sqlite3"
    old_file(path, 1)
    state_only = Store(path)  # an opener that does not use the library leaves its tables be
    try:
        assert state_only.schema_versions() == {"state": 2}
        assert_state_kept(state_only)
    finally:
        state_only.close()
    store = Store(path, library.SCHEMA)
    try:
        assert store.schema_versions() == {"library": 1, "state": 2}
        assert_state_kept(store)
        assert library.list_articles(store).total == 0 and library.all_tags(store) == []
    finally:
        store.close()


def test_a_new_file_gets_every_table_and_reopening_migrates_nothing(tmp_path):
    path = tmp_path / "quietpage.sqlite3"
    for _ in range(2):
        store = Store(path, library.SCHEMA)
        try:
            assert store.schema_versions() == {"library": library.SCHEMA.version, "state": SCHEMA.version}
            assert store.db.execute("PRAGMA user_version").fetchone()[0] == PARTS_SCHEME
            tables = {name for (name,) in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            assert {"toggles", "user_rules", "clients", "pair_requests", "articles", "article_images", "article_tags",
                    "articles_fts"} <= tables
        finally:
            store.close()


def test_a_file_from_a_newer_quietpage_is_refused(tmp_path):
    newer_scheme = tmp_path / "newer-scheme.sqlite3"
    db = sqlite3.connect(newer_scheme)
    db.execute(f"PRAGMA user_version = {PARTS_SCHEME + 1}")
    db.close()
    with pytest.raises(RuntimeError, match="schema version"):
        Store(newer_scheme)
    newer_part = tmp_path / "newer-part.sqlite3"
    Database(newer_part, [SchemaPart("extra", ("CREATE TABLE extra (x)", "CREATE TABLE extra2 (x)"))]).close()
    with pytest.raises(RuntimeError, match="extra tables of version 2"):
        Database(newer_part, [SchemaPart("extra", ("CREATE TABLE extra (x)",))])
