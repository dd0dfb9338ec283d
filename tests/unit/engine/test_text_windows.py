"""Text matching's shortcuts: a window of text nodes read by joining the nodes' normalised
texts, and only the needles a page holds visited; either way the same text as read
whole, and the same elements found as when every needle is tried."""
from __future__ import annotations

import pytest

from proxy.engine.clean import Engine
from proxy.engine.match_text import _joined, _node
from proxy.engine.scanners import HYPERSCAN
from proxy.rules import load_rules, normalize_text


@pytest.mark.parametrize("nodes", [
    ["Share", "this", "story"],
    ["Share ", "this", " story"],
    ["Leave a ", "  ", "reply"],
    ["", "Comments", "", "(3)"],
    ["  ", "", "  "],
    ["Read\u00a0", "more", "\u2003"],  # whitespace outside ASCII splits words too
    ["caf", "é ", "\x1c", "menu"],
    ["\n\tFollow us\n", "on Twitter"],
])
def test_a_window_is_read_as_its_nodes_joined(nodes):
    run = None
    for text in nodes:
        data = text.encode()
        node, _size = _node(data, 0, len(data))
        run = node if run is None else _joined(run, node)
    assert run[0] == normalize_text("".join(nodes))


@pytest.mark.skipif(not HYPERSCAN, reason="the needle scanner needs Hyperscan")
def test_only_the_needles_a_page_holds_are_visited():
    body = ("<p>The harbour town met on Tuesday to talk about the new quay and its cost.</p>" * 4
            + "<div><b>Share</b> this article</div><p>Leave a <a href=#>reply</a></p>"
            + "<div>Comments are closed.</div><span>Follow us on</span><span>Twitter</span>")
    html = f"<!doctype html><html lang=en><head><title>t</title></head><body>{body}</body></html>"
    rules = load_rules()
    scanned = Engine().clean_page(html, "https://example.com/a", rules)
    every = Engine(literal_scanning=False).clean_page(html, "https://example.com/a", rules)
    assert scanned.removed and scanned.removed == every.removed
    assert scanned.html == every.html
