"""From a page to a copy ready to store: the reading copy, its canonical URL, its images."""
from __future__ import annotations

import asyncio
import dataclasses
import functools
import hashlib
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from proxy.library.fetch import Fetcher, url_problem
if TYPE_CHECKING:
    from proxy.reader import ReadingCopy
from proxy.rules import RuleSet

WORDS_PER_MINUTE = 230
EXCERPT_CHARS = 280
# Query parameters that only say where a reader came from: not part of the article's address.
_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|dclid|mc_cid|mc_eid|ocid|cmpid|_ga|igshid|ref_src)$", re.I)


@dataclass(frozen=True)
class Image:
    n: int  # order among the article's stored images
    url: str  # where it came from (the src in the stored HTML)
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ImageProblem:
    """An image of the article the copy is saved without, and why (for the person saving)."""

    url: str
    why: str


@dataclass(frozen=True)
class PreparedCopy:
    """A reading copy with everything the store keeps about it."""

    url: str  # canonical: the key that makes a second save an update
    source_url: str
    copy: ReadingCopy
    title: str
    excerpt: str
    words: int
    images: tuple[Image, ...]
    image_problems: tuple[ImageProblem, ...] = ()

    def image_report(self) -> dict:
        """What became of the article's images, as the save API answers it."""
        return {"in_article": len(image_urls(self.copy.html)), "stored": len(self.images),
                "bytes": sum(len(i.data) for i in self.images),
                "not_stored": [{"url": p.url, "why": p.why} for p in self.image_problems]}


def page_url_problem(url: str) -> str | None:
    """Why `url` cannot name a saved page (not http(s), no host), or None."""
    return url_problem(url, allow_private=True)  # the address itself is not fetched here


async def prepare_copy(url: str, html: str | bytes | None, fetcher: Fetcher, rules: RuleSet | None = None,
                       progress: Callable[[int, int], None] | None = None) -> PreparedCopy:
    """Fetch the page unless `html` is given (used as is), extract it, fetch its images."""
    source = url
    if html is None:
        fetched = await fetcher.page(url)
        html, url = fetched.body, fetched.url
    # trafilatura and lxml: 20 MB the proxy need not carry until a copy is saved.
    from proxy.library.extraction import SAVES, bounded_extract  # noqa: PLC0415
    from proxy.reader import read_article  # noqa: PLC0415

    loop = asyncio.get_running_loop()
    copy = await loop.run_in_executor(SAVES, functools.partial(read_article, html, url, rules, bounded_extract))
    canonical = await loop.run_in_executor(SAVES, canonical_url, html, url)
    wanted = image_urls(copy.html)
    problems: dict[str, str] = {}
    got = await fetcher.images(wanted, progress, problems)
    copy, images = _stored_once(copy, [(u, *got[u]) for u in wanted if u in got])
    words = len(re.findall(r"\w+", copy.text))
    title = copy.title or urlsplit(url).hostname or url
    return PreparedCopy(canonical, source, copy, title, excerpt_of(copy.text), words, images,
                        tuple(ImageProblem(u, problems[u]) for u in wanted if u in problems))


def _stored_once(copy: ReadingCopy, fetched: list[tuple[str, str, bytes]]) -> tuple[ReadingCopy, tuple[Image, ...]]:
    """The images to store, each content once (by SHA-256): a picture that several URLs
    name (a lazy copy and its fallback, a second size) is stored under its first URL, and
    the copy's HTML points every one of them there."""
    first: dict[bytes, str] = {}
    same_as: dict[str, str] = {}
    images: list[Image] = []
    for url, kind, data in fetched:
        digest = hashlib.sha256(data).digest()
        if digest in first:
            same_as[url] = first[digest]
            continue
        first[digest] = url
        images.append(Image(len(images), url, kind, data))
    if same_as:
        copy = dataclasses.replace(copy, html=rewrite_images(copy.html, lambda src: same_as.get(src, src)))
    return copy, tuple(images)


def canonical_url(html: str | bytes, url: str) -> str:
    """The page's own `<link rel=canonical>` (or og:url) if it is on the same site, else
    `url`; fragment, default port and tracking parameters dropped."""
    tree = LexborHTMLParser(html)
    here = _site(url)
    for node in tree.css('link[rel~="canonical"][href], meta[property="og:url"][content]'):
        candidate = (node.attributes.get("href") or node.attributes.get("content") or "").strip()
        if candidate and page_url_problem(candidate) is None and _site(candidate) == here:
            return normalize_url(candidate)
    return normalize_url(url)


def normalize_url(url: str) -> str:
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port
    netloc = host if ":" not in host else f"[{host}]"
    if port and (scheme, port) not in (("http", 80), ("https", 443)):
        netloc += f":{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def image_urls(html: str) -> list[str]:
    """The `src` of every image in sanitised article HTML, in order, each once."""
    body = LexborHTMLParser(html).body
    if body is None:
        return []
    return list(dict.fromkeys(n.attributes["src"] for n in body.css("img[src]") if n.attributes.get("src")))


def rewrite_images(html: str, src_for: Callable[[str], str | None]) -> str:
    """`html` with each image's src replaced by `src_for(src)`; an image it maps to None goes
    (a figure's caption stays)."""
    tree = LexborHTMLParser(html)
    body = tree.body
    if body is None:
        return ""
    for node in body.css("img"):
        new = src_for(node.attributes.get("src") or "")
        if new is None:
            parent = node.parent
            node.decompose()
            if parent is not None and parent.tag == "figure" and not parent.text(deep=True).strip():
                parent.decompose()
        else:
            node.attrs["src"] = new
            if "alt" not in node.attributes:
                node.attrs["alt"] = ""
    return body.inner_html


def excerpt_of(text: str, limit: int = EXCERPT_CHARS) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.-–—") + "…"


def reading_minutes(words: int) -> int:
    return max(1, math.ceil(words / WORDS_PER_MINUTE))
