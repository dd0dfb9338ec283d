"""What a reader sees of a page, and what a reading copy may hold."""
from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser


def visible_text(html: str | bytes) -> str:
    """textContent of <body> without script/style/noscript/template, whitespace collapsed."""
    tree = LexborHTMLParser(html)
    for node in tree.css("script, style, noscript, template"):
        node.decompose()
    body = tree.body
    return re.sub(r"\s+", " ", body.text(deep=True) if body else "").strip()


def broken_uses(html: str | bytes) -> list[str]:
    """`<use>` references that point at no element of the page."""
    tree = LexborHTMLParser(html)
    ids = {n.attributes.get("id") for n in tree.css("[id]")}
    refs = [n.attributes.get("href") or n.attributes.get("xlink:href") or "" for n in tree.css("use")]
    return [r for r in refs if r.startswith("#") and r[1:] not in ids]


def assert_harmless(html: str) -> None:
    """A reading copy holds no active content, no styling and only plain links."""
    tree = LexborHTMLParser(html)
    assert not tree.css("script, style, iframe, frame, object, embed, form, input, button, svg, math, base, meta, link")
    for node in tree.body.traverse():
        for name, value in node.attributes.items():
            assert not name.lower().startswith("on"), f"event handler {name} on <{node.tag}>"
            assert name in {"href", "src", "alt", "title", "width", "height", "colspan", "rowspan", "start",
                            "datetime", "cite"}, f"attribute {name} on <{node.tag}>"
            if name in ("href", "src", "cite"):
                assert re.match(r"(https?|mailto):", value or ""), f"{name}={value!r}"
    lowered = html.lower()
    for needle in ["onerror", "onclick", "onload", "<script", "<iframe", "<svg", "<form", "<style", "<object"]:
        assert needle not in lowered
