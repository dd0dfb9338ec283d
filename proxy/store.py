"""The state in QuietPage's SQLite file: switches of rules and packs, paused sites, the
person's own rules, paired clients and pairing requests, and the revision (which also
counts changes of the adblock lists in the data dir) with its change log.

Plain sqlite3, raising proxy.errors: the service runs it on its store thread, the CLI
opens the same file directly. Every accepted rule change is one transaction that also
bumps the revision by exactly one and logs the change.
"""
from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable

from proxy.database import DB_NAME, Database, SchemaPart
from proxy.errors import InvalidInput, NotFound, StaleRevision

CHANGES_KEPT = 1000  # revisions of change log kept for SSE clients that reconnect
PAIR_TTL = 600.0  # seconds a pairing request waits for the person's approval
PAIR_PENDING_MAX = 200  # waiting at once; past it the oldest expires
PAIR_PENDING_PER_REQUESTER = 3  # waiting at once from one requester; past it its oldest expires
MAX_NAME = 100  # characters of a client name
PAIR_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I

# Runs a job `fn(store, *args)` on its caller's store: the service's store thread (which
# then hands the new state on), or the CLI's own connection. Workflows shared by the two
# take one.
StoreJobs = Callable[..., Awaitable[Any]]

# The state's tables (see proxy.database for how parts are versioned). Never edit a
# migration that shipped: add the next one.
SCHEMA = SchemaPart("state", (
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
    # 2: who asked (a browser extension's Origin, '' for a local program): a requester's
    # own flood can only push out its own requests.
    """
    ALTER TABLE pair_requests ADD COLUMN requester TEXT NOT NULL DEFAULT '';
    """,
))


@dataclass(frozen=True)
class ToggleRow:
    kind: str  # rule | pack
    target: str
    site: str  # '' for everywhere
    enabled: bool


@dataclass(frozen=True)
class UserRuleRow:
    id: str
    site: str
    title: str
    selector: str | None
    pattern: str | None
    created_at: float


@dataclass(frozen=True)
class Snapshot:
    """Everything the proxy needs from the store, as of one revision."""

    revision: int
    toggles: tuple[ToggleRow, ...] = ()
    paused: tuple[str, ...] = ()
    user_rules: tuple[UserRuleRow, ...] = ()


@dataclass(frozen=True)
class Client:
    id: str
    name: str
    created_at: float
    revoked_at: float | None

    def as_json(self) -> dict:
        return {"id": self.id, "name": self.name, "created_at": self.created_at,
                "revoked": self.revoked_at is not None, "revoked_at": self.revoked_at}


@dataclass(frozen=True)
class PairRequest:
    id: str
    code: str
    client_name: str
    created_at: float
    expires_at: float
    approved_at: float | None
    claimed_at: float | None

    def status(self, now: float | None = None) -> str:
        now = now or time.time()
        if self.claimed_at is not None:
            return "claimed"
        if self.approved_at is not None:
            # A token left uncollected does not wait for its client forever.
            return "approved" if now < max(self.expires_at, self.approved_at + CLAIM_WINDOW) else "expired"
        return "expired" if now >= self.expires_at else "pending"

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


# How long an approved pairing's token waits to be collected (its client polls every few seconds).
CLAIM_WINDOW = 120.0


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> str:
    return "qp_" + secrets.token_urlsafe(32)


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def user_rule_number(rule_id: str) -> int | None:
    """The row number in a user rule id ('user.7' -> 7), or None if it is not one."""
    prefix, _, number = rule_id.partition(".")
    return int(number) if prefix == "user" and number.isdigit() and len(number) < 19 else None


PAIRING_KEY = "pairing.key"


def pairing_page_key(data_dir: Path) -> str:
    """The secret the local approval page (/pair) needs in its address: made once, kept in
    the data dir for this user's eyes only, printed by `quietpage run` and `quietpage pair`.
    Without it, neither a web page nor another extension nor another user on this machine
    can approve a pairing code it asked for itself."""
    path = Path(data_dir) / PAIRING_KEY
    try:
        key = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        key = ""
    if len(key) < 20:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = secrets.token_urlsafe(24)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(key + "\n")
    return key


class Store(Database):
    """The state, and whatever further `parts` of the schema the opener names (the
    library's). One connection; not thread-safe: use it from one thread."""

    def __init__(self, path: Path, *parts: SchemaPart):
        super().__init__(path, (SCHEMA, *parts))

    @classmethod
    def in_dir(cls, data_dir: Path, *parts: SchemaPart) -> "Store":
        return cls(Path(data_dir) / DB_NAME, *parts)

    def _bump(self, expected: int | None, change: dict) -> int:
        """Check `If-Match`, then take the next revision and log the change (inside a transaction)."""
        current = self._revision()
        if expected is not None and expected != current:
            raise StaleRevision(current)
        revision = current + 1
        self._db.execute("UPDATE meta SET value = ? WHERE key = 'revision'", (revision,))
        self._db.execute("INSERT INTO changes (revision, change, at) VALUES (?, ?, ?)",
                         (revision, json.dumps(change, sort_keys=True), time.time()))
        self._db.execute("DELETE FROM changes WHERE revision <= ?", (revision - CHANGES_KEPT,))
        return revision

    def _revision(self) -> int:
        return self._db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0]

    # --- rule state -----------------------------------------------------------------------

    def revision(self) -> int:
        return self._revision()

    def snapshot(self) -> Snapshot:
        # One read transaction: the rows belong to the revision they come with.
        with self.reading():
            revision = self._revision()
            toggles = tuple(ToggleRow(k, t, s, bool(e)) for k, t, s, e in self._db.execute(
                "SELECT kind, target, site, enabled FROM toggles ORDER BY kind, target, site"))
            paused = tuple(s for (s,) in self._db.execute("SELECT site FROM paused_sites ORDER BY site"))
            rules = tuple(UserRuleRow(f"user.{n}", site, title, sel, pat, at) for n, site, title, sel, pat, at in self._db.execute(
                "SELECT n, site, title, selector, pattern, created_at FROM user_rules ORDER BY n"))
        return Snapshot(revision, toggles, paused, rules)

    def set_toggle(self, kind: str, target: str, enabled: bool, site: str = "", expected: int | None = None) -> int:
        with self.transaction():
            revision = self._bump(expected, {"type": kind, "id": target, "site": site or None, "enabled": enabled})
            self._db.execute(
                "INSERT INTO toggles (kind, target, site, enabled, revision) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (kind, target, site) DO UPDATE SET enabled = excluded.enabled, revision = excluded.revision",
                (kind, target, site, int(enabled), revision))
        return revision

    def set_paused(self, site: str, paused: bool, expected: int | None = None) -> int:
        with self.transaction():
            revision = self._bump(expected, {"type": "site", "site": site, "paused": paused})
            if paused:
                self._db.execute("INSERT OR REPLACE INTO paused_sites (site, revision) VALUES (?, ?)", (site, revision))
            else:
                self._db.execute("DELETE FROM paused_sites WHERE site = ?", (site,))
        return revision

    def add_user_rule(self, site: str, title: str, selector: str | None, pattern: str | None,
                      expected: int | None = None) -> tuple[int, UserRuleRow]:
        now = time.time()
        with self.transaction():
            n = self._db.execute("SELECT coalesce(max(seq), 0) + 1 FROM sqlite_sequence WHERE name = 'user_rules'").fetchone()[0]
            revision = self._bump(expected, {"type": "user-rule", "id": f"user.{n}", "site": site, "created": True})
            (n_inserted,) = self._db.execute(
                "INSERT INTO user_rules (n, site, title, selector, pattern, revision, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING n", (n, site, title, selector, pattern, revision, now)).fetchone()
        return revision, UserRuleRow(f"user.{n_inserted}", site, title, selector, pattern, now)

    def has_user_rule(self, rule_id: str) -> bool:
        n = user_rule_number(rule_id)
        return n is not None and self._db.execute("SELECT 1 FROM user_rules WHERE n = ?", (n,)).fetchone() is not None

    def delete_user_rule(self, rule_id: str, expected: int | None = None) -> int:
        n = user_rule_number(rule_id)
        with self.transaction():
            if n is None or self._db.execute("SELECT 1 FROM user_rules WHERE n = ?", (n,)).fetchone() is None:
                raise NotFound(f"no user rule {rule_id!r}")
            revision = self._bump(expected, {"type": "user-rule", "id": rule_id, "deleted": True})
            self._db.execute("DELETE FROM user_rules WHERE n = ?", (n,))
            self._db.execute("DELETE FROM toggles WHERE kind = 'rule' AND target = ?", (rule_id,))
        return revision

    def list_changed(self, name: str, action: str, moved: dict[str, str | None] | None = None,
                     expected: int | None = None) -> int:
        """Log that an adblock list was added, updated or removed (its file is already in
        place), and carry its switches along: a removed list's go with it; on an update a
        rule switch follows its filter line to its new line number (rule ids are NAME.LINE)."""
        with self.transaction():
            revision = self._bump(expected, {"type": "list", "id": name, "action": action})
            prefix = name + "."
            rows = [row for row in self._db.execute(
                "SELECT target, site, enabled FROM toggles WHERE kind = 'rule' AND substr(target, 1, ?) = ?",
                (len(prefix), prefix)) if row[0][len(prefix):].isdigit()]
            if action == "removed":
                self._db.execute("DELETE FROM toggles WHERE kind = 'pack' AND target = ?", (name,))
                gone, kept = rows, []
            else:
                gone = [row for row in rows if row[0] in (moved or {})]
                kept = [((moved or {})[t], site, on) for t, site, on in gone if (moved or {})[t] is not None]
            self._db.executemany("DELETE FROM toggles WHERE kind = 'rule' AND target = ? AND site = ?",
                                 [(t, site) for t, site, _on in gone])
            self._db.executemany("INSERT OR REPLACE INTO toggles (kind, target, site, enabled, revision) "
                                 "VALUES ('rule', ?, ?, ?, ?)", [(t, site, on, revision) for t, site, on in kept])
        return revision

    def changes_since(self, revision: int) -> list[tuple[int, dict]]:
        return [(r, json.loads(c)) for r, c in self._db.execute(
            "SELECT revision, change FROM changes WHERE revision > ? ORDER BY revision", (revision,))]

    # --- clients and tokens ---------------------------------------------------------------

    def create_client(self, name: str) -> tuple[Client, str]:
        """A new client and its token; the token is returned once and only its hash is kept."""
        with self.transaction():
            return self._create_client(name)

    def _create_client(self, name: str) -> tuple[Client, str]:
        token, now = new_token(), time.time()
        client = Client(uuid.uuid4().hex[:12], name, now, None)
        self._db.execute("INSERT INTO clients (id, name, token_hash, created_at) VALUES (?, ?, ?, ?)",
                         (client.id, name, token_hash(token), now))
        return client, token

    def clients(self) -> list[Client]:
        return [Client(*row) for row in self._db.execute(
            "SELECT id, name, created_at, revoked_at FROM clients ORDER BY created_at")]

    def revoke(self, client_id: str) -> Client:
        with self.transaction():
            row = self._db.execute("SELECT id, name, created_at, revoked_at FROM clients WHERE id = ?", (client_id,)).fetchone()
            if row is None:
                raise NotFound(f"no client {client_id!r}")
            if row[3] is None:
                self._db.execute("UPDATE clients SET revoked_at = ? WHERE id = ?", (time.time(), client_id))
        return Client(*row[:3], row[3] or time.time())

    def active_token_hashes(self) -> list[tuple[str, str]]:
        return list(self._db.execute("SELECT id, token_hash FROM clients WHERE revoked_at IS NULL"))

    # --- pairing --------------------------------------------------------------------------

    def create_pair_request(self, client_name: str, ttl: float = PAIR_TTL, requester: str = "") -> PairRequest:
        """A new request, always accepted: room is made by expiring the requester's own oldest
        beyond PAIR_PENDING_PER_REQUESTER, then the oldest of all beyond PAIR_PENDING_MAX, so a
        flood cannot keep another client from pairing (a browser sets an extension's Origin)."""
        now = time.time()
        with self.transaction():
            self._db.execute("DELETE FROM pair_requests WHERE expires_at < ? AND claimed_at IS NULL", (now - 86400,))
            waiting = "approved_at IS NULL AND expires_at > ?"
            self._db.execute(f"UPDATE pair_requests SET expires_at = ? WHERE id IN (SELECT id FROM pair_requests "
                             f"WHERE {waiting} AND requester = ? ORDER BY created_at DESC LIMIT -1 OFFSET ?)",
                             (now, now, requester, PAIR_PENDING_PER_REQUESTER - 1))
            self._db.execute(f"UPDATE pair_requests SET expires_at = ? WHERE id IN (SELECT id FROM pair_requests "
                             f"WHERE {waiting} ORDER BY created_at DESC LIMIT -1 OFFSET ?)",
                             (now, now, PAIR_PENDING_MAX - 1))
            while True:
                code = "".join(secrets.choice(PAIR_CODE_ALPHABET) for _ in range(8))
                if self._db.execute("SELECT 1 FROM pair_requests WHERE code = ? AND expires_at > ?", (code, now)).fetchone() is None:
                    break
            request = PairRequest(secrets.token_urlsafe(18), code, client_name, now, now + ttl, None, None)
            self._db.execute("INSERT INTO pair_requests (id, code, client_name, created_at, expires_at, requester) "
                             "VALUES (?, ?, ?, ?, ?, ?)", (request.id, code, client_name, now, request.expires_at, requester))
        return request

    def pair_request(self, request_id: str) -> PairRequest | None:
        row = self._db.execute(f"SELECT {_PAIR_COLUMNS} FROM pair_requests WHERE id = ?", (request_id,)).fetchone()
        return PairRequest(*row) if row else None

    def pending_pair_requests(self) -> list[PairRequest]:
        return [PairRequest(*row) for row in self._db.execute(
            f"SELECT {_PAIR_COLUMNS} FROM pair_requests WHERE approved_at IS NULL AND expires_at > ? ORDER BY created_at",
            (time.time(),))]

    def approve_pair(self, code: str) -> PairRequest:
        """Approve the waiting request with this code (as shown, dash and case optional)."""
        code, now = normalize_code(code), time.time()
        if len(code) != 8:
            raise InvalidInput("a pairing code has 8 letters and digits, like ABCD-2345", field="code")
        with self.transaction():
            row = self._db.execute(f"SELECT {_PAIR_COLUMNS} FROM pair_requests WHERE code = ? AND approved_at IS NULL "
                                   "AND expires_at > ?", (code, now)).fetchone()
            if row is None:
                raise NotFound(f"no waiting pairing request has the code {code[:4]}-{code[4:]} (expired or approved already?)")
            self._db.execute("UPDATE pair_requests SET approved_at = ? WHERE id = ?", (now, row[0]))
        return PairRequest(*row[:5], now, None)

    def claim_pair(self, request_id: str) -> tuple[PairRequest, str | None]:
        """The request, and its token if it was approved and is claimed now (only once)."""
        with self.transaction():
            row = self._db.execute(f"SELECT {_PAIR_COLUMNS} FROM pair_requests WHERE id = ?", (request_id,)).fetchone()
            if row is None:
                raise NotFound("no such pairing request")
            request = PairRequest(*row)
            if request.status() != "approved":
                return request, None
            client, token = self._create_client(request.client_name)
            now = time.time()
            self._db.execute("UPDATE pair_requests SET claimed_at = ?, client_id = ? WHERE id = ?", (now, client.id, request.id))
        return PairRequest(*row[:6], now), token


_PAIR_COLUMNS = "id, code, client_name, created_at, expires_at, approved_at, claimed_at"

