"""Sanitised article HTML (the reader's allow-list) to CommonMark."""
from __future__ import annotations

import re
from typing import Callable

from selectolax.lexbor import LexborHTMLParser

_ESCAPE = re.compile(r"([\\`*_\[\]<>#|~])")
_WS = re.compile(r"\s+")
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_BLOCKS = frozenset("""p h1 h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote figure figcaption pre table thead tbody tfoot tr
td th caption hr div body""".split())


def to_markdown(html: str, image_ref: Callable[[str, str], str] | None = None) -> str:
    """Markdown of `html`; `image_ref(src, alt)` may return the Markdown of an image
    (e.g. a reference to a data: URI), else images are `![alt](src)`."""
    body = LexborHTMLParser(html).body
    if body is None:
        return ""
    return "\n\n".join(_blocks(body, image_ref)).strip() + "\n"


def _blocks(node, image_ref) -> list[str]:
    """The children of `node` as Markdown blocks; inline runs become paragraphs."""
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        text = "".join(run).strip()
        run.clear()
        if text:
            out.append(text)

    for child in node.iter(include_text=True):
        tag = child.tag
        if tag in _BLOCKS and tag not in ("td", "th", "tr", "thead", "tbody", "tfoot", "caption"):
            flush()
            block = _block(child, image_ref)
            if block:
                out.append(block)
        else:
            run.append(_inline(child, image_ref))
    flush()
    return out


def _block(node, image_ref) -> str:
    tag = node.tag
    if tag in _HEADINGS:
        return "#" * _HEADINGS[tag] + " " + _inline_children(node, image_ref).strip()
    if tag == "p" or tag == "figcaption" or tag == "dt" or tag == "caption":
        text = _inline_children(node, image_ref).strip()
        if tag == "figcaption" and text:
            return f"*{text}*"
        return f"**{text}**" if tag == "dt" and text else text
    if tag in ("ul", "ol"):
        return _list(node, image_ref)
    if tag == "blockquote":
        inner = "\n\n".join(_blocks(node, image_ref))
        return "\n".join(("> " + line) if line else ">" for line in inner.splitlines())
    if tag == "pre":
        code = node.text(deep=True)
        fence = "```" if "```" not in code else "~~~~"
        return f"{fence}\n{code.rstrip()}\n{fence}"
    if tag == "hr":
        return "---"
    if tag == "table":
        return _table(node, image_ref)
    return "\n\n".join(_blocks(node, image_ref))  # figure, div, dl, dd, li outside a list


def _list(node, image_ref) -> str:
    ordered = node.tag == "ol"
    start = node.attributes.get("start") or "1"
    number = int(start) if start.isdigit() else 1
    items = []
    for child in node.iter(include_text=False):
        if child.tag != "li":
            continue
        marker = f"{number}. " if ordered else "- "
        number += 1
        body = "\n\n".join(_blocks(child, image_ref)) or ""
        lines = body.splitlines() or [""]
        pad = " " * len(marker)
        items.append(marker + lines[0] + "".join("\n" + (pad + line if line else "") for line in lines[1:]))
    return "\n".join(items)


def _table(node, image_ref) -> str:
    rows = []
    for tr in node.css("tr"):
        cells = [_inline_children(c, image_ref).strip().replace("\n", " ") for c in tr.iter(include_text=False)
                 if c.tag in ("td", "th")]
        if cells:
            rows.append(cells)
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def _inline_children(node, image_ref) -> str:
    return "".join(_inline(c, image_ref) for c in node.iter(include_text=True))


def _inline(node, image_ref) -> str:
    tag = node.tag
    if tag == "-text":
        return _ESCAPE.sub(r"\\\1", _WS.sub(" ", node.text_content or ""))
    if tag == "br":
        return "\\\n"
    if tag == "img":
        src = node.attributes.get("src") or ""
        alt = _ESCAPE.sub(r"\\\1", node.attributes.get("alt") or "")
        if image_ref is not None:
            return image_ref(src, alt)
        return f"![{alt}](<{link_destination(src)}>)" if src else ""
    inner = _inline_children(node, image_ref)
    if tag in _BLOCKS:  # a block inside inline content: keep its words apart
        return " " + inner.strip() + " "
    if not inner.strip():
        return inner
    lead, core, trail = _split_space(inner)
    if tag in ("em", "i", "cite"):
        return f"{lead}*{core}*{trail}"
    if tag in ("strong", "b"):
        return f"{lead}**{core}**{trail}"
    if tag in ("s", "del"):
        return f"{lead}~~{core}~~{trail}"
    if tag == "code":
        text = node.text(deep=True)
        tick = "``" if "`" in text else "`"
        return f"{lead}{tick}{text.strip()}{tick}{trail}"
    if tag == "a":
        href = node.attributes.get("href")
        return f"{lead}[{core}](<{link_destination(href)}>){trail}" if href else inner
    return inner


def _split_space(text: str) -> tuple[str, str, str]:
    core = text.strip()
    start = text.find(core)
    return text[:start], core, text[start + len(core):]


def link_destination(url: str) -> str:
    """A URL safe inside `<…>` of a Markdown link destination: everything but the URL's
    own punctuation percent-encoded, so no `<`, `>`, backslash, quote, space or line
    break can end it early or start markup (a page chooses its URLs)."""
    return _UNSAFE_IN_URL.sub(lambda m: f"%{ord(m.group()):02X}", url)


_UNSAFE_IN_URL = re.compile(r'[\x00-\x20<>\\"`\x7f]')
