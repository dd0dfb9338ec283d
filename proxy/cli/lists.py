"""`quietpage lists` and its actions: the adblock lists in the data dir, through the same
workflows as /api/lists (proxy.lists)."""
from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path

from proxy.cli.common import DATA_HELP, UsageError, data_dir, instance_note, open_store, store_jobs

INVALID_SHOWN = 50  # invalid lines printed after an import; `quietpage lists` counts them all


def _print_report(stored) -> None:
    report = stored.report
    print(report.summary())
    for number, problem in report.invalid[:INVALID_SHOWN]:
        print(f"  invalid line {number}: {problem}")
    if len(report.invalid) > INVALID_SHOWN:
        print(f"  … and {len(report.invalid) - INVALID_SHOWN} more invalid lines")


@contextmanager
def _list_jobs(args: argparse.Namespace, name: str):
    """Store jobs for a list workflow; a missing list's refusal says where to see them."""
    from proxy.errors import NotFound  # noqa: PLC0415

    with open_store(args) as store:
        try:
            yield store_jobs(store)
        except NotFound:
            raise NotFound(f"no list named {name!r} (quietpage lists shows them)") from None


def cmd_lists(args: argparse.Namespace) -> int:
    from proxy import lists  # noqa: PLC0415

    found = lists.stored(data_dir(args))
    if not found:
        print("No adblock lists yet; import one with: quietpage lists add FILE [--name NAME]")
        return 0
    for item in found:
        about = item.as_json()
        skipped = ", ".join(f"{n} {why}" for why, n in about["skipped"].items()) or "none"
        print(f"{about['name']}  {about['title']}")
        print(f"  {about['applied']} rules applied, {about['exceptions']} exceptions; skipped {about['skipped_total']} "
              f"({skipped}); invalid {about['invalid']}")
    return 0


def _save_list(args: argparse.Namespace, name: str, replace: bool) -> int:
    import asyncio  # noqa: PLC0415

    from proxy import lists  # noqa: PLC0415
    from proxy.errors import Conflict  # noqa: PLC0415
    from proxy.rules import load_rules  # noqa: PLC0415

    file = Path(args.file)
    if not file.is_file():
        raise UsageError(f"no such file: {args.file}")
    taken = frozenset(p.id for p in load_rules().packs)
    problem = lists.name_problem(name, taken)
    if problem:
        raise UsageError(problem)
    text = lists.read_text(file)
    with _list_jobs(args, name) as run:
        try:
            saved, _revision = asyncio.run(lists.import_list(data_dir(args), name, text, replace, taken, run))
        except Conflict:
            raise Conflict(f"a list named {name!r} exists already; replace it with: "
                           f"quietpage lists update {name} {args.file}") from None
    _print_report(saved)
    print(f"{'Replaced' if replace else 'Added'} the list {name!r} ({saved.path}); a QuietPage running on this "
          f"data dir uses it from its next page load.", file=sys.stderr)
    print(instance_note(args), file=sys.stderr)
    return 0


def cmd_lists_add(args: argparse.Namespace) -> int:
    from proxy.lists import default_name  # noqa: PLC0415

    return _save_list(args, args.name or default_name(Path(args.file)), replace=False)


def cmd_lists_update(args: argparse.Namespace) -> int:
    return _save_list(args, args.name, replace=True)


def cmd_lists_remove(args: argparse.Namespace) -> int:
    import asyncio  # noqa: PLC0415

    from proxy import lists  # noqa: PLC0415

    with _list_jobs(args, args.name) as run:
        asyncio.run(lists.remove_list(data_dir(args), args.name, run))
    print(f"Removed the list {args.name!r} and its switches.", file=sys.stderr)
    print(instance_note(args), file=sys.stderr)
    return 0


def add_parsers(sub) -> None:
    lists_p = sub.add_parser("lists", help="show the imported adblock lists; add, update or remove one")
    lists_p.add_argument("--data-dir", metavar="D", help=DATA_HELP)
    lists_p.set_defaults(func=cmd_lists)
    actions = lists_p.add_subparsers(dest="lists_command", metavar="ACTION")
    # SUPPRESS: an action's own --data-dir must not reset one given before the action.
    list_data = {"metavar": "D", "default": argparse.SUPPRESS, "help": DATA_HELP}
    add = actions.add_parser("add", help="import an adblock cosmetic list (EasyList syntax) as a rule pack")
    add.add_argument("file", metavar="FILE", help="the list file (.txt)")
    add.add_argument("--name", metavar="NAME", help="its name: pack id and rule id prefix (default: from the file name)")
    add.add_argument("--data-dir", **list_data)
    add.set_defaults(func=cmd_lists_add)
    update = actions.add_parser("update", help="replace a list with a new version (the old one stays if the new one is refused)")
    update.add_argument("name", metavar="NAME", help="the list's name (see quietpage lists)")
    update.add_argument("file", metavar="FILE", help="the new list file")
    update.add_argument("--data-dir", **list_data)
    update.set_defaults(func=cmd_lists_update)
    remove = actions.add_parser("remove", help="remove a list and its switches")
    remove.add_argument("name", metavar="NAME", help="the list's name (see quietpage lists)")
    remove.add_argument("--data-dir", **list_data)
    remove.set_defaults(func=cmd_lists_remove)
