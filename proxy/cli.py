"""`quietpage`: the command line that wires the engine, proxy and service together."""
from __future__ import annotations

import argparse
import json
import sys
from contextlib import contextmanager
from pathlib import Path

from proxy import __version__
from proxy.errors import DomainError


class UsageError(Exception):
    """Bad input from the person at the terminal: exit 2 with one sentence."""


def _load_rule_paths(paths: list[str] | None):
    from proxy.rules import RuleSet, load_rules  # noqa: PLC0415 - keep `--help` fast

    rules = load_rules()
    if paths:
        for p in paths:
            if not Path(p).exists():
                raise UsageError(f"rules file {p!r} does not exist")
        extra = load_rules(*paths, known_ids=[r.id for r in rules.rules])
        rules = RuleSet(rules.packs + extra.packs, rules.errors + extra.errors)
    return rules


def cmd_clean(args: argparse.Namespace) -> int:
    from proxy.engine import clean_page  # noqa: PLC0415

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
    rules = _load_rule_paths(args.rules)
    if rules.errors:
        for e in rules.errors:
            print(f"quietpage clean: {e}", file=sys.stderr)
        print("quietpage clean: the rules above have errors; fix them or leave out --rules", file=sys.stderr)
        return 1
    result = clean_page(data, args.url or "", rules)
    out = result.html
    encoding = result.encoding or "utf-8"
    sys.stdout.buffer.write(out.encode(encoding, errors="xmlcharrefreplace"))
    sys.stdout.flush()
    if args.report:
        report = {"url": args.url, "removed": result.removed, "skipped": result.skipped,
                  "changed": result.changed, "error": result.error, "ms": round(result.elapsed_ms, 3)}
        print(json.dumps(report, indent=2), file=sys.stderr)
    if result.error:
        print(f"quietpage clean: could not clean the page ({result.error}); wrote it unchanged", file=sys.stderr)
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
    rules = _load_rule_paths(args.rules)
    for pack in rules.packs:
        print(f"{pack.id}  {pack.title}{'' if pack.enabled else '  (off)'}")
        for r in pack.rules:
            scope = ",".join(r.scope.include + tuple("~" + d for d in r.scope.exclude)) or "all sites"
            print(f"  {r.id:40} {r.kind:16} {scope:20} {r.title}{'' if r.enabled else '  (off)'}")
    return 0


def _config(args: argparse.Namespace):
    from proxy.config import Config, default_data_dir  # noqa: PLC0415

    for name in ("listen_port", "service_port"):
        port = getattr(args, name)
        if not 0 < port < 65536:
            raise UsageError(f"--{name.replace('_', '-')} must be between 1 and 65535, got {port}")
    for p in args.rules or []:
        if not Path(p).exists():
            raise UsageError(f"rules file {p!r} does not exist")
    for s in args.scripts or []:
        if not Path(s).is_file():
            raise UsageError(f"script {s!r} does not exist")
    for s in args.sets or []:
        if "=" not in s:
            raise UsageError(f"--set takes NAME=VALUE, got {s!r}")
    return Config(listen_host=args.listen_host, listen_port=args.listen_port, service_port=args.service_port,
                  service_host=args.service_host, allow_private_fetch=_allow_private_fetch(),
                  data_dir=Path(args.data_dir) if args.data_dir else default_data_dir(),
                  rules=tuple(args.rules or ()), scripts=tuple(args.scripts or ()),
                  sets=tuple(args.sets or ()), quiet=args.quiet)


def cmd_run(args: argparse.Namespace) -> int:
    import asyncio  # noqa: PLC0415

    from proxy.runner import StartupError, run  # noqa: PLC0415

    config = _config(args)
    if args.options:
        from proxy.runner import dump_options  # noqa: PLC0415

        asyncio.run(dump_options(config))
        return 0
    try:
        asyncio.run(run(config))
    except StartupError as exc:
        print(f"quietpage run: {exc}", file=sys.stderr)
        return exc.status
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import asyncio  # noqa: PLC0415
    import logging  # noqa: PLC0415

    from proxy.runner import StartupError, serve  # noqa: PLC0415

    config = _config(args)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    try:
        asyncio.run(serve(config))
    except StartupError as exc:
        print(f"quietpage serve: {exc}", file=sys.stderr)
        return exc.status
    return 0


def _data_dir(args: argparse.Namespace) -> Path:
    from proxy.config import default_data_dir  # noqa: PLC0415

    return Path(args.data_dir) if getattr(args, "data_dir", None) else default_data_dir()


def _store(args: argparse.Namespace, *parts):
    """The data dir's store, with the schema parts the command uses besides the state."""
    from proxy.store import Store  # noqa: PLC0415

    return Store.in_dir(_data_dir(args), *parts)


def _jobs(store):
    """Run the shared workflows' store jobs at once on this connection (the service runs
    them on its store thread)."""
    async def run(fn, *args):
        return fn(store, *args)
    return run


def cmd_pair(args: argparse.Namespace) -> int:
    import datetime  # noqa: PLC0415

    store = _store(args)
    try:
        if args.code is None:
            pending = store.pending_pair_requests()
            if not pending:
                print("No client is waiting to pair. Start pairing in the extension (or POST /api/pair), then run this again.")
            for p in pending:
                asked = datetime.datetime.fromtimestamp(p.created_at).strftime("%H:%M:%S")
                print(f"{p.client_name!r} asked at {asked}; approve it with: quietpage pair CODE (the code it shows)")
            return 0
        pair = store.approve_pair(args.code)
        print(f"Approved {pair.client_name!r}; it gets its token on its next poll.")
        return 0
    finally:
        store.close()


def cmd_token(args: argparse.Namespace) -> int:
    import datetime  # noqa: PLC0415

    store = _store(args)
    try:
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
        return 0
    finally:
        store.close()


def cmd_rules_export(args: argparse.Namespace) -> int:
    from proxy.state import user_pack_yaml  # noqa: PLC0415

    store = _store(args)
    try:
        rows = store.snapshot().user_rules
    finally:
        store.close()
    sys.stdout.write(user_pack_yaml(rows))
    return 0


def cmd_ca(args: argparse.Namespace) -> int:
    from proxy.config import Config, default_data_dir  # noqa: PLC0415
    from proxy.runner import ensure_ca  # noqa: PLC0415

    config = Config(data_dir=Path(args.data_dir) if args.data_dir else default_data_dir())
    cert = ensure_ca(config)
    print(CA_HELP.format(cert=cert, port=config.listen_port, host=config.listen_host))
    return 0


# --- the reading-copy library -------------------------------------------------------------

TEST_FETCH_ENV = "QUIETPAGE_TEST_ALLOW_PRIVATE_FETCH"  # tests only: see Config.allow_private_fetch


def _allow_private_fetch() -> bool:
    import os  # noqa: PLC0415

    return os.environ.get(TEST_FETCH_ENV) == "1"


def _progress(label: str):
    """A progress line on stderr that rewrites itself on a terminal, else one line at the end."""
    tty = sys.stderr.isatty()

    def report(done: int, total: int, *_) -> None:
        if tty:
            print(f"\r{label} {done}/{total}", end="\n" if done == total else "", file=sys.stderr, flush=True)
        elif done == total:
            print(f"{label} {done}/{total}", file=sys.stderr)
    return report


def cmd_save(args: argparse.Namespace) -> int:
    import asyncio  # noqa: PLC0415

    from proxy.config import DEFAULT_SERVICE_PORT  # noqa: PLC0415
    from proxy.errors import InvalidInput  # noqa: PLC0415
    from proxy.library import store as library  # noqa: PLC0415
    from proxy.library.copies import page_url_problem  # noqa: PLC0415
    from proxy.library.saving import save_reading_copy  # noqa: PLC0415
    from proxy.lists import list_paths  # noqa: PLC0415
    from proxy.state import user_rules  # noqa: PLC0415

    source = args.source
    html = None
    if source == "-" or Path(source).is_file():
        if not args.url:
            raise UsageError("saving a file needs the page's address: --url URL")
        try:
            html = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        except OSError as exc:
            print(f"quietpage save: cannot read {source}: {exc.strerror}", file=sys.stderr)
            return 1
        url = args.url
    elif source.startswith(("http://", "https://")):
        url = args.url or source
    else:
        raise UsageError(f"{source!r} is neither a file nor an http(s) address")
    problem = page_url_problem(url)  # checked again by the workflow; here it is a usage error
    if problem:
        raise UsageError(f"--url: {problem}")
    try:
        tags = library.normalize_tags(args.tags or [])
    except InvalidInput as exc:
        raise UsageError(f"--tag: {exc.detail}") from None
    store = _store(args, library.SCHEMA)
    try:
        # The rules the service's library uses too: built-in packs and the imported lists.
        file_rules = _load_rule_paths([str(p) for p in list_paths(_data_dir(args))])
        rules = file_rules.merged(user_rules(store.snapshot().user_rules, known_ids=[r.id for r in file_rules.rules]))
        if html is None:
            print(f"fetching {url}", file=sys.stderr)
        saved = asyncio.run(save_reading_copy(url, html, tags, rules, _jobs(store), _allow_private_fetch(),
                                              _progress("images tried")))
    finally:
        store.close()
    article = saved.article
    print(f"{article.id}\t{article.title}")
    print(f"({'saved' if saved.created else 'updated'}: {article.words} words, {len(saved.prepared.images)} images "
          f"stored; while quietpage runs, read it at http://127.0.0.1:{DEFAULT_SERVICE_PORT}/articles/{article.id})",
          file=sys.stderr)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    import datetime  # noqa: PLC0415

    from proxy.library import store as library  # noqa: PLC0415

    if not 0 < args.limit <= 10_000:
        raise UsageError(f"--limit must be between 1 and 10000, got {args.limit}")
    store = _store(args, library.SCHEMA)
    try:
        page = library.list_articles(store, args.search, args.tag, args.limit, 0)
    finally:
        store.close()
    for a in page.articles:
        day = a.published or datetime.date.fromtimestamp(a.saved_at).isoformat()
        tags = f"  [{', '.join(a.tags)}]" if a.tags else ""
        print(f"{a.id}\t{day}\t{a.site_name or ''}\t{a.title}{tags}")
        if a.snippet:
            snippet = a.snippet.replace(library.HIT_START, "**").replace(library.HIT_END, "**").replace("\n", " ")
            print(f"\t{snippet}")
    shown = len(page.articles)
    print(f"{shown} of {page.total} {'found' if args.search or args.tag else 'saved'}", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from proxy.library import export as exports  # noqa: PLC0415
    from proxy.library import store as library  # noqa: PLC0415

    if args.all == (args.id is not None):
        raise UsageError("name one article ID, or --all for the whole library")
    if args.id is not None and not args.id.isdigit():
        raise UsageError(f"an article ID is a number (see quietpage list), not {args.id!r}")
    out = Path(args.output)
    if not out.parent.is_dir():
        raise UsageError(f"no such folder for -o: {out.parent}")
    store = _store(args, library.SCHEMA)
    try:
        items = library.to_export(store, None if args.all else [int(args.id)])
    finally:
        store.close()
    data = exports.export(items, args.format, bulk=args.all, progress=_progress("exported") if args.all else None)
    out.write_bytes(data)
    print(f"wrote {out} ({len(data)} bytes, {len(items)} article{'s' if len(items) != 1 else ''})", file=sys.stderr)
    return 0


# --- adblock lists --------------------------------------------------------------------------

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

    store = _store(args)
    try:
        yield _jobs(store)
    except NotFound:
        raise NotFound(f"no list named {name!r} (quietpage lists shows them)") from None
    finally:
        store.close()


def cmd_lists(args: argparse.Namespace) -> int:
    from proxy import lists  # noqa: PLC0415

    found = lists.stored(_data_dir(args))
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
    data_dir = _data_dir(args)
    text = lists.read_text(file)
    with _list_jobs(args, name) as run:
        try:
            saved, _revision = asyncio.run(lists.import_list(data_dir, name, text, replace, taken, run))
        except Conflict:
            raise Conflict(f"a list named {name!r} exists already; replace it with: "
                           f"quietpage lists update {name} {args.file}") from None
    _print_report(saved)
    print(f"{'Replaced' if replace else 'Added'} the list {name!r} ({saved.path}); a running quietpage uses it "
          f"from its next page load.", file=sys.stderr)
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
        asyncio.run(lists.remove_list(_data_dir(args), args.name, run))
    print(f"Removed the list {args.name!r} and its switches.", file=sys.stderr)
    return 0


CA_HELP = """\
QuietPage's CA certificate (made by mitmproxy on first use, kept in the data dir):

  {cert}

HTTPS pages can only be cleaned if your browser trusts it. Trust it once:

Chromium / Chrome (Linux, its own NSS store):
  certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n QuietPage -i {cert}
  (certutil is in Debian's libnss3-tools; or Settings > Privacy and security > Security >
  Manage certificates > Authorities > Import, and tick "Trust this certificate for
  identifying websites".)

Firefox:
  Settings > Privacy & Security > Certificates > View Certificates > Authorities >
  Import… > choose the file above > tick "Trust this CA to identify websites".

The system store (Debian/Ubuntu; curl, wget, Python and most programs):
  sudo cp {cert} /usr/local/share/ca-certificates/quietpage.crt
  sudo update-ca-certificates

Then point the browser at the proxy, http://{host}:{port} — for example:
  chromium --proxy-server=http://{host}:{port}
Only trust a CA you made yourself; remove it with the same tools when you stop using QuietPage."""


def _add_run_options(p: argparse.ArgumentParser) -> None:
    from proxy.config import DEFAULT_LISTEN_HOST, DEFAULT_LISTEN_PORT, DEFAULT_SERVICE_HOST, DEFAULT_SERVICE_PORT  # noqa: PLC0415

    p.add_argument("--listen-host", default=DEFAULT_LISTEN_HOST, metavar="H", help=f"proxy address (default {DEFAULT_LISTEN_HOST})")
    p.add_argument("--listen-port", type=int, default=DEFAULT_LISTEN_PORT, metavar="P", help=f"proxy port (default {DEFAULT_LISTEN_PORT})")
    p.add_argument("--service-port", type=int, default=DEFAULT_SERVICE_PORT, metavar="S", help=f"service port (default {DEFAULT_SERVICE_PORT})")
    p.add_argument("--service-host", "--host", dest="service_host", default=DEFAULT_SERVICE_HOST, metavar="A",
                   help=f"service address (default {DEFAULT_SERVICE_HOST}; anything but loopback is warned about)")
    p.add_argument("--data-dir", metavar="D", help="where the database and mitmproxy's CA live (default: the user's data dir)")
    p.add_argument("--rules", action="append", metavar="PATH", help="extra rule pack or folder (repeatable)")
    p.add_argument("-s", "--script", dest="scripts", action="append", metavar="SCRIPT", help="load a further mitmproxy script (repeatable)")
    p.add_argument("--set", dest="sets", action="append", metavar="NAME=VALUE", help="set a mitmproxy option, as mitmdump does (repeatable)")
    p.add_argument("-q", "--quiet", action="store_true", help="log only warnings and errors")
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
    _add_run_options(serve)
    serve.set_defaults(func=cmd_serve)

    pair = sub.add_parser("pair", help="list clients waiting to pair, or approve one by its code")
    pair.add_argument("code", nargs="?", metavar="CODE", help="the code the client shows, e.g. ABCD-2345")
    pair.add_argument("--data-dir", metavar="D", help="QuietPage's data dir (default: the user's data dir)")
    pair.set_defaults(func=cmd_pair)

    token = sub.add_parser("token", help="print a new API token for scripts; list or revoke tokens")
    token.add_argument("--name", default="script", help="what the token is for (shown by --list; default: script)")
    token.add_argument("--list", action="store_true", help="list paired clients and tokens instead")
    token.add_argument("--revoke", metavar="ID", help="revoke the token of this client id instead")
    token.add_argument("--data-dir", metavar="D", help="QuietPage's data dir (default: the user's data dir)")
    token.set_defaults(func=cmd_token)

    ca = sub.add_parser("ca", help="show where the CA certificate is and how to trust it")
    ca.add_argument("--data-dir", metavar="D", help="QuietPage's data dir (default: the user's data dir)")
    ca.set_defaults(func=cmd_ca)

    data_help = "QuietPage's data dir (default: the user's data dir)"
    save = sub.add_parser("save", help="save a reading copy of a page (fetched, or from a saved file) to the library")
    save.add_argument("source", metavar="URL|FILE", help="the page's http(s) address, or an HTML file (- for stdin)")
    save.add_argument("--url", help="the page's address, when saving a file (decides site rules and the copy's key)")
    save.add_argument("--tag", dest="tags", action="append", metavar="T", help="tag the copy (repeatable)")
    save.add_argument("--data-dir", metavar="D", help=data_help)
    save.set_defaults(func=cmd_save)

    lst_articles = sub.add_parser("list", help="list saved reading copies, newest first, or search them")
    lst_articles.add_argument("--search", metavar="Q", help="only copies with these words, best match first, with a snippet")
    lst_articles.add_argument("--tag", metavar="T", help="only copies with this tag")
    lst_articles.add_argument("--limit", type=int, default=100, metavar="N", help="at most N (default 100)")
    lst_articles.add_argument("--data-dir", metavar="D", help=data_help)
    lst_articles.set_defaults(func=cmd_list)

    exp = sub.add_parser("export", help="export one reading copy or the whole library as HTML, Markdown or EPUB")
    exp.add_argument("id", nargs="?", metavar="ID", help="the article's id (see quietpage list)")
    exp.add_argument("--all", action="store_true", help="the whole library (HTML: one file; md: a zip; epub: one book)")
    exp.add_argument("--format", required=True, choices=("html", "md", "epub"), help="html (images inlined), md or epub")
    exp.add_argument("-o", "--output", required=True, metavar="PATH", help="the file to write")
    exp.add_argument("--data-dir", metavar="D", help=data_help)
    exp.set_defaults(func=cmd_export)

    lists_p = sub.add_parser("lists", help="show the imported adblock lists; add, update or remove one")
    lists_p.add_argument("--data-dir", metavar="D", help=data_help)
    lists_p.set_defaults(func=cmd_lists)
    lists_sub = lists_p.add_subparsers(dest="lists_command", metavar="ACTION")
    # SUPPRESS: an action's own --data-dir must not reset one given before the action.
    list_data = {"metavar": "D", "default": argparse.SUPPRESS, "help": data_help}
    add = lists_sub.add_parser("add", help="import an adblock cosmetic list (EasyList syntax) as a rule pack")
    add.add_argument("file", metavar="FILE", help="the list file (.txt)")
    add.add_argument("--name", metavar="NAME", help="its name: pack id and rule id prefix (default: from the file name)")
    add.add_argument("--data-dir", **list_data)
    add.set_defaults(func=cmd_lists_add)
    update = lists_sub.add_parser("update", help="replace a list with a new version (the old one stays if the new one is refused)")
    update.add_argument("name", metavar="NAME", help="the list's name (see quietpage lists)")
    update.add_argument("file", metavar="FILE", help="the new list file")
    update.add_argument("--data-dir", **list_data)
    update.set_defaults(func=cmd_lists_update)
    remove = lists_sub.add_parser("remove", help="remove a list and its switches")
    remove.add_argument("name", metavar="NAME", help="the list's name (see quietpage lists)")
    remove.add_argument("--data-dir", **list_data)
    remove.set_defaults(func=cmd_lists_remove)

    rules = sub.add_parser("rules", help="check or list rule packs")
    rules_sub = rules.add_subparsers(dest="rules_command", metavar="ACTION", required=True)
    check = rules_sub.add_parser("check", help="validate packs; exit 1 listing every problem")
    check.add_argument("paths", nargs="*", metavar="PATH", help="pack files or folders (default: the built-in packs)")
    check.set_defaults(func=cmd_rules_check)
    lst = rules_sub.add_parser("list", help="list packs and rules")
    lst.add_argument("--rules", action="append", metavar="PATH", help="extra rule pack or folder (repeatable)")
    lst.set_defaults(func=cmd_rules_list)
    export = rules_sub.add_parser("export", help="print your own rules (made through the service) as a pack file")
    export.add_argument("--data-dir", metavar="D", help="QuietPage's data dir (default: the user's data dir)")
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
        print(f"quietpage {command}: {exc.detail}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `quietpage ca | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
