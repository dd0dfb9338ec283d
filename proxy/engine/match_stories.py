"""Boxes of links to the site's other stories (`story_links`).

A related-stories box is called anything ("teaser-xs", "v-a-s-n", "tsr-Base"), headed in
any language or not at all; what it is does not change: a few links to other pages of
the same site, each link's text a headline, and little else (a section kicker, a date, a
comment count), wherever it stands in or around the article: among its paragraphs,
after them, in the page's column; not in the site's sidebars (`<aside>` beside the
article). Navigation (short link texts), links to other sites and the article itself (long
paragraphs that are not links) are not. A single story link is a promo card with a label
("Lire aussi"), as a teaser `<article>` of its own, as a paragraph among the article's
that is nothing but the link, or as a link there holding a picture over a heading; a
headline in a sentence, or in a block of another shape between paragraphs, may be the
article's own cross-reference.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from proxy.engine.dom import MENUS, PROTECTED_TAGS, find, find_first, has_ancestor_in, is_menu, mark_ancestors
from proxy.engine.facts import Nodes, Page
from proxy.engine.plan import Plan
from proxy.rules import Rule, domain_covers, normalize_text

# A paragraph of the article: at least this many characters of its own text (a Chinese,
# Japanese or Korean character counting as two: a line of them says as much as a longer
# one of letters).
PARAGRAPH = 80
_WIDE = re.compile(r"[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
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
# ...and at most this much text in its minor links, for each character of its headlines
# (kickers, authors and counts are short; a menu's entries are many)...
MINOR_SHARE = 0.5
# ...and at most this much text in all (a rule's max_text, if it says).
BOX_TEXT = 1500
_NOT_PAGES = ("#", "javascript:", "mailto:", "tel:", "data:")


def match_stories(page: Page, plan: Plan, targets: dict[str, list]) -> None:
    column, block, paragraphs, first, with_paragraphs = _column(page)
    if column is None:
        return
    site = _site(page.host)
    texts = page.nodes
    stories = []
    same_site: dict[str, bool] = {}  # a page links to the same address many times
    # Links to the writers' pages (rel=author): a byline, not a story, in a box or not.
    authors = {a.mem_id for a in find(page.body, 'a[rel~="author" i]')}
    for a in find(page.body, "a[href]"):
        if not _headline(texts.of(a)):
            continue
        if a.mem_id in paragraphs or has_ancestor_in(a, paragraphs):
            continue  # a link inside a paragraph of the article: part of its text
        if a.mem_id not in authors and _ours(texts.href(a) or "", site, page.path, same_site):
            stories.append(a)
    for rule in plan.story_rules:
        if rule.story_links == 1:
            _lone_links(rule, block, site, page.path, same_site, targets, texts)
            if stories:
                _cards(rule, column, block, stories, with_paragraphs, targets, texts)
        elif stories:
            _boxes(rule, page.body, stories, with_paragraphs, targets, column, texts, block, first, authors)


def _column(page: Page):
    """The element holding most of the article's paragraphs (its block), its parent (the
    article's column: where related boxes sit), the ids of those paragraphs, the first,
    and the ids of the paragraphs and of the elements holding one."""
    holders: dict[int, list] = {}
    wrappers: dict[int, list] = {}  # a paragraph's grandparent: sites wrap each paragraph
    paragraphs: set[int] = set()
    around: set[int] = set()  # the paragraphs' ancestors
    first = None
    for p in find(page.body, "p"):
        if _width(normalize_text(p.text(deep=True))) >= PARAGRAPH and not _one_link(p):
            paragraphs.add(p.mem_id)
            mark_ancestors(p, around)
            first = first or p
            parent = p.parent
            if parent is not None:
                holders.setdefault(parent.mem_id, [parent, 0])[1] += 1
                if parent.parent is not None and parent.parent.tag not in PROTECTED_TAGS:
                    wrappers.setdefault(parent.parent.mem_id, [parent.parent, 0])[1] += 1
    if not holders:
        return None, None, paragraphs, None, None
    block, count = max(holders.values(), key=lambda h: h[1])
    if count < 2:
        # Each paragraph in a wrapper of its own ("text-module"): the wrappers' holder.
        block, count = max(wrappers.values(), key=lambda h: h[1]) if wrappers else (None, 0)
        if count < 2:
            return None, None, paragraphs, None, None
    column = block.parent if block.parent is not None and block.parent.tag not in PROTECTED_TAGS else block
    return column, block, paragraphs, first, paragraphs | around


def _boxes(rule: Rule, body, stories: list, with_paragraphs: set[int], targets: dict[str, list],
           column, texts: Nodes, block, first, authors: set[int]) -> None:
    """Each run of story links widened to the largest box around it that holds no other
    link but minor ones, no paragraph of the article, and little text besides its links."""
    column_chain = _chain(column)
    ids = {a.mem_id for a in stories}
    limit = rule.max_text or BOX_TEXT
    taken: set[int] = set()
    article = _chain(block)  # the article's block and what holds it
    levels: dict[int, tuple | None] = {}  # each level's links, once: neighbours climb through it
    for anchor in stories:
        if anchor.mem_id in taken:
            continue
        # Teasers (headlines with a summary each) only outside the article's own text: a
        # list of linked headlines with a sentence each among its paragraphs is the article.
        teasers = anchor.mem_id not in article and not has_ancestor_in(anchor, {block.mem_id})
        node, best, listed = anchor, None, None  # listed: 0 in a teaser, 1 in a list of them
        for _ in range(MAX_LEVELS):
            parent = node.parent
            if parent is None or parent.mem_id == body.mem_id or parent.tag in PROTECTED_TAGS:
                break
            text = texts.length(parent)
            if text > TEASERS_TEXT:
                break
            if parent.mem_id not in levels:
                levels[parent.mem_id] = _level(parent, ids, texts, authors)
            level = levels[parent.mem_id]
            if level is None:
                break  # a link that is not a story, or mostly short links: a menu, a footer
            mine, linked, heads = level
            plain = text <= limit and text - linked <= max(LABEL, OTHER_TEXT * text)
            plain = plain and parent.mem_id not in with_paragraphs  # no paragraph of the article
            # A list of teasers (a headline and a line or two of summary each) holds more
            # text besides its links than a box of headlines, and may hold paragraphs.
            if listed is not None or not plain:
                # Past a teaser, every level is a list of teasers (the teaser's summary is
                # no licence for text around it).
                if not teasers or parent.mem_id in article:
                    break
                if not listed and _teaser_of(parent, mine, text, texts):
                    listed = 0
                elif _teasers(parent, ids, texts, TEASER_DEPTH) >= 2:
                    listed = 1
                else:
                    break
            node = parent
            if heads >= rule.story_links:
                best = parent
        if best is not None and (_beside(best, column_chain, block) or _before(best, first)):
            best = None  # the site's sidebar ("Most read") or top bar, not a promo in or after the article
        if best is not None:
            inside = {a.mem_id for a in texts.links(best)} & ids
            taken |= inside
            targets.setdefault(rule.id, []).append(best)


def _level(parent, ids: set[int], texts: Nodes, authors: set[int]) -> tuple | None:
    """A box's story links (those in `ids`), their text's length and how many stories they
    go to; None if it holds a link that is not a story and not minor (navigation, another
    site's headline; a teaser's writer is minor) or mostly short links (a menu, a footer
    with a few longer entries)."""
    links = texts.links(parent)
    mine = [a for a in links if a.mem_id in ids]
    if any(a.mem_id not in ids and a.mem_id not in authors and not _minor(texts.of(a)) for a in links):
        return None
    linked = sum(texts.length(a) for a in mine)
    if sum(texts.length(a) for a in links if a.mem_id not in authors) - linked > MINOR_SHARE * linked:
        return None
    return mine, linked, len({texts.href(a) for a in mine})


# A list of teasers: at most this much text in all, each teaser at most this much text
# besides its headline, at most this much text outside the teasers (a heading), and
# teasers looked for this many levels down (rows of columns of teasers).
TEASERS_TEXT = 6000
SUMMARY = 320
TEASER_DEPTH = 3


def _teaser_of(node, mine: list, text: int, texts: Nodes) -> bool:
    """Whether `node` is one teaser: one story's links and at most a summary besides,
    in words, not links (a menu with a featured story is not a teaser)."""
    if len({texts.href(a) for a in mine}) != 1:
        return False
    own = max(texts.length(a) for a in mine)
    if text - own > SUMMARY:
        return False
    ids = {a.mem_id for a in mine}
    others = [a for a in (texts.links(node) if node.tag != "a" else []) if a.mem_id not in ids]
    return sum(texts.length(a) for a in others) <= LABEL


def _teasers(node, ids: set[int], texts: Nodes, depth: int) -> int:
    """How many teasers `node` is a list of: each child holds one story (its headline
    link, perhaps a picture's link to the same page, a summary of at most SUMMARY
    characters) or is itself such a list; besides them at most a heading. 0 if it is not."""
    outside, count = 0, 0
    for child in node.iter(include_text=True):
        if child.tag == "-text":
            outside += len((child.text_content or "").strip())
            continue
        if child.tag in ("script", "style", "template", "noscript"):
            continue
        mine = [child] if child.mem_id in ids else [a for a in texts.links(child) if a.mem_id in ids]
        stories = {texts.href(a) for a in mine}
        if not stories:
            outside += texts.length(child)
        elif len(stories) == 1:
            if not _teaser_of(child, mine, texts.length(child), texts):
                return 0
            count += 1
        else:
            inner = _teasers(child, ids, texts, depth - 1) if depth > 0 else 0
            if not inner:
                return 0
            count += inner
        if outside > LABEL:
            return 0
    return count


def _cards(rule: Rule, column, block, stories: list, with_paragraphs: set[int], targets: dict[str, list],
           texts: Nodes) -> None:
    """Promo cards of one story link: labelled blocks, teaser `<article>`s and pictured
    links among the article's paragraphs."""
    ids = {a.mem_id for a in stories}
    taken: set[int] = set()
    for anchor in stories:
        if anchor.mem_id in taken:
            continue
        best = _card(anchor, column, texts)
        if best is None:
            best = _teaser(anchor, with_paragraphs, rule.max_text or TEASER_TEXT, texts)
        if best is None and _pictured(anchor, block):
            best = _around(anchor, column, texts) or anchor
        if best is not None:
            taken |= {a.mem_id for a in texts.links(best)} & ids
            targets.setdefault(rule.id, []).append(best)


def _pictured(anchor, block) -> bool:
    """Whether a story link is a card of its own set among the article's paragraphs: a
    picture and a heading inside the link (a thumbnail over a headline)."""
    return (has_ancestor_in(anchor, {block.mem_id}) and bool(find_first(anchor, "img, picture"))
            and bool(find_first(anchor, "h2, h3, h4, h5, h6")))


def _lone_links(rule: Rule, block, site: str, path: str, same_site: dict[str, bool], targets: dict[str, list],
                texts: Nodes) -> None:
    """Paragraphs among the article's that are nothing but one headline linked to another
    of the site's stories: a promo set between paragraphs with no label ("Broncos roll the
    dice…"). A link in a sentence, or with anything besides it, is the article's text."""
    for node in block.iter():
        if node.tag != "p":
            continue
        links = texts.links(node)
        if len(links) != 1:
            continue
        text = texts.of(links[0])
        if not _headline(text) or texts.of(node) != text:
            continue
        if _ours(texts.href(links[0]) or "", site, path, same_site):
            targets.setdefault(rule.id, []).append(node)


# What may follow a card's headline: a mark, or a date or a count (digits and a word or two).
TRAILING_MARK = 3
TRAILING_DATE = 12
# A card: the block around one story link, holding nothing else but a short label.
MIN_LABEL = 3
CARD_TAGS = frozenset({"p", "div", "aside", "article", "li", "section", "figure", "h2", "h3", "h4", "h5", "h6",
                       "ul", "ol", "header"})


def _around(anchor, column, texts: Nodes):
    """The largest block around a lone story link that holds no other link with text and
    at most a label besides it (None: no block but the link's own)."""
    own = texts.length(anchor)
    node, best = anchor, None
    for _ in range(4):
        parent = node.parent
        if parent is None or parent.mem_id == column.mem_id or parent.tag in PROTECTED_TAGS:
            break
        if texts.length(parent) - own > LABEL:
            break
        if sum(1 for a in texts.links(parent) if texts.of(a)) > 1:
            break
        node = parent
        if parent.tag in CARD_TAGS:
            best = parent
    return best


def _card(anchor, column, texts: Nodes):
    """A promo card dropped between the article's paragraphs: the block around a lone
    story link, labelled."""
    best = _around(anchor, column, texts)
    # Only a labelled card ("Lire aussi", "Mehr zum Thema"): a bare headline between
    # paragraphs may be the article's own cross-reference.
    if best is None:
        return None
    text, link = texts.of(best), texts.of(anchor)
    if len(text) - len(link) < MIN_LABEL:
        return None
    # The label leads in ("Lire aussi : <headline>"), a date or a count may follow; a link
    # with words after it is part of a sentence ("He was <arrested in April> for the call…").
    at = text.rfind(link)
    if at < 0 or not _closing(text[at + len(link):]) or _continues(text[:at], link):
        return None
    if text[:at].strip().lower().rstrip(":").strip() in BYLINE_WORDS:
        return None  # "By <a>Mike Cason</a>": the article's byline
    return best


# What a byline starts with, before the writer's name, in the languages of the packs.
BYLINE_WORDS = frozenset({"by", "von", "par", "por", "di", "da", "door", "av", "af", "przez", "autor", "autorin",
                          "auteur", "author", "written by", "text", "texte", "texto", "testo", "tekst", "от",
                          "автор", "作者", "文", "記者", "기자", "oleh", "bởi", "tarafından", "yazar"})


def _continues(before: str, link: str) -> bool:
    """Whether a link carries on the sentence before it ("…the example we used <in a
    previous episode>:"): the words before end in a small letter or a comma and the link
    starts with one; a label ends with a mark or a word of its own ("Lire aussi :",
    "Mehr zum Thema") and a headline starts with a capital."""
    before = before.rstrip()
    first = next((c for c in link if c.isalpha()), "")
    return bool(before) and (before[-1].islower() or before[-1] == ",") and first.islower()


# A teaser: an `<article>` element around a story link, a few levels up, with this much text at most.
TEASER_LEVELS = 5
TEASER_TEXT = 400


def _closing(tail: str) -> bool:
    """Whether what follows a card's headline closes the card: a mark ("»", "(video)"
    is not) or a date or count ("2 hours ago", "评论 683", "30 Aug 2023, 4:45pm")."""
    letters = sum(c.isalpha() for c in tail)
    return letters <= TRAILING_MARK or (letters <= TRAILING_DATE and any(c.isdigit() for c in tail))


def _teaser(anchor, with_paragraphs: set[int], limit: int, texts: Nodes):
    """The `<article>` that is a teaser of one other story (its headline link, perhaps a
    picture, a kicker and a line of summary), not the page's article."""
    node = anchor
    for _ in range(TEASER_LEVELS):
        node = node.parent
        if node is None or node.tag in PROTECTED_TAGS:
            return None
        if node.tag == "article":
            break
    else:
        return None
    if texts.length(node) > limit:
        return None
    if node.mem_id in with_paragraphs:  # is or holds a paragraph of the article
        return None
    heads = {texts.href(a) for a in texts.links(node) if not _minor(texts.of(a))}
    return node if len(heads) <= 1 else None


def _width(text: str) -> int:
    """`text`'s length, its Chinese, Japanese and Korean characters counted twice."""
    return len(text) if text.isascii() else len(text) + _WIDE.subn("", text)[1]


def _one_link(p) -> bool:
    """Whether a paragraph is nothing but one link (a teaser's summary linked to its
    story): not the article's prose."""
    links = 0
    for child in p.iter(include_text=True):
        if child.tag == "a":
            links += 1
        elif child.tag != "-text" or (child.text_content or "").strip():
            return False
    return links == 1


def _chain(node) -> set[int]:
    """The ids of `node` and its ancestors."""
    chain = {node.mem_id}
    mark_ancestors(node, chain)
    return chain


def _beside(node, column_chain: set[int], block) -> bool:
    """Whether a box is, is in or holds a part of the page beside the article: an
    `<aside>` (the site's sidebar; one among the article's paragraphs is a promo), a
    menu, or the page's own header or footer, which are not clutter in the article."""
    inline = has_ancestor_in(node, {block.mem_id})
    if find(node, MENUS if inline else f"aside, {MENUS}"):
        return True
    while node is not None and node.mem_id not in column_chain:
        if node.tag == "aside" and not inline:
            return True
        if is_menu(node):
            return True
        if node.tag in _PAGE_PARTS and not has_ancestor_in(node, tags=_CONTENT):
            return True  # the page's header or footer (an article's own footer may hold promos)
        node = node.parent
    return False


def _before(node, first) -> bool:
    """Whether `node` comes before `first` (the article's first paragraph) in the page: a
    top bar, a menu."""
    above = {}  # the paragraph's ancestors, each with the child on the way to it
    child, current = first, first.parent
    while current is not None:
        above[current.mem_id] = child
        child, current = current, current.parent
    branch = node
    while branch.parent is not None and branch.parent.mem_id not in above:
        branch = branch.parent
    if branch.parent is None or branch.mem_id in above or branch.mem_id == first.mem_id:
        return False  # the paragraph's ancestor, the paragraph or unrelated
    towards = above[branch.parent.mem_id]
    sibling = branch.parent.child
    while sibling is not None:
        if sibling.mem_id == branch.mem_id:
            return True
        if sibling.mem_id == towards.mem_id:
            return False
        sibling = sibling.next
    return False


_PAGE_PARTS = frozenset({"header", "footer"})
_CONTENT = frozenset({"article", "main"})


def _site(host: str) -> str:
    """The part of a host that names the site: its last two labels, three under a
    two-letter country code's second level (news.bbc.co.uk: bbc.co.uk)."""
    labels = host.lower().rstrip(".").split(".")
    if len(labels) > 2 and len(labels[-1]) == 2 and len(labels[-2]) <= 3:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _ours(href: str, site: str, path: str, known: dict[str, bool]) -> bool:
    """`_same_site`, worked out once an address (`known`: a page links to one many times)."""
    ours = known.get(href)
    if ours is None:
        ours = known[href] = _same_site(href, site, path)
    return ours


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
    if host and site and not domain_covers(site, host) and _brand(_site(host)) != _brand(site):
        return False  # another site (bbc.co.uk is bbc.com's own: the same name under another suffix)
    target = parts.path or "/"
    return target not in ("/", path.split("?", 1)[0])


def _brand(site: str) -> str:
    """The name of a site without its suffix ("bbc" of bbc.co.uk and of bbc.com)."""
    return site.split(".", 1)[0]


def _headline(text: str) -> bool:
    if len(text.split()) >= HEADLINE_WORDS:
        return len(text) >= HEADLINE
    # A script written without spaces (Chinese, Japanese, Thai…): its characters count,
    # not its words ("Amanda Hällsten" is a name, not a headline).
    return not text.isascii() and sum(1 for c in text if c >= "\u0e00" and c.isalpha()) >= HEADLINE_UNSPACED


# A minor link: at most this long, and not a headline.
MINOR = 30


def _minor(text: str) -> bool:
    """A link a story box may carry besides its headlines: an empty one (a picture), or
    a short one that is not a headline (a section kicker, an author, a comment count,
    "Read more")."""
    return not text or (len(text) <= MINOR and not _headline(text))

