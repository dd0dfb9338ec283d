"""Markup matching: elements found by what their markup says rather than by a selector
written for one site — a class or id holding a word (`words`: a share bar is called
"article-share", "SocialShare" or "sns-box" on a thousand sites), and containers of links
to share endpoints (`links`: a share bar is where its links go, in any language).

The page's one scan says whether any of the rules' words or link fragments stand in its
bytes at all; only then does a second scan find where, and one Lexbor query fetches the
elements with exactly those class names, ids and addresses.
"""
from __future__ import annotations

import html
import re

from proxy.engine.dom import PROTECTED_TAGS, css_string, find
from proxy.engine.facts import Nodes, Page
from proxy.engine.plan import Plan
from proxy.engine.scanners import MAX_TAG_REACH
from proxy.rules import Rule

# A container is widened around a share link at most this many levels, and only while it
# holds no link elsewhere and at most this much text (a rule's max_text, if it says).
MAX_LINK_LEVELS = 6
LINK_CONTAINER_TEXT = 300
# ...and holds at most this much text outside its links: a label ("Share this article:",
# "Folgen Sie uns"), not a line of its own (a footer's copyright).
LABEL_TEXT = 60
# Addresses that lead nowhere else: they do not stop a share bar from being one.
_NEUTRAL = ("#", "javascript:")
# The parts of a drawing: an icon's class or id ("icon-share") names what it draws, not
# what it is; removing a sprite's <symbol> would blank every icon drawn from it.
SVG_PARTS = frozenset({"svg", "symbol", "use", "g", "path", "defs", "title", "desc", "circle", "rect", "polygon",
                       "line", "polyline", "ellipse", "text", "tspan", "mask", "clippath", "lineargradient",
                       "radialgradient", "image", "pattern", "marker", "filter"})
_TOKEN_END = re.compile(rb"[\s\"'<>]")
# Up to the last byte that ends a name going backwards (greedy: the match ends after it).
_TOKEN_START = re.compile(rb".*[ \t\n\r\"'=<>]", re.DOTALL)


def match_markup(page: Page, plan: Plan, targets: dict[str, list]) -> None:
    hits = page.hits()
    if page.data is None or (hits is not None and not hits.caseless & plan.markup_forms):
        return
    found = plan.markup.scan(page.data)
    if not found:
        return
    tokens, hrefs = _candidates(page.data, found)
    index = plan.word_index
    tokens = {(kind, token) for kind, token in tokens if index.rule_of(token) >= 0}
    if not tokens and not hrefs:
        return
    query = [f'[class~="{css_string(t)}"]' if kind == "class" else f'[id="{css_string(t)}"]' for kind, t in tokens]
    query += [f'a[href="{css_string(h)}"]' for h in hrefs]
    anchors = []
    for node in find(page.body, ", ".join(sorted(query))):
        if node.tag == "a" and node.attributes.get("href") in hrefs:
            anchors.append(node)
        if tokens and node.tag not in SVG_PARTS:
            rule = index.rule_of_node(node)
            if rule is not None:
                targets.setdefault(rule.id, []).append(node)
    if anchors:
        nodes = page.nodes
        for rule in plan.link_rules:
            _share_bars(rule, anchors, targets, nodes)


def _candidates(data: bytes, found: list[tuple[str, int, int]]) -> tuple[set[tuple[str, str]], set[str]]:
    """The class names and ids holding a word, and the link addresses holding a fragment,
    read from the source around where the scan found them (back no further than where
    the value opens: its quote or `=` ends a name)."""
    tokens: set[tuple[str, str]] = set()
    hrefs: set[str] = set()
    read_to = -1  # the end of the last name read: later places inside it are the same name
    for kind, value, end in sorted(found, key=lambda place: place[2]):
        if end <= read_to:
            continue
        # A name runs to its value's next space or quote, within the tag's reach (a hostile
        # page's megabyte-long class value is not read to its end once per place in it).
        stop = _TOKEN_END.search(data, end, end + MAX_TAG_REACH)
        if stop is None:  # too long for a name; so is every place up to where this read
            read_to = end + MAX_TAG_REACH
            continue
        read_to = stop.start()
        # A link is its whole value ("ok.ru/dk?st.cmd=WidgetSharePreview" holds an `=`); a
        # class name runs back to the space, quote or `=` before it.
        start = value + 1 if kind == "href" else _TOKEN_START.match(data, value, end - 1).end()
        token = data[start:stop.start()].decode("utf-8", "replace")
        if kind == "href":
            hrefs.add(html.unescape(token))
        elif token:
            tokens.add((kind, html.unescape(token)))
    return tokens, hrefs


def _share_bars(rule: Rule, anchors: list, targets: dict[str, list], nodes: Nodes) -> None:
    """Each run of the rule's links, widened to the largest container around it that holds
    no other link and little text: the bar with its label and prompt."""
    fragments = tuple(f.lower() for f in rule.links)
    mine = [a for a in anchors if _holds_any(nodes.lowered(a), fragments)]
    ids = {a.mem_id for a in mine}
    limit = rule.max_text or LINK_CONTAINER_TEXT
    taken: set[int] = set()
    for anchor in mine:
        if anchor.mem_id in taken:
            continue
        node = anchor
        for _ in range(MAX_LINK_LEVELS):
            parent = node.parent
            if parent is None or parent.tag in PROTECTED_TAGS or parent.tag == "article":
                break
            links = nodes.links(parent)
            if any(a.mem_id not in ids and not (nodes.href(a) or "").startswith(_NEUTRAL) for a in links):
                break
            text = nodes.length(parent)
            if text > limit or text - sum(nodes.length(a) for a in links) > LABEL_TEXT:
                break
            node = parent
        inside = [a for a in nodes.links(node) if a.mem_id in ids] if node is not anchor else [anchor]
        taken.update(a.mem_id for a in inside)
        if len(inside) >= rule.min_links:
            targets.setdefault(rule.id, []).append(node)


def _holds_any(href: str, fragments: tuple[str, ...]) -> bool:
    return any(f in href for f in fragments)
