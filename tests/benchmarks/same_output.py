"""Does a change keep the engine's output byte for byte? Compares two git revisions.

Run: .venv/bin/python tests/benchmarks/same_output.py [--base REV] [--head REV]

Cleans every AEB page (as text and as bytes) and every clutter-dev page (as bytes, as
the proxy gets them) with the built-in packs, and again with every shared adblock list
on, in a checkout of each revision (`--head` defaults to the working tree), and compares
the output bytes, the rules credited with removals and the rules the guard skipped.
Prints the pages that differ; exit 1 if any does.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPORA = REPO.parent / "shared" / "corpora"


def emit() -> None:
    """In the tree on sys.path[0]: one JSON line per (page, input kind, rule set)."""
    try:
        from proxy.engine import clean_page
        from proxy.rules import load_rules
    except ImportError:  # pragma: no cover - a tree with another layout
        raise
    lists = sorted((CORPORA / "filterlists").rglob("*.txt"))
    builtin = load_rules()
    every = builtin.merged(load_rules(*lists))
    pages = []
    truth = json.loads((CORPORA / "aeb" / "ground-truth.json").read_text(encoding="utf-8"))
    for page_id in sorted(truth):
        raw = gzip.decompress((CORPORA / "aeb" / "html" / f"{page_id}.html.gz").read_bytes())
        url = truth[page_id].get("url") or ""
        pages.append((f"aeb/{page_id}/bytes", url, raw))
        pages.append((f"aeb/{page_id}/text", url, raw.decode("utf-8")))
    for entry in json.loads((CORPORA / "clutter-dev" / "manifest.json").read_text(encoding="utf-8")):
        raw = gzip.decompress((CORPORA / "clutter-dev" / "pages" / f"{entry['id']}.html.gz").read_bytes())
        pages.append((f"clutter-dev/{entry['id']}/bytes", entry["url"] or "", raw))
    for name, rules in (("builtin", builtin), ("lists", every)):
        for key, url, page in pages:
            result = clean_page(page, url, rules)
            out = result.html if isinstance(result.html, bytes) else result.html.encode("utf-8", "surrogatepass")
            print(json.dumps({"key": f"{key}/{name}", "sha": hashlib.sha256(out).hexdigest(),
                              "removed": dict(sorted(result.removed.items())),
                              "skipped": dict(sorted(result.skipped.items())),
                              "error": result.error}, sort_keys=True))


def run_tree(tree: Path) -> dict[str, dict]:
    # A fixed hash seed: which of several list rules fitting one element is credited
    # follows set order, and that must not read as a difference.
    env = dict(os.environ, PYTHONPATH=str(tree), PYTHONHASHSEED="0")
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--emit"], cwd=tree, env=env,
                          capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    return {row["key"]: row for row in rows}


def checkout(rev: str, into: Path) -> Path:
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(into), rev],
                   check=True, capture_output=True)
    return into


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="HEAD", help="revision to compare against (default HEAD)")
    parser.add_argument("--head", default=None, help="revision to check (default: the working tree)")
    parser.add_argument("--emit", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.emit:
        sys.path.insert(0, os.getcwd())
        emit()
        return 0
    with tempfile.TemporaryDirectory(prefix="same-output-") as tmp:
        trees = []
        try:
            base = checkout(args.base, Path(tmp) / "base")
            trees.append(base)
            head = REPO if args.head is None else checkout(args.head, Path(tmp) / "head")
            if args.head is not None:
                trees.append(head)
            before, after = run_tree(base), run_tree(head)
        finally:
            for tree in trees:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                               capture_output=True)
    differ = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    for key in differ[:50]:
        print(f"DIFFERS {key}\n  before {before.get(key)}\n  after  {after.get(key)}")
    changed = sum(1 for row in after.values() if row["removed"])
    print(f"{len(after)} outputs compared ({changed} with removals), {len(differ)} differ "
          f"({args.base} -> {args.head or 'working tree'})")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
