"""What the commands share: usage errors, the data dir and its store, the rules in force,
the test-only fetch switch and a progress line."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DATA_HELP = "QuietPage's data dir (default: $QUIETPAGE_DATA_DIR, else the user's data dir)"
TEST_FETCH_ENV = "QUIETPAGE_TEST_ALLOW_PRIVATE_FETCH"  # tests only: see Config.allow_private_fetch


class UsageError(Exception):
    """Bad input from the person at the terminal: exit 2 with one sentence."""


def data_dir(args: argparse.Namespace) -> Path:
    from proxy.config import default_data_dir  # noqa: PLC0415 - keep `--help` fast

    return Path(args.data_dir) if getattr(args, "data_dir", None) else default_data_dir()


def instance_note(args: argparse.Namespace) -> str:
    """Which data dir a command acted on, and whether a QuietPage runs on it: a command on
    another folder than the running QuietPage's would seem to do nothing."""
    from proxy.config import DATA_DIR_ENV, running_on  # noqa: PLC0415

    where = data_dir(args)
    running = running_on(where)
    if running is not None:
        return f"(data dir {where}: the QuietPage running as process {running.pid}, service {running.service})"
    return (f"(data dir {where}: no QuietPage is running on it; if one runs with another, give --data-dir D "
            f"or set {DATA_DIR_ENV}=D)")


def open_store(args: argparse.Namespace, *parts):
    """The data dir's store, with the schema parts the command uses besides the state."""
    from proxy.store import Store  # noqa: PLC0415

    return Store.in_dir(data_dir(args), *parts)


def store_jobs(store):
    """Run the shared workflows' store jobs at once on this connection (the service runs
    them on its store thread)."""
    async def run(fn, *args):
        return fn(store, *args)
    return run


def rulebook(args: argparse.Namespace, paths: list[str] | None = None, data: bool = False, store=None):
    """The rules in force for a command: the built-in packs and `paths`; with `data`, the
    data dir's adblock lists too; with a `store`, the person's own rules and switches."""
    from proxy.rulebook import Rulebook  # noqa: PLC0415 - keep `--help` fast
    from proxy.state import toggles_of, user_rules  # noqa: PLC0415

    for p in paths or ():
        if not Path(p).exists():
            raise UsageError(f"rules file {p!r} does not exist")
    book = Rulebook(paths=paths or (), data_dir=data_dir(args) if data else None)
    book.reload(force=True)
    if store is not None:
        snapshot = store.snapshot()
        book.set_state(toggles_of(snapshot),
                       user_rules(snapshot.user_rules, known_ids=[r.id for r in book.file_rules.rules]))
    return book


def allow_private_fetch() -> bool:
    return os.environ.get(TEST_FETCH_ENV) == "1"


def progress(label: str):
    """A progress line on stderr that rewrites itself on a terminal, else one line at the end."""
    tty = sys.stderr.isatty()

    def report(done: int, total: int, *_) -> None:
        if tty:
            print(f"\r{label} {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)
        elif done == total:
            print(f"{label} {done}/{total}", file=sys.stderr)
    return report
