"""Page facts: one parsed page and what the stages work out about it, each on demand and
once (its text for the needles, its bytes' scan, paragraph count, <head> tests…)."""
from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from proxy.engine.dom import NOT_TEXT, find, find_first
from proxy.engine.patterns import Runner
from proxy.engine.scanners import SourceHits, SourceScanner
from proxy.rules import normalize_text

# Text nodes are joined with this in the page text the needles are looked for in.
SEP = b"\x01"
# Page text longer than this is looked at again without the nested scripts and styles
# longer than LONG_RAW_TEXT (see Page.segments).
LONG_PAGE_TEXT = 32768
LONG_RAW_TEXT = 512


def collapsed_bytes(text: str) -> int:
    """UTF-8 length of `text` with its whitespace runs as one space, none at the ends."""
    return len(" ".join(text.split()).encode("utf-8", "surrogatepass"))


class Page:
    """One parsed page and what has been worked out about it, computed on demand."""

    def __init__(self, tree: LexborHTMLParser, body, path: str = "/", data: bytes | None = None,
                 patterns: Runner | None = None, host: str = ""):
        self.tree = tree
        self.host = host  # the page's host, for links to the same site
        self.nodes = Nodes()  # nodes' texts and links, for the rules that climb through them
        self.patterns = patterns or Runner()  # runs the rules' regular expressions, bounded
        self.body = body
        self.path = path  # the URL's path and query, for `:matches-path()`
        self.data = data  # the page's bytes, for the source scanner
        self.scanner: SourceScanner | None = None
        self._hits: SourceHits | None = None
        self._text: str | None = None
        self._segments: tuple[bytes, bytes] | None = None
        self._left_out: set[int] = set()  # long nested scripts and styles, not in the segments
        self._visible: int | None = None
        self._paragraphs: int | None = None
        self._queries: dict[str, set[int]] = {}
        self._found: dict[str, list] = {}
        self._has: dict[str, bool] = {}
        self._tags: dict[str, bool] = {}

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.body.text(deep=True)
        return self._text

    @property
    def segments(self) -> tuple[bytes, bytes]:
        """The body's text nodes joined by SEP as UTF-8, and the same ASCII-lower-cased.

        Scripts and styles directly under <body> are left out: on news pages they are
        most of the text, and no clutter phrase is in them. When the text is still long,
        it is mostly scripts nested in wrappers (JSON state, ad set-ups): it is collected
        again without the long ones.
        """
        if self._segments is None:
            text = self._text_of(self.body, set())
            if len(text) > LONG_PAGE_TEXT:
                holders = self._long_raw_text()
                if holders:
                    text = self._text_of(self.body, holders)
            raw = text.encode("utf-8", "surrogatepass")
            self._segments = (raw, raw.lower())
        return self._segments

    def _text_of(self, node, holders: set[int]) -> str:
        """`node`'s text nodes joined by SEP, child by child, descending into `holders`
        (elements holding a long script or style) and leaving out what is in `_left_out`."""
        sep, left_out, top = SEP.decode(), self._left_out, node.tag == "body"
        parts = []
        for child in node.iter(include_text=True):
            if child.tag in NOT_TEXT and (top or child.mem_id in left_out):
                continue
            if child.mem_id in holders:
                text = self._text_of(child, holders)
            else:  # whitespace-only nodes (indentation between tags) are no one's text
                text = child.text(deep=True, separator=sep, skip_empty=True)
            if text:
                parts.append(text)
        return sep.join(parts)

    def _long_raw_text(self) -> set[int]:
        """Note the long scripts and styles nested in <body> in `_left_out`; return the
        elements between them and <body>."""
        holders: set[int] = set()
        for tag in ("script", "style"):
            for node in self.tree.tags(tag):
                parent = node.parent
                if parent is None or parent.tag in ("body", "head") or len(node.text()) <= LONG_RAW_TEXT:
                    continue
                self._left_out.add(node.mem_id)
                while parent is not None and parent.tag not in ("body", "head", "html") \
                        and parent.mem_id not in holders:
                    holders.add(parent.mem_id)
                    parent = parent.parent
        return holders

    @property
    def visible_bytes(self) -> int:
        """UTF-8 length of the body's text without scripts and styles, whitespace runs
        counted as one space (for the guard)."""
        if self._visible is None:
            text = self.segments[0].replace(SEP, b" ").decode("utf-8", "surrogatepass")
            nested = sum(collapsed_bytes(n.text(deep=True)) for n in find(self.body, "script, style, template")
                         if n.parent.tag != "body" and n.mem_id not in self._left_out)
            self._visible = collapsed_bytes(text) - nested
        return self._visible

    def hits(self) -> SourceHits | None:
        """What the plan's source scanner found in the page's bytes (None: no scanner)."""
        if self._hits is None and self.scanner is not None and self.data is not None:
            self._hits = self.scanner.scan(self.data)
        return self._hits

    @property
    def paragraphs(self) -> int:
        if self._paragraphs is None:
            self._paragraphs = len(find(self.body, "p"))
        return self._paragraphs

    def has(self, selector: str) -> bool:
        """Whether an element of <head> matches (cached: requirements are shared by rules)."""
        found = self._has.get(selector)
        if found is None:
            head = self.tree.head
            found = self._has[selector] = head is not None and bool(find_first(head, selector))
        return found

    def has_tag(self, tag: str) -> bool:
        found = self._tags.get(tag)
        if found is None:
            found = self._tags[tag] = bool(self.tree.tags(tag))
        return found

    def inside(self, node, selector: str) -> bool:
        """Whether `node` matches `selector` or is inside an element that does."""
        fences = self.ids(selector)
        current = node
        while current is not None:
            if current.mem_id in fences:
                return True
            current = current.parent
        return False

    def around(self, selector: str) -> set[int]:
        """The elements holding one that matches `selector` (its ancestors)."""
        key = ("around", selector)
        found = self._queries.get(key)
        if found is None:
            found = set()
            for node in self._find(selector):
                parent = node.parent
                while parent is not None and parent.mem_id not in found:
                    found.add(parent.mem_id)
                    parent = parent.parent
            self._queries[key] = found
        return found

    def ids(self, selector: str) -> set[int]:
        found = self._queries.get(selector)
        if found is None:
            found = self._queries[selector] = {n.mem_id for n in self._find(selector)}
        return found

    def _find(self, selector: str) -> list:
        """The body's elements matching `selector`, queried once (`ids` and `around` ask alike)."""
        found = self._found.get(selector)
        if found is None:
            found = self._found[selector] = find(self.body, selector)
        return found


class Nodes:
    """Each node's whitespace-collapsed text, its links and each link's address, worked out
    once a page: the link and story rules climb from many links through the same parents
    (and reading one attribute builds a dict of them all)."""

    def __init__(self):
        self._text: dict[int, str] = {}
        self._links: dict[int, list] = {}
        self._hrefs: dict[int, str | None] = {}
        self._lowered: dict[int, str] = {}

    def of(self, node) -> str:
        text = self._text.get(node.mem_id)
        if text is None:
            text = self._text[node.mem_id] = normalize_text(node.text(deep=True))
        return text

    def length(self, node) -> int:
        return len(self.of(node))

    def href(self, a) -> str | None:
        """`a.attributes.get("href")`, read once a link."""
        if a.mem_id in self._hrefs:
            return self._hrefs[a.mem_id]
        href = self._hrefs[a.mem_id] = a.attributes.get("href")
        return href

    def lowered(self, a) -> str:
        href = self._lowered.get(a.mem_id)
        if href is None:
            href = self._lowered[a.mem_id] = (self.href(a) or "").lower()
        return href

    def links(self, node) -> list:
        """`find(node, "a[href]")`, once a node."""
        links = self._links.get(node.mem_id)
        if links is None:
            links = self._links[node.mem_id] = find(node, "a[href]")
        return links
