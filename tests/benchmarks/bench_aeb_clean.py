"""How much of the article a cleaned page keeps, what the rules remove, and what it costs.

Run: python tests/benchmarks/bench_aeb_clean.py [--corpus DIR] [--rules PATH ...]
     [--repeat N] [--json PATH]

Over the 181 pages of the Article Extraction Benchmark: the share of the ground truth's
4-gram shingles still visible after `clean_page` (against the page before cleaning),
removals by kind and by rule, guard skips, and the time of `clean_page` next to
selectolax's own parse + serialize of the same page, interleaved in one run.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from selectolax.lexbor import LexborHTMLParser  # noqa: E402

import aeb  # noqa: E402
from support import readability  # noqa: E402
from proxy.engine import clean_page  # noqa: E402
from proxy.rules import RuleSet, load_rules  # noqa: E402

TARGET_KEPT_MEAN = 99.5
TARGET_KEPT_WORST = 97.0
TARGET_TIME_RATIO = 1.5
WORST_SHOWN = 5


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def single_rule_set(rules: RuleSet, rule_id: str) -> RuleSet:
    """The rule set reduced to one rule, to see what that rule alone takes."""
    packs = []
    for pack in rules.packs:
        kept = tuple(r for r in pack.rules if r.id == rule_id)
        if kept:
            packs.append(dataclasses.replace(pack, rules=kept, enabled=True))
    return RuleSet(tuple(packs))


def _shingle_text(lost: Counter, limit: int = 3) -> list[str]:
    return [" ".join(s) for s, _n in lost.most_common(limit)]


def measure_article(pages: list[aeb.AebPage], rules: RuleSet) -> dict:
    per_page = []
    removed_by_rule: Counter = Counter()
    pages_by_rule: Counter = Counter()
    skips: dict[str, Counter] = defaultdict(Counter)
    skip_pages: set[str] = set()
    errors = {}
    for page in pages:
        result = clean_page(page.html, page.url, rules)
        if result.error:
            errors[page.id] = result.error
        article = aeb.shingles(page.article)
        before = aeb.shingles(aeb.visible_text(page.html))
        after = aeb.shingles(aeb.visible_text(result.html)) if result.changed else before
        kept = aeb.kept_share(article, before, after)
        # Cleaning can also join text into shingles the article has (a promo gone from
        # between two paragraphs), so `kept` may pass 100%; `retained` counts losses only.
        found = aeb.overlap(article, before)
        retained = 1 - sum(aeb.lost_shingles(article, before, after).values()) / found if found else 1.0
        removed_by_rule.update(result.removed)
        pages_by_rule.update(result.removed.keys())
        for rule_id, reason in result.skipped.items():
            # Numbers vary page to page; the reason's shape is what to count.
            skips[rule_id][re.sub(r"\d+", "N", reason)] += 1
            skip_pages.add(page.id)
        per_page.append({
            "id": page.id, "url": page.url, "kept": kept * 100, "retained": retained * 100,
            "article_shingles_on_page": aeb.overlap(article, before),
            "removed": dict(result.removed), "skipped": dict(result.skipped),
        })
    kinds: Counter = Counter()
    for rule_id, n in removed_by_rule.items():
        rule = rules.rule(rule_id)
        kinds[rule.kind if rule else "?"] += n
    worst = sorted(per_page, key=lambda p: (min(p["kept"], p["retained"]), p["id"]))[:WORST_SHOWN]
    by_id = {p.id: p for p in pages}
    for entry in worst:
        entry["lost_by_rule"] = _attribute_losses(by_id[entry["id"]], rules, entry["removed"])
    return {
        "pages": len(pages),
        "kept_mean": statistics.fmean(p["kept"] for p in per_page) if per_page else float("nan"),
        "kept_min": min((p["kept"] for p in per_page), default=float("nan")),
        "retained_mean": statistics.fmean(p["retained"] for p in per_page) if per_page else float("nan"),
        "retained_min": min((p["retained"] for p in per_page), default=float("nan")),
        "pages_above_100": sum(1 for p in per_page if p["kept"] > 100),
        "pages_below_100": sum(1 for p in per_page if p["kept"] < 100),
        "pages_without_article_shingles": sum(1 for p in per_page if not p["article_shingles_on_page"]),
        "pages_changed": sum(1 for p in per_page if p["removed"]),
        "worst": worst,
        "removed_by_kind": dict(kinds.most_common()),
        "removed_by_rule": dict(removed_by_rule.most_common()),
        "pages_by_rule": dict(pages_by_rule.most_common()),
        "pages_with_skips": len(skip_pages),
        "skips": {rid: dict(c.most_common()) for rid, c in sorted(skips.items())},
        "errors": errors,
        "per_page": per_page,
    }


def _attribute_losses(page: aeb.AebPage, rules: RuleSet, removed: dict[str, int]) -> dict[str, dict]:
    """For each rule that removed something on a page, the article shingles it alone takes."""
    article = aeb.shingles(page.article)
    before = aeb.shingles(aeb.visible_text(page.html))
    out = {}
    for rule_id, count in removed.items():
        alone = clean_page(page.html, page.url, single_rule_set(rules, rule_id))
        after = aeb.shingles(aeb.visible_text(alone.html))
        lost = aeb.lost_shingles(article, before, after)
        out[rule_id] = {"elements": count, "article_shingles_lost": sum(lost.values()),
                        "examples": _shingle_text(lost)}
    return out


def measure_held_out(rules: RuleSet, corpus: Path = readability.CORPUS) -> dict:
    """The same share kept on Mozilla Readability's test pages, their expected article as the
    ground truth: pages no rule was written from (losses only, as `retained` above)."""
    rows = []
    for page in readability.load_pages(corpus):
        article = aeb.shingles(LexborHTMLParser(page.expected_html).text())
        before = aeb.shingles(aeb.visible_text(page.html))
        result = clean_page(page.html, readability.PAGE_URL, rules)
        after = aeb.shingles(aeb.visible_text(result.html)) if result.changed else before
        found = aeb.overlap(article, before)
        lost = sum(aeb.lost_shingles(article, before, after).values())
        rows.append((100 * (1 - lost / found) if found else 100.0, page.name))
    return {"pages": len(rows), "mean": statistics.fmean(r for r, _n in rows) if rows else float("nan"),
            "worst": sorted(rows)[:WORST_SHOWN]}


def measure_time(pages: list[aeb.AebPage], rules: RuleSet, repeat: int) -> dict:
    def clean(page):
        clean_page(page.html, page.url, rules)

    def baseline(page):
        LexborHTMLParser(page.html).html  # noqa: B018 - the serialization is the work

    # Warm up: the first call per host compiles the plan (lru_cache), Lexbor warms too.
    for page in pages:
        clean(page)
        baseline(page)
    rows = []
    for page in pages:
        t_clean, t_base = [], []
        for i in range(repeat):
            order = ((clean, t_clean), (baseline, t_base)) if i % 2 == 0 else ((baseline, t_base), (clean, t_clean))
            for fn, sink in order:
                start = time.perf_counter()
                fn(page)
                sink.append((time.perf_counter() - start) * 1000)
        rows.append({"id": page.id, "bytes": len(page.html.encode("utf-8")),
                     "clean_min": min(t_clean), "base_min": min(t_base),
                     "clean_median": statistics.median(t_clean), "base_median": statistics.median(t_base)})
    out = {"repeat": repeat, "per_page": rows}
    for stat in ("min", "median"):
        clean_ms = [r[f"clean_{stat}"] for r in rows]
        base_ms = [r[f"base_{stat}"] for r in rows]
        ratios = [r[f"clean_{stat}"] / r[f"base_{stat}"] for r in rows]
        out[stat] = {
            "clean_median_ms": statistics.median(clean_ms), "clean_p95_ms": percentile(clean_ms, 95),
            "base_median_ms": statistics.median(base_ms), "base_p95_ms": percentile(base_ms, 95),
            "ratio_median": statistics.median(ratios), "ratio_p95": percentile(ratios, 95),
            "clean_total_ms": sum(clean_ms), "base_total_ms": sum(base_ms),
        }
    slowest = sorted(rows, key=lambda r: r["clean_min"] / r["base_min"], reverse=True)[:WORST_SHOWN]
    out["highest_ratio"] = [{"id": r["id"], "ratio": r["clean_min"] / r["base_min"],
                             "clean_ms": r["clean_min"], "base_ms": r["base_min"]} for r in slowest]
    return out


def acceptance(article: dict, timing: dict) -> list[dict]:
    ratio = timing["min"]["ratio_median"]
    checks = [
        (f"article kept mean >= {TARGET_KEPT_MEAN}%", article["kept_mean"], article["kept_mean"] >= TARGET_KEPT_MEAN, "%"),
        (f"worst page >= {TARGET_KEPT_WORST:g}%", article["kept_min"], article["kept_min"] >= TARGET_KEPT_WORST, "%"),
        (f"median time ratio <= {TARGET_TIME_RATIO}", ratio, ratio <= TARGET_TIME_RATIO, ""),
    ]
    return [{"name": name, "value": value, "pass": ok, "unit": unit} for name, value, ok, unit in checks]


def report(article: dict, timing: dict, checks: list[dict], rules: RuleSet) -> None:
    print(f"AEB clean benchmark: {article['pages']} pages, {len(rules.rules)} rules in {len(rules.packs)} packs")
    if rules.errors:
        print(f"  rule errors ({len(rules.errors)}): " + "; ".join(map(str, rules.errors[:5])))
    print()
    print("Article kept (GT 4-gram shingles visible after cleaning / before)")
    print(f"  mean {article['kept_mean']:.2f}%   worst {article['kept_min']:.2f}%   "
          f"pages below 100%: {article['pages_below_100']}   pages changed: {article['pages_changed']}   "
          f"pages whose GT is not on the page (count as 100%): {article['pages_without_article_shingles']}")
    print(f"  losses only (GT shingles visible before and still after): mean {article['retained_mean']:.2f}%   "
          f"worst {article['retained_min']:.2f}%   pages above 100% by joined text: {article['pages_above_100']}")
    if article["errors"]:
        print(f"  clean_page errors on {len(article['errors'])} pages: "
              + "; ".join(f"{k}: {v}" for k, v in list(article["errors"].items())[:5]))
    print(f"  worst {WORST_SHOWN}:")
    for w in article["worst"]:
        print(f"    {w['id']}  kept {w['kept']:.2f}%  retained {w['retained']:.2f}%  {w['url']}")
        if not w["lost_by_rule"]:
            print("      nothing removed")
        for rule_id, info in w["lost_by_rule"].items():
            print(f"      {rule_id}: {info['elements']} element(s), alone loses {info['article_shingles_lost']} GT shingles"
                  + (f" e.g. {info['examples']}" if info["examples"] else ""))
        for rule_id, reason in w["skipped"].items():
            print(f"      skipped {rule_id}: {reason}")
    print()
    print("Elements removed by kind")
    for kind, n in article["removed_by_kind"].items():
        print(f"  {kind:20} {n:6}")
    print("Elements removed by rule (elements, pages)")
    for rule_id, n in article["removed_by_rule"].items():
        print(f"  {rule_id:40} {n:6} {article['pages_by_rule'][rule_id]:5}")
    print(f"Pages where the guard skipped a rule: {article['pages_with_skips']}")
    for rule_id, reasons in article["skips"].items():
        for reason, n in reasons.items():
            print(f"  {rule_id:40} {n:4} page(s): {reason}")
    print()
    print(f"Time per page, interleaved, {timing['repeat']} runs each, per-page min (median of runs in brackets)")
    m, d = timing["min"], timing["median"]
    print(f"  clean_page          median {m['clean_median_ms']:7.2f} ms  p95 {m['clean_p95_ms']:7.2f} ms"
          f"   [{d['clean_median_ms']:.2f} / {d['clean_p95_ms']:.2f}]  total {m['clean_total_ms']:.0f} ms")
    print(f"  Lexbor parse+html   median {m['base_median_ms']:7.2f} ms  p95 {m['base_p95_ms']:7.2f} ms"
          f"   [{d['base_median_ms']:.2f} / {d['base_p95_ms']:.2f}]  total {m['base_total_ms']:.0f} ms")
    print(f"  ratio clean/baseline  median {m['ratio_median']:.2f}  p95 {m['ratio_p95']:.2f}"
          f"   [{d['ratio_median']:.2f} / {d['ratio_p95']:.2f}]")
    print("  highest ratios: " + ", ".join(f"{r['id']} {r['ratio']:.2f} ({r['clean_ms']:.1f}/{r['base_ms']:.1f} ms)"
                                           for r in timing["highest_ratio"]))
    held = article.get("held_out")
    if held:
        print(f"Held out: Mozilla Readability's {held['pages']} test pages, their expected article kept (losses only):"
              f" mean {held['mean']:.2f}%   worst " + ", ".join(f"{name} {kept:.2f}%" for kept, name in held["worst"]))
    print()
    for c in checks:
        unit = c["unit"]
        value = f"{c['value']:.2f}{unit}"
        print(f"ACCEPT {c['name']}: {value} {'PASS' if c['pass'] else 'FAIL'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=aeb.DEFAULT_CORPUS,
                        help="AEB corpus folder with html/ and ground-truth.json (default: %(default)s)")
    parser.add_argument("--rules", type=Path, nargs="+", default=None,
                        help="rule pack files or folders (default: the built-in packs)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per page (default: %(default)s)")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure to this JSON file")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if not (args.corpus / "ground-truth.json").is_file():
        parser.error(f"no ground-truth.json in {args.corpus}")
    rules = load_rules(*args.rules) if args.rules else load_rules()
    pages = aeb.load_corpus(args.corpus)
    article = measure_article(pages, rules)
    if readability.CORPUS.is_dir():
        article["held_out"] = measure_held_out(rules)
    timing = measure_time(pages, rules, args.repeat)
    checks = acceptance(article, timing)
    report(article, timing, checks, rules)
    if args.json:
        args.json.write_text(json.dumps({"article": article, "timing": timing, "acceptance": checks,
                                         "rules": [str(p) for p in (args.rules or [])]}, indent=1),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
