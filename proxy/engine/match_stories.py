"""Boxes of links to the site's other stories, in the article's column (`story_links`).

A related-stories box is called anything ("teaser-xs", "v-a-s-n", "tsr-Base"), headed in
any language or not at all; what it is does not change: a few links to other pages of
the same site, each link's text a headline, and little else, placed among or right after
the article's paragraphs. Navigation (short link texts), the site's other columns and the
article itself (long paragraphs that are not links) are not.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from proxy.engine.dom import PROTECTED_TAGS, find
from proxy.engine.facts import Page
from proxy.engine.plan import Plan
from proxy.rules import Rule, normalize_text

# A paragraph of the article: at least this many characters of its own text.
PARAGRAPH = 80
# A headline: at least this many characters, and three words (or, in a script written
# without spaces, this many characters).
HEADLINE = 15
HEADLINE_WORDS = 3
HEADLINE_UNSPACED = 8
# A box is widened around its links at most this many levels, while it holds at most
# this much text outside its story links (a heading, dates, a line of teaser)...
MAX_LEVELS = 6
OTHER_TEXT = 0.45
LABEL = 60
# ...and at most this much text in all (a rule's max_text, if it says).
BOX_TEXT = 1500
_NOT_PAGES = ("#", "javascript:", "mailto:", "tel:", "data:")


def match_stories(page: Page, plan: Plan, targets: dict[str, list]) -> None:
    column, paragraphs = _column(page)
    if column is None:
        return
    site = _site(page.host)
    stories = []
    for a in find(column, "a[href]"):
        if a.mem_id in paragraphs or _in(a, paragraphs):
            continue  # a link inside a paragraph of the article: part of its text
        href = a.attributes.get("href") or ""
        if not _same_site(href, site, page.path) or not _headline(normalize_text(a.text(deep=True))):
            continue
        stories.append(a)
    if len(stories) < 2:
        return
    for rule in plan.story_rules:
        _boxes(rule, column, stories, paragraphs, targets)


def _column(page: Page):
    """The element holding most of the article's paragraphs, and its parent (the article's
    column: where related boxes sit), with the ids of those paragraphs."""
    holders: dict[int, list] = {}
    paragraphs: set[int] = set()
    for p in find(page.body, "p"):
        if len(normalize_text(p.text(deep=True))) >= PARAGRAPH:
            paragraphs.add(p.mem_id)
            parent = p.parent
            if parent is not None:
                holders.setdefault(parent.mem_id, [parent, 0])[1] += 1
    if not holders:
        return None, paragraphs
    block, count = max(holders.values(), key=lambda h: h[1])
    if count < 2:
        return None, paragraphs
    column = block.parent if block.parent is not None and block.parent.tag not in PROTECTED_TAGS else block
    return column, paragraphs


def _boxes(rule: Rule, column, stories: list, paragraphs: set[int], targets: dict[str, list]) -> None:
    """Each run of story links widened to the largest box around it that holds no other
    link with text, no paragraph of the article, and little text besides its links."""
    ids = {a.mem_id for a in stories}
    limit = rule.max_text or BOX_TEXT
    taken: set[int] = set()
    for anchor in stories:
        if anchor.mem_id in taken:
            continue
        if rule.story_links == 1:
            best = _card(anchor, column)
            if best is not None:
                taken |= {a.mem_id for a in find(best, "a[href]")} & ids
                targets.setdefault(rule.id, []).append(best)
            continue
        node, best = anchor, None
        for _ in range(MAX_LEVELS):
            parent = node.parent
            if parent is None or parent.mem_id == column.mem_id or parent.tag in PROTECTED_TAGS:
                break
            text = len(normalize_text(parent.text(deep=True)))
            if text > limit:
                break
            links = find(parent, "a[href]")
            mine = [a for a in links if a.mem_id in ids]
            if any(a.mem_id not in ids and normalize_text(a.text(deep=True)) for a in links):
                break  # a link that is not a story (navigation, a tag, another site)
            if any(p.mem_id in paragraphs for p in find(parent, "p")):
                break
            linked = sum(len(normalize_text(a.text(deep=True))) for a in mine)
            if text - linked > max(LABEL, OTHER_TEXT * text):
                break
            node = parent
            if len({a.attributes.get("href") for a in mine}) >= rule.story_links:
                best = parent
        if best is not None:
            inside = {a.mem_id for a in find(best, "a[href]")} & ids
            taken |= inside
            targets.setdefault(rule.id, []).append(best)


# A card: the block around one story link, holding nothing else but a short label.
MIN_LABEL = 3
CARD_TAGS = frozenset({"p", "div", "aside", "article", "li", "section", "figure", "h2", "h3", "h4", "h5", "h6",
                       "ul", "ol", "header"})


def _card(anchor, column):
    """The largest block around a lone story link that holds no other link with text and
    at most a label besides it (a promo card dropped between the article's paragraphs)."""
    own = len(normalize_text(anchor.text(deep=True)))
    node, best = anchor, None
    for _ in range(4):
        parent = node.parent
        if parent is None or parent.mem_id == column.mem_id or parent.tag in PROTECTED_TAGS:
            break
        if len(normalize_text(parent.text(deep=True))) - own > LABEL:
            break
        if sum(1 for a in find(parent, "a[href]") if normalize_text(a.text(deep=True))) > 1:
            break
        node = parent
        if parent.tag in CARD_TAGS:
            best = parent
    # Only a labelled card ("Lire aussi", "Mehr zum Thema"): a bare headline between
    # paragraphs may be the article's own cross-reference.
    if best is not None and len(normalize_text(best.text(deep=True))) - own < MIN_LABEL:
        return None
    return best


def _site(host: str) -> str:
    """The part of a host that names the site: its last two labels, three under a
    two-letter country code's second level (news.bbc.co.uk: bbc.co.uk)."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) > 2 and len(labels[-1]) == 2 and len(labels[-2]) <= 3:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _same_site(href: str, site: str, path: str) -> bool:
    """Whether a link goes to another page of the page's own site."""
    href = href.strip()
    if not href or href.startswith(_NOT_PAGES):
        return False
    try:
        parts = urlsplit(href)
    except ValueError:
        return False
    if parts.scheme and parts.scheme not in ("http", "https"):
        return False
    host = (parts.hostname or "").lower()
    if host and site and not (host == site or host.endswith("." + site)):
        return False
    target = parts.path or "/"
    return target not in ("/", path.split("?", 1)[0])


def _headline(text: str) -> bool:
    if len(text) < HEADLINE:
        return len(text) >= HEADLINE_UNSPACED and not text.isascii() and " " not in text
    return len(text.split()) >= HEADLINE_WORDS or (not text.isascii() and len(text) >= HEADLINE_UNSPACED)


def _in(node, ids: set[int]) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False
