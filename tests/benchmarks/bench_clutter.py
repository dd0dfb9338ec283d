"""Clutter on real pages: what the rules take of what clutter-dev's annotations name.

Run: .venv/bin/python tests/benchmarks/bench_clutter.py [--cases FILE] [--lists] [--misses N] [--json PATH]

The definitions are those of ../shared/tools/clutter_check.py (imported from there): a
page's visible text, and a string present if it is there with whitespace collapsed or
removed. Every annotated page of ../shared/corpora/clutter-dev is cleaned in this process
with `clean_page` (as bytes, as the proxy gets them, at the page's own URL) by the
built-in packs, and with `--lists` also by the built-in packs plus every shared adblock
list. Prints the drop rate overall, per kind and per language, the keep rate, the trap
keep rate, and the pages with misses.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHARED = REPO.parent / "shared"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(SHARED / "tools"))

import clutter_check  # noqa: E402  (the measure's own definitions)

from proxy.engine import clean_page  # noqa: E402
from proxy.rules import RuleSet, load_rules  # noqa: E402

CASES = REPO / "tests" / "data" / "clutter-dev.json"
CORPORA = SHARED / "corpora"
TARGET_DROP, TARGET_KIND, TARGET_KEEP = 0.90, 0.80, 0.995


def page_bytes(case: dict) -> bytes:
    return gzip.decompress((CORPORA / case["corpus"] / case["file"]).read_bytes())


def haystack(raw: bytes) -> clutter_check.Haystack:
    return clutter_check.Haystack(clutter_check.visible_text(clutter_check.decode_html(raw)))


def score(cases: list[dict], rules: RuleSet) -> list[dict]:
    """Per case: each drop string's kind and whether it went, each keep string and whether it stayed."""
    scored = []
    for case in cases:
        url = case.get("url") or "http://localhost/%s/" % Path(case["file"]).name
        raw = page_bytes(case)
        result = clean_page(raw, url, rules)
        out = result.output_bytes(raw)  # what the proxy sends: None sends the original
        hay = haystack(raw if out is None else out)
        scored.append({"case": case, "error": result.error, "removed": result.removed, "skipped": result.skipped,
                    "drop": [(d["kind"], d["text"], not hay.has(d["text"])) for d in case["must_drop"]],
                    "keep": [(k["text"], (k.get("note") or "").lower().startswith("trap"), hay.has(k["text"]))
                             for k in case["must_keep"]]})
    return scored


def rate(hits: int, total: int) -> str:
    return f"{100 * hits / total:5.1f}% ({hits}/{total})" if total else "  n/a"


def report(label: str, scored: list[dict], misses_shown: int) -> dict:
    drop = [ok for r in scored for _k, _t, ok in r["drop"]]
    keep = [ok for r in scored for _t, _trap, ok in r["keep"]]
    traps = [ok for r in scored for _t, trap, ok in r["keep"] if trap]
    by_kind, by_lang = defaultdict(list), defaultdict(list)
    for r in scored:
        for kind, _t, ok in r["drop"]:
            by_kind[kind].append(ok)
            by_lang[r["case"]["lang"]].append(ok)
    print(f"\n== {label}: {len(scored)} pages, errors {sum(1 for r in scored if r['error'])}")
    print(f"drop rate   {rate(sum(drop), len(drop))}")
    for kind in sorted(by_kind):
        print(f"   {kind:8} {rate(sum(by_kind[kind]), len(by_kind[kind]))}")
    print(f"keep rate   {rate(sum(keep), len(keep))}")
    print(f"trap keep   {rate(sum(traps), len(traps))}")
    print("drop rate by language: " + ", ".join(
        f"{lang} {100 * sum(v) / len(v):.0f}% ({len(v)})" for lang, v in sorted(by_lang.items(), key=lambda x: -len(x[1]))))
    lost = [(r, t, trap) for r in scored for t, trap, ok in r["keep"] if not ok]
    for r, text, trap in lost:
        print(f"  LOST{' TRAP' if trap else ''} {r['case']['file']}: {text[:90]!r}  removed={r['removed']}")
    missed = [r for r in scored if not all(ok for *_x, ok in r["drop"])]
    print(f"pages with misses: {len(missed)}")
    for r in missed[:misses_shown]:
        print(f"  {r['case']['file']} [{r['case']['lang']}] {r['case'].get('url')}")
        for kind, text, ok in r["drop"]:
            if not ok:
                print(f"     still there [{kind}]: {text[:100]!r}")
    kinds = {k: sum(v) / len(v) for k, v in by_kind.items()}
    return {"drop": sum(drop) / len(drop), "keep": sum(keep) / len(keep),
            "traps": sum(traps) / len(traps) if traps else 1.0, "kinds": kinds}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=Path, default=CASES)
    parser.add_argument("--lists", action="store_true", help="also with every shared adblock list on")
    parser.add_argument("--misses", type=int, default=30, help="pages with misses to show")
    parser.add_argument("--json", type=Path, help="write per-case results here")
    args = parser.parse_args()
    cases = json.loads(args.cases.read_text(encoding="utf-8"))
    builtin = load_rules()
    scored = score(cases, builtin)
    totals = report("built-in packs", scored, args.misses)
    print(f"\nACCEPT built-in drop >= {TARGET_DROP:.0%}: {totals['drop']:.1%} "
          f"{'PASS' if totals['drop'] >= TARGET_DROP else 'FAIL'}")
    for kind, value in sorted(totals["kinds"].items()):
        print(f"ACCEPT built-in {kind} drop >= {TARGET_KIND:.0%}: {value:.1%} {'PASS' if value >= TARGET_KIND else 'FAIL'}")
    print(f"ACCEPT built-in keep >= {TARGET_KEEP:.1%}: {totals['keep']:.2%} {'PASS' if totals['keep'] >= TARGET_KEEP else 'FAIL'}")
    print(f"ACCEPT built-in traps 100%: {totals['traps']:.1%} {'PASS' if totals['traps'] == 1 else 'FAIL'}")
    if args.lists:
        every = builtin.merged(load_rules(*sorted((CORPORA / "filterlists").rglob("*.txt"))))
        with_lists = report("built-in packs + every shared list", score(cases, every), args.misses)
        print(f"\nACCEPT lists keep >= 99%: {with_lists['keep']:.2%} {'PASS' if with_lists['keep'] >= 0.99 else 'FAIL'}")
        print(f"ACCEPT lists traps 100%: {with_lists['traps']:.1%} {'PASS' if with_lists['traps'] == 1 else 'FAIL'}")
    if args.json:
        args.json.write_text(json.dumps([{k: v for k, v in r.items() if k != "case"} | {"file": r["case"]["file"]}
                                         for r in scored], ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
