"""`quietpage save`, `list` and `export`: the reading-copy library on the data dir's
database, with or without the service running."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from proxy.cli.common import (DATA_HELP, UsageError, allow_private_fetch, open_store, progress, rulebook,
                              store_jobs)


def cmd_save(args: argparse.Namespace) -> int:
    import asyncio  # noqa: PLC0415

    from proxy.config import DEFAULT_SERVICE_PORT  # noqa: PLC0415
    from proxy.errors import InvalidInput  # noqa: PLC0415
    from proxy.library import store as library  # noqa: PLC0415
    from proxy.library.copies import page_url_problem  # noqa: PLC0415
    from proxy.library.saving import save_reading_copy  # noqa: PLC0415

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
    with open_store(args, library.SCHEMA) as store:
        # The rules the service's library uses too: built-in packs, the imported lists, your own.
        rules = rulebook(args, data=True, store=store).rules
        if html is None:
            print(f"fetching {url}", file=sys.stderr)
        saved = asyncio.run(save_reading_copy(url, html, tags, rules, store_jobs(store), allow_private_fetch(),
                                              progress("images tried")))
    article = saved.article
    print(f"{article.id}\t{article.title}")
    print(f"({'saved' if saved.created else 'updated'}: {article.words} words, {len(saved.prepared.images)} images "
          f"stored; while quietpage runs, read it at http://127.0.0.1:{DEFAULT_SERVICE_PORT}/articles/{article.id})",
          file=sys.stderr)
    _say_images_not_stored(saved.prepared)
    return 0


def _say_images_not_stored(prepared) -> None:
    """The article's images the copy is saved without, and the library's reasons."""
    report = prepared.image_report()
    missing, wanted = report["not_stored"], report["in_article"]
    if not missing:
        return
    if len(missing) < wanted:
        said = f"{len(missing)} of the article's {wanted} images not stored"
    else:
        said = "the article's image not stored" if wanted == 1 else f"none of the article's {wanted} images stored"
    print(f"{said} (the copy is saved without {'it' if len(missing) == 1 else 'them'}):", file=sys.stderr)
    for problem in missing:
        print(f"  {problem['url']}", file=sys.stderr)
    for problem in missing:
        print(f"  why: {problem['why']}", file=sys.stderr)


def cmd_list(args: argparse.Namespace) -> int:
    import datetime  # noqa: PLC0415

    from proxy.library import store as library  # noqa: PLC0415

    if not 0 < args.limit <= 10_000:
        raise UsageError(f"--limit must be between 1 and 10000, got {args.limit}")
    with open_store(args, library.SCHEMA) as store:
        page = library.list_articles(store, args.search, args.tag, args.limit, 0)
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
    to_stdout = args.output == "-"
    out = Path(args.output)
    fmt = args.format or EXPORT_SUFFIXES.get(out.suffix.lower())
    if fmt is None:
        raise UsageError(f"give --format html, md or epub (it cannot be told from {args.output!r})")
    if not to_stdout and not out.parent.is_dir():
        raise UsageError(f"no such folder for -o: {out.parent}")
    with open_store(args, library.SCHEMA) as store:
        items = library.to_export(store, None if args.all else [int(args.id)])
    data = exports.export(items, fmt, bulk=args.all, progress=progress("exported") if args.all else None)
    if to_stdout:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    out.write_bytes(data)
    print(f"wrote {out} ({len(data)} bytes, {len(items)} article{'s' if len(items) != 1 else ''})", file=sys.stderr)
    return 0


# `-o NAME.SUFFIX` names the format when --format does not.
EXPORT_SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".zip": "md", ".epub": "epub"}


def add_parsers(sub) -> None:
    save = sub.add_parser("save", help="save a reading copy of a page (fetched, or from a saved file) to the library")
    save.add_argument("source", metavar="URL|FILE", help="the page's http(s) address, or an HTML file (- for stdin)")
    save.add_argument("--url", help="the page's address, when saving a file (decides site rules and the copy's key)")
    save.add_argument("--tag", dest="tags", action="append", metavar="T", help="tag the copy (repeatable)")
    save.add_argument("--data-dir", metavar="D", help=DATA_HELP)
    save.set_defaults(func=cmd_save)

    articles = sub.add_parser("list", help="list saved reading copies, newest first, or search them")
    articles.add_argument("--search", metavar="Q", help="only copies with these words, best match first, with a snippet")
    articles.add_argument("--tag", metavar="T", help="only copies with this tag")
    articles.add_argument("--limit", type=int, default=100, metavar="N", help="at most N (default 100)")
    articles.add_argument("--data-dir", metavar="D", help=DATA_HELP)
    articles.set_defaults(func=cmd_list)

    exp = sub.add_parser("export", help="export one reading copy or the whole library as HTML, Markdown or EPUB")
    exp.add_argument("id", nargs="?", metavar="ID", help="the article's id (see quietpage list)")
    exp.add_argument("--all", action="store_true", help="the whole library (HTML: one file; md: a zip; epub: one book)")
    exp.add_argument("--format", choices=("html", "md", "epub"),
                     help="html (images inlined), md or epub (default: from -o's suffix)")
    exp.add_argument("-o", "--output", required=True, metavar="PATH", help="the file to write, or - for standard output")
    exp.add_argument("--data-dir", metavar="D", help=DATA_HELP)
    exp.set_defaults(func=cmd_export)
