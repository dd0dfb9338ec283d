"""The engine of two revisions timed side by side, page by page, in one process.

Run: .venv/bin/python tests/benchmarks/ab_engine.py [--base REV] [--repeat N] [--lists]

The base revision's `proxy/` and `rules/` are unpacked into a temporary folder under
another package name, so both engines load into this process; each AEB page is cleaned
by one, then the other (order alternating), `--repeat` times, and the minimum of each
is kept. Prints the median and spread of head ÷ base per page, with the built-in packs
(and with every shared list too, with `--lists`). The working tree is the head.
"""
from __future__ import annotations

import argparse
import importlib
import io
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from aeb import load_corpus  # noqa: E402

BASE_NAME = "qp_base"
LISTS = REPO.parent / "shared" / "corpora" / "filterlists"


def unpack_base(rev: str, into: Path) -> None:
    """`proxy/` of `rev` as package BASE_NAME (its imports renamed), `rules/` beside it."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "proxy", "rules"],
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "proxy").rename(into / BASE_NAME)
    pattern = re.compile(r"\b(from|import) proxy\b")
    for path in (into / BASE_NAME).rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        path.write_text(pattern.sub(lambda m: f"{m.group(1)} {BASE_NAME}", text), encoding="utf-8")


def engines(package: str):
    engine = importlib.import_module(f"{package}.engine")
    rules = importlib.import_module(f"{package}.rules")
    return engine.clean_page, rules.load_rules


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="HEAD", help="revision to compare with (default HEAD)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--lists", action="store_true", help="also with every shared adblock list on")
    args = parser.parse_args()
    pages = load_corpus()
    with tempfile.TemporaryDirectory(prefix="ab-engine-") as tmp:
        unpack_base(args.base, Path(tmp))
        sys.path.insert(0, tmp)
        clean_base, load_base = engines(BASE_NAME)
        clean_head, load_head = engines("proxy")
        sets = [("built-in packs", load_base(), load_head())]
        if args.lists:
            files = sorted(LISTS.rglob("*.txt"))
            sets.append(("built-in + every list", load_base().merged(load_base(*files)),
                         load_head().merged(load_head(*files))))
        for label, base_rules, head_rules in sets:
            ratios, same = [], 0
            for page in pages:
                data = page.html.encode("utf-8")
                a = clean_base(data, page.url, base_rules)
                b = clean_head(data, page.url, head_rules)
                same += (a.page == b.page)
                times = {"base": [], "head": []}
                for i in range(args.repeat):
                    order = (("base", clean_base, base_rules), ("head", clean_head, head_rules))
                    for name, clean, rules in (order if i % 2 == 0 else order[::-1]):
                        t0 = time.perf_counter()
                        clean(data, page.url, rules)
                        times[name].append(time.perf_counter() - t0)
                ratios.append(min(times["head"]) / min(times["base"]))
            ratios.sort()
            print(f"{label}: head ÷ base per page, median {statistics.median(ratios):.3f} "
                  f"(p10 {ratios[len(ratios) // 10]:.3f}, p90 {ratios[len(ratios) * 9 // 10]:.3f}); "
                  f"same output on {same} of {len(pages)} pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
