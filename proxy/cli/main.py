"""`quietpage`: the parser, `main` (which turns refusals into one sentence and an exit
status), and the commands for pages, rules, the proxy and pairing; the library's and the
lists' commands are proxy.cli.library and proxy.cli.lists."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from proxy import __version__
from proxy.cli import ca, library, lists
from proxy.cli.common import DATA_HELP, UsageError, allow_private_fetch, data_dir, instance_note, open_store, rulebook
from proxy.errors import DomainError


def cmd_clean(args: argparse.Namespace) -> int:
    if args.file == "-":
        data = sys.stdin.buffer.read()
    else:
        path = Path(args.file)
        if not path.is_file():
            raise UsageError(f"no such file: {args.file}")
        try:
            data = path.read_bytes()
        except OSError as exc:
            print(f"quietpage clean: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
            return 1
    book = rulebook(args, args.rules)
    if book.rules.errors:
        for e in book.rules.errors:
            print(f"quietpage clean: {e}", file=sys.stderr)
        print("quietpage clean: the rules above have errors; fix them or leave out --rules", file=sys.stderr)
        return 1
    result = book.clean(data, args.url or "")
    # As the proxy sends it: the very bytes where nothing was removed, the rest cut out of
    # them, and the original where the cleaned text could not go back faithfully.
    out = result.output_bytes(data)
    sys.stdout.buffer.write(data if out is None else out)
    sys.stdout.flush()
    changed = result.changed and out is not None
    if args.report:
        report = {"url": args.url, "removed": result.removed if changed else {}, "skipped": result.skipped,
                  "also": result.also, "changed": changed, "error": result.error, "ms": round(result.elapsed_ms, 3)}
        if result.changed and out is None:
            report["error"] = f"the page does not decode cleanly as {result.encoding}: written as it came"
        print(json.dumps(report, indent=2), file=sys.stderr)
    if result.error:
        print(f"quietpage clean: could not clean the page ({result.error}); wrote it unchanged", file=sys.stderr)
    elif result.changed and out is None:
        print(f"quietpage clean: the page does not decode cleanly as {result.encoding}; wrote it unchanged",
              file=sys.stderr)
    return 0


def cmd_rules_check(args: argparse.Namespace) -> int:
    from proxy.rules import load_rules  # noqa: PLC0415

    paths = args.paths or []
    for p in paths:
        if not Path(p).exists():
            raise UsageError(f"no such file or directory: {p}")
    rules = load_rules(*paths)
    for e in rules.errors:
        print(e)
    if rules.errors:
        print(f"{len(rules.errors)} problem(s) found", file=sys.stderr)
        return 1
    n_rules = len(rules.rules)
    where = ", ".join(paths) if paths else "built-in packs"
    print(f"ok: {len(rules.packs)} packs, {n_rules} rules ({where})")
    return 0


def cmd_rules_list(args: argparse.Namespace) -> int:
    """Every pack in force for the data dir: the built-in packs, --rules, the imported lists
    (counted, not listed rule by rule) and your own rules, with their switches."""
    with open_store(args) as store:
        book = rulebook(args, args.rules, data=True, store=store)
    toggles = book.toggles
    for pack in book.rules.packs:
        print(f"{pack.id}  {pack.title}{'' if toggles.pack_on(pack) else '  (off)'}")
        if pack.adblock:
            print(f"  {len(pack.rules)} rules from the adblock list {pack.path}")
            continue
        for r in pack.rules:
            scope = ",".join(r.scope.include + tuple("~" + d for d in r.scope.exclude)) or "all sites"
            on = toggles.rule_on(r, "", toggles.pack_on(pack))
            print(f"  {r.id:40} {r.kind:16} {scope:20} {r.title}{'' if on else '  (off)'}")
    print(f"(data in {data_dir(args)})", file=sys.stderr)
    return 0


def _config(args: argparse.Namespace):
    from proxy.config import Config  # noqa: PLC0415

    for name in ("listen_port", "service_port"):
        port = getattr(args, name, 1)
        if not 0 < port < 65536:
            raise UsageError(f"--{name.replace('_', '-')} must be between 1 and 65535, got {port}")
    for p in args.rules or []:
        if not Path(p).exists():
            raise UsageError(f"rules file {p!r} does not exist")
    scripts, sets = getattr(args, "scripts", None) or (), getattr(args, "sets", None) or ()
    for s in scripts:
        if not Path(s).is_file():
            raise UsageError(f"script {s!r} does not exist")
    for s in sets:
        if "=" not in s:
            raise UsageError(f"--set takes NAME=VALUE, got {s!r}")
    proxy = {"listen_host": args.listen_host, "listen_port": args.listen_port} if hasattr(args, "listen_port") else {}
    return Config(service_port=args.service_port, service_host=args.service_host,
                  allow_private_fetch=allow_private_fetch(), data_dir=data_dir(args), rules=tuple(args.rules or ()),
                  scripts=tuple(scripts), sets=tuple(sets), quiet=args.quiet, **proxy)


def cmd_run(args: argparse.Namespace) -> int:
    config = _config(args)
    if args.options:
        import asyncio  # noqa: PLC0415

        from proxy.runner import dump_options  # noqa: PLC0415

        asyncio.run(dump_options(config))
        return 0
    return _until_stopped("run", config)


def cmd_serve(args: argparse.Namespace) -> int:
    import logging  # noqa: PLC0415

    config = _config(args)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    return _until_stopped("serve", config)


def _until_stopped(command: str, config) -> int:
    """`quietpage run` or `serve` until stopped; a start-up failure is one sentence."""
    import asyncio  # noqa: PLC0415

    from proxy import runner  # noqa: PLC0415

    try:
        asyncio.run(getattr(runner, command)(config))
    except runner.StartupError as exc:
        print(f"quietpage {command}: {exc}", file=sys.stderr)
        return exc.status
    return 0


def cmd_pair(args: argparse.Namespace) -> int:
    import datetime  # noqa: PLC0415

    from proxy.config import running_on  # noqa: PLC0415
    from proxy.store import pairing_page_key  # noqa: PLC0415

    with open_store(args) as store:
        if args.code is None:
            pending = store.pending_pair_requests()
            if not pending:
                print("No client is waiting to pair. Start pairing in the extension (or POST /api/pair), then run this again.")
            for p in pending:
                asked = datetime.datetime.fromtimestamp(p.created_at).strftime("%H:%M:%S")
                print(f"{p.client_name!r} asked at {asked}; approve it with: quietpage pair CODE (the code it shows)")
            running = running_on(data_dir(args))
            if running is not None:
                print(f"Or approve in your browser: {running.service}/pair?key={pairing_page_key(data_dir(args))}")
            print(instance_note(args), file=sys.stderr)
            return 0
        pair = store.approve_pair(args.code)
        print(f"Approved {pair.client_name!r}; it gets its token on its next poll.")
        print(instance_note(args), file=sys.stderr)
        return 0


def cmd_token(args: argparse.Namespace) -> int:
    import datetime  # noqa: PLC0415

    with open_store(args) as store:
        if args.list:
            for c in store.clients():
                made = datetime.datetime.fromtimestamp(c.created_at).strftime("%Y-%m-%d %H:%M")
                print(f"{c.id}  {made}  {'revoked' if c.revoked_at else 'active '}  {c.name}")
            return 0
        if args.revoke:
            client = store.revoke(args.revoke)
            print(f"Revoked {client.id} ({client.name}).")
            return 0
        client, token = store.create_client(args.name)
        print(token)
        print(f"(client {client.id}: send it as 'Authorization: Bearer <token>'; revoke with "
              f"quietpage token --revoke {client.id})", file=sys.stderr)
        print(instance_note(args), file=sys.stderr)
        return 0


def cmd_rules_export(args: argparse.Namespace) -> int:
    from proxy.state import user_pack_yaml  # noqa: PLC0415

    with open_store(args) as store:
        rows = store.snapshot().user_rules
    sys.stdout.write(user_pack_yaml(rows))
    return 0


def _add_run_options(p: argparse.ArgumentParser, proxy: bool = True) -> None:
    """`run`'s options; `serve` (no proxy) takes only the service's."""
    from proxy.config import DEFAULT_LISTEN_HOST, DEFAULT_LISTEN_PORT, DEFAULT_SERVICE_HOST, DEFAULT_SERVICE_PORT  # noqa: PLC0415

    if proxy:
        p.add_argument("--listen-host", default=DEFAULT_LISTEN_HOST, metavar="H", help=f"proxy address (default {DEFAULT_LISTEN_HOST})")
        p.add_argument("--listen-port", type=int, default=DEFAULT_LISTEN_PORT, metavar="P", help=f"proxy port (default {DEFAULT_LISTEN_PORT})")
    p.add_argument("--service-port", type=int, default=DEFAULT_SERVICE_PORT, metavar="S", help=f"service port (default {DEFAULT_SERVICE_PORT})")
    p.add_argument("--service-host", "--host", dest="service_host", default=DEFAULT_SERVICE_HOST, metavar="A",
                   help=f"service address (default {DEFAULT_SERVICE_HOST}; anything but loopback is warned about)")
    p.add_argument("--data-dir", metavar="D", help="where the database and mitmproxy's CA live "
                                                   "(default: $QUIETPAGE_DATA_DIR, else the user's data dir)")
    p.add_argument("--rules", action="append", metavar="PATH", help="extra rule pack or folder (repeatable)")
    p.add_argument("-q", "--quiet", action="store_true", help="log only warnings and errors")
    if proxy:
        p.add_argument("-s", "--script", dest="scripts", action="append", metavar="SCRIPT", help="load a further mitmproxy script (repeatable)")
        p.add_argument("--set", dest="sets", action="append", metavar="NAME=VALUE", help="set a mitmproxy option, as mitmdump does (repeatable)")
        p.add_argument("--options", action="store_true", help="print every proxy option (mitmproxy's and QuietPage's) with its help, then exit")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quietpage", description="Remove clutter from news pages; keep clean reading copies.")
    parser.add_argument("--version", action="version", version=f"quietpage {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    clean = sub.add_parser("clean", help="clean a saved page and write it to stdout")
    clean.add_argument("file", metavar="FILE", help="an HTML file, or - for standard input")
    clean.add_argument("--url", help="the page's address; decides which site rules apply")
    clean.add_argument("--rules", action="append", metavar="PATH", help="extra rule pack or folder (repeatable)")
    clean.add_argument("--report", action="store_true", help="write what each rule removed as JSON to stderr")
    clean.set_defaults(func=cmd_clean)

    run = sub.add_parser("run", help="run the cleaning proxy and the local service")
    _add_run_options(run)
    run.set_defaults(func=cmd_run)

    serve = sub.add_parser("serve", help="run the local service alone (rule sync for the extension)")
    _add_run_options(serve, proxy=False)
    serve.set_defaults(func=cmd_serve)

    pair = sub.add_parser("pair", help="list clients waiting to pair, or approve one by its code")
    pair.add_argument("code", nargs="?", metavar="CODE", help="the code the client shows, e.g. ABCD-2345")
    pair.add_argument("--data-dir", metavar="D", help=DATA_HELP)
    pair.set_defaults(func=cmd_pair)

    token = sub.add_parser("token", help="print a new API token for scripts; list or revoke tokens")
    token.add_argument("--name", default="script", help="what the token is for (shown by --list; default: script)")
    token.add_argument("--list", action="store_true", help="list paired clients and tokens instead")
    token.add_argument("--revoke", metavar="ID", help="revoke the token of this client id instead")
    token.add_argument("--data-dir", metavar="D", help=DATA_HELP)
    token.set_defaults(func=cmd_token)

    ca.add_parser(sub)

    library.add_parsers(sub)
    lists.add_parsers(sub)

    rules = sub.add_parser("rules", help="check or list rule packs")
    rules_sub = rules.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    check = rules_sub.add_parser("check", help="validate packs; exit 1 listing every problem")
    check.add_argument("paths", nargs="*", metavar="PATH", help="pack files or folders (default: the built-in packs)")
    check.set_defaults(func=cmd_rules_check)
    lst = rules_sub.add_parser("list", help="list the packs and rules in force: built-in, lists, your own")
    lst.add_argument("--rules", action="append", metavar="PATH", help="extra rule pack or folder (repeatable)")
    lst.add_argument("--data-dir", metavar="D", help=DATA_HELP)
    lst.set_defaults(func=cmd_rules_list)
    export = rules_sub.add_parser("export", help="print your own rules (made through the service) as a pack file")
    export.add_argument("--data-dir", metavar="D", help=DATA_HELP)
    export.set_defaults(func=cmd_rules_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    command = " ".join(filter(None, (args.command, getattr(args, "lists_command", None),
                                     getattr(args, "rules_command", None))))
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"quietpage {command}: {exc}", file=sys.stderr)
        return 2
    except DomainError as exc:  # refused by the store, the lists or the library: one sentence
        # A refusal may come from looking in the wrong folder: say which, on the same line.
        note = f" {instance_note(args)}" if "data_dir" in vars(args) else ""
        print(f"quietpage {command}: {exc.detail}{note}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `quietpage ca | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0

