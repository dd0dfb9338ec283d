"""The allow-list sanitiser every reading copy goes through, and its plain text."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from proxy.engine import has_ancestor_in


_KEEP = frozenset("""p h1 h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote figure figcaption pre code table thead
tbody tfoot tr td th caption hr br a img em i strong b u s del ins sub sup small mark abbr cite q time
""".split())
# Dropped with everything inside: active content, embedded documents, form controls.
_DROP = frozenset("""script style iframe frame frameset object embed applet form input button select option
textarea svg math noscript template link meta base head title audio video canvas dialog portal source
track picture map area param slot""".split())
_ATTRS = {
    "a": ("href", "title"),
    "img": ("src", "alt", "title", "width", "height"),
    "td": ("colspan", "rowspan"),
    "th": ("colspan", "rowspan"),
    "ol": ("start",),
    "time": ("datetime",),
    "abbr": ("title",),
    "blockquote": ("cite",),
    "q": ("cite",),
}
_URL_ATTRS = frozenset({"href", "src", "cite"})
_NUMBER_ATTRS = frozenset({"colspan", "rowspan", "start", "width", "height"})
_SCHEMES = {"href": ("http", "https", "mailto"), "src": ("http", "https"), "cite": ("http", "https")}
# Browsers ignore these inside a URL's scheme ("java\tscript:"), so they must be gone first.
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]+")


def sanitize_html(html: str, base_url: str) -> str:
    """Keep only allow-listed tags and attributes; URLs made absolute, http(s) only.

    Dangerous elements go with their content; other unknown elements are unwrapped
    (their text stays). The result is the inner HTML of a `<body>`.
    """
    tree = LexborHTMLParser(html)
    body = tree.body
    if body is None:
        return ""
    for node in _outermost(body.css(", ".join(sorted(_DROP)))):
        node.decompose()
    for node in list(body.traverse(include_text=False)):
        tag = node.tag
        if node is body or tag == "body" or tag == "-comment" or node.is_comment_node:
            if node.is_comment_node:
                node.decompose()
            continue
        if tag not in _KEEP:
            node.unwrap()
            continue
        _clean_attributes(node, tag, base_url)
    for node in body.css("img:not([src])"):
        node.decompose()
    for node in body.css("a:not([href])"):
        node.unwrap()
    return body.inner_html.strip()


def _clean_attributes(node, tag: str, base_url: str) -> None:
    allowed = _ATTRS.get(tag, ())
    attrs = node.attrs
    for name, value in list(node.attributes.items()):
        keep = None
        if name in allowed and value is not None:
            if name in _URL_ATTRS:
                keep = safe_url(value, base_url, _SCHEMES[name])
            elif name in _NUMBER_ATTRS:
                keep = value.strip() if value.strip().isdigit() and len(value.strip()) <= 5 else None
            else:
                keep = value
        if keep is None:
            del attrs[name]
        elif keep != value:
            attrs[name] = keep


def safe_url(value: str, base_url: str, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
    """`value` made absolute against `base_url`, or None unless its scheme is allowed."""
    value = _URL_JUNK.sub("", value)
    if not value:
        return None
    try:
        absolute = urljoin(base_url, value)
        scheme = urlsplit(absolute).scheme.lower()
    except ValueError:
        return None
    return absolute if scheme in schemes else None


def _outermost(nodes) -> list:
    """Nodes not inside another of them: freeing a node frees its subtree."""
    nodes = list(nodes)
    ids = {n.mem_id for n in nodes}
    return [n for n in nodes if not has_ancestor_in(n, ids)]


_BLOCKS = frozenset("""p h1 h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote figure figcaption pre table thead
tbody tfoot tr td th caption hr div body""".split())
_SPACE = re.compile(r"[^\S\n]+")


def html_to_text(html: str) -> str:
    """Plain text of sanitised article HTML: one paragraph per block, blank lines between."""
    tree = LexborHTMLParser(html)
    body = tree.body
    if body is None:
        return ""
    out: list[str] = []
    buf: list[str] = []
    _walk(body, out, buf)
    _flush(out, buf)
    return "\n\n".join(out)


def _walk(node, out: list[str], buf: list[str]) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            # Source line breaks are spaces; only <br> breaks a line.
            buf.append(_WS.sub(" ", child.text_content or ""))
        elif tag == "br":
            buf.append("\n")
        elif tag in ("td", "th"):
            buf.append(" ")
            _walk(child, out, buf)
            buf.append(" ")
        elif tag in _BLOCKS:
            _flush(out, buf)
            _walk(child, out, buf)
            _flush(out, buf)
        else:
            _walk(child, out, buf)


def _flush(out: list[str], buf: list[str]) -> None:
    if buf:
        lines = (_SPACE.sub(" ", line).strip() for line in "".join(buf).split("\n"))
        text = "\n".join(line for line in lines if line)
        if text:
            out.append(text)
        buf.clear()


_WS = re.compile(r"\s+")
