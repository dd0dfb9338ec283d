"""Mozilla Readability's test pages (../shared/corpora/readability) and how a reading copy is
scored against them: the images of the expected article, and the metadata.

Readability reads every page as if served from `PAGE_URL`, so relative URLs in its expected
output are resolved against that address. An image is known by host + path (queries and
fragments are size and cache hints); an expected image may be named by any of its URLs
(`src`, lazy-loading attributes, every `srcset` candidate, its `<picture>`'s sources), so a
copy that picked another candidate of the same picture still finds it. Counts are pooled
over pages: each page's distinct expected images against its copy's distinct images.
"""
from __future__ import annotations

import gzip
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from support.paths import SHARED

CORPUS = SHARED / "corpora" / "readability"
PAGE_URL = "http://fakehost/test/page.html"
# Attributes whose value is one URL, and those holding a srcset list, on <img> and <source>.
_URL_ATTRS = ("src", "data-src", "data-lazy-src", "data-original", "data-url", "data-hi-res-src")
_SRCSET_ATTRS = ("srcset", "data-srcset", "data-lazy-srcset")
METADATA_FIELDS = {"title": "title", "byline": "byline", "site_name": "siteName", "lang": "lang"}


@dataclass(frozen=True)
class ReadabilityPage:
    name: str
    html: str
    expected_html: str
    metadata: dict


def load_pages(corpus: Path = CORPUS) -> list[ReadabilityPage]:
    pages = []
    for folder in sorted(p for p in corpus.iterdir() if (p / "source.html.gz").exists()):
        pages.append(ReadabilityPage(
            folder.name, gzip.decompress((folder / "source.html.gz").read_bytes()).decode("utf-8"),
            gzip.decompress((folder / "expected.html.gz").read_bytes()).decode("utf-8"),
            json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))))
    return pages


def image_key(url: str, base: str = PAGE_URL) -> str | None:
    """host + path of an http(s) image URL (made absolute against `base`), else None."""
    try:
        parts = urlsplit(urljoin(base, url.strip()))
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return parts.hostname.lower() + parts.path


def _srcset_urls(value: str) -> list[str]:
    # Candidates are split on commas followed by space (URLs may hold commas themselves).
    return [c.strip().split()[0] for c in re.split(r",\s+", value.strip()) if c.strip()]


def expected_images(html: str) -> list[frozenset[str]]:
    """The distinct images of Readability's expected article, each as the set of keys that
    name it (images that share a key are one image)."""
    tree = LexborHTMLParser(html)
    groups: list[set[str]] = []
    for img in tree.css("img"):
        urls = [img.attributes.get(a) or "" for a in _URL_ATTRS]
        for attr in _SRCSET_ATTRS:
            urls += _srcset_urls(img.attributes.get(attr) or "")
        parent = img.parent
        if parent is not None and parent.tag == "picture":
            for source in parent.css("source"):
                for attr in _SRCSET_ATTRS:
                    urls += _srcset_urls(source.attributes.get(attr) or "")
        keys = {k for k in (image_key(u) for u in urls if u) if k}
        if not keys:
            continue  # data: URIs and empty placeholders: nothing a copy could fetch
        overlapping = [g for g in groups if g & keys]
        for g in overlapping:
            keys |= g
            groups.remove(g)
        groups.append(keys)
    return [frozenset(g) for g in groups]


def copy_images(html: str) -> list[str]:
    """The distinct image keys of a reading copy's HTML, in order."""
    tree = LexborHTMLParser(html)
    keys = (image_key(n.attributes.get("src") or "") for n in tree.css("img"))
    return list(dict.fromkeys(k for k in keys if k))


@dataclass(frozen=True)
class ImageScore:
    expected: int
    found: int  # expected images the copy holds
    copied: int  # distinct images in the copy
    correct: int  # of those, images the expected article holds

    @property
    def recall(self) -> float:
        return self.found / self.expected if self.expected else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.copied if self.copied else 1.0

    def __add__(self, other: "ImageScore") -> "ImageScore":
        return ImageScore(self.expected + other.expected, self.found + other.found, self.copied + other.copied,
                          self.correct + other.correct)


def score_images(expected_html: str, copy_html: str) -> ImageScore:
    expected = expected_images(expected_html)
    copied = copy_images(copy_html)
    every = frozenset().union(*expected) if expected else frozenset()
    found = sum(1 for group in expected if any(k in group for k in copied))
    return ImageScore(len(expected), found, len(copied), sum(1 for k in copied if k in every))


def same_text(ours: str | None, expected: str | None) -> bool:
    """Metadata values agree: equal after Unicode normalisation, case and whitespace folding
    (both missing agrees too)."""
    def fold(value: str | None) -> str:
        return " ".join(unicodedata.normalize("NFKC", value or "").casefold().split())
    return fold(ours) == fold(expected)


def same_lang(ours: str | None, expected: str | None) -> bool:
    """Languages agree on their primary subtag (`en-US` and `en` are one language)."""
    def primary(value: str | None) -> str:
        return (value or "").strip().lower().replace("_", "-").split("-")[0]
    return primary(ours) == primary(expected)
