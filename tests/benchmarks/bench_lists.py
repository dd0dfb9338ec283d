"""Adblock lists as rule packs: import cost, matching cost, and what they take.

Run: .venv/bin/python tests/benchmarks/bench_lists.py [--corpus DIR] [--lists DIR] [--repeat N]

Prints: the time and memory to import every list in ../shared/corpora/filterlists (parse +
the index the first page builds), each list's summary (applied, skipped by reason,
invalid); per AEB page, clean_page with the built-in packs alone against the built-in
packs plus every list, interleaved in one run (median of per-page ratios); a naive
"query every selector" engine on a sample, for reference; AEB article kept with every
list on, naming the pages below 97 % and the rule that did it; elements removed per list.
"""
from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from aeb import kept_share, load_corpus, shingles, visible_text  # noqa: E402
from selectolax.lexbor import LexborHTMLParser  # noqa: E402

from proxy.rules.adblock import parse_list_text, list_name  # noqa: E402
from proxy.engine import clean_page, compile_plan  # noqa: E402
from proxy.rules import RuleSet, load_rules  # noqa: E402

DEFAULT_LISTS = HERE.parents[2] / "shared" / "corpora" / "filterlists"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=None, help="AEB corpus dir (default ../shared/corpora/aeb)")
    parser.add_argument("--lists", type=Path, default=DEFAULT_LISTS)
    parser.add_argument("--repeat", type=int, default=3, help="runs per page and engine (min is kept)")
    parser.add_argument("--naive-pages", type=int, default=8, help="pages for the naive engine (it is slow)")
    args = parser.parse_args()
    list_files = sorted(p for p in args.lists.rglob("*.txt"))
    builtin = load_rules()

    gc.collect()
    started = time.perf_counter()
    lists = load_rules(*list_files)
    compile_plan(builtin.merged(lists), "warm-up.example")  # builds the index
    import_s = time.perf_counter() - started
    # Memory in a second, traced import (tracing slows it down, so not timed).
    gc.collect()
    tracemalloc.start()
    traced = load_rules(*list_files)
    compile_plan(builtin.merged(traced), "warm-up.example")
    import_mb = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    del traced
    every = builtin.merged(lists)
    print(f"Import of {len(list_files)} lists: {import_s:.2f} s, {import_mb:.0f} MB more memory (peak, traced); "
          f"{len(lists.rules)} rules, errors: {len(lists.errors)}")
    for path in list_files:
        _pack, report = parse_list_text(path.read_text(encoding="utf-8", errors="replace"), list_name(path))
        print("  " + report.summary())
        for line, why in report.invalid[:3]:
            print(f"      {path.name}:{line}: {why}")

    pages = load_corpus(args.corpus) if args.corpus else load_corpus()
    ratios, alone, with_lists = [], [], []
    removed_by_list: Counter = Counter()
    kept, worst = [], []
    for page in pages:
        clean_page(page.html, page.url, builtin)
        result = clean_page(page.html, page.url, every)
        a, b = [], []
        for i in range(args.repeat):
            order = (builtin, every) if i % 2 == 0 else (every, builtin)
            for rules in order:
                t0 = time.perf_counter()
                clean_page(page.html, page.url, rules)
                (a if rules is builtin else b).append(time.perf_counter() - t0)
        alone.append(min(a))
        with_lists.append(min(b))
        ratios.append(min(b) / min(a))
        for rule_id, n in result.removed.items():
            removed_by_list[rule_id.rsplit(".", 1)[0] if every.rule(rule_id).pack_id in lists_ids(lists)
                            else "(built-in) " + every.rule(rule_id).pack_id] += n
        gt = shingles(page.article)
        share = kept_share(gt, shingles(visible_text(page.html)), shingles(visible_text(result.html)))
        kept.append(share)
        if share < 0.97:
            worst.append((share, page, result))
    print(f"\nPer page ({len(pages)} AEB pages, min of {args.repeat}, interleaved):")
    print(f"  built-in packs alone      median {statistics.median(alone) * 1e3:.2f} ms")
    print(f"  built-in + every list     median {statistics.median(with_lists) * 1e3:.2f} ms")
    print(f"  ratio (lists / alone)     median {statistics.median(ratios):.2f}  p95 {sorted(ratios)[int(len(ratios) * .95)]:.2f}")

    naive = _naive_times(pages[: args.naive_pages], lists)
    print(f"  naive engine (every list selector queried, {len(naive)} pages): median {statistics.median(naive) * 1e3:.0f} ms")

    print(f"\nAEB article kept with every list on: mean {statistics.mean(kept) * 100:.2f}%, worst {min(kept) * 100:.2f}%")
    for share, page, result in sorted(worst, key=lambda x: x[0]):
        print(f"  {share * 100:.1f}% {page.id} {page.url}  removed: {result.removed}")
    print("\nElements removed per list:")
    for name, n in removed_by_list.most_common():
        print(f"  {name:40} {n}")
    print()
    print(f"ACCEPT import <= 5 s: {import_s:.2f} s {'PASS' if import_s <= 5 else 'FAIL'}")
    print(f"ACCEPT import memory <= 200 MB: {import_mb:.0f} MB {'PASS' if import_mb <= 200 else 'FAIL'}")
    r = statistics.median(ratios)
    print(f"ACCEPT median time with every list <= 2x built-in: {r:.2f} {'PASS' if r <= 2 else 'FAIL'}")
    m = statistics.mean(kept)
    print(f"ACCEPT article kept mean >= 99%: {m * 100:.2f}% {'PASS' if m >= 0.99 else 'FAIL'}")
    return 0


def lists_ids(lists: RuleSet) -> set[str]:
    return {p.id for p in lists.packs}


def _naive_times(pages, lists: RuleSet) -> list[float]:
    """Every generic selector of every list queried on every page, in chunks of 500."""
    selectors = [r.selectors[0] for r in lists.rules if not r.scope.include]
    chunks = [", ".join(selectors[i:i + 500]) for i in range(0, len(selectors), 500)]
    times = []
    for page in pages:
        t0 = time.perf_counter()
        tree = LexborHTMLParser(page.html)
        for chunk in chunks:
            tree.css(chunk)
        times.append(time.perf_counter() - t0)
    return times


if __name__ == "__main__":
    sys.exit(main())
