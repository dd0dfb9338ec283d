"""QuietPage's SQLite file: WAL with synchronous=FULL (a write is on disk before the caller
hears it succeeded), one write transaction at a time, and a schema made of parts.

Schema versions: each module that keeps tables in the file owns a `SchemaPart` (its name
and its migrations, oldest first: proxy.store's "state", proxy.library.store's "library").
The table `schema_parts` records how far each part is; opening the file with a part runs
the migrations it lacks, in one transaction with the check. `PRAGMA user_version` names the
scheme: 3 is this one; files made before it carry 1 (the state) or 2 (the state and the
library), read as those parts at version 1. A file of a newer scheme or part is refused.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

DB_NAME = "quietpage.sqlite3"
PARTS_SCHEME = 3
# user_version of a file made before schema parts -> the parts it holds, at their versions.
LEGACY_SCHEMES: dict[int, dict[str, int]] = {0: {}, 1: {"state": 1}, 2: {"state": 1, "library": 1}}


@dataclass(frozen=True)
class SchemaPart:
    """The tables one module owns: each migration moves them one version up."""

    name: str
    migrations: tuple[str, ...]

    @property
    def version(self) -> int:
        return len(self.migrations)


class Database:
    """One connection to the file, with `parts` brought up to date. Not thread-safe: use
    it from one thread."""

    def __init__(self, path: Path, parts: Sequence[SchemaPart]):
        self.path = Path(path)
        # Tokens' hashes and the person's settings and reading: for this user's eyes only.
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not self.path.exists():
            self.path.touch(mode=0o600)
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10)
        self._db.execute("PRAGMA busy_timeout = 10000")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.execute("PRAGMA foreign_keys = ON")
        self._migrate(parts)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Database":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def db(self) -> sqlite3.Connection:
        """The connection, for the modules that keep their tables in this file."""
        return self._db

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, rolled back on an exception."""
        # IMMEDIATE takes the write lock up front: what is read inside is what is written on.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[None]:
        """One read transaction: everything read inside belongs to the same state."""
        self._db.execute("BEGIN")
        try:
            yield
        finally:
            self._db.execute("COMMIT")

    def schema_versions(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT part, version FROM schema_parts ORDER BY part"))

    def integrity_check(self) -> str:
        return self._db.execute("PRAGMA integrity_check").fetchone()[0]

    def _migrate(self, parts: Sequence[SchemaPart]) -> None:
        with self.transaction():
            scheme = self._db.execute("PRAGMA user_version").fetchone()[0]
            if scheme not in LEGACY_SCHEMES and scheme != PARTS_SCHEME:
                raise RuntimeError(f"{self.path} has schema version {scheme}; this QuietPage knows up to {PARTS_SCHEME}")
            if scheme != PARTS_SCHEME:
                self._db.execute("CREATE TABLE schema_parts (part TEXT PRIMARY KEY, version INTEGER NOT NULL)")
                self._db.executemany("INSERT INTO schema_parts (part, version) VALUES (?, ?)",
                                     LEGACY_SCHEMES[scheme].items())
                self._db.execute(f"PRAGMA user_version = {PARTS_SCHEME}")
            versions = self.schema_versions()
            for part in parts:
                have = versions.get(part.name, 0)
                if have > part.version:
                    raise RuntimeError(f"{self.path} has {part.name} tables of version {have}; this QuietPage "
                                       f"knows up to {part.version}")
                for script in part.migrations[have:]:
                    for statement in _statements(script):
                        self._db.execute(statement)
                if have < part.version:
                    self._db.execute("INSERT INTO schema_parts (part, version) VALUES (?, ?) ON CONFLICT (part) "
                                     "DO UPDATE SET version = excluded.version", (part.name, part.version))


def _statements(script: str) -> list[str]:
    """Split a migration into statements (no ';' or '--' inside its strings)."""
    code = "\n".join(line.split("--", 1)[0] for line in script.splitlines())
    return [s.strip() for s in code.split(";") if s.strip()]
