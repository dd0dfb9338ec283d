"""The article's pictures, put back where they stand in its text.

trafilatura finds the text without its image mode (which also keeps captions, credits and
teasers around pictures and costs text F1). The pictures are found here, on the cleaned
page, in one walk of its tree, and never change the article's text:

1. anchors: the page's text nodes that the extracted article holds, in order;
2. the article's region: the smallest element that holds most of the anchors' text;
3. pictures: every `<img>` with its best URL (`srcset` candidates, lazy-loading
   attributes, `<picture>` sources, a `<noscript>` fallback in place of its placeholder;
   relative URLs against `<base>`) and the caption of its `<figure>`; tracking pixels,
   icons, sprites, logos, avatars, ads and share buttons left out, and so are pictures
   outside the region or far (in text the article does not hold) from the article's text;
4. placement: each picture after the article block holding the last anchor before it.

Work is bounded on hostile pages: at most MAX_SEEN images are looked at, MAX_PLACED placed.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from html import escape
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from proxy.reader.picture import Picture, picture_of

# Images looked at on one page, and placed in one copy (the library stores at most 40).
MAX_SEEN = 400
MAX_PLACED = 60
# A text node shorter than this (normalised) says too little to be matched in the article.
MIN_ANCHOR_CHARS = 20
KEY = 16  # characters of a text node looked up before its place in the article is searched for
# The region is the smallest element holding at least this share of the matched text.
REGION_SHARE = 0.8
# Text the article does not hold, in characters, that may stand between a picture and the
# article's text next to it (a caption, a credit, a byline).
NEAR = 300
# Page furniture: a picture there belongs to the site, not to the article, unless the
# article's own region holds it.
_FURNITURE = frozenset(("nav", "footer", "aside", "form"))
_BLOCKS = frozenset("p h1 h2 h3 h4 h5 h6 li pre blockquote td th dt dd figcaption caption table ul ol dl figure".split())
_NOT_CONTAINERS = frozenset("ul ol dl li table thead tbody tr td th p blockquote pre".split())
_IN_PLACE = frozenset(("li", "td", "th", "dd", "dt"))  # a picture there stays inside it
_WORD = re.compile(r"\w+")
_SKIP_TEXT_IN = frozenset(("script", "style", "template", "noscript", "title"))


@dataclass(frozen=True)
class Placed:
    """What `place_pictures` did: whether the page shows a picture at all (tracking pixels,
    icons and the like not counted), and how many went into the article."""

    page_has_pictures: bool
    placed: int


def place_pictures(body, tree: LexborHTMLParser, base: str, title: str | None = None) -> Placed:
    """Put the pictures of the page `tree` into the article `body` (a Lexbor `<body>` of
    sanitised HTML) where they stand."""
    if tree.body is None or tree.css_first("img") is None:
        return Placed(False, 0)
    text, starts, slots = _article_text(body)
    if not text:
        return Placed(False, 0)
    found = _walk(tree.body, text, _norm(title or ""))
    if not found.anchors:
        return Placed(any(seen.read(base) for seen in found.pictures), 0)
    region = _region(found.anchors)
    opening = 0  # the first anchor in the region: the article's text proper starts there
    if region is not None:
        opening = next((i for i, (parent, _) in enumerate(found.anchors) if _inside(parent, region.mem_id)), 0)
    placed: dict[int, list[Picture]] = {}
    before_first: list[Picture] = []
    kept: set[str] = set()
    last = None
    for seen in found.pictures:
        if len(kept) >= MAX_PLACED:
            break
        if not _belongs(seen, found, region, opening):
            continue
        picture = seen.read(base)
        if picture is None or picture.url in kept:
            continue
        if last is not None and _rendition_of(seen, last):
            continue
        kept.add(picture.url)
        last = seen
        if picture.caption and _norm(picture.caption) in text:
            picture = Picture(picture.url, picture.alt, "", picture.width, picture.height)
        if seen.anchor_end is None:
            before_first.append(picture)
        else:
            slot = bisect_right(starts, seen.anchor_end - 1) - 1
            placed.setdefault(max(slot, 0), []).append(picture)
    for index, pictures in placed.items():
        slot = slots[index]
        inside = slot.tag in _IN_PLACE
        nodes = _nodes("".join(_markup(p, inside) for p in pictures))
        if inside:
            for node in nodes:
                slot.insert_child(node)
        else:
            for node in reversed(nodes):
                slot.insert_after(node)
    if before_first:
        first = next(iter(body.iter(include_text=False)), None)
        for node in _nodes("".join(_markup(p, False) for p in before_first)):
            if first is None:
                body.insert_child(node)
            else:
                first.insert_before(node)
    return Placed(bool(kept) or any(seen.read(base) for seen in found.pictures), len(kept))


def _nodes(html: str) -> list:
    return list(LexborHTMLParser(html).body.iter())


def _belongs(seen: "_Seen", found: "_Found", region, opening: int) -> bool:
    """Whether a picture stands in the article: in its region, or beside it in the same
    container (a lead picture above its text; a figure between two of its parts); never in
    a sidebar, navigation, footer or form; and near the article's text."""
    k = seen.anchors_before
    before = seen.foreign_before - found.anchor_foreign[k - 1] if k > 0 else None
    after = found.anchor_foreign[k] - seen.foreign_before if k < len(found.anchors) else None
    if region is not None:
        if _in_furniture(seen.node, region.mem_id):
            return False
        if not _inside(seen.node, region.mem_id):
            if region.parent is None or not _inside(seen.node, region.parent.mem_id):
                return False
            if k > opening and (before is None or after is None or min(before, after) > NEAR // 3):
                return False
    if before is None:  # above the article's first words: a lead picture, with its caption and credit
        return after is not None and after <= NEAR * 3 // 2
    if after is None:
        return before <= NEAR // 10  # after the article's last words: only its own closing picture
    return min(before, after) <= NEAR


def _rendition_of(seen: "_Seen", last: "_Seen") -> bool:
    """Whether `seen` is another size of the picture kept just before it: little text between,
    a wrapper in common, the same folder on the same host and a file name alike (how sites
    store renditions; a gallery's pictures have names of their own)."""
    if seen.anchors_before != last.anchors_before or seen.foreign_before - last.foreign_before > NEAR // 3:
        return False
    here, there = urlsplit(seen.picture.url), urlsplit(last.picture.url)
    folder, _, name = here.path.rpartition("/")
    other_folder, _, other_name = there.path.rpartition("/")
    if here.netloc != there.netloc or folder != other_folder or len(_common_prefix(name, other_name)) < 6:
        return False
    wrappers = set()
    node = last.node.parent
    for _ in range(3):
        if node is None:
            break
        wrappers.add(node.mem_id)
        node = node.parent
    node = seen.node.parent
    for _ in range(4):
        if node is None:
            return False
        if node.mem_id in wrappers:
            return True
        node = node.parent
    return False


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return a[:n]


def _markup(picture: Picture, inline: bool) -> str:
    size = "".join(f' {name}="{value}"' for name, value in (("width", picture.width), ("height", picture.height))
                   if value)
    img = f'<img src="{escape(picture.url)}" alt="{escape(picture.alt)}"{size}>'
    if inline:
        return img
    caption = f"<figcaption>{escape(picture.caption)}</figcaption>" if picture.caption else ""
    return f"<figure>{img}{caption}</figure>"


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _article_text(body) -> tuple[str, list[int], list]:
    """The article's normalised text, where each of its blocks starts in it, and the blocks."""
    parts: list[str] = []
    starts: list[int] = []
    slots: list = []
    length = 0
    for node in body.traverse(include_text=True):
        if node.tag != "-text":
            continue
        words = _norm(node.text_content or "")
        if not words:
            continue
        slot = node.parent
        while slot is not None and slot.tag not in _BLOCKS and slot.tag != "body":
            slot = slot.parent
        if slot is None or slot.tag == "body":
            slot = node.parent if node.parent is not None and node.parent.tag != "body" else None
        if slot is None:
            continue
        if not slots or slots[-1].mem_id != slot.mem_id:
            starts.append(length)
            slots.append(slot)
        parts.append(words)
        length += len(words) + 1
    return " ".join(parts), starts, slots


@dataclass
class _Seen:
    """An image met on the walk, with where it stands relative to the article's text."""

    node: object
    anchor_end: int | None  # end of the last anchor before it, in the article text
    anchors_before: int
    foreign_before: int  # characters of text the article does not hold, before it on the page
    stand_ins: tuple = ()  # a <noscript> image's placeholders: their URL if it has none
    picture: Picture | None = None

    def read(self, base: str) -> Picture | None:
        if self.picture is None:
            self.picture = picture_of(self.node, base)
            for other in self.stand_ins:
                if self.picture is not None:
                    break
                self.picture = picture_of(other, base)
        return self.picture


@dataclass
class _Found:
    anchors: list  # (text node's parent element, characters)
    anchor_foreign: list  # foreign characters before each anchor
    pictures: list  # _Seen
    foreign: int = 0


def _walk(root, text: str, title: str) -> _Found:
    """Anchors and images in page order; what each image shows is read later, only for
    those that stand in the article."""
    found = _Found([], [], [])
    cursor = 0
    anchor_end: int | None = None
    seen = 0
    # Hash lookups first, so a page of many foreign text nodes costs no search of the
    # article's text for each: its words, and its text from each word on (KEY characters).
    vocabulary = set(text.split())
    keys = {text[i:i + KEY] for i in _word_starts(text)}
    for node in root.traverse(include_text=True):
        tag = node.tag
        if tag == "-text":
            raw = node.text_content
            if not raw or raw.isspace():
                continue
            parent = node.parent
            if parent is None or parent.tag in _SKIP_TEXT_IN:
                continue
            words = _norm(raw)
            if not words or words == title:
                continue
            if len(words) < MIN_ANCHOR_CHARS:
                if not vocabulary.issuperset(words.split()):
                    found.foreign += len(words)
                continue
            at = -1
            if words[:KEY] in keys:
                at = text.find(words, cursor)
                if at < 0:
                    at = text.find(words)
            if at >= 0:
                cursor = at + len(words)
                anchor_end = cursor
                found.anchors.append((parent, len(words)))
                found.anchor_foreign.append(found.foreign)
            else:
                found.foreign += len(words)
        elif tag == "img" and seen < MAX_SEEN:
            seen += 1
            stand_ins: tuple = ()
            if _in_noscript(node):
                # A lazy-loading page's fallback: it stands in for the placeholders just before it.
                replaced = _placeholders_of(node, found)
                if replaced:
                    stand_ins = tuple(r.node for r in replaced)
                    del found.pictures[-len(replaced):]
            found.pictures.append(_Seen(node, anchor_end, len(found.anchors), found.foreign, stand_ins))
    return found


def _word_starts(text: str):
    yield 0
    at = text.find(" ")
    while at >= 0:
        yield at + 1
        at = text.find(" ", at + 1)


def _in_noscript(node) -> bool:
    parent = node.parent
    for _ in range(4):
        if parent is None:
            return False
        if parent.tag == "noscript":
            return True
        parent = parent.parent
    return False


def _placeholders_of(img, found: _Found) -> list:
    """The pictures just before the `<noscript>` image `img` (no text between) that share a
    close wrapper with it: the script's placeholders for it."""
    ancestors = set()
    parent = img.parent
    for _ in range(6):
        if parent is None:
            break
        ancestors.add(parent.mem_id)
        parent = parent.parent
    out = []
    for seen in reversed(found.pictures):
        if seen.foreign_before != found.foreign or seen.anchors_before != len(found.anchors):
            break
        parent, near = seen.node.parent, False
        for _ in range(4):
            if parent is None:
                break
            if parent.mem_id in ancestors and parent.tag not in ("body", "article", "main"):
                near = True
                break
            parent = parent.parent
        if not near:
            break
        out.append(seen)
    return out


def _in_furniture(node, region: int) -> bool:
    """Whether `node` is in a sidebar, navigation, footer or form, or in the page's header
    (a header inside an `<article>` is the article's own); `region` is where the search
    for an `<aside>` and the like ends."""
    parent = node.parent
    header = False
    while parent is not None:
        tag = parent.tag
        if tag in _FURNITURE:
            return True
        if parent.mem_id == region:
            return False
        if tag == "header":
            header = True
        elif tag == "article":
            return False
        parent = parent.parent
    return header


def _region(anchors: list):
    """The smallest element holding REGION_SHARE of the anchors' text, or None."""
    totals: dict[int, int] = {}
    depth_of: dict[int, int] = {}
    nodes: dict[int, object] = {}
    whole = 0
    for parent, chars in anchors:
        whole += chars
        chain = []
        node = parent
        while node is not None:
            chain.append(node)
            node = node.parent
        for depth, node in enumerate(reversed(chain)):
            key = node.mem_id
            totals[key] = totals.get(key, 0) + chars
            depth_of[key] = depth
            nodes[key] = node
    best = None
    for key, chars in totals.items():
        if chars >= REGION_SHARE * whole and (best is None or depth_of[key] > depth_of[best]):
            best = key
    region = nodes[best] if best is not None else None
    # A list or a table holding most of the text is part of the article, not its container.
    while region is not None and region.tag in _NOT_CONTAINERS and region.parent is not None:
        region = region.parent
    return region


def _inside(node, region: int) -> bool:
    while node is not None:
        if node.mem_id == region:
            return True
        node = node.parent
    return False
