"""The Article Extraction Benchmark corpus and its scoring, shared by the benchmarks.

Scoring as the corpus defines it: tokens are `\\w+` matches (lower-cased here), a text
is a multiset of word 4-gram shingles, and overlaps are multiset intersections.
"""
from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from proxy.engine import has_ancestor_in

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpora" / "aeb"
SHINGLE_SIZE = 4
# Never seen by a reader, so they are not part of what a page shows.
INVISIBLE_TAGS = ("script", "style", "noscript", "template")

_TOKEN = re.compile(r"\w+")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class AebPage:
    id: str
    url: str
    html: str
    article: str  # the ground truth's articleBody


def load_corpus(corpus: Path = DEFAULT_CORPUS) -> list[AebPage]:
    """Every page of the corpus with its ground truth, in id order."""
    truth = json.loads((corpus / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        path = corpus / "html" / f"{page_id}.html.gz"
        html = gzip.decompress(path.read_bytes()).decode("utf-8")
        entry = truth[page_id]
        pages.append(AebPage(page_id, entry.get("url") or "", html, entry.get("articleBody") or ""))
    return pages


def visible_text(html: str) -> str:
    """textContent of <body> without script/style/noscript/template, whitespace collapsed."""
    tree = LexborHTMLParser(html)
    body = tree.body
    if body is None:
        return ""
    hidden = body.css(", ".join(INVISIBLE_TAGS))
    ids = {n.mem_id for n in hidden}
    for node in hidden:
        # Outermost only: a nested one goes with its ancestor, and freeing it twice is unsafe.
        if not has_ancestor_in(node, ids):
            node.decompose()
    return _WS.sub(" ", body.text(deep=True)).strip()



def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def shingles(text: str, size: int = SHINGLE_SIZE) -> Counter:
    """Multiset of word n-grams; a text shorter than `size` words is one shingle."""
    words = tokens(text)
    if not words:
        return Counter()
    return Counter(tuple(words[i:i + size]) for i in range(max(1, len(words) - size + 1)))


def overlap(a: Counter, b: Counter) -> int:
    """Size of the multiset intersection."""
    if len(a) > len(b):
        a, b = b, a
    return sum(min(n, b[k]) for k, n in a.items() if k in b)


def kept_share(article: Counter, before: Counter, after: Counter) -> float:
    """Share of the article's shingles on the page that are still there after cleaning.

    A page that shows none of its article to begin with keeps all of it (1.0).
    """
    found = overlap(article, before)
    if not found:
        return 1.0
    return overlap(article, after) / found


def lost_shingles(article: Counter, before: Counter, after: Counter) -> Counter:
    """The article's shingles found before cleaning and missing after (multiset)."""
    return (article & before) - (article & after)


def precision_recall(article: Counter, extracted: Counter) -> tuple[float, float]:
    """One page's shingle precision and recall; an empty extraction of a non-empty
    article scores 0 on both, and nothing expected and nothing found scores 1 on both."""
    if not article and not extracted:
        return 1.0, 1.0
    found = overlap(article, extracted)
    precision = found / sum(extracted.values()) if extracted else 0.0
    recall = found / sum(article.values()) if article else 0.0
    return precision, recall


def f1(precision: float, recall: float) -> float:
    """Harmonic mean: the benchmark takes it of the per-page averages, not per page."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0
