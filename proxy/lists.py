"""Adblock lists kept in the data dir, `<data-dir>/lists/NAME.txt`: add, replace, remove,
and what each one gave (rules applied, lines skipped by reason, invalid lines).

A list is parsed before it is written, written to a temporary file beside it and moved
into place with one `os.replace`, so the list in force is never half written, and an
import that is refused leaves the old one in force. `import_list` and `remove_list` are
the whole workflows, the file and then the change logged in the store, that the CLI and
the service both run; refusals are proxy.errors.
"""
from __future__ import annotations

import asyncio
import functools
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from proxy.errors import Conflict, InvalidInput, NotFound, Unprocessable
from proxy.rules.adblock import ListReport, parse_list_text
from proxy.store import Store, StoreJobs

LISTS_DIR = "lists"
# A list's name is its pack id and the prefix of its rule ids (NAME.LINE): no dots, so a
# rule id names its list unambiguously.
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
RESERVED = frozenset({"user"})  # the pack of the person's own rules
MAX_LIST_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class StoredList:
    """A list in the data dir and what its import made of it."""

    name: str
    title: str
    path: Path
    report: ListReport

    def as_json(self, invalid_shown: int = 100) -> dict:
        """What `quietpage lists` prints and GET /api/lists answers for it."""
        r = self.report
        return {"name": self.name, "title": self.title, "applied": r.applied, "exceptions": r.exceptions,
                "skipped": dict(r.skipped.most_common()), "skipped_total": sum(r.skipped.values()),
                "invalid": len(r.invalid),
                "invalid_lines": [{"line": n, "problem": why} for n, why in r.invalid[:invalid_shown]]}


def lists_dir(data_dir: Path) -> Path:
    return Path(data_dir) / LISTS_DIR


def list_paths(data_dir: Path) -> list[Path]:
    """The lists in force, as `load_rules` takes them (one `.txt` file a list)."""
    folder = lists_dir(data_dir)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("*.txt") if _NAME_RE.match(p.stem))


def default_name(path: Path) -> str:
    """`EasyList Cookie.txt` -> `easylist-cookie`."""
    name = re.sub(r"[^a-z0-9_-]+", "-", path.stem.lower()).strip("-_")[:64]
    return name or "list"


def name_problem(name: str, taken: frozenset[str] | set[str] = frozenset()) -> str | None:
    """Why `name` cannot name a list, or None. `taken`: ids of the other (non-list) packs."""
    if not _NAME_RE.match(name):
        return (f"a list name is 1-64 lower-case letters, digits, '-' or '_', starting with a letter or digit; "
                f"got {name!r}")
    if name in RESERVED or name in taken:
        return f"{name!r} is the id of another rule pack; choose another name"
    return None


def read_text(path: Path) -> str:
    """A list file's text (UTF-8; stray bytes replaced); Unprocessable if it cannot be read."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise Unprocessable(f"cannot read {path}: {exc.strerror or exc}", field="text") from None
    if len(data) > MAX_LIST_BYTES:
        raise Unprocessable(f"{path} is larger than {MAX_LIST_BYTES // (1024 * 1024)} MiB", field="text")
    return data.decode("utf-8", errors="replace")


async def import_list(data_dir: Path, name: str, text: str, replace: bool, taken: frozenset[str],
                      run: StoreJobs) -> tuple[StoredList, int]:
    """Add or replace a list, then log the change in the store (its switches follow their
    lines), so a running service reloads it and tells /api/events. Returns the list and the
    new revision."""
    # Parsing a big list takes a second: off the event loop the proxy may run on.
    saved, moved = await asyncio.to_thread(save, data_dir, name, text, replace, taken)
    revision = await run(Store.list_changed, name, "updated" if replace else "added", moved)
    return saved, revision


async def remove_list(data_dir: Path, name: str, run: StoreJobs) -> int:
    """Remove a list, then log it in the store, which drops its switches; the new revision."""
    remove(data_dir, name)
    return await run(Store.list_changed, name, "removed")


def save(data_dir: Path, name: str, text: str, replace: bool, taken: frozenset[str] = frozenset()
         ) -> tuple[StoredList, dict[str, str | None]]:
    """Add (replace=False) or replace a list. Returns it and, on a replace, how the rule ids
    of lines that moved or went changed (old id -> new id or None)."""
    problem = name_problem(name, taken)
    if problem:
        raise InvalidInput(problem, field="name")
    folder = lists_dir(data_dir)
    target = folder / f"{name}.txt"
    old_text = None
    if replace:
        try:
            old_text = target.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            raise NotFound(f"no list named {name!r}") from None
    elif target.exists():
        raise _exists(name)
    pack, report = parse_list_text(text, name, str(target))
    refusal = _not_a_list(text, report)
    if refusal:
        kept = f"the list {name!r} in force stays as it was" if replace else "nothing was imported"
        raise Unprocessable(f"{refusal}; {kept}", field="text")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")  # not *.txt: never loaded
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        if replace:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)  # fails if another add got there first
            except FileExistsError:
                raise _exists(name) from None
            os.unlink(tmp)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _sync_dir(folder)
    moved = moved_rule_ids(name, old_text, text) if old_text is not None else {}
    return StoredList(name, pack.title, target, report), moved


def _exists(name: str) -> Conflict:
    return Conflict(f"a list named {name!r} exists already; replace it with an update", field="name")


def _not_a_list(text: str, report: ListReport) -> str | None:
    """Why `text` is refused as a filter list, or None: it holds no cosmetic rule at all, or
    most of its lines are not filters (a README, a web page)."""
    skipped = sum(report.skipped.values())
    read = report.applied + report.exceptions + skipped
    if len(report.invalid) > read:
        return (f"this is not a filter list: {len(report.invalid)} of its {len(report.invalid) + read} lines are "
                f"not filters (the first at line {report.invalid[0][0]}: {report.invalid[0][1]})")
    if report.applied == 0 and report.exceptions == 0:
        includes = " (its !#include lines are not followed: import the files they name)" if "!#include" in text else ""
        return (f"no cosmetic rule a proxy can apply was found ({skipped} lines skipped, {len(report.invalid)} invalid)"
                f"{includes}")
    return None


def remove(data_dir: Path, name: str) -> None:
    if not _NAME_RE.match(name):
        raise NotFound(f"no list named {name!r}")
    try:
        (lists_dir(data_dir) / f"{name}.txt").unlink()
    except FileNotFoundError:
        raise NotFound(f"no list named {name!r}") from None
    _sync_dir(lists_dir(data_dir))


def stored(data_dir: Path) -> list[StoredList]:
    """Every list in the data dir with its counts (parsed again only when the file changed)."""
    out = []
    for path in list_paths(data_dir):
        try:
            st = path.stat()
        except FileNotFoundError:  # removed meanwhile
            continue
        out.append(_described(path, st.st_mtime_ns, st.st_size, st.st_ino))
    return out


@functools.lru_cache(maxsize=64)
def _described(path: Path, _mtime_ns: int, _size: int, _inode: int) -> StoredList:
    text = path.read_text(encoding="utf-8", errors="replace")
    pack, report = parse_list_text(text, path.stem, str(path))
    return StoredList(path.stem, pack.title, path, report)


def moved_rule_ids(name: str, old_text: str, new_text: str) -> dict[str, str | None]:
    """Rule ids are NAME.LINE: after a replace, the same filter line may sit on another line.
    Old id -> new id for every line that moved, None for a line that is gone."""
    new_lines: dict[str, list[int]] = {}
    for number, line in enumerate(new_text.splitlines(), 1):
        if line.strip():
            new_lines.setdefault(line.strip(), []).append(number)
    moved: dict[str, str | None] = {}
    for number, line in enumerate(old_text.splitlines(), 1):
        if not line.strip():
            continue
        places = new_lines.get(line.strip())
        new = places.pop(0) if places else None
        if new != number:
            moved[f"{name}.{number}"] = f"{name}.{new}" if new is not None else None
    return moved


def _sync_dir(folder: Path) -> None:
    # The rename itself must reach the disk, not only the file's bytes.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
