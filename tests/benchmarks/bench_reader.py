"""Reading-copy quality and cost: `read_article(...).text` against trafilatura alone.

Run: python tests/benchmarks/bench_reader.py [--corpus DIR] [--repeat N] [--worst N] [--json PATH]

Over the 181 pages of the Article Extraction Benchmark, with the benchmark's scoring
(`\\w+` tokens, word 4-gram shingle multisets, precision and recall per page averaged
over pages, F1 the harmonic mean of the two averages), side by side in one run:

- quietpage: `proxy.reader.read_article(html, url).text` (rules → trafilatura → metadata
  → sanitiser → text);
- trafilatura alone, its defaults: `trafilatura.extract(html, url=url)`;
- trafilatura alone without comments (`include_comments=False`), its best simple
  setting on this corpus. The quality targets are checked against the better of the two.

Timing: every pass runs the systems page by page, interleaved (the order rotating), so
load on the machine hits them alike. The first pass is "cold": the engine compiles the
rule plan for each new host then (cached afterwards, as in a running proxy that has seen
the site). The reported time per page is the median over pages of each page's median
over the warm passes; cold medians are printed too.

Pictures and metadata, over Mozilla Readability's 112 test pages (each read as from
`http://fakehost/test/page.html`, as Readability's tests do): image recall and precision
of the reading copy against Readability's expected article, pooled over pages, an image
known by host + path (tests/support/readability.py); and how often the copy's title,
byline, site name and language agree with `expected-metadata.json`.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura  # noqa: E402

import aeb  # noqa: E402
from proxy.reader import read_article  # noqa: E402
from support import readability  # noqa: E402

TARGET_F1 = 0.960
TARGET_IMAGES = 0.90
TARGET_MARGIN = 0.005
TARGET_TIME_RATIO = 1.5

SYSTEMS = {
    "quietpage reader": lambda page: read_article(page.html, page.url).text,
    "trafilatura (defaults)": lambda page: trafilatura.extract(page.html, url=page.url) or "",
    "trafilatura (no comments)": lambda page: trafilatura.extract(page.html, url=page.url,
                                                                  include_comments=False) or "",
}
OURS = "quietpage reader"
TIME_BASELINE = "trafilatura (defaults)"


def run(pages: list[aeb.AebPage], repeat: int) -> tuple[dict[str, dict[str, str]], dict[str, list[list[float]]]]:
    """Outputs of the first pass and every pass's times (ms), by system then page."""
    names = list(SYSTEMS)
    outputs: dict[str, dict[str, str]] = {n: {} for n in names}
    times: dict[str, list[list[float]]] = {n: [[] for _ in pages] for n in names}
    for rep in range(repeat):
        for i, page in enumerate(pages):
            k = (i + rep) % len(names)
            for name in names[k:] + names[:k]:
                start = time.perf_counter()
                text = SYSTEMS[name](page)
                times[name][i].append((time.perf_counter() - start) * 1000)
                if rep == 0:
                    outputs[name][page.id] = text
    return outputs, times


def score(pages: list[aeb.AebPage], texts: dict[str, str]) -> dict:
    per_page = {}
    for page in pages:
        p, r = aeb.precision_recall(aeb.shingles(page.article), aeb.shingles(texts[page.id]))
        per_page[page.id] = (p, r)
    precision = statistics.mean(p for p, _r in per_page.values())
    recall = statistics.mean(r for _p, r in per_page.values())
    return {"f1": aeb.f1(precision, recall), "precision": precision, "recall": recall, "pages": per_page}


def timing(samples: list[list[float]]) -> dict:
    cold = [s[0] for s in samples]
    warm = [statistics.median(s[1:]) if len(s) > 1 else s[0] for s in samples]
    return {"median_ms": statistics.median(warm), "cold_median_ms": statistics.median(cold),
            "total_ms": sum(warm), "cold_total_ms": sum(cold)}


def pictures_and_metadata(pages: list[readability.ReadabilityPage]) -> dict:
    """Pooled image scores and metadata agreement of the reading copies of `pages`."""
    total = readability.ImageScore(0, 0, 0, 0)
    agree = {field: 0 for field in readability.METADATA_FIELDS}
    misses = []
    for page in pages:
        copy = read_article(page.html, readability.PAGE_URL)
        got = readability.score_images(page.expected_html, copy.html)
        total += got
        if got.found < got.expected or got.correct < got.copied:
            misses.append((page.name, got))
        for field, key in readability.METADATA_FIELDS.items():
            same = readability.same_lang if field == "lang" else readability.same_text
            agree[field] += same(getattr(copy, field), page.metadata.get(key))
    return {"images": total, "metadata": {f: n / len(pages) for f, n in agree.items()}, "misses": misses,
            "pages": len(pages)}


def print_pictures(found: dict, worst: int) -> list[tuple[str, str, bool]]:
    images = found["images"]
    print(f"\nReadability: {found['pages']} pages; images expected {images.expected}, in the copies "
          f"{images.copied}; recall {images.recall:.3f} ({images.found}/{images.expected}), precision "
          f"{images.precision:.3f} ({images.correct}/{images.copied})")
    print("metadata agreement: " + ", ".join(f"{f} {share:.3f}" for f, share in found["metadata"].items()))
    misses = sorted(found["misses"], key=lambda m: (m[1].found - m[1].expected) + (m[1].correct - m[1].copied))
    for name, got in misses[:worst]:
        print(f"  {name}: found {got.found}/{got.expected}, right {got.correct}/{got.copied}")
    return [(f"image recall >= {TARGET_IMAGES:.2f}", f"{images.recall:.3f}", images.recall >= TARGET_IMAGES),
            (f"image precision >= {TARGET_IMAGES:.2f}", f"{images.precision:.3f}", images.precision >= TARGET_IMAGES)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=aeb.DEFAULT_CORPUS, help="AEB corpus directory")
    parser.add_argument("--repeat", type=int, default=3,
                        help="passes over the corpus: the first is cold, the rest are timed warm (default 3)")
    parser.add_argument("--worst", type=int, default=5, help="pages to list where the reader trails trafilatura")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--readability", type=Path, default=readability.CORPUS,
                        help="Readability test-page corpus directory (pictures and metadata)")
    parser.add_argument("--pictures-only", action="store_true", help="only the Readability pages, no AEB")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    picture_checks = print_pictures(pictures_and_metadata(readability.load_pages(args.readability)), args.worst)
    if args.pictures_only:
        print()
        for label, value, ok in picture_checks:
            print(f"ACCEPT {label}: {value} -> {'PASS' if ok else 'FAIL'}")
        return 0 if all(ok for _l, _v, ok in picture_checks) else 1

    pages = aeb.load_corpus(args.corpus)
    outputs, times = run(pages, args.repeat)
    results = {name: {**score(pages, outputs[name]), **timing(times[name])} for name in SYSTEMS}

    print(f"AEB: {len(pages)} pages, {args.repeat} passes ({args.repeat - 1} warm)")
    print(f"{'system':28s} {'F1':>7s} {'prec.':>7s} {'recall':>7s} {'ms/page':>8s} {'cold':>7s}")
    for name, r in results.items():
        print(f"{name:28s} {r['f1']:7.4f} {r['precision']:7.4f} {r['recall']:7.4f} "
              f"{r['median_ms']:8.2f} {r['cold_median_ms']:7.2f}")

    ours = results[OURS]
    best_name = max((n for n in SYSTEMS if n != OURS), key=lambda n: results[n]["f1"])
    best = results[best_name]
    base = results[TIME_BASELINE]
    ratio = ours["median_ms"] / base["median_ms"]
    cold_ratio = ours["cold_median_ms"] / base["cold_median_ms"]

    ours_pages, best_pages = ours["pages"], best["pages"]
    behind = sorted(pages, key=lambda p: aeb.f1(*ours_pages[p.id]) - aeb.f1(*best_pages[p.id]))[:args.worst]
    if behind:
        print(f"\nPages where the reader trails {best_name} most (F1 reader / trafilatura):")
        for page in behind:
            print(f"  {page.id}  {aeb.f1(*ours_pages[page.id]):.3f} / {aeb.f1(*best_pages[page.id]):.3f}  {page.url}")

    checks = [
        *picture_checks,
        (f"F1 >= {TARGET_F1:.3f}", f"{ours['f1']:.4f}", ours["f1"] >= TARGET_F1),
        (f"F1 >= trafilatura + {TARGET_MARGIN}", f"{ours['f1']:.4f} vs {best['f1']:.4f} + {TARGET_MARGIN} "
         f"= {best['f1'] + TARGET_MARGIN:.4f} ({best_name})", ours["f1"] >= best["f1"] + TARGET_MARGIN),
        (f"time <= {TARGET_TIME_RATIO}x trafilatura",
         f"{ours['median_ms']:.2f} ms vs {base['median_ms']:.2f} ms = {ratio:.2f}x warm median per page "
         f"({TIME_BASELINE}; cold first pass {cold_ratio:.2f}x)", ratio <= TARGET_TIME_RATIO),
    ]
    print()
    for label, value, ok in checks:
        print(f"ACCEPT {label}: {value} -> {'PASS' if ok else 'FAIL'}")
    if args.json:
        args.json.write_text(json.dumps({n: {k: v for k, v in r.items() if k != "pages"}
                                         for n, r in results.items()}, indent=2))
    return 0 if all(ok for _l, _v, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
